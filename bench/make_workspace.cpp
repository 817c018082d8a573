// Writes a generated registry of N actors into a workspace folder, for the API load test.
// Usage: make_workspace DIR [--actors N]

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "support/registry_gen.h"

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::cerr << "usage: make_workspace DIR [--actors N]\n";
      return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::size_t count = 10'000;
    for (int i = 2; i + 1 < argc; i += 2) {
      if (std::string(argv[i]) == "--actors") count = std::stoul(argv[i + 1]);
    }
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "actors.json") << atr::testing::generate_registry(count);
    std::cout << "wrote " << count << " actors to " << (dir / "actors.json").string() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "make_workspace: " << e.what() << "\n";
  }
  return 1;
}
