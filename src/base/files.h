#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace atr {

/// Whole file as bytes. NotFound when it does not exist.
Result<std::string> read_file(const std::filesystem::path& path);

/// Replaces `path` with `content` so that a crash at any instant leaves either the old or the
/// new file, never a mix: write a temp file in the same folder, fsync it, rename it over the
/// target, fsync the folder. The temp file keeps the target's permission bits.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// Which inode a file's bytes were read from, and its size and modification time: a writer that
/// renames a new file into place always changes it, one that rewrites in place changes the
/// modification time (to the kernel's clock tick) or the size.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

/// A file's bytes and the identity of the inode they came from (read through one descriptor).
/// The snapshot keeps that descriptor open, so the inode's number cannot be given to another
/// file while the snapshot lives: a file renamed into place always shows as another inode.
struct FileSnapshot {
  std::string text;            ///< empty when `same_as_known`
  bool same_as_known = false;  ///< the file holds exactly the `known` bytes it was read against
  FileIdentity identity;
  std::shared_ptr<const int> descriptor;  ///< closed when the last copy goes
};

/// Reads `path` as a snapshot. NotFound when it does not exist. The text has room past its
/// end for a parser that reads ahead and for edits that grow it in place. With `known` bytes, a
/// file that holds exactly them is compared block by block and not kept (`same_as_known`, empty
/// text): a writer that already holds the text it expects does not need a second copy of it.
Result<FileSnapshot> read_file_snapshot(const std::filesystem::path& path,
                                        std::string_view known = {});

/// Compare-and-swap replace of a file that other programs also replace: like
/// write_file_atomic, but the new file is swapped in with renameat2(RENAME_EXCHANGE), and what
/// came out is compared with `base` (identity, then bytes: `base_text`, the text `base` holds).
/// When another program replaced or rewrote the file since `base` was read, its file is swapped
/// back (also a newer one that arrived meanwhile) and the answer is Conflict, with nothing of ours
/// left in place. Where the filesystem cannot exchange, the file is compared just before a plain
/// rename (a window of a few microseconds remains there).
Status replace_file_if_unchanged(const std::filesystem::path& path, std::string_view content,
                                 const FileSnapshot& base, std::string_view base_text);
/// The same, with the new content given as consecutive pieces (written one after the other,
/// never joined in memory).
Status replace_file_if_unchanged(const std::filesystem::path& path,
                                 const std::vector<std::string_view>& pieces,
                                 const FileSnapshot& base, std::string_view base_text);

/// Deletes the temp files that write_file_atomic calls for `path` left behind when their
/// process died mid-write (the process id in the name no longer runs). Returns how many.
int remove_stale_temp_files(const std::filesystem::path& path);

}  // namespace atr
