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
  Unsupported,       ///< an extension or content we do not train on
  Unreadable,        ///< cannot be opened or its header cannot be read
  Corrupt,           ///< the header reads but the file is truncated or damaged
  OutsideWorkspace,  ///< a symlink that resolves outside the workspace; never read
};

/// Lowercase wire name: "image", "unsupported", "unreadable", "corrupt", "outside_workspace".
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
};

enum class Severity { Error, Warning };

/// "error" or "warning".
std::string_view to_string(Severity severity);

/// One result of the quality checks.
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

/// The judged contents of a training folder.
struct TrainingDataReport {
  std::string folder;              ///< workspace-relative
  std::vector<ScannedFile> files;  ///< sorted by name
  std::vector<Finding> findings;   ///< errors first, then warnings
  int usable_count = 0;            ///< images without an error finding
  std::uint64_t usable_bytes = 0;
  int captions = 0;                    ///< usable images with a caption file
  std::map<std::string, int> formats;  ///< usable images per format
  SyncState sync = SyncState::NoData;

  [[nodiscard]] int error_count() const;
  [[nodiscard]] int warning_count() const;
};

/// Runs the quality checks of PRODUCT.md §2.2 over scanned files and works out the sync state
/// against the actor's `training_data` block.
TrainingDataReport check_training_data(std::string folder, std::vector<ScannedFile> files,
                                       const std::optional<TrainingDataRecord>& record,
                                       const DataCheckLimits& limits = {});

/// Sync state from the recorded block and the names of the usable local images: no images →
/// NoData; no block, `synced: false` or no URLs → NotSynced; the URLs' file names equal the
/// local names and no content changed since the sync (`content_changed`: a file's MD5 differs
/// from the one recorded when it was synced) → Synced; otherwise OutOfSync.
SyncState compute_sync_state(const std::optional<TrainingDataRecord>& record,
                             const std::vector<std::string>& usable_names, bool content_changed);

}  // namespace atr
