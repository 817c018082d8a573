#include "core/trainings.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "base/strings.h"
#include "core/data_sync.h"
#include "core/history_import.h"
#include "core/s3_data.h"

namespace atr {
namespace {

std::string describe_order(const Version& v) {
  const std::string ttl =
      v.job_ttl_ms ? ", ttl " + format_duration_seconds(*v.job_ttl_ms / 1000) : std::string();
  return "POST /run " + v.model_name + " (" + std::to_string(v.image_count) + " images, " +
         std::to_string(v.parameters.max_train_steps) + " steps, endpoint " + v.endpoint_name +
         ", request id " + v.request_id + ttl + ")";
}

}  // namespace

Trainings::Trainings(ActorRegistry& registry, TrainingDataScanner& scanner, VersionStore& store,
                     TrainingBackend& backend, const Clock& clock, const Settings& settings,
                     WebhookUrl webhook_url, FaultPoint fault_point)
    : registry_(registry),
      scanner_(scanner),
      store_(store),
      backend_(backend),
      clock_(clock),
      settings_(settings),
      webhook_url_(std::move(webhook_url)),
      fault_point_(std::move(fault_point)) {}

UnixMs Trainings::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

double Trainings::price_of(const std::string& endpoint_name) const {
  Result<EndpointProfile> endpoint = settings_.endpoint(endpoint_name);
  return endpoint ? endpoint->price_per_second : 0.0;
}

Result<EndpointProfile> Trainings::endpoint_named(const std::string& name) const {
  Result<EndpointProfile> endpoint = settings_.endpoint(name);
  if (!endpoint) return Error{ErrorCode::InvalidArgument, endpoint.error().message, 0, "endpoint"};
  return endpoint;
}

Result<TrainingParameters> Trainings::parameters_for(const Actor& actor,
                                                     const TrainingOrder& order) const {
  Result<TrainingParameters> params = planned_parameters(actor, settings_.policy, {});
  if (!params) return params.error();
  for (const auto& [name, value] : order.overrides) {
    if (Status set = set_parameter(*params, name, value); !set) {
      return set.error().about("parameters." + name);
    }
  }
  if (std::vector<FieldError> problems = validate(*params); !problems.empty()) {
    return invalid_parameters(problems);
  }
  return params;
}

Result<Trainings::Checked> Trainings::check_order(const Actor& actor, const TrainingOrder& order) {
  Result<EndpointProfile> endpoint = endpoint_named(order.endpoint);
  if (!endpoint) return endpoint.error();
  Result<TrainingParameters> params = parameters_for(actor, order);
  if (!params) return params.error();
  // The recorded block can be stale: a fresh look must say synced, since the recorded URLs
  // are what the worker downloads.
  if (Status data = require_synced_data(actor, scanner_, objects_, settings_.s3_key_layout,
                                        settings_.limits, order.scan_progress);
      !data) {
    return data.error();
  }
  return Checked{std::move(endpoint).value(), std::move(params).value()};
}

Result<PlanAnswer> Trainings::plan(const Actor& actor, const std::string& endpoint_name,
                                   const std::vector<ParameterOverride>& overrides,
                                   const ProgressFn& progress) {
  Result<EndpointProfile> endpoint = endpoint_named(endpoint_name);
  if (!endpoint) return endpoint.error();
  Result<TrainingDataReport> data = inspect_actor_data(
      actor, scanner_, objects_, settings_.s3_key_layout, settings_.limits, progress);
  if (!data) return data.error();
  Result<std::optional<double>> speed = learned_speed(endpoint->name);
  if (!speed) return speed.error();
  PlanAnswer answer;
  if (data->training_images() > 0) {
    Result<TrainingPlan> plan =
        plan_training(actor, data->training_images(), settings_.policy, *endpoint, *speed);
    if (!plan) return plan.error();
    answer.plan = std::move(plan).value();
  } else {
    // Nothing to adjust to: the defaults, and the "data" blocker says why nothing can start.
    answer.plan.defaults = default_parameters(actor);
    answer.plan.parameters = answer.plan.defaults;
  }
  for (const auto& [name, value] : overrides) {
    if (Status set = set_parameter(answer.plan.parameters, name, value); !set) {
      return set.error().about("parameters." + name);
    }
  }
  answer.plan.validation = validate(answer.plan.parameters);
  answer.plan.estimate = estimate(answer.plan.parameters, *endpoint, *speed);
  Result<std::vector<Blocker>> blockers = this->blockers(actor, endpoint->name, *data);
  if (!blockers) return blockers.error();
  answer.data = std::move(data).value();
  answer.blockers = std::move(blockers).value();
  return answer;
}

Result<TrainingPreview> Trainings::preview(const Actor& actor, const TrainingOrder& order) {
  const std::string what = "train " + actor.label();
  Result<Checked> checked = check_order(actor, order);
  if (!checked) return checked.error().with_context(what);
  // The token is a secret kept in the state store; a preview shows where it goes only.
  std::optional<std::string> webhook;
  if (settings_.public_webhook_base_url) {
    webhook = *settings_.public_webhook_base_url + "/api/training-webhook/<webhook-token>";
  }
  Result<std::vector<Version>> known = store_.list_for_actor(actor.key());
  if (!known) return known.error().with_context(what);
  int next = 1;
  for (const Version& v : *known) {
    next = std::max(next, v.number + 1);
  }
  Result<TrainingRequest> request = prepare_training_request(
      actor, checked->parameters, settings_.identity, next, now_ms(), webhook);
  if (!request) return request.error();
  Result<std::string> body = backend_.render_request(*request);
  if (!body) return body.error().with_context(what);
  Result<Estimate> est = estimate_for(request->parameters, checked->endpoint.name);
  if (!est) return est.error().with_context(what);
  return TrainingPreview{std::move(request).value(), std::move(body).value(), *est,
                         webhook.has_value()};
}

std::vector<Blocker> Trainings::configuration_blockers(const std::string& endpoint_name) const {
  std::vector<Blocker> out;
  if (!settings_.has_runpod_api_key) {
    out.push_back({"runpod_api_key",
                   "the RunPod API key is not set: set RUNPOD_API_KEY (or "
                   "MODEL_TRAINING_RUNPOD_API_KEY) in the environment or the workspace's .env"});
  }
  Result<EndpointProfile> endpoint = settings_.endpoint(endpoint_name);
  if (!endpoint) {
    out.push_back({"endpoint", endpoint.error().message});
  } else if (endpoint->endpoint_id.empty()) {
    std::string how = "set `id` in its [[runpod.endpoints]] table of actor-trainer.toml";
    if (endpoint->name == settings_.default_endpoint) {
      how += ", or MODEL_TRAINING_RUNPOD_ENDPOINT_ID for the default endpoint";
    }
    out.push_back(
        {"endpoint_id", "endpoint '" + endpoint->name + "' has no RunPod endpoint id: " + how});
  }
  return out;
}

namespace {

// Why an unfinished version keeps its actor from a second training, and the way out.
Blocker active_blocker(const Version& v) {
  std::string message;
  if (v.status == VersionStatus::Pending && v.job_id.empty() &&
      (v.submit_state == SubmitState::Sending || v.submit_state == SubmitState::Unknown)) {
    message = v.name + "'s submission is unknown: /run was sent" +
              (v.submitted_at ? " at " + format_utc_timestamp(*v.submitted_at) : "") +
              " but no answer came (a timeout, or the process stopped), so RunPod may hold a " +
              "job whose id we do not know. A webhook naming request id " + v.request_id +
              " resolves it; abort releases it (it stays in the history), or force a second " +
              "training";
  } else if (v.status == VersionStatus::Pending) {
    message = v.name + " is stored but not sent to RunPod yet (a running serve sends it); " +
              "abort withdraws it";
  } else {
    message =
        v.name + " is still " + std::string(to_string(v.status)) +
        (v.progress && v.progress->percent ? " (" + format_decimal(*v.progress->percent, 0) + "%)"
                                           : std::string()) +
        "; wait for it, abort it, or force a second training";
  }
  return {"active_training", message, v.id};
}

}  // namespace

std::optional<S3Location> lora_location_of(const std::string& pattern,
                                           const std::string& model_name) {
  const std::size_t at = pattern.find("{model}");
  if (at == std::string::npos) return std::nullopt;
  std::string url = pattern;
  url.replace(at, std::string_view("{model}").size(), model_name);
  std::optional<S3Location> location = parse_s3_url(url);
  if (!location || location->key.empty()) return std::nullopt;
  return location;
}

std::optional<S3Location> expected_lora_location(const std::string& pattern,
                                                 const std::vector<Version>& known,
                                                 const std::string& model_name) {
  if (!pattern.empty()) return lora_location_of(pattern, model_name);
  const Version* newest = nullptr;
  std::optional<S3Location> newest_at;
  for (const Version& v : known) {
    if (newest != nullptr && v.number < newest->number) continue;
    std::optional<S3Location> at = parse_s3_url(v.lora_url);
    if (!at) continue;
    // Only a file named after its model shows the layout ("…/actor_6_V7.safetensors").
    const std::string file = at->file_name();
    if (file.rfind(v.model_name, 0) != 0 || file.size() == v.model_name.size() ||
        file[v.model_name.size()] != '.') {
      continue;
    }
    newest = &v;
    newest_at = std::move(at);
  }
  if (newest == nullptr) return std::nullopt;
  const std::string file = newest_at->file_name();
  const std::string extension = file.substr(newest->model_name.size());
  newest_at->key =
      newest_at->key.substr(0, newest_at->key.size() - file.size()) + model_name + extension;
  return newest_at;
}

Status Trainings::check_lora_free(const Version& v, const std::vector<Version>& known) {
  const std::optional<S3Location> at =
      expected_lora_location(settings_.lora_url_pattern, known, v.model_name);
  if (!at) return Ok{};
  if (objects_ == nullptr) {
    if (settings_.lora_url_pattern.empty()) return Ok{};  // nothing configured to ask
    return Error{ErrorCode::FailedPrecondition,
                 "[training] lora_url_pattern is set but S3 is not configured (S3_BUCKET, "
                 "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), so whether " +
                     at->url() + " exists cannot be checked; nothing was sent"};
  }
  Result<StoredObject> found = objects_->head_at(*at);
  if (found) {
    return Error{ErrorCode::Conflict,
                 "the model " + v.model_name + " already exists at " + at->url() + " (" +
                     std::to_string(found->size) +
                     " bytes); a training must never overwrite a model the studio has. Import "
                     "the studio's history (actor-trainer import) so numbering goes on after "
                     "its versions, or set [training] lora_url_pattern to where new models go"};
  }
  if (found.error().code == ErrorCode::NotFound) return Ok{};
  return Error{ErrorCode::Unavailable, "cannot check whether the model " + v.model_name +
                                           " already exists at " + at->url() + " (" +
                                           found.error().message + "); nothing was sent"};
}

Result<std::vector<Blocker>> Trainings::blockers(const Actor& actor, const std::string& endpoint,
                                                 const TrainingDataReport& data) {
  std::vector<Blocker> out = configuration_blockers(endpoint);
  if (data.sync != SyncState::Synced) out.push_back({"data", explain_sync_state(actor, data)});
  Result<std::vector<Version>> versions = store_.list_for_actor(actor.key());
  if (!versions) return versions.error();
  for (const Version& v : *versions) {
    if (!is_final(v.status)) out.push_back(active_blocker(v));
  }
  return out;
}

Result<CreatedVersion> Trainings::start(const Actor& actor, const TrainingOrder& order) {
  const std::string what = "train " + actor.label();
  Result<Checked> checked = check_order(actor, order);
  if (!checked) return checked.error().with_context(what);
  // The deep check: every recorded object must really be in S3 (when we can look).
  if (objects_ != nullptr && order.deep_check) {
    if (Status there = check_remote_objects(actor, *objects_); !there) {
      return there.error().with_context(what);
    }
  }
  if (std::vector<Blocker> missing = configuration_blockers(order.endpoint); !missing.empty()) {
    return Error{ErrorCode::FailedPrecondition, what + ": " + missing.front().message};
  }
  const EndpointProfile& endpoint = checked->endpoint;
  Result<Estimate> priced = estimate_for(checked->parameters, endpoint.name);
  if (!priced) return priced.error().with_context(what);
  // A repeated key returns the first version below, whatever the budget says now.
  Result<std::optional<Version>> seen = order.idempotency_key.empty()
                                            ? Result<std::optional<Version>>(std::nullopt)
                                            : store_.find_by_key(order.idempotency_key);
  if (!seen) return seen.error().with_context(what);
  if (!seen->has_value()) {
    if (Status fits = check_workspace_budget(
            store_, settings_, PaidJob{endpoint.name, priced->cost, "this training"}, now_ms());
        !fits) {
      return fits.error().with_context(what);
    }
  }
  const std::optional<std::string> webhook = webhook_url_ ? webhook_url_() : std::nullopt;
  const UnixMs now = now_ms();
  // Built inside the store's transaction so the number, model name and request id are
  // decided together with the check for an active training.
  auto make = [&](int number) -> Result<Version> {
    Result<TrainingRequest> request = prepare_training_request(
        actor, checked->parameters, settings_.identity, number, now, webhook);
    if (!request) return request.error();
    Version v;
    v.actor_id = actor.key();
    v.actor_name = actor.name;
    v.number = number;
    v.name = request->version_name;
    v.model_name = request->model_name;
    v.request_id = request->request_id;
    v.endpoint_name = endpoint.name;
    v.endpoint_id = endpoint.endpoint_id;
    v.parameters = request->parameters;
    v.description = order.description;
    v.image_count = static_cast<int>(request->s3_urls.size());
    v.s3_urls = request->s3_urls;
    v.estimated_cost = priced->cost;
    v.created_at = now;
    v.updated_at = now;
    return v;
  };
  // Rendering checks the workflow bindings before anything is stored; the probe takes the
  // number the store will give unless another start wins it first.
  Result<std::vector<Version>> known = store_.list_for_actor(actor.key());
  if (!known) return known.error().with_context(what);
  int next = 1;
  for (const Version& v : *known) {
    next = std::max(next, v.number + 1);
  }
  Result<Version> probe = make(next);
  if (!probe) return probe.error().with_context(what);
  if (Status free = check_lora_free(*probe, *known); !free) return free.error().with_context(what);
  Result<TrainingRequest> probe_request = request_for(*probe);
  if (!probe_request) return probe_request.error().with_context(what);
  if (Result<std::string> body = backend_.render_request(*probe_request); !body) {
    return body.error().with_context(what);
  }
  Result<CreatedVersion> created = store_.create(
      NewVersion{actor.key(), order.idempotency_key, order.force}, make,
      {{LogKind::Info,
        "version stored; " + std::string(webhook ? "RunPod will call the webhook when it ends"
                                                 : "no public webhook URL, tracking by polling")}});
  if (!created && created.error().code == ErrorCode::Conflict && !order.force) {
    // The store refuses a second active training; say which version is in the way and why.
    Result<std::vector<Version>> versions = store_.list_for_actor(actor.key());
    for (const Version& v : versions ? *versions : std::vector<Version>{}) {
      if (!is_final(v.status)) {
        return Error{ErrorCode::Conflict, what + ": " + active_blocker(v).message};
      }
    }
  }
  if (!created) return created.error().with_context(what);
  if (!created->created) return created;
  if (fault_point_) fault_point_("after-store");
  Result<Version> sent = send_prepared(created->version.id);
  if (!sent) return sent.error().with_context(what);
  created->version = std::move(sent).value();
  return created;
}

Result<TrainingRequest> Trainings::request_for(const Version& v) const {
  TrainingRequest request;
  request.actor_id = v.actor_id;
  request.version_name = v.name;
  request.model_name = v.model_name;
  request.request_id = v.request_id;
  request.parameters = v.parameters;
  request.s3_urls = v.s3_urls;
  if (settings_.presigned_urls) {
    // Made at each send, so a URL is valid for the whole expiry from the moment RunPod gets it.
    if (objects_ == nullptr) {
      return Error{ErrorCode::FailedPrecondition,
                   "[s3] presigned_urls is on but S3 is not configured (S3_BUCKET, "
                   "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"};
    }
    Result<std::vector<std::string>> presigned = presign_urls(
        *objects_, v.s3_urls, std::chrono::seconds(settings_.presigned_url_expiry_seconds));
    if (!presigned) return presigned.error();
    request.presigned_urls = std::move(presigned).value();
  }
  request.identity = settings_.identity;
  request.webhook_url = webhook_url_ ? webhook_url_() : std::nullopt;
  request.ttl_ms = v.job_ttl_ms;
  return request;
}

Result<Version> Trainings::send_prepared(std::int64_t id) {
  Result<Version> stored = store_.get(id);
  if (!stored) return stored;
  // Decided before the claim, which holds the store the estimate reads. An endpoint taken out
  // of the configuration since the version was stored leaves the configured ttl.
  Result<Estimate> expected = estimate_for(stored->parameters, stored->endpoint_name);
  const std::int64_t ttl =
      job_ttl_ms(expected ? expected->duration_seconds : 0.0, settings_.tracking.job_ttl_seconds);
  bool claimed = false;
  const UnixMs now = now_ms();
  Result<Version> version =
      store_.update(id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
        claimed = false;
        // Only a version that was never sent may be sent: from "sending" on, a job may exist.
        if (v.submit_state != SubmitState::Prepared || v.status != VersionStatus::Pending) {
          return std::nullopt;
        }
        claimed = true;
        v.submit_state = SubmitState::Sending;
        v.submitted_at = now;
        v.job_ttl_ms = ttl;
        v.updated_at = now;
        return std::vector<LogEntry>{{LogKind::Request, describe_order(v)}};
      });
  if (!version || !claimed) return version;
  if (fault_point_) fault_point_("before-run");
  Result<TrainingRequest> request = request_for(*version);
  if (!request) return request.error();
  const SubmitOutcome outcome = backend_.submit(version->endpoint_id, *request);
  const UnixMs answered = now_ms();
  return store_.update(id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
    std::vector<LogEntry> lines;
    switch (outcome.kind) {
      case SubmitOutcome::Kind::Accepted: {
        lines.push_back({LogKind::Response, outcome.detail});
        JobReport report;
        report.source = ReportSource::Submit;
        report.job_id = outcome.job_id;
        report.raw_status = "IN_QUEUE";
        report.event = LifecycleEvent::Accepted;
        // A webhook matched by request id may already have recorded the job.
        if (v.job_id.empty()) v.job_id = outcome.job_id;
        v.submit_state = SubmitState::Accepted;
        ReportEffect effect = apply_report(v, report, price_of(v.endpoint_name), answered);
        lines.insert(lines.end(), effect.lines.begin(), effect.lines.end());
        break;
      }
      case SubmitOutcome::Kind::Rejected: {
        lines.push_back({LogKind::Response, outcome.detail});
        if (v.status != VersionStatus::Pending) break;  // a webhook proved a job exists
        v.submit_state = SubmitState::Rejected;
        v.error = outcome.detail;
        JobReport report;
        report.source = ReportSource::Submit;
        report.event = LifecycleEvent::SubmitRejected;
        ReportEffect effect = apply_report(v, report, 0.0, answered);
        lines.insert(lines.end(), effect.lines.begin(), effect.lines.end());
        break;
      }
      case SubmitOutcome::Kind::Unknown:
        if (v.submit_state == SubmitState::Accepted) break;  // the webhook came first
        v.submit_state = SubmitState::Unknown;
        lines.push_back({LogKind::Warning,
                         "submission unknown: " + outcome.detail +
                             "; RunPod may hold the job. It is not sent again; the webhook's " +
                             "request id " + v.request_id + " will resolve it"});
        break;
    }
    v.updated_at = answered;
    return lines;
  });
}

