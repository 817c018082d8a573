#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "core/version.h"

namespace atr {

/// Decodes a RunPod job status object (`/status`, `/cancel` answers, webhook bodies) into a
/// report. Unknown fields are ignored; an unknown non-empty status counts as still running
/// (RunPod may add states). Webhook bodies also give the echoed
/// `input.training_config.request_id`. InvalidArgument when the body is not a JSON object
/// with a string `status`.
Result<JobReport> parse_job_report(std::string_view body, ReportSource source);

/// The worker's progress value (`output` while IN_PROGRESS): an object with any of
/// stage/step/total_steps (or total, max_steps)/loss/progress ("120/2000"), or a text such as
/// "training step 120/2000 loss 0.081".
TrainingProgress parse_progress(const nlohmann::json& output);

/// RunPod's `error`: JSON text (a raised handler's error_type, error_message, traceback) is
/// shown as "error_type: error_message"; any other JSON is pretty-printed; plain text as is.
std::string readable_error(const std::string& error);

/// RunPod's lifecycle event for a status string ("IN_QUEUE" → ReportedQueued, …).
LifecycleEvent event_for_status(std::string_view status);

}  // namespace atr
