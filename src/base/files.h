#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace atr {

/// Whole file as bytes. NotFound when it does not exist.
Result<std::string> read_file(const std::filesystem::path& path);

/// Replaces `path` with `content` so that a crash at any instant leaves either the old or the
/// new file, never a mix: write a temp file in the same folder, fsync it, rename it over the
/// target, fsync the folder. The temp file keeps the target's permission bits.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// Deletes the temp files that write_file_atomic calls for `path` left behind when their
/// process died mid-write (the process id in the name no longer runs). Returns how many.
int remove_stale_temp_files(const std::filesystem::path& path);

}  // namespace atr
