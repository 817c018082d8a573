#include "images/image_quality.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "images/face_detector.h"

namespace atr {
namespace {

// Owns a VipsImage reference.
struct Unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using Image = std::unique_ptr<VipsImage, Unref>;

// Owns memory libvips allocated with g_malloc.
struct GFree {
  void operator()(void* p) const { g_free(p); }
};
using Pixels = std::unique_ptr<unsigned char, GFree>;

constexpr int kHashColumns = 9;
constexpr int kHashRows = 8;
constexpr double kClippedLevel = 250;
// The best detection is taken as the face to judge exposure on from this score.
constexpr double kExposureFaceScore = 0.3;

// One 8-bit grey band, whatever the input holds (alpha flattened onto white).
Image grey_of(VipsImage* copy) {
  VipsImage* out = nullptr;
  if (vips_colourspace(copy, &out, VIPS_INTERPRETATION_sRGB, nullptr) != 0) return nullptr;
  Image srgb(out);
  if (vips_image_hasalpha(srgb.get()) != 0) {
    std::array<double, 3> white{255, 255, 255};
    VipsArrayDouble* background = vips_array_double_new(white.data(), white.size());
    const int failed = vips_flatten(srgb.get(), &out, "background", background, nullptr);
    vips_area_unref(VIPS_AREA(background));
    if (failed != 0) return nullptr;
    srgb.reset(out);
  }
  if (vips_colourspace(srgb.get(), &out, VIPS_INTERPRETATION_B_W, nullptr) != 0) return nullptr;
  Image bw(out);
  if (vips_extract_band(bw.get(), &out, 0, nullptr) != 0) return nullptr;
  Image band(out);
  if (vips_cast_uchar(band.get(), &out, nullptr) != 0) return nullptr;
  Image lazy(out);
  // Every measure below reads the grey copy; rendered once into memory here, the file is
  // decoded once instead of once per measure.
  return Image(vips_image_copy_memory(lazy.get()));
}

// Variance of the Laplacian (high where edges are crisp, low when the image is blurred)
// relative to the variance of the image itself, so that a sharp but dark or flat image is not
// taken for a blurred one: ×1000.
std::optional<double> sharpness_of(VipsImage* grey) {
  Image mask(vips_image_new_matrixv(3, 3, 0.0, 1.0, 0.0, 1.0, -4.0, 1.0, 0.0, 1.0, 0.0));
  if (!mask) return std::nullopt;
  VipsImage* out = nullptr;
  if (vips_conv(grey, &out, mask.get(), "precision", VIPS_PRECISION_FLOAT, nullptr) != 0) {
    return std::nullopt;
  }
  Image laplacian(out);
  double edges = 0;
  double levels = 0;
  if (vips_deviate(laplacian.get(), &edges, nullptr) != 0 ||
      vips_deviate(grey, &levels, nullptr) != 0) {
    return std::nullopt;
  }
  constexpr double kFlat = 1.0;  // a uniform image has no edges to judge
  return levels < kFlat ? 0.0 : 1000.0 * (edges * edges) / (levels * levels);
}

// Mean level and share of clipped pixels inside `box` (grey copy pixels, clamped to it).
void expose_on(const unsigned char* pixels, int width, int height, const FaceBox& box,
               ImageQuality& q) {
  const int x0 = std::clamp(box.x, 0, width);
  const int x1 = std::clamp(box.x + box.width, 0, width);
  const int y0 = std::clamp(box.y, 0, height);
  const int y1 = std::clamp(box.y + box.height, 0, height);
  if (x1 <= x0 || y1 <= y0) return;
  double sum = 0;
  double clipped = 0;
  for (int y = y0; y < y1; ++y) {
    const unsigned char* row = pixels + static_cast<std::ptrdiff_t>(y) * width;
    for (int x = x0; x < x1; ++x) {
      sum += row[x];
      if (row[x] >= kClippedLevel) ++clipped;
    }
  }
  const double n = static_cast<double>(x1 - x0) * (y1 - y0);
  q.brightness = sum / n;
  q.clipped_share = clipped / n;
  q.exposure_of_face = true;
}

// Share of pixels at or above the clipped level.
std::optional<double> clipped_share(VipsImage* grey) {
  VipsImage* out = nullptr;
  if (vips_moreeq_const1(grey, &out, kClippedLevel, nullptr) != 0) return std::nullopt;
  Image clipped(out);  // 255 where clipped, 0 elsewhere
  double mean = 0;
  if (vips_avg(clipped.get(), &mean, nullptr) != 0) return std::nullopt;
  return mean / 255.0;
}

// Difference hash: the grey image shrunk to 9×8; each bit says whether a pixel is darker than
// its right neighbour. Survives resizing, recompression and small changes of level.
std::optional<std::uint64_t> difference_hash(VipsImage* grey) {
  const double hscale = static_cast<double>(kHashColumns) / vips_image_get_width(grey);
  const double vscale = static_cast<double>(kHashRows) / vips_image_get_height(grey);
  VipsImage* out = nullptr;
  if (vips_resize(grey, &out, hscale, "vscale", vscale, nullptr) != 0) return std::nullopt;
  Image small(out);
  if (vips_image_get_width(small.get()) != kHashColumns ||
      vips_image_get_height(small.get()) != kHashRows) {
    return std::nullopt;
  }
  std::size_t size = 0;
  Pixels pixels(static_cast<unsigned char*>(vips_image_write_to_memory(small.get(), &size)));
  if (!pixels || size != static_cast<std::size_t>(kHashColumns) * kHashRows) return std::nullopt;
  std::uint64_t hash = 0;
  for (int y = 0; y < kHashRows; ++y) {
    const unsigned char* row = pixels.get() + static_cast<std::ptrdiff_t>(y) * kHashColumns;
    for (int x = 0; x + 1 < kHashColumns; ++x) {
      hash = (hash << 1U) | (row[x] < row[x + 1] ? 1U : 0U);
    }
  }
  return hash;
}

}  // namespace

std::optional<ImageQuality> measure_image(VipsImage* copy, int width, int height,
                                          std::unique_lock<std::mutex>& vips_lock) {
  ImageQuality q;
  q.width = width;
  q.height = height;
  Image grey = grey_of(copy);
  std::optional<double> sharpness;
  std::optional<double> clipped;
  std::optional<std::uint64_t> hash;
  double mean = 0;
  Pixels pixels;
  std::size_t size = 0;
  if (grey) {
    sharpness = sharpness_of(grey.get());
    clipped = clipped_share(grey.get());
    hash = difference_hash(grey.get());
    if (vips_avg(grey.get(), &mean, nullptr) == 0) {
      pixels.reset(static_cast<unsigned char*>(vips_image_write_to_memory(grey.get(), &size)));
    }
  }
  const bool measured = sharpness && clipped && hash && pixels;
  vips_error_clear();
  vips_lock.unlock();
  if (!measured) return std::nullopt;
  q.sharpness = *sharpness;
  q.brightness = mean;
  q.clipped_share = *clipped;
  q.dhash = *hash;
  const int w = vips_image_get_width(grey.get());
  const int h = vips_image_get_height(grey.get());
  if (size != static_cast<std::size_t>(w) * static_cast<std::size_t>(h)) return std::nullopt;
  const double scale = static_cast<double>(width) / w;
  const std::vector<FaceBox> faces = detect_faces(pixels.get(), w, h);
  // The face's exposure is what a face LoRA learns from; a light backdrop may clip freely.
  if (!faces.empty() && faces.front().confidence >= kExposureFaceScore) {
    expose_on(pixels.get(), w, h, faces.front(), q);
  }
  for (FaceBox f : faces) {
    f.x = static_cast<int>(std::lround(f.x * scale));
    f.y = static_cast<int>(std::lround(f.y * scale));
    f.width = static_cast<int>(std::lround(f.width * scale));
    f.height = static_cast<int>(std::lround(f.height * scale));
    q.faces.push_back(f);
  }
  return q;
}

}  // namespace atr
