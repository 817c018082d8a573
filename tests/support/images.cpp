#include "support/images.h"

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

#include <vips/vips.h>

namespace atr::testing {

void write_image(const std::filesystem::path& path, int width, int height, int seed) {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("atr-tests") != 0) std::abort();
  });
  std::filesystem::create_directories(path.parent_path());
  // A gradient plus a per-seed offset: cheap, deterministic, and different for each seed.
  VipsImage* gradient = nullptr;
  VipsImage* shifted = nullptr;
  VipsImage* rgb = nullptr;
  VipsImage* bytes = nullptr;
  if (vips_xyz(&gradient, width, height, nullptr) != 0) {
    throw std::runtime_error(vips_error_buffer());
  }
  double scale[2] = {0.5, 0.25};
  double offset[2] = {static_cast<double>(seed % 200), static_cast<double>((seed * 7) % 200)};
  if (vips_linear(gradient, &shifted, scale, offset, 2, nullptr) != 0) {
    throw std::runtime_error(vips_error_buffer());
  }
  VipsImage* bands[3] = {shifted, shifted, shifted};
  if (vips_bandjoin(bands, &rgb, 2, nullptr) != 0) throw std::runtime_error(vips_error_buffer());
  if (vips_cast_uchar(rgb, &bytes, nullptr) != 0) throw std::runtime_error(vips_error_buffer());
  if (vips_image_write_to_file(bytes, path.c_str(), nullptr) != 0) {
    throw std::runtime_error(std::string("write ") + path.string() + ": " + vips_error_buffer());
  }
  g_object_unref(bytes);
  g_object_unref(rgb);
  g_object_unref(shifted);
  g_object_unref(gradient);
}

}  // namespace atr::testing
