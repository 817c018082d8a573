#include "core/version.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "base/strings.h"

namespace atr {
namespace {

constexpr std::array<std::pair<LogKind, std::string_view>, 6> kLogKinds{{
    {LogKind::Info, "info"},
    {LogKind::Success, "success"},
    {LogKind::Warning, "warning"},
    {LogKind::Error, "error"},
    {LogKind::Request, "request"},
    {LogKind::Response, "response"},
}};

constexpr std::array<std::pair<SubmitState, std::string_view>, 5> kSubmitStates{{
    {SubmitState::Prepared, "prepared"},
    {SubmitState::Sending, "sending"},
    {SubmitState::Accepted, "accepted"},
    {SubmitState::Rejected, "rejected"},
    {SubmitState::Unknown, "unknown"},
}};

constexpr std::array<VersionStatus, 8> kStatuses{VersionStatus::Pending,  VersionStatus::Queued,
                                                 VersionStatus::Training, VersionStatus::Completed,
                                                 VersionStatus::Failed,   VersionStatus::Cancelled,
                                                 VersionStatus::TimedOut, VersionStatus::Lost};

template <typename E, size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return table.front().second;
}

template <typename E, size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view text) {
  for (const auto& [e, name] : table) {
    if (name == text) return e;
  }
  return std::nullopt;
}

std::string_view source_name(ReportSource source) {
  switch (source) {
    case ReportSource::Webhook: return "webhook";
    case ReportSource::Poll: return "status check";
    case ReportSource::Cancel: return "cancel";
    case ReportSource::Submit: return "submission";
    case ReportSource::Retry: return "retry";
  }
  return "report";
}

// Percent from step/total, and the time left at the speed the worker has shown so far.
void complete_progress(TrainingProgress& progress, std::optional<UnixMs> started_at, UnixMs now) {
  if (!progress.step || !progress.total_steps || *progress.total_steps <= 0) return;
  const long long step = std::clamp(*progress.step, 0LL, *progress.total_steps);
  progress.percent = 100.0 * static_cast<double>(step) / static_cast<double>(*progress.total_steps);
  if (started_at && step > 0 && now > *started_at) {
    const double per_step =
        static_cast<double>(now - *started_at) / 1000.0 / static_cast<double>(step);
    progress.eta_seconds =
        std::llround(per_step * static_cast<double>(*progress.total_steps - step));
  }
}

void take_results(Version& v, const JobReport& r, double price_per_second) {
  if (r.delay_ms) v.delay_ms = r.delay_ms;
  if (r.execution_ms) {
    v.execution_ms = r.execution_ms;
    v.cost = cost_of_attempts(v, *r.execution_ms, price_per_second);
  }
  if (!r.lora_url.empty()) v.lora_url = r.lora_url;
  if (r.model_size_bytes) v.model_size_bytes = r.model_size_bytes;
  if (!r.message.empty()) v.message = r.message;
  if (!r.error.empty()) v.error = r.error;
}

// Why a version is `lost`, in words that claim only what was observed.
}  // namespace

void add_curve_point(std::vector<CurvePoint>& curve, const CurvePoint& point) {
  if (!curve.empty() && curve.back().step == point.step && curve.back().loss == point.loss) {
    return;
  }
  curve.push_back(point);
  if (curve.size() <= kMaxCurvePoints) return;
  // Halve the older part (between the first point and the newest quarter): keep every other.
  const size_t newest = kMaxCurvePoints / 4;
  const size_t older_end = curve.size() - newest;
  size_t out = 1;
  for (size_t i = 1; i < older_end; ++i) {
    if (i % 2 == 0) curve[out++] = curve[i];
  }
  for (size_t i = older_end; i < curve.size(); ++i) {
    curve[out++] = curve[i];
  }
  curve.resize(out);
}

std::optional<double> final_loss(const Version& v) {
  for (auto it = v.curve.rbegin(); it != v.curve.rend(); ++it) {
    if (it->loss) return it->loss;
  }
  if (v.progress && v.progress->loss) return v.progress->loss;
  return std::nullopt;
}

std::optional<double> steps_per_second(const Version& v) {
  if (v.status == VersionStatus::Completed && v.execution_ms && *v.execution_ms > 0 &&
      v.parameters.max_train_steps > 0) {
    return static_cast<double>(v.parameters.max_train_steps) /
           (static_cast<double>(*v.execution_ms) / 1000.0);
  }
  if (v.curve.size() < 2) return std::nullopt;
  const CurvePoint& first = v.curve.front();
  const CurvePoint& last = v.curve.back();
  if (last.at <= first.at || last.step <= first.step) return std::nullopt;
  return static_cast<double>(last.step - first.step) /
         (static_cast<double>(last.at - first.at) / 1000.0);
}

