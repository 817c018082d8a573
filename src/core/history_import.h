#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/actor_registry.h"
#include "core/actor_search.h"
#include "core/clock.h"
#include "core/scan_memory.h"
#include "core/version.h"
#include "core/version_store.h"

namespace atr {

/// One `training_data` entry of a studio's per-actor manifest.
struct ManifestImage {
  std::string filename;
  std::string local_path;  ///< as the manifest writes it; may be absolute or empty
  std::int64_t size_bytes = 0;
  std::string md5;      ///< lowercase hex; empty when the manifest has none
  std::string s3_url;   ///< normalised `s3://bucket/key`; empty: not in S3
  bool synced = false;  ///< status "synced" (the S3 object holds this file)
};

/// One `custom_lora_models` entry: a LoRA trained before this product.
struct ManifestModel {
  std::string filename;  ///< "actor_6_V7.safetensors"
  int number = 0;        ///< 7 of "V7"; 0 when neither `version` nor the file name says
  std::string lora_url;  ///< `s3_url` as the manifest writes it (what workers download)
  std::optional<std::int64_t> size_bytes;
  std::string md5;  ///< may be a multipart ETag ("…-19")
  std::optional<UnixMs> created_at;
  std::optional<UnixMs> modified_at;
  bool good = false;  ///< the studio's validated model
};

/// A studio's manifest of one actor (`data/actor_manifests/0006_manifest.json`), the fields
/// the import reads. Every other block of the file is left alone.
struct ActorManifest {
  std::string file;          ///< workspace-relative path, for messages
  std::string character_id;  ///< "0006"
  std::string character_name;
  std::vector<ManifestImage> images;
  std::vector<ManifestModel> models;
  std::optional<bool> training_data_good;
  std::vector<std::string> problems;  ///< entries that could not be read, each with why
};

/// One line of an import plan: something recorded, or left out and why.
struct ImportStep {
  std::string what;  ///< "training data: 19 images in S3", "V7 actor_6_V7"
  bool applies = false;
  std::string why;  ///< for a step that does not apply: the reason
  bool operator==(const ImportStep&) const = default;
};

/// What importing one manifest does to one actor.
struct ActorImport {
  std::string manifest;  ///< workspace-relative manifest path
  std::string actor;     ///< the actor's key; empty when no actor matches
  std::string actor_name;
  std::optional<TrainingDataRecord> training_data;  ///< the block to record
  std::string folder;                               ///< training folder the synced MD5s belong to
  std::map<std::string, std::string> synced_md5s;   ///< file name → MD5 in S3 (to remember)
  std::vector<Version> versions;                    ///< to import, oldest first
  std::optional<int> good_number;                   ///< the version to record as validated
  std::optional<bool> training_data_good;           ///< the studio's own judgement of the data
  std::vector<ImportStep> steps;                    ///< everything, in order, for the dry run

  /// True when applying changes anything.
  [[nodiscard]] bool changes() const;
};

/// The whole import: one entry per manifest, in file-name order.
struct ImportPlan {
  std::vector<ActorImport> actors;
  [[nodiscard]] int changing() const;  ///< actors that change
};

/// Works out, without changing anything, what importing `manifests` records: per actor the
/// `training_data` block (when actors.json records none), the versions not known yet
/// (`known(actor key)` lists the stored ones), the validated model (when actors.json names
/// none), and every item left out with its reason. `default_folder(actor)` is where the actor's
/// images live when the manifest's paths do not say. Pure: the same inputs give the same plan.
ImportPlan plan_import(const ActorCatalog& catalog, const std::vector<ActorManifest>& manifests,
                       const std::function<std::vector<Version>(const std::string&)>& known,
                       const std::function<std::string(const Actor&)>& default_folder, UnixMs now);

/// What applying an import did.
struct ImportOutcome {
  int versions_imported = 0;
  int blocks_recorded = 0;
  int validated_recorded = 0;
};

/// Applies `plan`: the versions first (one store transaction), then the synced MD5s, then
/// every registry change in one safe write (conflict when another program changed actors.json
/// meanwhile), then the store's good marks. The MD5s go before the block that a re-run would
/// see as done, so running it again changes nothing and running it after a failure finishes
/// what was left.
Result<ImportOutcome> apply_import(const ImportPlan& plan, ActorRegistry& registry,
                                   VersionStore& store, ScanMemory* memory, UnixMs now);

/// Where a workspace keeps the studio's manifests unless told otherwise.
inline constexpr const char* kManifestFolder = "data/actor_manifests";

/// One import, planned and (unless a dry run) applied.
struct ImportRun {
  std::string folder;  ///< the manifest folder read
  bool dry_run = true;
  ImportPlan plan;
  std::optional<ImportOutcome> outcome;  ///< set when applied
};

/// The import use case, shared by the CLI and the API: reads the manifests, plans against
/// actors.json and the state store as they are now, and applies the plan unless asked not to.
class HistoryImporter {
 public:
  /// Reads every manifest of a workspace-relative folder (registry/ does the parsing).
  using ReadManifests =
      std::function<Result<std::vector<ActorManifest>>(const std::string& folder)>;

  HistoryImporter(ActorRegistry& registry, VersionStore& store, ScanMemory* memory,
                  const Clock& clock, ReadManifests read);

  /// Imports `folder` (empty: kManifestFolder). Runs one at a time.
  [[nodiscard]] Result<ImportRun> run(const std::string& folder, bool dry_run);

 private:
  ActorRegistry& registry_;
  VersionStore& store_;
  ScanMemory* memory_;
  const Clock& clock_;
  ReadManifests read_;
  std::mutex mutex_;
};

/// The `validated_lora_model` block that marks `version` good at `now`: what mark-good and the
/// import both write.
ValidatedModel validated_model_of(const Version& version, UnixMs now);

}  // namespace atr
