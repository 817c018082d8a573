#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/training_data.h"

namespace atr {

/// What identifies one version of a file on disk without reading it: any write changes the
/// size, the modification time or the change time; a replacement changes the inode.
struct FileStamp {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;

  bool operator==(const FileStamp&) const = default;
};

/// A file's scan result as of its stamp.
struct RememberedScan {
  FileStamp stamp;
  ScannedFile file;  ///< has_caption and synced_md5 are not remembered
};

/// Keeps what earlier scans found, so a scan reads only files that changed since, and the MD5
/// of every file at the last sync, so a content change under the same name shows as out of
/// sync. store/ implements it in the state database. Folders are workspace-relative.
class ScanMemory {
 public:
  virtual ~ScanMemory() = default;
  /// The remembered scans of a folder's files, by file name.
  virtual Result<std::map<std::string, RememberedScan>> recall(const std::string& folder) = 0;
  /// Replaces what is remembered of a folder with `files` (files gone from it are forgotten).
  virtual Status remember(const std::string& folder, const std::vector<RememberedScan>& files) = 0;
  /// The MD5 of each file name at the folder's last sync.
  virtual Result<std::map<std::string, std::string>> synced_digests(const std::string& folder) = 0;
  /// Replaces the folder's synced digests (file name → MD5), after a sync succeeded.
  virtual Status record_synced(const std::string& folder,
                               const std::map<std::string, std::string>& md5_by_name) = 0;
  /// What reading an S3 object's content found, by its ETag and size (an object's content
  /// changes only with its ETag); nullopt when it was never read. The name is not remembered.
  virtual Result<std::optional<ScannedFile>> recall_object(const std::string& etag,
                                                           std::uint64_t size) = 0;
  /// Keeps `file` (status, format, dimensions, MD5, detail) for the object's ETag and size.
  virtual Status remember_object(const std::string& etag, const ScannedFile& file) = 0;
};

}  // namespace atr