namespace {

// What a webhook may not settle on its own word: a final state, a result, an error.
bool settles(const JobReport& r) {
  switch (r.event) {
    case LifecycleEvent::ReportedCompleted:
    case LifecycleEvent::ReportedFailed:
    case LifecycleEvent::ReportedCancelled:
    case LifecycleEvent::ReportedTimedOut:
    case LifecycleEvent::ReportedUnknown: return true;
    // A running job's report carries executionTime too; the time so far settles nothing.
    default: return !r.lora_url.empty() || !r.error.empty();
  }
}

}  // namespace

Result<std::vector<ReportOutcome>> Trainings::ingest(const std::vector<JobReport>& reports) {
  const UnixMs now = now_ms();
  return store_.apply_reports(reports, [&](Version& v, const JobReport& r) {
    if (r.source == ReportSource::Webhook && (settles(r) || v.job_id.empty())) {
      ReportEffect hint;
      hint.confirm = true;
      return hint;
    }
    return apply_report(v, r, price_of(v.endpoint_name), now);
  });
}

Result<Version> Trainings::adopt_hinted_job(const Version& version, const std::string& job_id) {
  Result<JobReport> report = backend_.status(version.endpoint_id, job_id, Retries::None);
  if (!report) return report.error().with_context("status of " + version.name);
  if (report->event == LifecycleEvent::ReportedUnknown) {
    (void)store_.append_log(
        version.id, {{LogKind::Error, "a webhook named job " + job_id + " for " + version.name +
                                          ", but RunPod does not know it "
                                          "on this endpoint: ignored"}});
    return version;
  }
  if (report->job_id.empty()) report->job_id = job_id;
  const UnixMs now = now_ms();
  return store_.update(version.id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
    if (!v.job_id.empty()) return std::nullopt;  // learned meanwhile, from /run or a poll
    ReportEffect effect = apply_report(v, *report, price_of(v.endpoint_name), now);
    if (!effect.changed) return std::nullopt;
    return effect.lines;
  });
}

