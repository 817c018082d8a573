#include "support/temp_dir.h"

#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include <unistd.h>

namespace atr::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::random_device seed;
  path_ = fs::temp_directory_path() /
          ("atr-test-" + std::to_string(::getpid()) + "-" + std::to_string(seed()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path TempDir::write(std::string_view relative, std::string_view content) const {
  fs::path target = path_ / relative;
  fs::create_directories(target.parent_path());
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return target;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace atr::testing
