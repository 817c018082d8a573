#include "runpod/runpod_backend.h"

#include <thread>

#include "base/strings.h"
#include "runpod/job_report.h"
#include "runpod/run_request.h"

namespace atr {
namespace {

using nlohmann::json;

constexpr size_t kMaxDetail = 160;

std::string shorten(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() > kMaxDetail) text = text.substr(0, kMaxDetail) + "…";
  return text;
}

Error answer_error(const std::string& what, const HttpResponse& r) {
  ErrorCode code = ErrorCode::Unavailable;
  if (r.outcome == HttpResponse::Outcome::Answered && !transient(r)) {
    code = (r.status == 401 || r.status == 403) ? ErrorCode::FailedPrecondition
           : r.status == 404                    ? ErrorCode::NotFound
                                                : ErrorCode::InvalidArgument;
  }
  std::string hint;
  if (r.status == 401 || r.status == 403) hint = " (check RUNPOD_API_KEY)";
  Error error{code, what + ": " + describe_answer(r) + hint};
  error.retry_after_ms = retry_after_ms(r);
  return error;
}

}  // namespace

std::string describe_answer(const HttpResponse& r) {
  if (r.outcome == HttpResponse::Outcome::NotSent) return "could not connect: " + r.failure;
  if (r.outcome == HttpResponse::Outcome::NoAnswer) return "no answer: " + r.failure;
  std::string out = "HTTP " + std::to_string(r.status);
  const std::string_view body = trim(r.body);
  if (body.empty()) return out;
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) {
    if (doc.is_object() && doc.contains("error") && doc["error"].is_string()) {
      return out + ": " + shorten(doc["error"].get<std::string>());
    }
    return out + " " + shorten(doc.dump());
  }
  if (body.front() == '<') return out + " (HTML error page)";
  return out + ": " + shorten(std::string(body));
}

RunpodBackend::RunpodBackend(Result<WorkflowTemplate> workflow, RunpodConnection connection,
                             std::shared_ptr<HttpClient> http, Sleep sleep)
    : workflow_(std::move(workflow)),
      connection_(std::move(connection)),
      http_(std::move(http)),
      retrier_(connection_.backoff, std::move(sleep)) {}

Result<std::string> RunpodBackend::render_request(const TrainingRequest& request) const {
  if (!workflow_) return workflow_.error();
  Result<nlohmann::ordered_json> body = build_run_body(request, *workflow_);
  if (!body) return body.error();
  return body->dump(2);
}

HttpRequest RunpodBackend::request(const std::string& method, const std::string& endpoint_id,
                                   const std::string& path) const {
  HttpRequest r;
  r.method = method;
  r.url = connection_.base_url + "/" + endpoint_id + path;
  r.headers = {{"Authorization", "Bearer " + connection_.api_key.reveal()},
               {"Content-Type", "application/json"},
               {"Accept", "application/json"}};
  r.connect_timeout = connection_.connect_timeout;
  r.timeout = connection_.timeout;
  return r;
}

HttpResponse RunpodBackend::send_with_retries(const HttpRequest& request, Retries retries) {
  const int attempts = retries == Retries::None ? 1 : connection_.backoff.max_attempts;
  return retrier_.send(*http_, request, attempts, [retries](const HttpResponse& response) {
    return retries == Retries::RateLimitedOnly
               ? response.outcome == HttpResponse::Outcome::Answered && response.status == 429
               : transient(response);
  });
}

SubmitOutcome RunpodBackend::submit(const std::string& endpoint_id,
                                    const TrainingRequest& training) {
  if (!workflow_) {
    return {SubmitOutcome::Kind::Rejected, "", "not sent: " + workflow_.error().message};
  }
  return submit_body(endpoint_id, build_run_body(training, *workflow_));
}

Result<std::string> RunpodBackend::render_preview(const PreviewRequest& request) const {
  if (!preview_workflow_) return preview_workflow_.error();
  Result<nlohmann::ordered_json> body = build_preview_body(request, *preview_workflow_);
  if (!body) return body.error();
  return body->dump(2);
}

SubmitOutcome RunpodBackend::submit_preview(const std::string& endpoint_id,
                                            const PreviewRequest& preview) {
  if (!preview_workflow_) {
    return {SubmitOutcome::Kind::Rejected, "", "not sent: " + preview_workflow_.error().message};
  }
  return submit_body(endpoint_id, build_preview_body(preview, *preview_workflow_));
}

