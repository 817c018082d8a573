#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/budget.h"
#include "core/plan.h"
#include "core/training_data.h"
#include "core/training_request.h"

namespace atr {

/// How the product follows jobs on RunPod.
struct TrackingSettings {
  double poll_requests_per_second = 5.0;  ///< global budget of status checks
  int poll_queued_seconds = 15;           ///< check interval of a queued job
  int poll_training_seconds = 10;         ///< check interval of a training job
  /// Sent as `policy.ttl`: RunPod deletes a job this long after submission, in any state
  /// (longer for a training estimated at more than a third of it; see job_ttl_ms).
  int job_ttl_seconds = 6 * 3600;
  /// A /run that got no answer is given up (`lost`) when no webhook names its request id by
  /// unknown_submission_deadline(): the job's ttl + 10 min when 0, else this, never less
  /// than the ttl.
  int unknown_submission_timeout_seconds = 0;
  int request_timeout_seconds = 30;  ///< per RunPod HTTP call
  /// A training job at its last step with no change for this long is shown as stalled (RunPod
  /// can report IN_PROGRESS again after the end, runpod-python #250, and then no webhook comes).
  int stall_seconds = 900;
};

/// A prompt of the preview set: a short label and the text, with `{trigger}`,
/// `{face_prompt}`, `{description}` and `{outfit}` standing for the actor's fields.
struct PreviewPrompt {
  std::string label;
  std::string text;
  bool operator==(const PreviewPrompt&) const = default;
};

/// The built-in preview set: close-up portrait, half body, profile, full body in a scene.
std::vector<PreviewPrompt> default_preview_prompts();

/// How versions are previewed: the endpoint that renders images with a LoRA (a ComfyUI
/// inference worker on RunPod), the prompt set and the seeds every version gets.
struct PreviewSettings {
  EndpointProfile endpoint{.name = "preview", .seconds_per_step = 0, .overhead_seconds = 60};
  std::vector<PreviewPrompt> prompts = default_preview_prompts();
  std::vector<std::int64_t> seeds = {1234, 98765};
  int width = 1024;
  int height = 1024;
  double lora_strength = 1.0;
  bool automatic = true;  ///< start the set when a training completes (serve)
  std::string workflow = "flux_preview";
  /// Where preview images are also uploaded in the S3 bucket, `{actor}`, `{version}` and
  /// `{file}` filled in ("previews/{actor}/{version}/{file}"); empty: kept locally only.
  std::string s3_key_layout;
  /// Whether an endpoint id is configured: without one, nothing is previewed.
  [[nodiscard]] bool enabled() const { return !endpoint.endpoint_id.empty(); }
};

/// The product's settings as the core sees them, already read from env, .env and
/// actor-trainer.toml by app/. Holds no secrets: only whether each one is present.
/// RunPod's own serverless API; any other base URL (the emulator, a proxy) is not RunPod.
inline constexpr std::string_view kRunpodApiBaseUrl = "https://api.runpod.ai/v2";

struct Settings {
  std::vector<EndpointProfile> endpoints;  ///< at least one
  std::string default_endpoint;            ///< name of one of `endpoints`
  TrainingIdentity identity;
  AutoAdjustPolicy policy = default_auto_adjust_policy();
  DataCheckLimits limits;
  std::optional<std::string> public_webhook_base_url;
  std::string ngrok_api_url = "http://127.0.0.1:4040";  ///< the ngrok agent's local API
  bool has_ngrok_authtoken = false;
  std::string runpod_base_url{kRunpodApiBaseUrl};  ///< without a trailing slash
  bool has_runpod_api_key = false;
  std::string s3_bucket;
  std::string s3_endpoint_url;  ///< an S3-compatible store; empty: AWS
  std::string s3_region = "us-east-1";
  bool has_s3_credentials = false;  ///< AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set
  std::string s3_key_layout = "actors/{actor}/training_data/{file}";
  /// Send `training_data.presigned_urls` (GET URLs for workers without S3 credentials).
  bool presigned_urls = false;
  int presigned_url_expiry_seconds = 24 * 3600;  ///< how long each presigned URL is valid
  std::string workflow = "flux_actor_lora";
  /// Where the worker writes a trained LoRA, `{model}` standing for the model name
  /// ("s3://models/actor_maker_user/custom-actors/models/{model}.safetensors"); empty: taken
  /// from the actor's newest known LoRA URL. A start is refused when that object exists.
  std::string lora_url_pattern;
  TrackingSettings tracking;
  PreviewSettings preview;
  /// Spending caps checked before every paid job (`[budget]`); none by default.
  BudgetSettings budget;

  /// The endpoint named `name`, or the default one when `name` is empty. NotFound otherwise.
  [[nodiscard]] Result<EndpointProfile> endpoint(const std::string& name) const;
};

/// The parameters a training of `actor` runs with: the defaults, auto-adjusted to the recorded
/// (synced) image count, then `overrides` in order. InvalidArgument naming the parameter for a
/// bad override; range rules stay validate()'s job.
Result<TrainingParameters> planned_parameters(const Actor& actor, const AutoAdjustPolicy& policy,
                                              const std::vector<ParameterOverride>& overrides);

}  // namespace atr
