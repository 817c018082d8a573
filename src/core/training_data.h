#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/actor.h"

namespace atr {

/// What reading one file of a training folder found. The scanner fills it; the checks judge it.
enum class FileStatus {
  Image,             ///< a readable jpg/jpeg/png/webp image
  Ignored,           ///< not an image file (notes.md, a .json): listed, never trained on
  Unsupported,       ///< an image format we do not train on (.bmp, .gif, …), or such content
  Unreadable,        ///< cannot be opened or its header cannot be read
  Corrupt,           ///< the header reads but the file is truncated or damaged
  OutsideWorkspace,  ///< a symlink that resolves outside the workspace; never read
};

/// Lowercase wire name: "image", "ignored", "unsupported", "unreadable", "corrupt",
/// "outside_workspace".
std::string_view to_string(FileStatus status);
std::optional<FileStatus> parse_file_status(std::string_view text);

/// One file of an actor's training folder.
struct ScannedFile {
  std::string name;  ///< file name inside the folder
  FileStatus status = FileStatus::Image;
  std::string format;  ///< "jpeg", "png", "webp" as detected from the content
  int width = 0;
  int height = 0;
  std::uint64_t bytes = 0;
  std::string md5;           ///< lowercase hex of the content; empty when not read
  bool has_caption = false;  ///< a same-name .txt file is present
  std::string detail;        ///< why the status is not Image
  std::string synced_md5;    ///< the MD5 this name had at the last sync; empty when unknown
  std::string s3_url;        ///< an S3-only actor's object ("s3://bucket/key"); else empty
};

enum class Severity { Error, Warning };

/// "error" or "warning".
std::string_view to_string(Severity severity);

/// One result of the quality checks. An error about one file excludes that file from sync
/// and training (the rest of the set is still used); an error about the whole set
/// (`no_images`) blocks the actor.
struct Finding {
  Severity severity = Severity::Warning;
  std::string code;  ///< stable: unreadable, corrupt, unsupported_format, outside_workspace,
                     ///< small_image, duplicate, too_few_images, too_many_images, no_images
  std::string file;  ///< empty for findings about the whole set
  std::string message;
};

/// Thresholds of the quality checks.
struct DataCheckLimits {
  int min_short_side = 512;
  int min_images = 5;
  int max_images = 150;
};

/// Whether S3 holds the actor's current local images.
enum class SyncState { Synced, OutOfSync, NotSynced, NoData };

/// "synced", "out_of_sync", "not_synced", "no_data".
std::string_view to_string(SyncState state);
/// For people: "synced", "out of sync", "not synced", "no data".
std::string_view describe(SyncState state);

/// The judged contents of a training folder.
struct TrainingDataReport {
  std::string folder;                 ///< workspace-relative
  std::vector<ScannedFile> files;     ///< sorted by name
  std::vector<Finding> findings;      ///< errors first, then warnings
  int usable_count = 0;               ///< images without an error finding: what syncs and trains
  std::vector<std::string> excluded;  ///< image files with an error finding, by name
  std::vector<std::string> ignored;   ///< files that are not images, by name
  std::uint64_t usable_bytes = 0;
  int captions = 0;                    ///< usable images with a caption file
  std::map<std::string, int> formats;  ///< usable images per format
  SyncState sync = SyncState::NoData;
  /// No image file in the folder (or no folder) but a synced `training_data` block: the data
  /// lives only in S3, and the recorded objects are what trains (`sync` is then Synced).
  bool s3_only = false;
  int s3_count = 0;  ///< S3-only: the recorded objects, or the usable ones when checked
  /// S3-only, checked from the objects: where they were found ("s3://bucket/prefix/"). Empty
  /// when only the recorded block was read (`files` is then empty).
  std::string s3_listed;

  /// The images a training uses: the usable local ones, or the recorded ones when S3-only.
  [[nodiscard]] int training_images() const { return s3_only ? s3_count : usable_count; }
  [[nodiscard]] int error_count() const;
  [[nodiscard]] int warning_count() const;
};

/// An actor's training data in a few numbers: what the actor list, its facets, the detail, the
/// CLI and the page all show, computed from one scan of the folder and the recorded block.
struct DataSummary {
  SyncState state = SyncState::NoData;
  int usable = 0;    ///< images that sync and train
  int excluded = 0;  ///< image files left out (damaged, unsupported format, …)
  int ignored = 0;   ///< files in the folder that are not images
  std::uint64_t usable_bytes = 0;
  int recorded = 0;              ///< images the registry's training_data block records
  bool recorded_synced = false;  ///< the block says `synced: true`
  bool s3_only = false;          ///< no local copy: the recorded S3 objects are the data

  /// True when the actor has images to train on, locally or only in S3.
  [[nodiscard]] bool has_data() const { return usable > 0 || s3_only; }
  /// The images a training uses: the usable local ones, or the recorded ones when S3-only.
  [[nodiscard]] int training_images() const { return s3_only ? recorded : usable; }
  bool operator==(const DataSummary&) const = default;
};

/// The summary of a judged folder and the actor's recorded block.
DataSummary summarize(const TrainingDataReport& report,
                      const std::optional<TrainingDataRecord>& record);

/// Why a training cannot use this data, for people; empty when the state is Synced.
/// e.g. "12 usable images are not synced to S3 yet: run `data sync 7` or press Sync now".
std::string explain_sync_state(const Actor& actor, const TrainingDataReport& report);

/// Runs the quality checks of PRODUCT.md §2.2 over scanned files and works out the sync state
/// against the actor's `training_data` block.
TrainingDataReport check_training_data(std::string folder, std::vector<ScannedFile> files,
                                       const std::optional<TrainingDataRecord>& record,
                                       const DataCheckLimits& limits = {});

/// Sync state from the recorded block and the names of the usable local images (an S3-only
/// actor, see TrainingDataReport::s3_only, is judged before this): no images → NoData; no block,
/// `synced: false` or no URLs → NotSynced; the URLs' file names equal the local names and no
/// content changed since the sync (`content_changed`: a file's MD5 differs from the one recorded
/// when it was synced) → Synced; otherwise OutOfSync.
SyncState compute_sync_state(const std::optional<TrainingDataRecord>& record,
                             const std::vector<std::string>& usable_names, bool content_changed);

}  // namespace atr
