#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/actor.h"
#include "core/actor_list.h"
#include "core/object_store.h"
#include "core/training_data.h"

namespace atr {

/// Reports progress of long work: items done out of total.
using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;

/// How far a scan reads the images.
enum class ScanDepth {
  /// Headers, MD5 and end markers; the quality measures only where an earlier Quality scan
  /// left them (unchanged files). What the actor list's summaries use: cheap at 100k actors.
  Files,
  /// Also every image's quality measures (faces, sharpness, exposure, hash: a decode and a
  /// face detection each, ~0.05 s), remembered for the next scan. Detail, sync, training.
  Quality,
};

/// Reads an actor's training folder. images/ implements it with libvips.
class TrainingDataScanner {
 public:
  virtual ~TrainingDataScanner() = default;
  /// Every file of the workspace-relative `folder` except captions and hidden files.
  /// InvalidArgument when the folder would leave the workspace (`..`, absolute, symlink out);
  /// NotFound when it does not exist. Unreadable files are reported in their ScannedFile.
  virtual Result<std::vector<ScannedFile>> scan(std::string_view folder, const ProgressFn& progress,
                                                ScanDepth depth) = 0;
  /// Records the MD5 of each file name (name → MD5) after the folder was synced, so later
  /// scans fill ScannedFile::synced_md5. A scanner without memory ignores it.
  virtual Status record_synced(std::string_view /*folder*/,
                               const std::map<std::string, std::string>& /*md5_by_name*/) {
    return Ok{};
  }
  /// For each workspace-relative folder, true when it certainly does not exist, from one
  /// listing of each folder above them instead of a stat per folder: a pass over 100,000
  /// actors without folders lists three folders. False means "scan to know". A folder made
  /// after the call is not seen. A scanner that cannot tell answers false for all.
  virtual std::vector<bool> absent(const std::vector<std::string>& folders) {
    return std::vector<bool>(folders.size(), false);
  }
  /// The content of an S3 object, fetched when asked.
  using FetchFn = std::function<Result<std::string>()>;
  /// Reads one S3 object's content as `scan` reads a file (`name` is its file name): what an
  /// earlier read of the same ETag and size found, else `fetch` once and judge the bytes. A
  /// failed fetch is an Unreadable file that names why.
  virtual ScannedFile scan_object(const std::string& name, const StoredObject& object,
                                  const FetchFn& fetch) = 0;
};

/// Scans the actor's training folder and judges it (checks + sync state). A folder that does
/// not exist yet is an empty set of images, not an error: the report then says "no_data".
/// `depth` Quality measures the images for the image-quality checks (see ScanDepth).
Result<TrainingDataReport> inspect_training_data(const Actor& actor, TrainingDataScanner& scanner,
                                                 const DataCheckLimits& limits,
                                                 const ProgressFn& progress,
                                                 ScanDepth depth = ScanDepth::Quality);

/// The actor's data in a few numbers from a fresh scan of depth Files (see DataSummary): the
/// image-quality findings count only for images an earlier Quality scan measured. An actor whose
/// folder cannot be named (no name, no local_path) has no local data.
/// `folder_absent` (from absent_training_folders) skips the scan of a folder known not to
/// exist; the summary is the same as the scan's.
DataSummary data_summary(const Actor& actor, TrainingDataScanner& scanner,
                         const DataCheckLimits& limits, bool folder_absent = false);

/// Which of `actors`' training folders certainly do not exist, by position (see
/// TrainingDataScanner::absent).
std::vector<bool> absent_training_folders(const ActorList& actors, TrainingDataScanner& scanner);

}  // namespace atr