std::optional<std::string> stall_note(const Version& v, UnixMs now, int stall_seconds) {
  if (v.status != VersionStatus::Training || !v.progress || stall_seconds <= 0) return std::nullopt;
  const TrainingProgress& p = *v.progress;
  const bool at_end =
      (p.step && p.total_steps && *p.total_steps > 0 && *p.step >= *p.total_steps) ||
      (p.percent && *p.percent >= 100.0);
  const UnixMs quiet_ms = now - v.updated_at;
  if (!at_end || quiet_ms < UnixMs{stall_seconds} * 1000) return std::nullopt;
  std::string step = p.step && p.total_steps
                         ? std::to_string(*p.step) + "/" + std::to_string(*p.total_steps)
                         : "100 %";
  return "stalled: " + v.name + " reached its last step (" + step + ") and nothing changed for " +
         format_duration_seconds(quiet_ms / 1000) +
         "; RunPod still says IN_PROGRESS and no webhook came. The job may have ended: check it " +
         "in RunPod's console (job " + v.job_id + "), abort it, or keep waiting";
}

std::int64_t job_ttl_ms(double estimated_seconds, int configured_ttl_seconds) {
  const double wanted =
      std::max(static_cast<double>(configured_ttl_seconds), 3.0 * std::max(estimated_seconds, 0.0));
  const double ms = std::min(wanted * 1000.0, static_cast<double>(kRunpodMaxTtlMs));
  return std::max(static_cast<std::int64_t>(ms), kRunpodMinTtlMs);
}

std::optional<UnixMs> unknown_submission_deadline(const Version& v, int explicit_timeout_seconds) {
  if (!v.submitted_at) return std::nullopt;
  constexpr UnixMs kLateWebhookMarginMs = 600'000;
  const UnixMs ttl = v.job_ttl_ms.value_or(kRunpodDefaultTtlMs);
  const UnixMs wait = explicit_timeout_seconds > 0
                          ? std::max(UnixMs{explicit_timeout_seconds} * 1000, ttl)
                          : ttl + kLateWebhookMarginMs;
  return *v.submitted_at + wait;
}

std::optional<UnixMs> retry_deadline(const Version& v) {
  if (v.imported || v.job_id.empty() ||
      (v.status != VersionStatus::Failed && v.status != VersionStatus::TimedOut)) {
    return std::nullopt;
  }
  const UnixMs ended = v.finished_at.value_or(v.updated_at);
  UnixMs until = ended + kRunpodRetentionMs;
  if (v.submitted_at) {
    until = std::min(until, *v.submitted_at + v.job_ttl_ms.value_or(kRunpodDefaultTtlMs));
  }
  return until;
}

double cost_of_attempts(const Version& version, std::int64_t execution_ms,
                        double price_per_second) {
  return static_cast<double>(version.earlier_execution_ms + execution_ms) / 1000.0 *
         price_per_second;
}

Result<std::vector<LogEntry>> begin_retry(Version& v, UnixMs now) {
  Result<VersionStatus> next = next_status(v.status, LifecycleEvent::Retried);
  if (!next) return next.error();
  const std::string was(to_string(v.status));
  v.earlier_execution_ms += v.execution_ms.value_or(0);
  v.execution_ms.reset();
  v.delay_ms.reset();
  v.retries += 1;
  v.status = *next;
  v.error.clear();
  v.message.clear();
  v.finished_at.reset();
  v.started_at.reset();
  v.progress.reset();
  v.curve.clear();
  v.stall_note.clear();
  v.not_found_count = 0;
  v.updated_at = now;
  std::string line = v.name + " " + was + "; RunPod runs job " + v.job_id +
                     " again with the same input (retry " + std::to_string(v.retries) + ")";
  if (v.earlier_execution_ms > 0) {
    line += "; earlier attempts ran " + format_duration_seconds(v.earlier_execution_ms / 1000);
    if (v.cost) line += ", $" + format_decimal(*v.cost, 2);
  }
  return std::vector<LogEntry>{{LogKind::Info, line}};
}