SubmitOutcome RunpodBackend::submit_body(const std::string& endpoint_id,
                                         const Result<nlohmann::ordered_json>& body) {
  SubmitOutcome outcome;
  if (!body) return {SubmitOutcome::Kind::Rejected, "", "not sent: " + body.error().message};
  HttpRequest r = request("POST", endpoint_id, "/run");
  r.body = body->dump();
  // Sent once, except after a 429: RunPod has no idempotency key, so a repeat after any other
  // answer (or none) could start a second job; a 429 means the request was not executed.
  HttpResponse response = send_with_retries(r, Retries::RateLimitedOnly);
  outcome.detail = "/run: " + describe_answer(response);
  if (response.outcome == HttpResponse::Outcome::NotSent) {
    outcome.kind = SubmitOutcome::Kind::Rejected;
    return outcome;
  }
  if (response.outcome == HttpResponse::Outcome::NoAnswer || response.status >= 500) {
    outcome.kind = SubmitOutcome::Kind::Unknown;
    return outcome;
  }
  if (response.status >= 300) {
    outcome.kind = SubmitOutcome::Kind::Rejected;
    return outcome;
  }
  const json doc = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object() && doc.contains("id") && doc["id"].is_string() &&
      !doc["id"].get<std::string>().empty()) {
    outcome.kind = SubmitOutcome::Kind::Accepted;
    outcome.job_id = doc["id"].get<std::string>();
    return outcome;
  }
  // A success without a job id: RunPod may have created one that we cannot name.
  outcome.kind = SubmitOutcome::Kind::Unknown;
  return outcome;
}

Result<JobReport> RunpodBackend::status(const std::string& endpoint_id, const std::string& job_id,
                                        Retries retries) {
  const HttpResponse response =
      send_with_retries(request("GET", endpoint_id, "/status/" + job_id), retries);
  if (response.outcome == HttpResponse::Outcome::Answered && response.status == 404) {
    JobReport gone;
    gone.job_id = job_id;
    gone.raw_status = "HTTP 404";
    gone.event = LifecycleEvent::ReportedUnknown;
    return gone;
  }
  if (response.outcome != HttpResponse::Outcome::Answered || response.status != 200) {
    return answer_error("RunPod status " + job_id, response);
  }
  Result<JobReport> report = parse_job_report(response.body, ReportSource::Poll);
  if (!report) return Error{ErrorCode::Unavailable, report.error().message};
  if (report->job_id.empty()) report->job_id = job_id;
  return report;
}

Result<JobReport> RunpodBackend::job_action(const std::string& endpoint_id,
                                            const std::string& action, const std::string& job_id,
                                            ReportSource source, Retries retries) {
  HttpRequest r = request("POST", endpoint_id, "/" + action + "/" + job_id);
  r.body = "{}";
  const HttpResponse response = send_with_retries(r, retries);
  if (response.outcome != HttpResponse::Outcome::Answered || response.status != 200) {
    return answer_error("RunPod " + action + " " + job_id, response);
  }
  Result<JobReport> report = parse_job_report(response.body, source);
  if (!report) return Error{ErrorCode::Unavailable, report.error().message};
  if (report->job_id.empty()) report->job_id = job_id;
  return report;
}

Result<JobReport> RunpodBackend::cancel(const std::string& endpoint_id, const std::string& job_id) {
  return job_action(endpoint_id, "cancel", job_id, ReportSource::Cancel, Retries::WithBackoff);
}

Result<JobReport> RunpodBackend::retry(const std::string& endpoint_id, const std::string& job_id) {
  // A lost answer is not repeated: the job may be queued again already, and a second /retry
  // of a queued job is refused. The status check that follows tells.
  return job_action(endpoint_id, "retry", job_id, ReportSource::Retry, Retries::RateLimitedOnly);
}

Result<BackendHealth> RunpodBackend::health(const std::string& endpoint_id) {
  const HttpResponse response =
      send_with_retries(request("GET", endpoint_id, "/health"), Retries::WithBackoff);
  if (response.outcome != HttpResponse::Outcome::Answered || response.status != 200) {
    return answer_error("RunPod health", response);
  }
  const json doc = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) {
    return Error{ErrorCode::Unavailable, "RunPod health: the answer is not a JSON object"};
  }
  auto count = [](const json& parent, const char* group, const char* name) {
    auto g = parent.find(group);
    if (g == parent.end() || !g->is_object()) return 0;
    auto it = g->find(name);
    return it != g->end() && it->is_number_integer() ? it->get<int>() : 0;
  };
  BackendHealth h;
  h.jobs_in_queue = count(doc, "jobs", "inQueue");
  h.jobs_in_progress = count(doc, "jobs", "inProgress");
  h.workers_idle = count(doc, "workers", "idle");
  h.workers_running = count(doc, "workers", "running");
  h.workers_ready = count(doc, "workers", "ready");
  h.workers_initializing = count(doc, "workers", "initializing");
  h.workers_throttled = count(doc, "workers", "throttled");
  h.workers_unhealthy = count(doc, "workers", "unhealthy");
  return h;
}

}  // namespace atr
