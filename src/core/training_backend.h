#pragma once

#include <string>

#include "base/result.h"
#include "core/training_request.h"

namespace atr {

/// The GPU service that runs trainings (RunPod serverless). runpod/ implements it.
class TrainingBackend {
 public:
  virtual ~TrainingBackend() = default;
  /// The exact body a submission of `request` sends, pretty-printed; for dry runs and request
  /// logs. InvalidArgument when the workflow cannot take the request (a binding matches no node).
  [[nodiscard]] virtual Result<std::string> render_request(
      const TrainingRequest& request) const = 0;
};

}  // namespace atr
