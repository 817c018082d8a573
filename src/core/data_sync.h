#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/actor.h"
#include "core/actor_registry.h"
#include "core/object_store.h"
#include "core/training_data.h"
#include "core/training_data_scanner.h"

namespace atr {

/// How a sync runs.
struct SyncOptions {
  bool delete_orphans = false;  ///< delete remote objects under the prefix with no local file
  bool dry_run = false;         ///< plan only: upload, delete and write nothing
  int concurrency = 8;
  /// Leave the record to commit_syncs() (one registry write for many actors).
  bool defer_record = false;
};

/// What a sync will do (the plan) and did (the outcome).
struct SyncReport {
  std::string actor_id;
  std::string prefix;                  ///< "actors/<name>/training_data/"
  std::vector<PutItem> uploads;        ///< new or changed files
  std::vector<std::string> deletions;  ///< orphans deleted (or to delete, on a dry run)
  std::vector<std::string> orphans;    ///< remote objects with no local file, kept
  std::vector<std::string> excluded;   ///< image files left out (error finding): "name: why"
  std::vector<std::string> ignored;    ///< files that are not images, not uploaded
  std::vector<std::string> failed;     ///< uploads or deletions that failed: "key: why"
  int unchanged = 0;                   ///< already there with the same MD5
  std::int64_t upload_bytes = 0;
  std::vector<std::string> s3_urls;  ///< what the training_data block records (sorted)
  bool marked_synced = false;        ///< the registry now says synced: true

  /// What is left to record after the transfers succeeded (see commit_syncs()).
  struct Pending {
    std::string folder;                       ///< workspace-relative training folder
    std::optional<ActorPatch> patch;          ///< none: the block already says this
    std::map<std::string, std::string> md5s;  ///< every synced file name → its MD5
    bool md5s_changed = false;                ///< differs from what the scanner remembers
  };
  std::optional<Pending> pending;  ///< set when everything is in S3 and not yet recorded
};

/// The key prefix of an actor's images from the layout ("actors/{actor}/training_data/{file}").
/// InvalidArgument when the layout lacks `{file}` or the actor has no usable name.
Result<std::string> key_prefix(const std::string& layout, const Actor& actor);

/// The pure part: which local files to upload, which remote objects are orphans, which image
/// files are left out (an error-level finding) and which are ignored (not images), from a scan
/// and a listing.
SyncReport plan_sync(const Actor& actor, const TrainingDataReport& scan,
                     const std::vector<StoredObject>& remote, const std::string& prefix,
                     const ObjectStore& store);

/// The deep check before a training: HEADs the objects behind the actor's recorded s3_urls
/// (those in `store`'s bucket) and refuses (FailedPrecondition) with the missing ones named.
/// `limit` bounds the HEAD requests (0: all); `checked` receives how many were made.
Status check_remote_objects(const Actor& actor, ObjectStore& store, std::size_t limit = 0,
                            std::size_t* checked = nullptr);

/// Presigned GET URLs for `s3_urls` ("s3://bucket/key"), in the same order, valid `expires`.
/// FailedPrecondition when a URL is not in `store`'s bucket (it cannot be signed there).
Result<std::vector<std::string>> presign_urls(const ObjectStore& store,
                                              const std::vector<std::string>& s3_urls,
                                              std::chrono::seconds expires);

/// Progress of a sync: a stage ("scan", "list", "upload", "delete", "record") and counts.
using SyncProgress =
    std::function<void(const std::string& stage, std::size_t done, std::size_t total)>;

/// Syncs one actor: scan, list the prefix, upload what is new or changed (MD5 against the
/// ETag), delete orphans when asked, then record (unless options.defer_record) the
/// `training_data` block (sorted s3 URLs, local_path, count, synced: true) through the
/// registry's safe write. Left-out and ignored files do not stop the rest: the record lists the
/// usable images. Nothing is marked synced when an upload failed (a re-run uploads only what
/// is missing); FailedPrecondition when the folder has no usable image at all.
Result<SyncReport> sync_actor(const Actor& actor, TrainingDataScanner& scanner, ObjectStore& store,
                              ActorRegistry& registry, const DataCheckLimits& limits,
                              const std::string& key_layout, const SyncOptions& options,
                              const SyncProgress& progress);

/// Records every report's pending result: the changed `training_data` blocks in one registry
/// write, then the synced MD5s through the scanner. Marks each such report synced.
Status commit_syncs(const std::vector<SyncReport*>& reports, ActorRegistry& registry,
                    TrainingDataScanner& scanner);

/// One actor's part of sync_all: its report, or why it failed.
struct SyncOutcome {
  std::string actor_id;  ///< the actor's key
  std::string label;
  std::optional<SyncReport> report;
  std::optional<Error> error;
};

/// Progress of sync_all over the whole run: the stage ("scan", "list", "upload", "record") and
/// how far each has come.
struct SyncAllStatus {
  std::string stage;
  std::size_t actors = 0;   ///< actors with something to sync
  std::size_t scanned = 0;  ///< of `actors`
  std::size_t to_list = 0;  ///< prefixes to list (actors with local files)
  std::size_t listed = 0;   ///< of `to_list`
  std::size_t files_done = 0;
  std::size_t files_total = 0;
  std::int64_t bytes_done = 0;
  std::int64_t bytes_total = 0;
};
using SyncAllProgress = std::function<void(const SyncAllStatus& status)>;
/// `data sync --all`: syncs every actor whose folder holds image files (usable or not: damaged
/// files are worth naming), or, with delete_orphans, that records objects. Its cost follows
/// the data, not the registry: their prefixes are listed `concurrency` at a time while the
/// actors are scanned one by one, each actor's uploads join one parallel run (start_uploads) as
/// soon as it is planned, then every finished actor's `training_data` block goes in **one**
/// registry write (commit_syncs). Progress comes from this thread and the upload workers.
/// Outcomes come in registry order; a failed actor keeps its place with its error and does not
/// stop the others. Fails as a whole only when that one write fails.
Result<std::vector<SyncOutcome>> sync_all(const ActorCatalog& catalog, TrainingDataScanner& scanner,
                                          ObjectStore& store, ActorRegistry& registry,
                                          const DataCheckLimits& limits,
                                          const std::string& key_layout, SyncOptions options,
                                          const SyncAllProgress& progress);

}  // namespace atr
