#pragma once

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "core/training_request.h"
#include "runpod/workflow.h"

namespace atr {

/// The JSON body of RunPod `POST /run` for a training (PRODUCT.md §2.4):
/// {"input": {"workflow", "training_data": {"s3_urls"}, "training_config": {…}}, "webhook"}.
/// `webhook` is left out when the request has none (polling alone tracks the job).
Result<nlohmann::ordered_json> build_run_body(const TrainingRequest& request,
                                              const WorkflowTemplate& workflow);

}  // namespace atr
