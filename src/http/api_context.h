#pragma once
// What every API handler works with, and the handlers themselves, grouped by area in
// *_routes.cpp. Internal to http/.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/api_json.h"
#include "http/api_server.h"
#include "http/on_demand_threads.h"
#include "http/security.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace atr {

/// Facts read from disk for the listing, kept for `kDiskFactsTtl`.
inline constexpr auto kDiskFactsTtl = std::chrono::seconds(30);

/// The server's state besides its services: caches, the background runner, counters.
struct ApiContext {
  ApiContext(ApiServices services_in, ApiOptions options_in)
      : s(std::move(services_in)), options(std::move(options_in)) {}

  ApiServices s;
  ApiOptions options;
  RequestGuard guard;  ///< set up by start() once the port is known

  /// Answers of GET /api/actors, kept while neither the registry, a version nor a data
  /// summary changed, and never longer than kDiskFactsTtl (a folder may change without us).
  struct ListEntry {
    std::shared_ptr<const ActorCatalog> catalog;
    std::uint64_t generation = 0;
    std::uint64_t data_generation = 0;
    std::chrono::steady_clock::time_point at;
    std::string body;
  };
  /// Bounded by the bytes it holds (an answer of 1,000 actors is about a megabyte): past
  /// kMaxListBytes the oldest answers go.
  static constexpr std::size_t kMaxListBytes = std::size_t{8} << 20;
  std::mutex list_mutex;
  std::map<std::string, ListEntry> list_cache;
  std::size_t list_cache_bytes = 0;  ///< guarded by list_mutex

  /// Each actor's list item, rendered once and reused while what it was rendered from (its
  /// record's revision and its view: poster, data summary, newest version) is the same, so a
  /// listing the answer cache does not hold is assembled from pieces. A reload keeps the
  /// revision of every object it did not change, so a reload, a version or a scan change
  /// re-renders only the actors it changed.
  struct PieceStamp {
    std::uint64_t latest_generation = 0;  ///< LatestVersions::generation() when checked
    std::uint64_t data_generation = 0;    ///< DataStates::generation() when checked
    std::chrono::steady_clock::time_point at;
  };
  struct ActorPiece {
    std::uint64_t revision = 0;  ///< of the record it was rendered from (Actor::revision)
    ActorView view;
    std::string json;
    PieceStamp stamp;  ///< when the view was last found unchanged
  };
  std::shared_mutex piece_mutex;
  std::unordered_map<std::string, ActorPiece> pieces;  ///< by actor key; guarded by piece_mutex
  /// Which actors have data, by registry position, for a search's "has data" filter and facet:
  /// computed for the whole registry once and reused, like the answer cache, while neither the
  /// registry nor a data summary changed and for at most kDiskFactsTtl.
  struct HasDataFacts {
    std::shared_ptr<const ActorCatalog> catalog;
    std::uint64_t data_generation = 0;
    std::chrono::steady_clock::time_point at;
    std::shared_ptr<const std::vector<bool>> has_data;
  };
  std::mutex facts_mutex;
  HasDataFacts facts;  ///< guarded by facts_mutex
  std::shared_ptr<const std::vector<bool>> has_data_facts(
      const std::shared_ptr<const ActorCatalog>& catalog, std::uint64_t data_generation,
      std::chrono::steady_clock::time_point now);
  /// Appends the actor's list item (JSON) to `out`; `stamp` holds the generations read before
  /// the request computed anything.
  void append_actor_item(const Actor& actor, const PieceStamp& stamp, std::string& out);

  /// Which actors have a local poster file (workspace-relative path, or empty), looked at once
  /// per kDiskFactsTtl, so a listing of 50 actors does not look for 150 files each time.
  struct PosterFact {
    std::string poster;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex poster_mutex;
  std::map<std::string, PosterFact> posters;

  std::atomic<int> sse_clients{0};

  std::mutex syncs_mutex;
  std::set<std::string> syncing;  ///< actor keys with a sync running or waiting
  /// Background work started by requests (syncs): at most kBackgroundThreads at once, no
  /// thread kept when none runs; stop() waits for it.
  OnDemandThreads background{ApiServer::kBackgroundThreads};

  /// What the list and the detail add to an actor's record: its poster, its data summary and
  /// its newest version. One function, so both say the same.
  ActorView actor_view(const Actor& actor);
};

using ApiHandler = void (*)(ApiContext&, const httplib::Request&, httplib::Response&);

/// One route: method, the OpenAPI document's path ("/api/actors/{id}"), handler.
struct ApiRoute {
  const char* method;
  const char* path;
  ApiHandler handler;
};

/// Every route of the API, on one screen (routes.cpp).
const std::vector<ApiRoute>& api_routes();

// system_routes.cpp
void get_health(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_openapi(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_settings(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_metrics(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_tunnel(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void start_tunnel(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void stop_tunnel(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_events(ApiContext& c, const httplib::Request& req, httplib::Response& res);
// actor_routes.cpp
void list_actors(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_actor(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_poster(ApiContext& c, const httplib::Request& req, httplib::Response& res);
// data_routes.cpp
void get_training_data(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_training_image(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void start_sync(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void import_history(ApiContext& c, const httplib::Request& req, httplib::Response& res);
// training_routes.cpp
void get_plan(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void post_plan(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void list_versions(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void start_training(ApiContext& c, const httplib::Request& req, httplib::Response& res);
// version_routes.cpp
void get_version(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_version_logs(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void abort_version(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void refresh_version(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void compare_versions(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void mark_good(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void clear_good(ApiContext& c, const httplib::Request& req, httplib::Response& res);
// preview_routes.cpp
void get_curve(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void list_previews(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void start_previews(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_preview_image(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void abort_preview(ApiContext& c, const httplib::Request& req, httplib::Response& res);
// spend_routes.cpp
void get_budget(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void put_budget(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void delete_budget(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void post_batch_plan(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void start_batch(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void list_batches(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_batch(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void cancel_batch(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void retry_version(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void rerun_version(ApiContext& c, const httplib::Request& req, httplib::Response& res);
void get_stats(ApiContext& c, const httplib::Request& req, httplib::Response& res);

}  // namespace atr
