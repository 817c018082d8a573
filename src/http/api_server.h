#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/secret.h"
#include "core/actor_registry.h"
#include "core/batch.h"
#include "core/data_states.h"
#include "core/history_import.h"
#include "core/object_store.h"
#include "core/previews.h"
#include "core/settings.h"
#include "core/thumbnails.h"
#include "core/training_data_scanner.h"
#include "core/trainings.h"
#include "core/tunnel.h"
#include "core/version_store.h"
#include "http/event_hub.h"
#include "http/metrics.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace atr {

/// What the API shows of versions without asking the store: each actor's newest version and a
/// generation that changes whenever one does. `serve` keeps it (app/), fed by the live event
/// publisher; the API only reads it.
class LatestVersions {
 public:
  virtual ~LatestVersions() = default;
  /// The actor's newest version (name and status), if it has one.
  [[nodiscard]] virtual std::optional<std::pair<std::string, VersionStatus>> of(
      const std::string& actor_key) const = 0;
  /// Changes whenever any actor's newest version does.
  [[nodiscard]] virtual std::uint64_t generation() const = 0;
};

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
  const LatestVersions& latest;
  /// The S3 bucket of the training images; null when S3 is not configured.
  ObjectStore* objects;
  /// Where webhooks reach us now: "public_url", "ngrok" or "none", and the base URL (no token).
  std::function<std::pair<std::string, std::string>()> webhook_reachability;
  /// Adds the gauges that are read at scrape time (active versions, SSE clients) to `metrics`.
  std::function<void()> refresh_gauges;
  /// Preview images of versions; null: the preview routes answer 503.
  Previews* previews = nullptr;
  PreviewStore* preview_store = nullptr;
  /// Batch plans and queues; null: the batch routes answer 503.
  Batches* batches = nullptr;
  BatchStore* batch_store = nullptr;
  /// Called after a batch was started, so its queue begins at once.
  std::function<void()> batch_started;
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

struct ApiContext;

/// The product's HTTP API (PRODUCT.md §3) on cpp-httplib: the route table (routes.cpp), the
/// security checks of PRODUCT.md §4 before any route (security.cpp), the built web UI
/// (static_files.cpp) and the live event stream (sse.cpp). Handlers, grouped by area in
/// *_routes.cpp, decode the request, call one use case and encode the answer with api/. The
/// webhook listener is a separate server (WebhookServer).
class ApiServer {
 public:
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

  /// Every route in the table, for the OpenAPI check.
  static std::vector<RouteInfo> routes();
  /// The OpenAPI 3 document served at /api/openapi.json.
  static std::string_view openapi_document();

 private:
  std::unique_ptr<ApiContext> context_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace atr