Result<Version> Trainings::give_up_if_overdue(const Version& version) {
  const UnixMs now = now_ms();
  const std::optional<UnixMs> deadline =
      unknown_submission_deadline(version, settings_.tracking.unknown_submission_timeout_seconds);
  if (!deadline || now < *deadline) return version;
  return store_.update(version.id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
    if (!v.job_id.empty() || v.status != VersionStatus::Pending) return std::nullopt;
    JobReport report;
    report.event = LifecycleEvent::GaveUp;
    report.source = ReportSource::Poll;
    ReportEffect effect = apply_report(v, report, 0.0, now);
    if (!effect.changed) return std::nullopt;
    return effect.lines;
  });
}

Result<Version> Trainings::release_unknown(const Version& version, UnixMs now) {
  Result<Version> released =
      store_.update(version.id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
        if (!v.job_id.empty() || v.status != VersionStatus::Pending ||
            (v.submit_state != SubmitState::Sending && v.submit_state != SubmitState::Unknown)) {
          return std::nullopt;
        }
        JobReport report;
        report.source = ReportSource::Cancel;
        report.event = LifecycleEvent::Released;
        ReportEffect effect = apply_report(v, report, 0.0, now);
        return effect.lines;
      });
  if (released && released->status != VersionStatus::Lost) {
    return Error{ErrorCode::Conflict, "release " + version.name + " of actor " + version.actor_id +
                                          ": RunPod reported the job " +
                                          "meanwhile; abort again to cancel it"};
  }
  return released;
}

