#pragma once

#include <mutex>
#include <optional>

#include <vips/vips.h>

#include "core/training_data.h"

namespace atr {

/// Takes the measures of ImageQuality from `copy`, a decoded copy of an image at most
/// kQualityAnalysisSide px on its longest side, upright (any bands, depth or alpha): a grey
/// version of it gives the variance of its Laplacian (vips_conv), its mean level (vips_avg),
/// the share of clipped highlights and a 9×8 difference hash (vips_resize); the faces are
/// found on it (detect_faces) after `vips_lock` is released, and scaled to the original's
/// upright `width` × `height`. nullopt when libvips fails on it (its error text is cleared).
/// `vips_lock` must hold libvips' error-buffer lock on entry; it is released on return.
std::optional<ImageQuality> measure_image(VipsImage* copy, int width, int height,
                                          std::unique_lock<std::mutex>& vips_lock);

}  // namespace atr
