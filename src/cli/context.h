#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/actor_registry.h"
#include "core/batch.h"
#include "core/clock.h"
#include "core/history_import.h"
#include "core/object_store.h"
#include "core/previews.h"
#include "core/settings.h"
#include "core/training_backend.h"
#include "core/training_data_scanner.h"
#include "core/trainings.h"
#include "core/version_store.h"

namespace atr::cli {

/// Everything the command line asked for: global flags plus each command's options.
struct Options {
  std::string workspace = ".";
  bool json = false;
  // actors list
  std::string search;
  std::vector<std::string> sex;
  std::vector<std::string> ethnicity;
  bool has_data = false;
  bool without_data = false;
  bool has_model = false;
  bool without_model = false;
  std::size_t limit = 50;
  std::size_t offset = 0;
  // actor commands
  std::string actor;
  std::string endpoint;
  std::vector<std::string> params;  ///< "name=value" overrides
  bool dry_run = false;
  // training lifecycle
  std::string description;
  std::string idempotency_key;
  bool force = false;
  bool no_deep_check = false;  ///< train: skip the HEAD of every recorded S3 object
  bool eligible = false;
  int max = 0;  ///< train --eligible: at most this many (0: all)
  int concurrency = 2;
  std::vector<std::string> exclude;  ///< train --eligible: actors left out of the plan
  std::string since;                 ///< stats: from this date or time
  std::string version;               ///< a version reference: row id, or ACTOR/Vn
  std::string other_version;         ///< compare: the second one
  bool clear = false;
  bool once = false;  ///< watch: print the state once and return
  // data sync
  bool all = false;
  bool delete_orphans = false;
  int sync_concurrency = 8;
  // serve
  std::string host = "127.0.0.1";
  int port = 8090;
  std::string webhook_host = "127.0.0.1";
  int webhook_port = 8091;
  std::string auth_token;
  bool insecure_no_auth = false;  ///< serve off loopback without a token, knowingly
  std::vector<std::string> allow_origins;
  std::string ui_dir;
  int heartbeat_seconds = 15;
  bool ngrok = false;
  // import
  std::string manifests;  ///< manifest folder; empty: data/actor_manifests
  // previews
  bool wait = false;  ///< previews start: wait until every preview has finished
  int wait_seconds = 600;
  std::string out;              ///< previews sheet: the PNG to write
  std::int64_t preview_id = 0;  ///< previews abort
};

/// The services a command works with; app/ builds it for the chosen workspace.
struct Context {
  std::filesystem::path workspace;
  ActorRegistry& registry;
  TrainingDataScanner& scanner;
  TrainingBackend& backend;
  const Clock& clock;
  const Settings& settings;
  VersionStore& store;
  Trainings& trainings;
  /// The S3 bucket; null when S3 is not configured.
  ObjectStore* objects;
  /// Runs `serve` (app/ supplies it: threads and listeners live there).
  std::function<int(const Options&)> serve;
  /// True while an `actor-trainer serve` tracks this workspace; commands then leave status
  /// checks to it instead of asking RunPod themselves.
  std::function<bool()> serve_running;
  /// The ngrok agent on PATH, or empty (for `doctor`).
  std::function<std::string()> ngrok_binary;
  /// Imports the studio's manifests (history, data records, validated models).
  HistoryImporter* importer = nullptr;
  /// Preview images of versions.
  Previews* previews = nullptr;
  /// Writes a contact sheet PNG (libvips, from app/).
  std::function<Status(const ContactSheet&, const std::string&)> sheets;
  /// Batch plans (train --eligible).
  Batches* batches = nullptr;
};

}  // namespace atr::cli
