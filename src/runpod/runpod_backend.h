#pragma once

#include "core/training_backend.h"
#include "runpod/workflow.h"

namespace atr {

/// TrainingBackend for RunPod serverless. This version renders `/run` bodies; submission,
/// status, cancel and health arrive with the training lifecycle.
class RunpodBackend final : public TrainingBackend {
 public:
  explicit RunpodBackend(WorkflowTemplate workflow) : workflow_(std::move(workflow)) {}

  [[nodiscard]] Result<std::string> render_request(const TrainingRequest& request) const override;

 private:
  WorkflowTemplate workflow_;
};

}  // namespace atr
