#include "support/photos.h"

#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <vips/vips.h>

namespace atr::testing {
namespace {

struct Unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using Image = std::unique_ptr<VipsImage, Unref>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + vips_error_buffer());
}

Image load(const std::filesystem::path& path) {
  Image image(vips_image_new_from_file(path.c_str(), nullptr));
  if (!image) fail("load " + path.string());
  return image;
}

void save(VipsImage* image, const std::filesystem::path& path) {
  if (vips_image_write_to_file(image, path.c_str(), "Q", 55, nullptr) != 0) {
    fail("write " + path.string());
  }
}

// `image` × gain + offset, back to 8 bits (clipped).
Image levels(VipsImage* image, double gain, double offset) {
  VipsImage* out = nullptr;
  if (vips_linear1(image, &out, gain, offset, nullptr) != 0) fail("linear");
  Image linear(out);
  if (vips_cast_uchar(linear.get(), &out, nullptr) != 0) fail("cast");
  return Image(out);
}

}  // namespace

std::filesystem::path skimage_data() {
  return "/usr/lib/python3/dist-packages/skimage/data";
}

std::vector<PhotoCase> write_photo_cases(const std::filesystem::path& dir) {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("atr-tests") != 0) std::abort();
  });
  std::filesystem::create_directories(dir);
  const Image portrait = load(skimage_data() / "astronaut.png");  // 512×512, the face ~88 px
  save(portrait.get(), dir / "portrait.png");
  VipsImage* out = nullptr;

  if (vips_join(portrait.get(), portrait.get(), &out, VIPS_DIRECTION_HORIZONTAL, nullptr) != 0) {
    fail("join");
  }
  save(Image(out).get(), dir / "two_people.png");

  // The portrait in the middle of a 1024 px grey canvas: the face is 8% of the short side.
  std::array<double, 3> grey{128, 128, 128};
  VipsArrayDouble* background = vips_array_double_new(grey.data(), grey.size());
  const int embedded = vips_embed(portrait.get(), &out, 256, 256, 1024, 1024, "extend",
                                  VIPS_EXTEND_BACKGROUND, "background", background, nullptr);
  vips_area_unref(VIPS_AREA(background));
  if (embedded != 0) fail("embed");
  save(Image(out).get(), dir / "small_face.png");

  // Cut 190 px off the left: the edge runs through the face.
  if (vips_extract_area(portrait.get(), &out, 190, 0, 512 - 190, 512, nullptr) != 0) fail("crop");
  save(Image(out).get(), dir / "cut_face.png");

  if (vips_gaussblur(portrait.get(), &out, 3.0, nullptr) != 0) fail("blur");
  save(Image(out).get(), dir / "blurred.png");

  save(levels(portrait.get(), 0.2, 0).get(), dir / "dark.png");
  save(levels(portrait.get(), 1.6, 130).get(), dir / "overexposed.png");

  save(load(skimage_data() / "coffee.png").get(), dir / "no_person.png");

  if (vips_resize(portrait.get(), &out, 0.7, nullptr) != 0) fail("resize");
  save(Image(out).get(), dir / "portrait_resized.jpg");

  return {
      {"portrait.png", {}},
      {"two_people.png", {"several_faces"}},
      {"small_face.png", {"small_face"}},
      {"cut_face.png", {"face_at_border"}},
      {"blurred.png", {"blurry"}},
      {"dark.png", {"too_dark"}},
      // Washed out, the face is no longer found either.
      {"overexposed.png", {"clipped_highlights", "no_face", "too_bright"}},
      {"no_person.png", {"no_face"}},
      {"portrait_resized.jpg", {}},
  };
}

}  // namespace atr::testing