namespace {

std::string lost_reason(const Version& v, LifecycleEvent event, UnixMs now) {
  switch (event) {
    case LifecycleEvent::Released:
      return "released by the user while the submission was unknown: RunPod may have started "
             "the job (request id " +
             v.request_id + "); no job id is known, so it was not cancelled. A webhook naming " +
             "it will still be recorded";
    case LifecycleEvent::GaveUp:
      return "submission unknown: RunPod may have started it; no webhook named request id " +
             v.request_id + " within the time limit and no job id is known";
    default: {
      std::string reason = "RunPod answered 404 for job " + v.job_id + " twice and no webhook came";
      const UnixMs ttl = v.job_ttl_ms.value_or(kRunpodDefaultTtlMs);
      if (v.submitted_at && now >= *v.submitted_at + ttl) {
        reason += "; its lifespan (policy.ttl, " + format_duration_seconds(ttl / 1000) +
                  " from submission) had ended, after which RunPod deletes a job in any state";
      }
      return reason;
    }
  }
}

LogEntry final_line(const Version& v) {
  const std::string timing =
      v.execution_ms ? " after " + format_duration_seconds(*v.execution_ms / 1000) : "";
  switch (v.status) {
    case VersionStatus::Completed:
      return {LogKind::Success,
              v.name + " completed" + timing +
                  (v.lora_url.empty() ? "; the worker returned no LoRA URL" : ": " + v.lora_url)};
    case VersionStatus::Failed:
      return {LogKind::Error,
              v.name + " failed" + timing + (v.error.empty() ? "" : ": " + v.error)};
    case VersionStatus::Cancelled: return {LogKind::Warning, v.name + " cancelled"};
    case VersionStatus::TimedOut: return {LogKind::Error, v.name + " timed out on RunPod"};
    case VersionStatus::Lost: return {LogKind::Error, v.name + " lost: " + v.error};
    default: return {LogKind::Info, v.name + " is " + std::string(to_string(v.status))};
  }
}

}  // namespace

std::string_view to_string(LogKind kind) {
  return name_of(kLogKinds, kind);
}
std::optional<LogKind> parse_log_kind(std::string_view text) {
  return value_of(kLogKinds, text);
}
std::string_view to_string(SubmitState state) {
  return name_of(kSubmitStates, state);
}
std::optional<SubmitState> parse_submit_state(std::string_view text) {
  return value_of(kSubmitStates, text);
}

