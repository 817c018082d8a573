#pragma once

#include <filesystem>
#include <string_view>

#include "base/result.h"

namespace atr {

/// Joins `relative` (a name or path taken from user data: an actor name, a file name, a
/// `local_path` field) onto `root` and refuses anything that could leave `root`: empty names,
/// NUL bytes, absolute paths, `..` components, and existing symlinks that resolve outside.
/// `root` must exist. The returned path is lexically normal and need not exist.
Result<std::filesystem::path> confine(const std::filesystem::path& root, std::string_view relative);

/// True when the existing `path`, with every symlink resolved, lies inside the existing `root`.
bool resolves_within(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace atr
