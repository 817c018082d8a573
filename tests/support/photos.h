#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace atr::testing {

/// Where Debian's python3-skimage package keeps its public-domain photographs
/// (`astronaut.png`: NASA's portrait of Eileen Collins, one face; `coffee.png`: a cup of
/// coffee, no person). scripts/setup installs the package; nothing is downloaded.
std::filesystem::path skimage_data();

/// One image of the quality checks' test set and the findings it must give on its own.
struct PhotoCase {
  std::string file;                ///< name in the folder
  std::vector<std::string> codes;  ///< the finding codes it gives alone, sorted
};

/// Builds the test set from the photographs with libvips into `dir`: the portrait as it is
/// (no finding), two people side by side, the face small on a large canvas, the face cut by
/// the left edge, a blurred copy, a darkened copy, an overexposed copy, a photo with no person,
/// and `portrait_resized.jpg`, the portrait at 70% as a JPEG of quality 55 (a near-duplicate
/// of `portrait.png` when both are in one folder). Returns every case.
std::vector<PhotoCase> write_photo_cases(const std::filesystem::path& dir);

}  // namespace atr::testing
