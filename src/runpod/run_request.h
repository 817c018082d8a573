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

/// The JSON body of `POST /run` for a preview, in the studio's inference worker's format:
/// {"input": {"workflow", "model_urls": [{"id", "url"}], "force_download": false}, "webhook",
/// "policy"}.
Result<nlohmann::ordered_json> build_preview_body(const PreviewRequest& request,
                                                  const WorkflowTemplate& workflow);

}  // namespace atr
