#include "app/workspace.h"

#include <csignal>
#include <cstdlib>
#include <system_error>

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/check.h"
#include "base/files.h"
#include "base/paths.h"
#include "base/strings.h"
#include "http/webhook_server.h"
#include "images/vips_scanner.h"
#include "registry/json_file_actor_registry.h"
#include "registry/manifest_json.h"
#include "runpod/runpod_backend.h"
#include "s3/s3_object_store.h"
#include "store/sqlite_scan_memory.h"
#include "store/sqlite_version_store.h"

namespace atr {
namespace fs = std::filesystem;

namespace {

std::string random_token() {
  unsigned char bytes[24];
  ATR_CHECK(RAND_bytes(bytes, sizeof bytes) == 1, "no randomness for the webhook token");
  return to_hex(bytes, sizeof bytes);
}

// Crash tests set ATR_FAULT to a submission point ("after-store", "before-run"); the process
// then kills itself there with SIGKILL, exactly as an outside kill -9 would.
Trainings::FaultPoint fault_point_from_environment() {
  const char* wanted = std::getenv("ATR_FAULT");
  if (wanted == nullptr || *wanted == '\0') return {};
  return [point = std::string(wanted)](std::string_view at) {
    if (at == point) std::raise(SIGKILL);
  };
}

RunpodConnection connection_for(const Config& config) {
  RunpodConnection c;
  c.base_url = config.settings.runpod_base_url;
  c.api_key = config.secrets.runpod_api_key;
  c.timeout = std::chrono::seconds(config.settings.tracking.request_timeout_seconds);
  return c;
}

}  // namespace

std::optional<std::string> webhook_url(const Settings& settings, const Secret& token) {
  if (!settings.public_webhook_base_url || token.empty()) return std::nullopt;
  return *settings.public_webhook_base_url + WebhookServer::path_for(token);
}

void Workspace::set_tunnel_url(std::string url) {
  std::lock_guard lock(tunnel_mutex_);
  tunnel_url_ = std::move(url);
}

std::string Workspace::tunnel_url() const {
  std::lock_guard lock(tunnel_mutex_);
  return tunnel_url_;
}

std::optional<std::string> Workspace::current_webhook_url() const {
  if (std::optional<std::string> url = webhook_url(config.settings, webhook_token)) return url;
  std::string tunnel = tunnel_url();
  if (tunnel.empty() || webhook_token.empty()) return std::nullopt;
  return tunnel + WebhookServer::path_for(webhook_token);
}

std::optional<std::string> Workspace::current_preview_webhook_url() const {
  std::optional<std::string> url = current_webhook_url();
  if (!url) return url;
  return WebhookServer::preview_url_of(*url);
}

bool serve_is_running(const fs::path& root) {
  const fs::path lock = root / ".actor-trainer" / "serve.lock";
  const int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return locked;
}

namespace {

// NAME.json with NAME.bindings.json from `<root>/workflows/`, or `builtin` when the workspace
// has no such files and NAME is the built-in's name.
Result<WorkflowTemplate> load_named_workflow(const fs::path& root, const std::string& name,
                                             const WorkflowTemplate& builtin,
                                             const std::vector<std::string>& names) {
  const std::string what = "workflow " + name;
  Result<fs::path> graph_path = confine(root, "workflows/" + name + ".json");
  if (!graph_path) return graph_path.error().with_context(what);
  Result<fs::path> table_path = confine(root, "workflows/" + name + ".bindings.json");
  if (!table_path) return table_path.error().with_context(what);
  Result<std::string> graph = read_file(*graph_path);
  if (!graph) {
    if (graph.error().code == ErrorCode::NotFound && name == builtin.name) return builtin;
    return graph.error().with_context(what);
  }
  Result<std::string> table = read_file(*table_path);
  if (!table) {
    return Error{ErrorCode::NotFound, what + ": " + graph_path->string() +
                                          " has no binding table " +
                                          table_path->filename().string()};
  }
  return parse_workflow(name, *graph, *table, names);
}

}  // namespace

Result<WorkflowTemplate> load_workflow(const fs::path& root, const std::string& name) {
  return load_named_workflow(root, name, default_workflow(), bindable_parameters());
}

Result<WorkflowTemplate> load_preview_workflow(const fs::path& root, const std::string& name) {
  return load_named_workflow(root, name, default_preview_workflow(), preview_bindable_parameters());
}

Result<std::unique_ptr<Workspace>> open_workspace(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Error{ErrorCode::NotFound, "workspace " + root.string() + ": no such folder"};
  }
  auto ws = std::make_unique<Workspace>();
  ws->root = fs::canonical(root, ec);
  Result<Config> config = load_config(ws->root, process_environment());
  if (!config) return config.error();
  ws->config = std::move(config).value();

