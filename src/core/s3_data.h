#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "core/actor.h"
#include "core/object_store.h"
#include "core/training_data.h"
#include "core/training_data_scanner.h"

namespace atr {

/// An actor's images in S3, for an actor whose training folder holds none.
struct RemoteImages {
  struct Image {
    S3Location at;
    StoredObject object;
  };
  std::vector<Image> images;         ///< by file name
  std::vector<std::string> missing;  ///< recorded URLs with no object behind them
  std::vector<std::string> ignored;  ///< discovered objects that are not images, by file name
  /// True when the images are the `training_data` block's URLs; false when they were found
  /// under the key layout's prefix and actors.json does not record them.
  bool recorded = false;
  std::string listed;  ///< "s3://bucket/prefix/" of each listing, ", "-separated
};

/// Finds the actor's objects: the URLs its `training_data` block records (one listing per
/// folder of keys, in whatever bucket they are, rather than a HEAD per object), else every
/// object directly under its prefix of `key_layout` in the configured bucket.
Result<RemoteImages> find_remote_images(const Actor& actor, ObjectStore& store,
                                        const std::string& key_layout);

/// inspect_training_data, plus, for an actor whose folder holds no image file, its S3 objects
/// checked from their content (fetched once, then known by ETag; see
/// TrainingDataScanner::scan_object) with the same checks as local files. The report is then
/// `s3_only`: its files carry their `s3_url`, a recorded object that is missing or unusable
/// makes it out of sync, and objects found under the layout but not recorded make it not
/// synced. With `store` null (S3 not configured) the recorded block alone says what is there.
Result<TrainingDataReport> inspect_actor_data(const Actor& actor, TrainingDataScanner& scanner,
                                              ObjectStore* store, const std::string& key_layout,
                                              const DataCheckLimits& limits,
                                              const ProgressFn& progress);

/// Refuses (FailedPrecondition) unless a fresh look at the actor's data (inspect_actor_data)
/// says synced: the recorded block can be stale, and a training sends the recorded URLs.
Status require_synced_data(const Actor& actor, TrainingDataScanner& scanner, ObjectStore* store,
                           const std::string& key_layout, const DataCheckLimits& limits,
                           const ProgressFn& progress);

/// What `data pull` did (or would do, on a dry run).
struct PullReport {
  std::string actor_id;
  std::string folder;                ///< workspace-relative training folder
  std::vector<std::string> pulled;   ///< written into the folder (or to write)
  std::vector<std::string> kept;     ///< local files that differ from their object: not touched
  std::vector<std::string> missing;  ///< recorded URLs with no object
  std::vector<std::string> failed;   ///< "name: why"
  int unchanged = 0;                 ///< already there with the object's content
  std::int64_t pulled_bytes = 0;
  bool recorded = false;  ///< the synced MD5s are recorded, so the folder scans as synced
};

/// Brings an actor's S3 objects (see find_remote_images) into its training folder: each
/// missing file is downloaded atomically and checked against its ETag; a local file with the
/// object's content is left; a local file that differs is kept, never overwritten, and named.
/// When nothing failed, the MD5 of every object is recorded as its synced content, so the
/// folder scans as synced when the block records these objects, and an edit shows as a change.
Result<PullReport> pull_actor(const Actor& actor, TrainingDataScanner& scanner, ObjectStore& store,
                              const std::string& key_layout, bool dry_run,
                              const ProgressFn& progress);

}  // namespace atr
