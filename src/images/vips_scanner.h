#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>

#include "core/scan_memory.h"
#include "core/training_data_scanner.h"

namespace atr {

/// TrainingDataScanner that reads image headers with libvips (no pixel decode), hashes content
/// with OpenSSL MD5, and checks each format's end marker so a truncated file is caught without
/// decoding it. Symlinks that resolve outside `workspace_root` are reported, never read.
/// With a ScanMemory, a file whose stamp (size, mtime, ctime, inode) is unchanged since an
/// earlier scan is not read again, and each file's MD5 at the last sync is reported; an S3
/// object is read once per ETag.
class VipsTrainingDataScanner final : public TrainingDataScanner {
 public:
  /// `memory` may be null (every scan reads every file); it must outlive the scanner. A file
  /// written less than `racy_window` before a scan may change again within its timestamp's
  /// granularity without a visible change of stamp, so its scan is used but not remembered.
  /// With `analyse`, a scan of depth Quality also measures every sound image for the quality
  /// checks (faces, sharpness, exposure, difference hash: ScannedFile::quality), reading again
  /// a remembered scan without those measures; so does scan_object.
  explicit VipsTrainingDataScanner(std::filesystem::path workspace_root,
                                   ScanMemory* memory = nullptr, bool analyse = false,
                                   std::chrono::nanoseconds racy_window = std::chrono::seconds(2));

  Result<std::vector<ScannedFile>> scan(std::string_view relative, const ProgressFn& progress,
                                        ScanDepth depth) override;
  /// Lists each folder on the way down once (a folder missing from its parent's listing does
  /// not exist); a path that could leave the workspace is left to `scan`.
  std::vector<bool> absent(const std::vector<std::string>& folders) override;
  Status record_synced(std::string_view folder,
                       const std::map<std::string, std::string>& md5_by_name) override;
  /// Cached in the memory by ETag and size: an object is fetched once.
  ScannedFile scan_object(const std::string& name, const StoredObject& object,
                          const FetchFn& fetch) override;

 private:
  // Whether a remembered scan has all a scan that `analyse`s would find.
  [[nodiscard]] static bool complete(const ScannedFile& file, bool analyse);

  std::filesystem::path workspace_root_;
  ScanMemory* memory_;
  bool analyse_;
  std::chrono::nanoseconds racy_window_;
};

/// Starts libvips once per process (safe to call repeatedly and from several threads).
void ensure_vips_started();

/// libvips' error text for people, and clears it: loader names ("VipsJpeg: ") and libjpeg's
/// "Warning:" notes are dropped. Falls back to "libvips cannot read it".
std::string take_vips_error();

/// libvips keeps one error buffer for the whole process, and its JPEG loader also files
/// libjpeg's warnings there; whoever calls libvips and reads or clears that buffer holds this
/// lock, so a file's message is its own.
std::mutex& vips_error_mutex();

/// Reads one file: status, detected format, dimensions, size, MD5, and with `analyse` the
/// quality measures of a sound image (ScannedFile::quality; see measure_image).
ScannedFile scan_file(const std::filesystem::path& path, bool analyse = false);

/// Reads content in memory (an S3 object's) the same way, as the file `name`.
ScannedFile scan_bytes(std::string name, std::string_view content, bool analyse = false);

}  // namespace atr
