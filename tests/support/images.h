#pragma once

#include <filesystem>

namespace atr::testing {

/// Writes a real image of the given size with libvips; the format follows the extension
/// (.jpg/.jpeg, .png, .webp, .gif is not supported by our product but tiff works: .tif).
/// `seed` varies the pixels so that two images differ in content (and MD5).
void write_image(const std::filesystem::path& path, int width, int height, int seed = 0);

}  // namespace atr::testing