Result<Version> Trainings::check(std::int64_t id, Retries retries, const std::string& hinted_job) {
  Result<Version> version = store_.get(id);
  if (!version) return version;
  if (is_final(version->status) && version->status != VersionStatus::Lost) return version;
  if (version->job_id.empty() && !hinted_job.empty() &&
      (version->submit_state == SubmitState::Sending ||
       version->submit_state == SubmitState::Unknown)) {
    return adopt_hinted_job(*version, hinted_job);
  }
  if (version->job_id.empty()) {
    switch (version->submit_state) {
      case SubmitState::Prepared: return send_prepared(id);
      case SubmitState::Sending:
      case SubmitState::Unknown: return give_up_if_overdue(*version);
      case SubmitState::Accepted:
      case SubmitState::Rejected: return version;
    }
  }
  Result<JobReport> report = backend_.status(version->endpoint_id, version->job_id, retries);
  if (!report) return report.error().with_context("status of " + version->name);
  const UnixMs now = now_ms();
  return store_.update(id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
    ReportEffect effect = apply_report(v, *report, price_of(v.endpoint_name), now);
    if (effect.changed) return effect.lines;
    // Nothing moved: a job at its last step that stays so is recorded as stalled, once; the
    // next change clears it (apply_report). updated_at stays when it last changed.
    if (!v.stall_note.empty()) return std::nullopt;
    std::optional<std::string> note = stall_note(v, now, settings_.tracking.stall_seconds);
    if (!note) return std::nullopt;
    v.stall_note = *note;
    return std::vector<LogEntry>{{LogKind::Warning, std::move(*note)}};
  });
}