  const fs::path actors = ws->root / "actors.json";
  Result<std::unique_ptr<JsonFileActorRegistry>> registry =
      JsonFileActorRegistry::open(actors, ws->root / ".actor-trainer" / "actors.lock");
  if (!registry) {
    if (registry.error().code == ErrorCode::NotFound) {
      return Error{ErrorCode::NotFound, "workspace " + ws->root.string() +
                                            " has no actors.json (use --workspace DIR to pick "
                                            "another folder)"};
    }
    return registry.error();
  }
  ws->registry = std::move(registry).value();
  ws->metrics = std::make_shared<Metrics>();
  auto http = std::make_shared<CurlHttpClient>();
  auto runpod = std::make_unique<RunpodBackend>(
      load_workflow(ws->root, ws->config.settings.workflow), connection_for(ws->config), http);
  runpod->use_preview_workflow(
      load_preview_workflow(ws->root, ws->config.settings.preview.workflow));
  ws->backend = std::make_unique<CountingBackend>(std::move(runpod), ws->metrics);
  Result<std::unique_ptr<SqliteVersionStore>> store =
      SqliteVersionStore::open(ws->root / ".actor-trainer" / "state.db");
  if (!store) return store.error();
  ws->preview_store = store->get();
  ws->batch_store = store->get();
  ws->store = std::make_unique<ObservedVersionStore>(std::move(store).value());
  Result<std::unique_ptr<SqliteScanMemory>> memory =
      SqliteScanMemory::open(ws->root / ".actor-trainer" / "state.db");
  if (!memory) return memory.error();
  ws->scan_memory = std::move(memory).value();
  ws->scanner = std::make_unique<VipsTrainingDataScanner>(
      ws->root, ws->scan_memory.get(), ws->config.settings.limits.quality.enabled);
  if (!ws->config.settings.s3_bucket.empty() && ws->config.settings.has_s3_credentials) {
    S3Config s3;
    s3.endpoint_url = ws->config.settings.s3_endpoint_url;
    s3.region = ws->config.settings.s3_region;
    s3.bucket = ws->config.settings.s3_bucket;
    s3.access_key_id = ws->config.secrets.aws_access_key_id;
    s3.secret_access_key = ws->config.secrets.aws_secret_access_key;
    ws->objects = std::make_unique<S3ObjectStore>(std::move(s3), ws->root);
  }
  Result<std::string> token = ws->store->get_or_create_setting("webhook_token", random_token);
  if (!token) return token.error();
  ws->webhook_token = Secret(std::move(token).value());
  Workspace* w = ws.get();
  ws->trainings = std::make_unique<Trainings>(
      *ws->registry, *ws->scanner, *ws->store, *ws->backend, ws->clock, ws->config.settings,
      [w] { return w->current_webhook_url(); }, fault_point_from_environment());
  ws->trainings->use_object_store(ws->objects.get());
  ws->preview_files = std::make_unique<PreviewFiles>(ws->root, http, ws->objects.get(),
                                                     ws->config.settings.preview.s3_key_layout);
  ws->previews = std::make_unique<Previews>(
      *ws->registry, *ws->store, *ws->preview_store, *ws->backend, *ws->preview_files, ws->clock,
      ws->config.settings, [w] { return w->current_preview_webhook_url(); });
  ws->batches = std::make_unique<Batches>(*ws->registry, *ws->trainings, *ws->batch_store,
                                          *ws->store, ws->config.settings, ws->clock);
  const std::filesystem::path manifest_root = ws->root;
  ws->importer = std::make_unique<HistoryImporter>(
      *ws->registry, *ws->store, ws->scan_memory.get(), ws->clock,
      [manifest_root](const std::string& folder) { return read_manifests(manifest_root, folder); });
  return ws;
}

}  // namespace atr
