#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "base/secret.h"
#include "core/actor_registry.h"
#include "core/data_states.h"
#include "core/history_import.h"
#include "core/object_store.h"
#include "core/settings.h"
#include "core/thumbnails.h"
#include "core/training_data_scanner.h"
#include "core/trainings.h"
#include "core/tunnel.h"
#include "core/version_store.h"
#include "http/event_hub.h"
#include "http/metrics.h"
#include "http/on_demand_threads.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace atr {

/// The services the API works on; all owned by the caller and alive while the server runs.
struct ApiServices {
  std::filesystem::path workspace;
  ActorRegistry& registry;
  TrainingDataScanner& scanner;
  DataStates& data;  ///< every actor's data summary (list, facets, detail)
  VersionStore& store;
  Trainings& trainings;
  HistoryImporter& importer;
  const Settings& settings;
  Thumbnailer& thumbnails;
  Tunnel& tunnel;
  EventHub& events;
  Metrics& metrics;
  /// The S3 bucket of the training images; null when S3 is not configured.
  ObjectStore* objects;
  /// Where webhooks reach us now: "public_url", "ngrok" or "none", and the base URL (no token).
  std::function<std::pair<std::string, std::string>()> webhook_reachability;
  /// Adds the gauges that are read at scrape time (active versions, SSE clients) to `metrics`.
  std::function<void()> refresh_gauges;
};

/// How the API listens and whom it trusts.
struct ApiOptions {
  std::string host = "127.0.0.1";
  int port = 8090;    ///< 0: any free port
  Secret auth_token;  ///< when set, every /api/ route and /metrics need "Authorization: Bearer"
  std::vector<std::string> extra_origins;  ///< more origins allowed to change state
  std::filesystem::path ui_dir;            ///< the built web UI; empty or missing: API only
  std::size_t body_limit = std::size_t{1} << 20;
  std::chrono::milliseconds heartbeat{15'000};
  /// Connections served at once, each on its own thread (an open SSE stream holds one);
  /// more wait for one to end. No thread is kept when no connection is open.
  int max_connections = 4096;
};

/// One route of the API, as the OpenAPI document names it ("/api/actors/{id}").
struct RouteInfo {
  std::string method;
  std::string path;
};

/// The product's HTTP API (PRODUCT.md §3) on cpp-httplib: JSON routes, the SSE stream,
/// thumbnails, /metrics and the built web UI. Handlers are thin: they parse, call the core and
/// shape the answer with api/. Every request passes the security checks of PRODUCT.md §4
/// first (Host, bearer token, Origin/Referer or the UI's own header for state changes, body
/// limit). The webhook listener is a separate server (WebhookServer).
class ApiServer {
 public:
  /// The header the web UI sends with every state-changing request. A cross-origin page
  /// cannot add it without a CORS preflight, which this server never grants.
  static constexpr const char* kClientHeader = "X-Actor-Trainer";
  /// Syncs started from the API that run at once (each uploads on its own threads too).
  static constexpr std::size_t kBackgroundThreads = 4;

  ApiServer(ApiServices services, ApiOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  /// Binds and serves on a background thread. Unavailable when the address cannot be bound.
  Status start();
  [[nodiscard]] int port() const { return port_; }
  /// Ends the SSE streams, lets in-flight requests finish, joins the threads.
  void stop();

  /// Tells the server a version changed (the latest-version column of the actor list).
  void version_changed(const Version& version);

  /// Every route in the table, for the OpenAPI check.
  static std::vector<RouteInfo> routes();
  /// The OpenAPI 3 document served at /api/openapi.json.
  static std::string_view openapi_document();

 private:
  struct Route;
  struct ListCache;
  struct PosterFiles;
  using Handler = void (ApiServer::*)(const httplib::Request&, httplib::Response&);
  static const std::vector<Route>& table();

  static void offer_gzip_only(const httplib::Request& req);
  bool admit(const httplib::Request& req, httplib::Response& res);
  bool check_request(const httplib::Request& req, httplib::Response& res);
  void serve_ui(const httplib::Request& req, httplib::Response& res);
  std::string now_text() const;
  struct ActorView actor_view(const Actor& actor);

  void health(const httplib::Request& req, httplib::Response& res);
  void openapi(const httplib::Request& req, httplib::Response& res);
  void settings(const httplib::Request& req, httplib::Response& res);
  void list_actors(const httplib::Request& req, httplib::Response& res);
  void get_actor(const httplib::Request& req, httplib::Response& res);
  void poster(const httplib::Request& req, httplib::Response& res);
  void training_data(const httplib::Request& req, httplib::Response& res);
  void training_image(const httplib::Request& req, httplib::Response& res);
  void sync(const httplib::Request& req, httplib::Response& res);
  void get_plan(const httplib::Request& req, httplib::Response& res);
  void post_plan(const httplib::Request& req, httplib::Response& res);
  void list_versions(const httplib::Request& req, httplib::Response& res);
  void start_training(const httplib::Request& req, httplib::Response& res);
  void mark_good(const httplib::Request& req, httplib::Response& res);
  void import_history(const httplib::Request& req, httplib::Response& res);
  void clear_good(const httplib::Request& req, httplib::Response& res);
  void get_version(const httplib::Request& req, httplib::Response& res);
  void version_logs(const httplib::Request& req, httplib::Response& res);
  void abort_version(const httplib::Request& req, httplib::Response& res);
  void refresh_version(const httplib::Request& req, httplib::Response& res);
  void compare(const httplib::Request& req, httplib::Response& res);
  void events(const httplib::Request& req, httplib::Response& res);
  void tunnel_status(const httplib::Request& req, httplib::Response& res);
  void tunnel_start(const httplib::Request& req, httplib::Response& res);
  void tunnel_stop(const httplib::Request& req, httplib::Response& res);
  void metrics(const httplib::Request& req, httplib::Response& res);

  ApiServices s_;
  ApiOptions options_;
  std::vector<std::string> own_origins_;  ///< "http://127.0.0.1:8090", …
  std::vector<std::string> own_hosts_;    ///< "127.0.0.1:8090", …
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  std::mutex latest_mutex_;
  std::map<std::string, std::pair<std::string, VersionStatus>> latest_;  ///< actor id -> newest
  std::atomic<std::uint64_t> generation_{0};  ///< bumped by every version change
  std::unique_ptr<ListCache> list_cache_;
  std::unique_ptr<PosterFiles> posters_;
  std::atomic<int> sse_clients_{0};

  std::mutex syncs_mutex_;
  std::set<std::string> syncing_;  ///< actor ids with a sync running or waiting
  /// Background work started by requests (syncs): at most kBackgroundThreads at once, no
  /// thread kept when none runs; stop() waits for it.
  std::unique_ptr<OnDemandThreads> background_ =
      std::make_unique<OnDemandThreads>(kBackgroundThreads);
};

}  // namespace atr