Status Trainings::retryable(const Version& v) const {
  if (v.imported) {
    return Error{ErrorCode::FailedPrecondition,
                 v.name + " was trained before this product: there is no job to retry"};
  }
  if (v.status != VersionStatus::Failed && v.status != VersionStatus::TimedOut) {
    return Error{ErrorCode::FailedPrecondition,
                 v.name + " is " + std::string(to_string(v.status)) +
                     "; only a failed or timed-out training can be retried"};
  }
  if (v.job_id.empty()) {
    return Error{ErrorCode::FailedPrecondition,
                 v.name + " never reached RunPod (no job id): re-run it as a new version"};
  }
  if (const std::optional<UnixMs> until = retry_deadline(v); until && now_ms() >= *until) {
    return Error{ErrorCode::FailedPrecondition,
                 "RunPod no longer holds job " + v.job_id + " of " + v.name +
                     " (it keeps a finished job 30 minutes and deletes any job at its "
                     "lifespan): re-run it as a new version"};
  }
  return Ok{};
}

Result<Version> Trainings::retry(std::int64_t id, const std::string& idempotency_key) {
  Result<Version> version = store_.get(id);
  if (!version) return version.error();
  const std::string what = "retry " + version->actor_id + " " + version->name;
  if (!idempotency_key.empty() && version->retry_key == idempotency_key) return version;
  if (Status can = retryable(*version); !can) return can.error().with_context(what);
  const double estimate = version->estimated_cost.value_or(0.0);
  if (Status fits = check_workspace_budget(
          store_, settings_, PaidJob{version->endpoint_name, estimate, "this retry"}, now_ms());
      !fits) {
    return fits.error().with_context(what);
  }
  Result<JobReport> answer = backend_.retry(version->endpoint_id, version->job_id);
  if (!answer) {
    if (answer.error().code == ErrorCode::NotFound) {
      return Error{ErrorCode::FailedPrecondition, what + ": RunPod no longer holds job " +
                                                      version->job_id +
                                                      ": re-run it as a new version"};
    }
    return answer.error().with_context(what);
  }
  const UnixMs now = now_ms();
  Result<Version> changed =
      store_.update(id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
        if (v.status != VersionStatus::Failed && v.status != VersionStatus::TimedOut) {
          return std::nullopt;  // a webhook or a poll moved it meanwhile
        }
        Result<std::vector<LogEntry>> lines = begin_retry(v, now);
        if (!lines) return std::nullopt;
        v.retry_key = idempotency_key;
        return std::move(lines).value();
      });
  if (!changed) return changed.error().with_context(what);
  return changed;
}

