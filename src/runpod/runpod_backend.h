#pragma once

#include "core/training_backend.h"
#include "runpod/workflow.h"

namespace atr {

/// TrainingBackend for RunPod serverless. This version renders `/run` bodies; submission,
/// status, cancel and health arrive with the training lifecycle.
class RunpodBackend final : public TrainingBackend {
 public:
  /// Takes the workflow as loaded, or the error that loading it gave: a broken template must
  /// stop trainings, not commands that never build a request.
  explicit RunpodBackend(Result<WorkflowTemplate> workflow) : workflow_(std::move(workflow)) {}

  [[nodiscard]] Result<std::string> render_request(const TrainingRequest& request) const override;

 private:
  Result<WorkflowTemplate> workflow_;
};

}  // namespace atr
