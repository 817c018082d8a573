#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "app/config.h"
#include "app/live_events.h"
#include "app/preview_files.h"
#include "base/secret.h"
#include "core/actor_registry.h"
#include "core/batch.h"
#include "core/clock.h"
#include "core/history_import.h"
#include "core/object_store.h"
#include "core/previews.h"
#include "core/scan_memory.h"
#include "core/training_backend.h"
#include "core/training_data_scanner.h"
#include "core/trainings.h"
#include "core/version_store.h"
#include "net/http_client.h"
#include "runpod/workflow.h"

namespace atr {

/// Wall-clock time from the system.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
};

/// The concrete services for one workspace folder, side by side: the composition root.
struct Workspace {
  std::filesystem::path root;
  Config config;
  std::unique_ptr<ActorRegistry> registry;
  std::unique_ptr<ScanMemory> scan_memory;  // declared first: the scanner uses it
  std::unique_ptr<TrainingDataScanner> scanner;
  std::shared_ptr<Metrics> metrics;          ///< RunPod calls and, in `serve`, the API's
  std::unique_ptr<TrainingBackend> backend;  ///< RunPod, counted into `metrics`
  std::unique_ptr<ObservedVersionStore> store;
  /// The S3 bucket of the training images; null when S3_BUCKET or the credentials are missing.
  std::unique_ptr<ObjectStore> objects;
  Secret webhook_token;  ///< generated once per workspace, kept in the state store
  SystemClock clock;
  std::unique_ptr<Trainings> trainings;
  std::unique_ptr<HistoryImporter> importer;
  PreviewStore* preview_store = nullptr;  ///< the state store's previews table (owned by `store`)
  std::unique_ptr<PreviewFiles> preview_files;
  std::unique_ptr<Previews> previews;  ///< preview images of versions (preview endpoint)
  BatchStore* batch_store = nullptr;   ///< the state store's batches table (owned by `store`)
  std::unique_ptr<Batches> batches;    ///< many trainings at once: plan, queue

  /// The ngrok tunnel's public base URL while it runs (set by `serve`), else empty.
  void set_tunnel_url(std::string url);
  [[nodiscard]] std::string tunnel_url() const;
  /// The webhook URL a submission sends now: PUBLIC_WEBHOOK_BASE_URL, else the tunnel's URL,
  /// each with the token path; nothing when neither is there (polling only).
  [[nodiscard]] std::optional<std::string> current_webhook_url() const;
  /// The same for preview jobs: their own path, since a preview webhook is only ever a hint.
  [[nodiscard]] std::optional<std::string> current_preview_webhook_url() const;

 private:
  mutable std::mutex tunnel_mutex_;
  std::string tunnel_url_;
};

/// The webhook URL RunPod is given: the public base URL + the token path, or none.
std::optional<std::string> webhook_url(const Settings& settings, const Secret& token);

/// True while an `actor-trainer serve` holds this workspace (its lock file is locked).
bool serve_is_running(const std::filesystem::path& root);

/// Opens `root`: reads configuration, actors.json and the workflow template. Fails before any
/// work is done when the configuration or actors.json is missing or malformed, naming the
/// file; a broken workflow template fails only the commands that build a training request.
Result<std::unique_ptr<Workspace>> open_workspace(const std::filesystem::path& root);

/// The workflow `name` from `<root>/workflows/` (template NAME.json with table
/// NAME.bindings.json), or the built-in one when the workspace has no such files.
Result<WorkflowTemplate> load_workflow(const std::filesystem::path& root, const std::string& name);

/// The preview workflow `name` from `<root>/workflows/` (same layout), or the built-in one.
Result<WorkflowTemplate> load_preview_workflow(const std::filesystem::path& root,
                                               const std::string& name);

}  // namespace atr