std::optional<VersionStatus> parse_version_status(std::string_view text) {
  for (VersionStatus s : kStatuses) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::optional<double> run_seconds(const Version& v) {
  if (v.execution_ms) return static_cast<double>(*v.execution_ms) / 1000.0;
  if (v.started_at && v.finished_at && *v.finished_at >= *v.started_at) {
    return static_cast<double>(*v.finished_at - *v.started_at) / 1000.0;
  }
  return std::nullopt;
}

std::string job_key(std::string_view job_id) {
  // RunPod ids are a UUID (36 characters) plus a short region suffix; the UUID alone names
  // the job. Ids of any other shape are opaque and compared whole.
  constexpr size_t kUuidLength = 36;
  if (job_id.size() > kUuidLength + 1 && job_id[kUuidLength] == '-' &&
      job_id.size() - kUuidLength - 1 <= 4 && job_id[8] == '-' && job_id[13] == '-') {
    return std::string(job_id.substr(0, kUuidLength));
  }
  return std::string(job_id);
}

ReportEffect apply_report(Version& v, const JobReport& r, double price_per_second, UnixMs now) {
  const Version before = v;
  ReportEffect effect;
  // A report matched by request_id is how a submission of unknown outcome learns its job.
  if (v.job_id.empty() && !r.job_id.empty()) {
    v.job_id = r.job_id;
    if (v.submit_state != SubmitState::Accepted) {
      effect.lines.push_back({LogKind::Info, "RunPod job " + r.job_id + " matched to " + v.name +
                                                 " by request id " + v.request_id});
    }
    v.submit_state = SubmitState::Accepted;
  }
  if (r.event == LifecycleEvent::ReportedUnknown) {
    v.not_found_count += 1;
    // One 404 may be a routing glitch; the second in a row means RunPod dropped the job.
    if (v.not_found_count < kNotFoundAnswersForLost) {
      effect.changed = !(v == before);
      return effect;
    }
  } else {
    v.not_found_count = 0;
  }
  Result<VersionStatus> next = next_status(v.status, r.event);
  const VersionStatus to = next ? *next : v.status;
  if (to != v.status) {
    const VersionStatus from = v.status;
    v.status = to;
    if (to == VersionStatus::Training && !v.started_at) v.started_at = now;
    if (is_final(to)) {
      v.finished_at = now;
      // The last step and loss stay visible; only the time left has no meaning any more.
      if (v.progress) v.progress->eta_seconds.reset();
      if (from == VersionStatus::Lost) v.error.clear();  // our guess is replaced by RunPod's word
      take_results(v, r, price_per_second);
      if (to == VersionStatus::Lost) v.error = lost_reason(v, r.event, now);
      effect.lines.push_back(final_line(v));
    } else {
      effect.lines.push_back({LogKind::Info, v.name + ": " + std::string(to_string(from)) + " → " +
                                                 std::string(to_string(to)) + " (" +
                                                 std::string(source_name(r.source)) + ")"});
    }
    if (from == VersionStatus::Lost) {
      effect.lines.push_back({LogKind::Warning,
                              "RunPod reported the job after it was marked lost;"
                              " tracking it again"});
    }
  }
  // A final version may learn its execution time afterwards: RunPod's answer to /cancel
  // carries none, the status of the cancelled job does. Only the same final word counts.
  const bool same_final =
      (v.status == VersionStatus::Cancelled && r.event == LifecycleEvent::ReportedCancelled) ||
      (v.status == VersionStatus::Failed && r.event == LifecycleEvent::ReportedFailed) ||
      (v.status == VersionStatus::TimedOut && r.event == LifecycleEvent::ReportedTimedOut);
  if (to == before.status && same_final && !v.execution_ms && r.execution_ms) {
    v.execution_ms = r.execution_ms;
    v.cost = cost_of_attempts(v, *r.execution_ms, price_per_second);
    effect.lines.push_back({LogKind::Info, v.name + " ran " +
                                               format_duration_seconds(*r.execution_ms / 1000) +
                                               " on RunPod before it ended"});
  }
  // Progress only while training: a late IN_PROGRESS after completion (a RunPod quirk) must
  // not bring back a progress bar.
  if (r.progress && v.status == VersionStatus::Training) {
    TrainingProgress progress = *r.progress;
    complete_progress(progress, v.started_at, now);
    if (!v.progress || v.progress->text != progress.text) {
      if (progress.step) add_curve_point(v.curve, {*progress.step, progress.loss, now});
      v.progress = progress;
      if (r.delay_ms) v.delay_ms = r.delay_ms;
    }
  }
  effect.changed = !(v == before);
  if (effect.changed) {
    v.updated_at = now;
    v.stall_note.clear();  // something moved: no longer stalled
  }
  return effect;
}

std::vector<ParameterDiff> compare_parameters(const TrainingParameters& left,
                                              const TrainingParameters& right) {
  const auto a = parameter_values(left);
  const auto b = parameter_values(right);
  std::vector<ParameterDiff> rows;
  rows.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    rows.push_back({a[i].first, a[i].second, b[i].second, a[i].second != b[i].second});
  }
  return rows;
}

Result<std::vector<ParameterDiff>> compare_versions(const Version& left, const Version& right) {
  for (const Version* v : {&left, &right}) {
    if (v->imported) {
      return Error{ErrorCode::FailedPrecondition,
                   v->name + " of actor " + v->actor_id +
                       " was imported from the studio's manifest: its parameters are not known, "
                       "so it cannot be compared"};
    }
  }
  return compare_parameters(left.parameters, right.parameters);
}

std::optional<double> learned_seconds_per_step(const std::vector<Version>& finished) {
  constexpr size_t kMinimumJobs = 3;
  std::vector<double> speeds;
  for (const Version& v : finished) {
    if (v.status != VersionStatus::Completed || !v.execution_ms || *v.execution_ms <= 0 ||
        v.parameters.max_train_steps <= 0) {
      continue;
    }
    speeds.push_back(static_cast<double>(*v.execution_ms) / 1000.0 /
                     static_cast<double>(v.parameters.max_train_steps));
  }
  if (speeds.size() < kMinimumJobs) return std::nullopt;
  std::sort(speeds.begin(), speeds.end());
  const size_t mid = speeds.size() / 2;
  return speeds.size() % 2 == 1 ? speeds[mid] : (speeds[mid - 1] + speeds[mid]) / 2.0;
}

}  // namespace atr