Result<CreatedVersion> Trainings::rerun(std::int64_t id, TrainingOrder order) {
  Result<Version> version = store_.get(id);
  if (!version) return version.error();
  if (version->imported) {
    return Error{ErrorCode::FailedPrecondition,
                 "re-run " + version->name +
                     ": it was trained before this product; its "
                     "parameters are not known (start a new training instead)"};
  }
  std::shared_ptr<const ActorCatalog> catalog = registry_.catalog();
  Result<const Actor*> actor = catalog->find(version->actor_id);
  if (!actor) return actor.error();
  std::vector<ParameterOverride> overrides;
  for (const auto& [name, value] : parameter_values(version->parameters)) {
    overrides.emplace_back(name, value);
  }
  for (ParameterOverride& o : order.overrides) {
    overrides.push_back(std::move(o));
  }
  order.overrides = std::move(overrides);
  if (order.endpoint.empty()) order.endpoint = version->endpoint_name;
  if (order.description.empty()) order.description = "re-run of " + version->name;
  return start(**actor, order);
}

Result<std::vector<PeriodSpend>> Trainings::budget_status(const std::string& endpoint) {
  Result<std::vector<SpendEntry>> entries = workspace_spend(store_, settings_);
  if (!entries) return entries.error();
  Result<BudgetSettings> caps = workspace_budget(store_, settings_);
  if (!caps) return caps.error();
  return atr::budget_status(*caps, *entries, endpoint, now_ms());
}

