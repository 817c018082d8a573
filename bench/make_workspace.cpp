// Writes a generated registry of N actors into a workspace folder, for the API load test.
// Usage: make_workspace DIR [--actors N]

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "support/registry_gen.h"

namespace {

constexpr const char* kUsage =
    "usage: make_workspace DIR [--actors N]\n"
    "Writes DIR/actors.json with N generated actors (default 10000) for the load tests.\n";

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string dir;
    std::size_t count = 10'000;
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "-h" || arg == "--help") {
        std::cout << kUsage;
        return 0;
      }
      if (arg == "--actors" && i + 1 < argc) {
        count = std::stoul(argv[++i]);
      } else if (!arg.empty() && arg.front() != '-' && dir.empty()) {
        dir = arg;
      } else {
        std::cerr << "make_workspace: unexpected argument '" << arg << "'\n" << kUsage;
        return 2;
      }
    }
    if (dir.empty()) {
      std::cerr << kUsage;
      return 2;
    }
    std::filesystem::create_directories(dir);
    std::ofstream(std::filesystem::path(dir) / "actors.json")
        << atr::testing::generate_registry(count);
    std::cout << "wrote " << count << " actors to " << dir << "/actors.json\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "make_workspace: " << e.what() << "\n";
  }
  return 1;
}
