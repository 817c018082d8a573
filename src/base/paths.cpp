#include "base/paths.h"

#include <string>
#include <system_error>

namespace atr {
namespace fs = std::filesystem;

namespace {

// Lexical containment on already-canonical paths: every component of `root` must prefix `path`.
bool is_prefix(const fs::path& root, const fs::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // a trailing separator yields an empty last component
    if (p == path.end() || *r != *p) return false;
  }
  return true;
}

}  // namespace

Result<fs::path> confine(const fs::path& root, std::string_view relative) {
  const std::string shown(relative.substr(0, 200));
  if (relative.empty()) return Error{ErrorCode::InvalidArgument, "path is empty"};
  if (relative.find('\0') != std::string_view::npos) {
    return Error{ErrorCode::InvalidArgument, "path contains a NUL byte"};
  }
  const fs::path rel{std::string(relative)};
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
    return Error{ErrorCode::InvalidArgument, "path '" + shown + "' is absolute"};
  }
  for (const fs::path& part : rel) {
    if (part == "..") {
      return Error{ErrorCode::InvalidArgument, "path '" + shown + "' leaves the workspace"};
    }
  }
  std::error_code ec;
  const fs::path root_real = fs::canonical(root, ec);
  if (ec) return Error{ErrorCode::NotFound, "workspace '" + root.string() + "': " + ec.message()};
  const fs::path joined = (root_real / rel).lexically_normal();
  // weakly_canonical resolves the symlinks of the parts that exist, so a link inside the
  // workspace that points elsewhere is caught here, before anything is opened.
  const fs::path resolved = fs::weakly_canonical(joined, ec);
  if (ec) return Error{ErrorCode::InvalidArgument, "path '" + shown + "': " + ec.message()};
  if (!is_prefix(root_real, resolved)) {
    return Error{ErrorCode::InvalidArgument,
                 "path '" + shown + "' resolves outside the workspace (symlink)"};
  }
  return joined;
}

bool resolves_within(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  const fs::path root_real = fs::canonical(root, ec);
  if (ec) return false;
  const fs::path real = fs::canonical(path, ec);
  if (ec) return false;
  return is_prefix(root_real, real);
}

}  // namespace atr
