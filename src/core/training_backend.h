#pragma once

#include <string>

#include "base/result.h"
#include "core/training_request.h"
#include "core/version.h"

namespace atr {

struct PreviewRequest;

/// How a `/run` call ended.
struct SubmitOutcome {
  enum class Kind {
    Accepted,  ///< RunPod answered with a job id
    Rejected,  ///< definitely no job: an error answer, or nothing ever left this machine
    Unknown,   ///< sent, but no usable answer (timeout, 5xx): a job may exist
  };
  Kind kind = Kind::Unknown;
  std::string job_id;
  std::string detail;  ///< the answer, shortened and free of secrets, for the console
};

/// Workers the endpoint has, and jobs it holds (RunPod `/health`; missing counts are 0).
struct BackendHealth {
  int jobs_in_queue = 0;
  int jobs_in_progress = 0;
  int workers_idle = 0;
  int workers_running = 0;
  int workers_ready = 0;
  int workers_initializing = 0;
  int workers_throttled = 0;
  int workers_unhealthy = 0;
};

/// Whether a status, cancel or health call retries transient failures itself. The poller
/// asks for one attempt and paces retries with its own budget. RateLimitedOnly repeats only
/// after a 429, which means the request was not executed (what `/run` may do).
enum class Retries { None, WithBackoff, RateLimitedOnly };

/// The GPU service that runs trainings (RunPod serverless). runpod/ implements it.
class TrainingBackend {
 public:
  virtual ~TrainingBackend() = default;
  /// The exact body a submission of `request` sends, pretty-printed; for dry runs and request
  /// logs. InvalidArgument when the workflow cannot take the request (a binding matches no node).
  [[nodiscard]] virtual Result<std::string> render_request(
      const TrainingRequest& request) const = 0;
  /// Sends `/run` once: never repeated, so a job is never paid for twice.
  [[nodiscard]] virtual SubmitOutcome submit(const std::string& endpoint_id,
                                             const TrainingRequest& request) = 0;
  /// The exact body a preview submission sends (the preview workflow bound), pretty-printed.
  [[nodiscard]] virtual Result<std::string> render_preview(const PreviewRequest& request) const = 0;
  /// Sends a preview's `/run` once to the preview endpoint.
  [[nodiscard]] virtual SubmitOutcome submit_preview(const std::string& endpoint_id,
                                                     const PreviewRequest& request) = 0;
  /// `/status/{id}`. A 404 is a report (ReportedUnknown), not an error. Unavailable for
  /// network failures, 429 and 5xx (after retries when asked for).
  [[nodiscard]] virtual Result<JobReport> status(const std::string& endpoint_id,
                                                 const std::string& job_id, Retries retries) = 0;
  /// `/cancel/{id}`; the answer as a report.
  [[nodiscard]] virtual Result<JobReport> cancel(const std::string& endpoint_id,
                                                 const std::string& job_id) = 0;
  /// `/retry/{id}`: RunPod runs a failed or timed-out job again (same id, same input) while it
  /// still holds it; the answer as a report (IN_QUEUE). NotFound when RunPod no longer holds
  /// the job; never repeated except after a 429.
  [[nodiscard]] virtual Result<JobReport> retry(const std::string& endpoint_id,
                                                const std::string& job_id) = 0;
  /// `/health` of the endpoint.
  [[nodiscard]] virtual Result<BackendHealth> health(const std::string& endpoint_id) = 0;
};

}  // namespace atr
