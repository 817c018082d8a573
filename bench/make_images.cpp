// Writes COUNT noise JPEGs of MIN_KB..MAX_KB (uniformly spread, deterministic) into DIR, for the
// sync benchmark. Usage: make_images DIR COUNT MIN_KB MAX_KB

#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

#include <vips/vips.h>

namespace {

// A w×h RGB image of Gaussian noise saved as JPEG (noise does not compress, so the file size
// follows the pixel count).
bool write_noise(const std::filesystem::path& path, int side, unsigned seed) {
  VipsImage* noise = nullptr;
  VipsImage* bytes = nullptr;
  VipsImage* rgb = nullptr;
  bool ok = vips_gaussnoise(&noise, side, side * 3, "mean", 128.0, "sigma", 40.0, "seed",
                            static_cast<int>(seed), nullptr) == 0 &&
            vips_cast_uchar(noise, &bytes, nullptr) == 0 &&
            vips_grid(bytes, &rgb, side, 3, 1, nullptr) == 0;
  VipsImage* joined = nullptr;
  if (ok) {
    VipsImage* bands[3] = {nullptr, nullptr, nullptr};
    for (int b = 0; b < 3 && ok; ++b) {
      ok = vips_extract_area(bytes, &bands[b], 0, b * side, side, side, nullptr) == 0;
    }
    ok = ok && vips_bandjoin(bands, &joined, 3, nullptr) == 0;
    for (VipsImage* band : bands) {
      if (band != nullptr) g_object_unref(band);
    }
  }
  ok = ok && vips_jpegsave(joined, path.c_str(), "Q", 90, nullptr) == 0;
  for (VipsImage* image : {noise, bytes, rgb, joined}) {
    if (image != nullptr) g_object_unref(image);
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    constexpr const char* kUsage = "usage: make_images DIR COUNT MIN_KB MAX_KB\n";
    if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
      std::cout << kUsage;
      return 0;
    }
    if (argc != 5 || argv[1][0] == '-' || VIPS_INIT(argv[0]) != 0) {
      std::cerr << kUsage;
      return 2;
    }
    const std::filesystem::path dir = argv[1];
    const int count = std::stoi(argv[2]);
    const double min_kb = std::stod(argv[3]);
    const double max_kb = std::stod(argv[4]);
    std::filesystem::create_directories(dir);
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> kb(min_kb, max_kb);
    std::uintmax_t total = 0;
    for (int i = 0; i < count; ++i) {
      // About 1.5 bytes per pixel for this noise at Q 90.
      const int side = static_cast<int>(std::sqrt(kb(rng) * 1024.0 / 1.5));
      const std::filesystem::path file = dir / ("img_" + std::to_string(1000 + i) + ".jpg");
      if (!write_noise(file, side, static_cast<unsigned>(i))) {
        std::cerr << "make_images: " << vips_error_buffer() << "\n";
        return 1;
      }
      total += std::filesystem::file_size(file);
    }
    std::cout << "wrote " << count << " images, " << total / (std::uintmax_t{1024} * 1024)
              << " MB, to " << dir.string() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "make_images: " << e.what() << "\n";
  }
  return 1;
}