Result<Version> Trainings::abort(std::int64_t id) {
  Result<Version> version = store_.get(id);
  if (!version) return version;
  const std::string what = "abort " + version->name + " of actor " + version->actor_id;
  if (is_final(version->status)) {
    return Error{ErrorCode::FailedPrecondition,
                 what + ": it is already " + std::string(to_string(version->status))};
  }
  const UnixMs now = now_ms();
  if (version->job_id.empty()) {
    if (version->submit_state != SubmitState::Prepared) return release_unknown(*version, now);
    Result<Version> withdrawn =
        store_.update(id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
          if (v.submit_state != SubmitState::Prepared) return std::nullopt;
          JobReport report;
          report.source = ReportSource::Cancel;
          report.event = LifecycleEvent::Withdrawn;
          v.submit_state = SubmitState::Rejected;
          ReportEffect effect = apply_report(v, report, 0.0, now);
          effect.lines.insert(effect.lines.begin(),
                              {LogKind::Info, "withdrawn before it was sent to RunPod"});
          return effect.lines;
        });
    if (withdrawn && withdrawn->status != VersionStatus::Cancelled) {
      return Error{ErrorCode::Conflict, what + ": it was sent meanwhile; abort again"};
    }
    return withdrawn;
  }
  if (Status logged =
          store_.append_log(id, {{LogKind::Request, "POST /cancel/" + version->job_id}});
      !logged) {
    return logged.error();
  }
  Result<JobReport> report = backend_.cancel(version->endpoint_id, version->job_id);
  if (!report) {
    (void)store_.append_log(id, {{LogKind::Error, "cancel failed: " + report.error().message}});
    return report.error().with_context(what);
  }
  Result<Version> cancelled =
      store_.update(id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
        std::vector<LogEntry> lines{{LogKind::Response, "cancel: " + report->raw_status}};
        ReportEffect effect = apply_report(v, *report, price_of(v.endpoint_name), now);
        lines.insert(lines.end(), effect.lines.begin(), effect.lines.end());
        return lines;
      });
  // The answer to /cancel has no execution time; the job's status does, and a job that ran is
  // paid for. One look, best effort: without it the version keeps its observed times.
  if (!cancelled || cancelled->execution_ms || !cancelled->started_at) return cancelled;
  Result<JobReport> after =
      backend_.status(cancelled->endpoint_id, cancelled->job_id, Retries::None);
  if (!after || !after->execution_ms) return cancelled;
  return store_.update(id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
    ReportEffect effect = apply_report(v, *after, price_of(v.endpoint_name), now_ms());
    if (!effect.changed) return std::nullopt;
    return effect.lines;
  });
}

