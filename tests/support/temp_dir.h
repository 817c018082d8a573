#pragma once

#include <filesystem>
#include <string_view>

namespace atr::testing {

/// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// Writes `content` to `relative` (creating folders) and returns the full path.
  std::filesystem::path write(std::string_view relative, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

/// Reads a whole file; empty when it does not exist.
std::string slurp(const std::filesystem::path& path);

}  // namespace atr::testing
