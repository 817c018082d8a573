#pragma once

#include <vector>

#include "core/training_data.h"

namespace atr {

/// The lowest detector score a detection is kept at (FaceBox::confidence); the checks decide
/// from QualityLimits::face_confidence which of them count.
inline constexpr double kFaceDetectionFloor = -0.5;

/// Finds frontal faces in a grey image (`width` × `height` bytes, rows packed) with dlib's
/// HOG detector, whose model is compiled into the library. A face narrower than about 80 px is
/// found only on a copy enlarged twice, which is tried when the image itself gives no
/// confident face (score 0.3). Boxes in the given image's pixels, best score first, at most 8.
/// Thread-safe: each call borrows one of a pool of detectors. Kept in its own file because
/// dlib's headers are slow to compile.
std::vector<FaceBox> detect_faces(const unsigned char* pixels, int width, int height);

}  // namespace atr