Result<Version> Trainings::mark_good(const Actor& actor, std::int64_t id) {
  Result<Version> version = store_.get(id);
  if (!version) return version;
  if (version->actor_id != actor.key()) {
    return invalid_input("version_id", "version " + std::to_string(id) + " belongs to actor " +
                                           version->actor_id + ", not " + actor.label());
  }
  return mark_good(id);
}

Result<Version> Trainings::mark_good(std::int64_t id) {
  Result<Version> version = store_.get(id);
  if (!version) return version;
  const std::string what = "mark " + version->name + " of actor " + version->actor_id + " good";
  if (version->status != VersionStatus::Completed || version->lora_url.empty()) {
    return Error{ErrorCode::FailedPrecondition,
                 what + ": only a completed version with a LoRA URL can be the validated model" +
                     " (it is " + std::string(to_string(version->status)) + ")"};
  }
  const UnixMs now = now_ms();
  ActorPatch patch;
  patch.actor_ref = version->actor_id;
  patch.validated_model = validated_model_of(*version, now);
  patch.good = true;
  // actors.json is what other tools read, so it is written first; the store's mark follows.
  if (Status written = registry_.update({patch}); !written) {
    return written.error().with_context(what);
  }
  if (Status marked = store_.set_good(version->actor_id, id); !marked) return marked.error();
  if (Status logged = store_.append_log(
          id, {{LogKind::Success, version->name + " marked as the validated model"}});
      !logged) {
    return logged.error();
  }
  return store_.get(id);
}

Status Trainings::clear_good(const Actor& actor) {
  ActorPatch patch;
  patch.actor_ref = actor.key();
  patch.validated_model = std::optional<ValidatedModel>{};
  patch.good = false;
  if (Status written = registry_.update({patch}); !written) {
    return written.error().with_context("clear the validated model of " + actor.label());
  }
  return store_.set_good(actor.key(), 0);
}

Result<std::optional<double>> Trainings::learned_speed(const std::string& endpoint_name) {
  constexpr int kLearnFromLast = 20;
  Result<std::vector<Version>> finished = store_.list_completed(endpoint_name, kLearnFromLast);
  if (!finished) return finished.error();
  return learned_seconds_per_step(*finished);
}

Result<Estimate> Trainings::estimate_for(const TrainingParameters& params,
                                         const std::string& endpoint_name) {
  Result<EndpointProfile> endpoint = settings_.endpoint(endpoint_name);
  if (!endpoint) return endpoint.error();
  Result<std::optional<double>> speed = learned_speed(endpoint->name);
  if (!speed) return speed.error();
  return estimate(params, *endpoint, *speed);
}

}  // namespace atr
