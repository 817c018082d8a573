#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/secret.h"
#include "core/settings.h"
#include "core/training_backend.h"
#include "net/http_client.h"
#include "runpod/workflow.h"

namespace atr {

/// Where and how to reach RunPod.
struct RunpodConnection {
  std::string base_url{kRunpodApiBaseUrl};
  Secret api_key;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{30'000};
  Backoff backoff;  ///< for status, cancel and health; never for /run
};

/// TrainingBackend for RunPod serverless over HTTP: `/run`, `/status`, `/cancel`, `/health`
/// under `<base_url>/<endpoint id>/`, with a Bearer key.
class RunpodBackend final : public TrainingBackend {
 public:
  /// How the backend waits between retries (tests pass one that records instead).
  using Sleep = Retrier::Sleep;

  /// Takes the workflow as loaded, or the error that loading it gave: a broken template must
  /// stop trainings, not commands that never build a request.
  RunpodBackend(Result<WorkflowTemplate> workflow, RunpodConnection connection,
                std::shared_ptr<HttpClient> http, Sleep sleep = {});

  [[nodiscard]] Result<std::string> render_request(const TrainingRequest& request) const override;
  [[nodiscard]] SubmitOutcome submit(const std::string& endpoint_id,
                                     const TrainingRequest& training) override;
  [[nodiscard]] Result<std::string> render_preview(const PreviewRequest& request) const override;
  [[nodiscard]] SubmitOutcome submit_preview(const std::string& endpoint_id,
                                             const PreviewRequest& preview) override;
  [[nodiscard]] Result<JobReport> status(const std::string& endpoint_id, const std::string& job_id,
                                         Retries retries) override;
  [[nodiscard]] Result<JobReport> retry(const std::string& endpoint_id,
                                        const std::string& job_id) override;
  [[nodiscard]] Result<JobReport> cancel(const std::string& endpoint_id,
                                         const std::string& job_id) override;
  [[nodiscard]] Result<BackendHealth> health(const std::string& endpoint_id) override;

  /// The preview template as loaded (the built-in one until this is called), or the error that
  /// loading it gave.
  void use_preview_workflow(Result<WorkflowTemplate> workflow) {
    preview_workflow_ = std::move(workflow);
  }

 private:
  // Sends a rendered /run body once (again only after a 429, which RunPod did not execute).
  SubmitOutcome submit_body(const std::string& endpoint_id,
                            const Result<nlohmann::ordered_json>& body);
  HttpRequest request(const std::string& method, const std::string& endpoint_id,
                      const std::string& path) const;
  // Sends `request`, retrying 429, 5xx and network failures with backoff when asked to (or
  // only 429, for /run), honouring Retry-After (net/'s Retrier).
  HttpResponse send_with_retries(const HttpRequest& request, Retries retries);
  // POST /<action>/<job id> (cancel, retry) and the answer as a report from `source`.
  Result<JobReport> job_action(const std::string& endpoint_id, const std::string& action,
                               const std::string& job_id, ReportSource source, Retries retries);

  Result<WorkflowTemplate> workflow_;
  Result<WorkflowTemplate> preview_workflow_ = default_preview_workflow();
  RunpodConnection connection_;
  std::shared_ptr<HttpClient> http_;
  Retrier retrier_;
};

/// A short, secret-free description of an HTTP answer for messages and the console:
/// "HTTP 502 (HTML error page)", "HTTP 401: unauthorized", or the network failure.
std::string describe_answer(const HttpResponse& response);

}  // namespace atr
