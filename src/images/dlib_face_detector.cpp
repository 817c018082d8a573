#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include "images/face_detector.h"

namespace atr {
namespace {

constexpr double kConfidentFace = 0.3;
constexpr std::size_t kMaxFaces = 8;

// dlib's detector keeps scratch state while it runs, so each thread needs its own; building
// one unpacks the compiled-in model (a few ms), so they are kept for the next call.
class DetectorPool {
 public:
  using Detector = dlib::frontal_face_detector;

  std::unique_ptr<Detector> take() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<Detector> d = std::move(idle_.back());
        idle_.pop_back();
        return d;
      }
    }
    return std::make_unique<Detector>(dlib::get_frontal_face_detector());
  }
  void give_back(std::unique_ptr<Detector> d) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(d));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<Detector>> idle_;
};

DetectorPool& pool() {
  static DetectorPool p;
  return p;
}

// Detections of `image` as boxes divided by `scale` (the enlargement of `image`).
void collect(dlib::frontal_face_detector& detector, const dlib::array2d<unsigned char>& image,
             int scale, std::vector<FaceBox>& out) {
  std::vector<dlib::rect_detection> found;
  detector(image, found, kFaceDetectionFloor);
  for (const dlib::rect_detection& d : found) {
    out.push_back({static_cast<int>(d.rect.left() / scale), static_cast<int>(d.rect.top() / scale),
                   static_cast<int>(d.rect.width()) / scale,
                   static_cast<int>(d.rect.height()) / scale, d.detection_confidence});
  }
}

// How much two boxes overlap: intersection over union.
double overlap(const FaceBox& a, const FaceBox& b) {
  const int x0 = std::max(a.x, b.x);
  const int y0 = std::max(a.y, b.y);
  const int x1 = std::min(a.x + a.width, b.x + b.width);
  const int y1 = std::min(a.y + a.height, b.y + b.height);
  if (x1 <= x0 || y1 <= y0) return 0;
  const double inter = static_cast<double>(x1 - x0) * (y1 - y0);
  return inter / (static_cast<double>(a.width) * a.height +
                  static_cast<double>(b.width) * b.height - inter);
}

}  // namespace

std::vector<FaceBox> detect_faces(const unsigned char* pixels, int width, int height) {
  dlib::array2d<unsigned char> image(height, width);
  for (int y = 0; y < height; ++y) {
    std::copy_n(pixels + static_cast<std::ptrdiff_t>(y) * width, width, &image[y][0]);
  }
  std::unique_ptr<DetectorPool::Detector> detector = pool().take();
  std::vector<FaceBox> faces;
  collect(*detector, image, 1, faces);
  const bool confident = std::any_of(
      faces.begin(), faces.end(), [](const FaceBox& f) { return f.confidence >= kConfidentFace; });
  if (!confident) {
    dlib::pyramid_up(image);
    std::vector<FaceBox> small;
    collect(*detector, image, 2, small);
    // The same face found at both scales is kept once, with its better score.
    for (const FaceBox& f : small) {
      auto same = std::find_if(faces.begin(), faces.end(),
                               [&](const FaceBox& g) { return overlap(f, g) > 0.5; });
      if (same == faces.end()) {
        faces.push_back(f);
      } else if (f.confidence > same->confidence) {
        *same = f;
      }
    }
  }
  pool().give_back(std::move(detector));
  std::sort(faces.begin(), faces.end(),
            [](const FaceBox& a, const FaceBox& b) { return a.confidence > b.confidence; });
  if (faces.size() > kMaxFaces) faces.resize(kMaxFaces);
  return faces;
}

}  // namespace atr
