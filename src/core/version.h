#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "core/lifecycle.h"
#include "core/plan.h"

namespace atr {

/// Milliseconds since the Unix epoch, UTC: how versions and log lines are timed.
using UnixMs = std::int64_t;

/// Kinds of console line, as the UI colours them.
enum class LogKind { Info, Success, Warning, Error, Request, Response };

/// "info", "success", "warning", "error", "request", "response".
std::string_view to_string(LogKind kind);
/// The kind named `text`, or nothing.
std::optional<LogKind> parse_log_kind(std::string_view text);

/// Where our `/run` call for a version stands. Only `Prepared` may be sent (again): from
/// `Sending` on, RunPod may hold a job, so sending once more could pay for the training twice.
enum class SubmitState {
  Prepared,  ///< stored, never sent
  Sending,   ///< claimed by one process, which is calling /run now (or died doing so)
  Accepted,  ///< RunPod answered with a job id
  Rejected,  ///< RunPod definitely refused, or the request never left this machine
  Unknown,   ///< sent, but no answer came: resolved by the webhook's echoed request_id
};

/// "prepared", "sending", "accepted", "rejected", "unknown".
std::string_view to_string(SubmitState state);
/// The state named `text`, or nothing.
std::optional<SubmitState> parse_submit_state(std::string_view text);
/// The status named `text` ("queued"), or nothing.
std::optional<VersionStatus> parse_version_status(std::string_view text);

/// How far a running training is, from the worker's latest progress report.
struct TrainingProgress {
  std::string stage;                     ///< e.g. "training", "uploading"; may be empty
  std::optional<long long> step;         ///< current step
  std::optional<long long> total_steps;  ///< steps in the whole training
  std::optional<double> loss;
  std::optional<double> percent;         ///< 0–100, from step/total
  std::optional<long long> eta_seconds;  ///< time left at the speed so far
  std::string text;                      ///< the report as the worker wrote it, shortened
  bool operator==(const TrainingProgress&) const = default;
};

/// One point of a version's loss curve: a progress report as it was seen.
struct CurvePoint {
  long long step = 0;
  std::optional<double> loss;
  UnixMs at = 0;  ///< when it was seen
  bool operator==(const CurvePoint&) const = default;
};

/// How many points a curve keeps: past it, every other point of its older part is dropped, so
/// a long training keeps its shape in bounded space and its latest points at full detail.
inline constexpr size_t kMaxCurvePoints = 240;

/// Appends `point` to `curve` unless it repeats the last step with the same loss, then thins
/// the curve to at most kMaxCurvePoints (the first point and the newest quarter kept whole).
void add_curve_point(std::vector<CurvePoint>& curve, const CurvePoint& point);

/// One training of one actor: the row of the versions table.
struct Version {
  std::int64_t id = 0;  ///< store row id; the handle used by the CLI and the API
  std::string actor_id;
  std::string actor_name;
  int number = 0;          ///< n of "Vn"
  std::string name;        ///< "V8"
  std::string model_name;  ///< "actor_0006_V8"
  std::string request_id;  ///< "0006_1764321000000", echoed back by the webhook
  std::string endpoint_name;
  std::string endpoint_id;
  TrainingParameters parameters;
  std::string description;
  int image_count = 0;
  std::vector<std::string> s3_urls;  ///< the training data sent with the request
  SubmitState submit_state = SubmitState::Prepared;
  std::string job_id;  ///< RunPod job id; empty until accepted
  VersionStatus status = VersionStatus::Pending;
  UnixMs created_at = 0;
  UnixMs updated_at = 0;
  std::optional<UnixMs> submitted_at;  ///< when /run was sent
  std::optional<UnixMs> started_at;    ///< first seen training
  std::optional<UnixMs> finished_at;   ///< reached a final status
  std::optional<TrainingProgress> progress;
  /// Every progress report seen while it trained (thinned: add_curve_point), oldest first.
  std::vector<CurvePoint> curve;
  std::optional<std::int64_t> delay_ms;      ///< RunPod delayTime: waiting in the queue
  std::optional<std::int64_t> execution_ms;  ///< RunPod executionTime: running on a worker
  std::string lora_url;
  std::optional<std::int64_t> model_size_bytes;
  std::string message;  ///< the worker's message on completion
  std::string error;    ///< why it failed, readable
  /// USD: the execution time of every attempt (earlier ones included) × the endpoint's price.
  std::optional<double> cost;
  /// USD: what the training was estimated to cost when it was started (nothing for versions
  /// started before estimates were kept, and for imported ones); budgets count it while the
  /// job runs.
  std::optional<double> estimated_cost;
  /// How many times RunPod ran the job again (`/retry`): the same job id and input.
  int retries = 0;
  /// RunPod's executionTime of the attempts before the current one (0 without retries).
  std::int64_t earlier_execution_ms = 0;
  /// The idempotency key of the last retry asked for: a repeat of it changes nothing.
  std::string retry_key;
  bool good = false;        ///< marked as the actor's validated model
  int not_found_count = 0;  ///< consecutive 404 answers to status checks
  /// Trained before this product (recorded by `import`): no job, parameters or cost known.
  bool imported = false;
  /// The lifespan sent as `policy.ttl`: RunPod deletes the job this long after submission, in
  /// any state. Nothing for versions sent before it was sent (RunPod's default, 24 h, holds).
  std::optional<std::int64_t> job_ttl_ms;
  /// Set while the job sits at its last step with nothing changing (see stall_note); cleared
  /// by the next change. Empty otherwise.
  std::string stall_note;
  bool operator==(const Version&) const = default;
};

/// A console line to append to a version's log.
struct LogEntry {
  LogKind kind = LogKind::Info;
  std::string text;
};

/// A stored console line.
struct LogLine {
  std::int64_t seq = 0;  ///< increases across all versions; resume after it
  std::int64_t version_id = 0;
  UnixMs at = 0;
  LogKind kind = LogKind::Info;
  std::string text;
};

/// Where a report about a job came from.
enum class ReportSource { Webhook, Poll, Cancel, Submit, Retry };

/// An image a preview worker returned: base64 bytes, or a URL to fetch (decoded by runpod/).
struct ReportedImage {
  enum class Kind { Base64, Url };
  Kind kind = Kind::Base64;
  std::string data;  ///< the base64 text or the URL
  std::string filename;
  bool operator==(const ReportedImage&) const = default;
};

/// What RunPod said about a job, decoded by runpod/ from a status answer or a webhook body.
struct JobReport {
  ReportSource source = ReportSource::Poll;
  std::string job_id;
  std::string request_id;  ///< the echoed input.training_config.request_id (webhooks)
  std::string raw_status;  ///< "IN_QUEUE", … or "HTTP 404"
  LifecycleEvent event = LifecycleEvent::ReportedQueued;
  std::optional<std::int64_t> delay_ms;
  std::optional<std::int64_t> execution_ms;
  std::optional<TrainingProgress> progress;  ///< IN_PROGRESS output, parsed
  std::string lora_url;
  std::optional<std::int64_t> model_size_bytes;
  std::string message;
  std::string error;  ///< readable (JSON error text is pretty-printed by runpod/)
  /// A preview worker's images, from a COMPLETED output in one of the forms runpod/ reads.
  std::vector<ReportedImage> images;
  /// Why a COMPLETED output held no images a preview can use (empty when it did).
  std::string output_problem;
};

/// What applying a report did.
struct ReportEffect {
  bool changed = false;
  std::vector<LogEntry> lines;
  /// A webhook's word on a final state or a result, or on a job we do not know: nothing was
  /// applied; RunPod's own /status must confirm it first (anyone with the token can post one).
  bool confirm = false;
};

/// How long the job ran, in seconds: RunPod's executionTime when known, else the time from
/// when we first saw it training until it ended; nothing while that is not known.
std::optional<double> run_seconds(const Version& version);

/// The last loss the worker reported, if it reported any.
std::optional<double> final_loss(const Version& version);

/// Training steps per second actually achieved: for a completed version its steps over
/// RunPod's execution time, else the pace between the first and the last point of its curve.
std::optional<double> steps_per_second(const Version& version);

/// What is known about a job that looks stalled: training, at its last step (or 100 %), and
/// unchanged for `stall_seconds` at `now`. Nothing otherwise.
std::optional<std::string> stall_note(const Version& version, UnixMs now, int stall_seconds);

/// RunPod's bounds on `policy.ttl`, and the lifespan of a job sent without one.
inline constexpr std::int64_t kRunpodMinTtlMs = 10'000;
inline constexpr std::int64_t kRunpodMaxTtlMs = 7LL * 24 * 3600 * 1000;
inline constexpr std::int64_t kRunpodDefaultTtlMs = 24LL * 3600 * 1000;

/// The `policy.ttl` to send with a training estimated at `estimated_seconds`: the configured
/// lifespan, or three times the estimate when that is longer (a slower GPU or a long queue
/// must not get a job deleted while it runs), within RunPod's 10 s … 7 days.
std::int64_t job_ttl_ms(double estimated_seconds, int configured_ttl_seconds);

/// When a version whose submission is unknown (no job id, no webhook) stops blocking its
/// actor and is recorded `lost`: RunPod has deleted the job by then, in any state, so it can
/// no longer run or cost anything. The version's own ttl (RunPod's 24 h default for a version
/// sent without one) plus 10 minutes for a late webhook; an `explicit_timeout_seconds` above 0
/// replaces the margin but never ends before the ttl. Nothing before the version was sent.
std::optional<UnixMs> unknown_submission_deadline(const Version& version,
                                                  int explicit_timeout_seconds);

/// The version the store keeps for the same job id, ignoring a region suffix such as "-e1"
/// or "-u1" on either side: RunPod's webhooks and status answers do not always agree on it.
std::string job_key(std::string_view job_id);

/// Applies `report` to `version` through the lifecycle table: status, timestamps, progress
/// (percent and ETA from the speed so far), results and cost on completion, error on failure.
/// Late, duplicate and out-of-order reports leave it unchanged. `price_per_second` prices the
/// execution time. Pure.
ReportEffect apply_report(Version& version, const JobReport& report, double price_per_second,
                          UnixMs now);

/// How long RunPod keeps a finished `/run` job (its result and its retry).
inline constexpr std::int64_t kRunpodRetentionMs = 30LL * 60 * 1000;

/// Until when RunPod still holds a failed or timed-out version's job, so `/retry` can take it:
/// 30 minutes after it ended, and never past its lifespan (`policy.ttl` from submission).
/// Nothing for any other version, or one without a job id (it cannot be retried).
std::optional<UnixMs> retry_deadline(const Version& version);

/// USD for `execution_ms` of the current attempt, with the earlier attempts added, at
/// `price_per_second`.
double cost_of_attempts(const Version& version, std::int64_t execution_ms, double price_per_second);

/// Starts the next attempt of a failed or timed-out version after RunPod took its job back
/// (`/retry`): queued again, the attempt's execution time moved to the earlier attempts (the
/// cost keeps them), results, error, progress and curve of the failed attempt cleared.
/// FailedPrecondition for any other status. Returns the console lines. Pure.
Result<std::vector<LogEntry>> begin_retry(Version& version, UnixMs now);

/// How many 404 answers in a row make a job `lost`: one could be a glitch in RunPod's routing.
inline constexpr int kNotFoundAnswersForLost = 2;

/// One row of a comparison: the parameter's value in each version.
struct ParameterDiff {
  std::string name;
  std::string left;
  std::string right;
  bool differs = false;
};

/// The parameters of two versions side by side.
std::vector<ParameterDiff> compare_parameters(const TrainingParameters& left,
                                              const TrainingParameters& right);

/// The parameters of two versions side by side; FailedPrecondition naming the version when
/// one was imported (trained before this product: its parameters are not known).
Result<std::vector<ParameterDiff>> compare_versions(const Version& left, const Version& right);

/// Seconds per training step learned from finished versions of one endpoint: the median of
/// execution time / max_train_steps over completed versions, once at least three exist.
std::optional<double> learned_seconds_per_step(const std::vector<Version>& finished);

}  // namespace atr
