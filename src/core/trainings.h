#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/actor_registry.h"
#include "core/budget.h"
#include "core/clock.h"
#include "core/object_store.h"
#include "core/settings.h"
#include "core/training_backend.h"
#include "core/training_data.h"
#include "core/training_data_scanner.h"
#include "core/training_request.h"
#include "core/version_store.h"

namespace atr {

/// One reason a training of an actor cannot start now, for people and for the page.
struct Blocker {
  std::string code;             ///< runpod_api_key, endpoint, endpoint_id, data, active_training
  std::string message;          ///< the cause and what to do about it
  std::int64_t version_id = 0;  ///< active_training: the version in the way
  bool operator==(const Blocker&) const = default;
};

/// A request to train one actor.
struct TrainingOrder {
  std::string endpoint;  ///< endpoint profile name; empty: the default one
  /// Set over the planned parameters (defaults auto-adjusted to the synced image count), in
  /// order; each is (name, value as text).
  std::vector<ParameterOverride> overrides;
  std::string description;
  std::string idempotency_key;  ///< a repeat with the same key returns the first version
  bool force = false;           ///< allow a second active training of the same actor
  /// Ask S3 for every recorded object before sending (when S3 is configured); off only when
  /// the person asked (`train --no-deep-check`).
  bool deep_check = true;
  ProgressFn scan_progress;  ///< progress of the fresh scan of the actor's data
};

/// What start() would send, with nothing stored or sent (`train --dry-run`).
struct TrainingPreview {
  TrainingRequest request;
  std::string body;  ///< the /run body; the webhook token replaced by a placeholder
  Estimate estimate;
  bool webhook = false;  ///< false: no public webhook URL, the job would be tracked by polling
};

/// The plan of a training of one actor, with what a fresh look at its data found and every
/// reason a training cannot start now (the plan route and `plan`).
struct PlanAnswer {
  TrainingPlan plan;
  TrainingDataReport data;
  std::vector<Blocker> blockers;
};

/// Where `pattern` puts the LoRA of `model_name` (`{model}` replaced); nothing when the pattern
/// has no `{model}` or the result is not an S3 URL.
std::optional<S3Location> lora_location_of(const std::string& pattern,
                                           const std::string& model_name);

/// Where the worker will write `model_name`'s LoRA: `pattern` when one is configured, else the
/// layout of the newest of `known` whose LoRA URL is an S3 URL named after its model (the
/// file stem replaced); nothing when neither says.
std::optional<S3Location> expected_lora_location(const std::string& pattern,
                                                 const std::vector<Version>& known,
                                                 const std::string& model_name);

/// The use cases of the training lifecycle: start, track (webhooks and status checks), abort,
/// mark good. Every change goes through apply_report() and the lifecycle table, and every
/// change is stored before anything else sees it.
class Trainings {
 public:
  /// The webhook URL to send with a submission (token included), or none for polling only.
  using WebhookUrl = std::function<std::optional<std::string>()>;
  /// Called at named points of a submission; the product's crash tests stop the process
  /// there ("after-store": version stored, not yet claimed; "before-run": claimed, /run not
  /// yet sent). A no-op in normal use.
  using FaultPoint = std::function<void(std::string_view point)>;

  Trainings(ActorRegistry& registry, TrainingDataScanner& scanner, VersionStore& store,
            TrainingBackend& backend, const Clock& clock, const Settings& settings,
            WebhookUrl webhook_url, FaultPoint fault_point = {});

  /// The plan of `actor` on `endpoint` from a fresh look at its data (defaults auto-adjusted to
  /// the usable images; the defaults alone when there are none), with `overrides` set and
  /// judged, the estimate, and the blockers. InvalidArgument naming the field for an unknown
  /// endpoint or an override that cannot be read; broken rules are the plan's `validation`.
  [[nodiscard]] Result<PlanAnswer> plan(const Actor& actor, const std::string& endpoint,
                                        const std::vector<ParameterOverride>& overrides,
                                        const ProgressFn& progress = {});

  /// The parameters `order` trains `actor` with: the planned ones with the overrides set.
  /// InvalidArgument naming the field ("parameters.<name>") for an override that cannot be
  /// read, and every broken rule in `Error::fields`.
  [[nodiscard]] Result<TrainingParameters> parameters_for(const Actor& actor,
                                                          const TrainingOrder& order) const;

  /// Everything start() checks before it stores anything — the endpoint, the parameters, a
  /// fresh look at the data that must say synced — then the request it would send, rendered
  /// from the workflow. Needs no RunPod credentials; stores and sends nothing.
  [[nodiscard]] Result<TrainingPreview> preview(const Actor& actor, const TrainingOrder& order);

  /// Everything that keeps `actor` from training on `endpoint` now, given a fresh scan of its
  /// data (`data`); empty when a training can start. Parameters are validate()'s to judge.
  /// start() refuses with the first of these, so the page, the CLI and a refusal agree.
  [[nodiscard]] Result<std::vector<Blocker>> blockers(const Actor& actor,
                                                      const std::string& endpoint,
                                                      const TrainingDataReport& data);

  /// Checks every precondition of PRODUCT.md §2.4 — the endpoint, the parameters, a fresh
  /// look at the data that must say synced, every recorded S3 object there (unless the order
  /// says otherwise), the RunPod configuration, no other active training, a model name and
  /// LoRA object nobody holds — then stores the version and sends `/run` once. A repeated
  /// idempotency key returns the first version without sending anything.
  [[nodiscard]] Result<CreatedVersion> start(const Actor& actor, const TrainingOrder& order);

  /// Sends a stored version that was never sent (after a crash between storing and sending).
  /// Exactly one process wins the claim; the others get the version as it is.
  [[nodiscard]] Result<Version> send_prepared(std::int64_t id);

  /// Applies webhook reports (several at once, in one transaction). A webhook is a hint: RunPod
  /// does not sign them, so one that reports a final state or a result, or that names a job
  /// only by the request id of a version whose job id is unknown, is not applied; its outcome
  /// says `needs_confirmation`, and `check` with the report's job id confirms it with RunPod.
  /// Queue and progress reports of a known job are applied as they come.
  [[nodiscard]] Result<std::vector<ReportOutcome>> ingest(const std::vector<JobReport>& reports);

  /// One status check of a version now: asks RunPod when there is a job id, sends a version
  /// that was never sent, and gives up on a submission of unknown outcome once RunPod has
  /// deleted its job (unknown_submission_deadline). A training at its last step that nothing
  /// changes for `stall_seconds` is recorded as stalled (Version::stall_note, a warning line).
  /// Unavailable when RunPod did not answer usefully (nothing changes then).
  /// `hinted_job`: a job id a webhook named for a version whose job id is unknown; it becomes
  /// the version's job only when RunPod's /status for it (our key, our endpoint) knows it.
  [[nodiscard]] Result<Version> check(std::int64_t id, Retries retries,
                                      const std::string& hinted_job = {});

  /// Asks RunPod to run a failed or timed-out version's job again (`/retry`: same job id, same
  /// input) and queues the version again; its retries are counted and its cost keeps every
  /// attempt. Checked first: the version is failed or timed out, was trained here with a job
  /// id, RunPod still holds the job (its lifespan and the 30 minutes RunPod keeps a finished
  /// job), and the budget caps. A repeat with the same `idempotency_key` returns the version
  /// as it is. FailedPrecondition with the reason otherwise (a job RunPod deleted: re-run it).
  [[nodiscard]] Result<Version> retry(std::int64_t id, const std::string& idempotency_key);

  /// Whether a retry of `v` can be asked for now, and if not, why (the page shows it).
  [[nodiscard]] Status retryable(const Version& v) const;

  /// Trains the version's actor again as a new version with the version's endpoint and
  /// parameters, `order`'s overrides set over them (its endpoint, when given, replaces the
  /// version's). Everything start() checks applies; idempotent by the order's key.
  [[nodiscard]] Result<CreatedVersion> rerun(std::int64_t id, TrainingOrder order);

  /// Cancels the job on RunPod (or withdraws a version that was never sent). A version whose
  /// submission is unknown (sent, no answer, no job id) cannot be cancelled: it is released
  /// instead (`lost`, with the request id kept so a late webhook still lands), so it stops
  /// blocking the actor while history and costs keep it.
  [[nodiscard]] Result<Version> abort(std::int64_t id);

  /// Records `id` as the actor's validated model: actors.json gets `validated_lora_model` and
  /// `good: true`, and the version gets the good mark. Only completed versions with a LoRA URL.
  [[nodiscard]] Result<Version> mark_good(std::int64_t id);
  /// mark_good(id) for a version that must be `actor`'s: InvalidArgument about "version_id"
  /// when it belongs to another actor.
  [[nodiscard]] Result<Version> mark_good(const Actor& actor, std::int64_t id);
  /// Removes the actor's validated model and good mark.
  Status clear_good(const Actor& actor);

  /// Seconds per step learned from this endpoint's last 20 completed versions (median, once
  /// three exist); nothing before that.
  [[nodiscard]] Result<std::optional<double>> learned_speed(const std::string& endpoint_name);

  /// Duration and cost of `params` on `endpoint`, with the speed learned from finished jobs.
  [[nodiscard]] Result<Estimate> estimate_for(const TrainingParameters& params,
                                              const std::string& endpoint);

  /// The caps and what every period has spent, with `endpoint`'s own caps (the page's header
  /// and `stats`).
  [[nodiscard]] Result<std::vector<PeriodSpend>> budget_status(const std::string& endpoint = {});

  /// The bucket that presigns `training_data.presigned_urls` when the settings ask for them
  /// (null: none configured, and such a submission is refused). Must outlive this object.
  /// It also checks, before `/run`, that the new version's LoRA object does not exist yet.
  void use_object_store(ObjectStore* objects) { objects_ = objects; }

 private:
  UnixMs now_ms() const;
  double price_of(const std::string& endpoint_name) const;
  Result<TrainingRequest> request_for(const Version& version) const;
  /// Refuses `v` when its LoRA object exists (or cannot be checked although a pattern says
  /// where it goes); `known` are the actor's versions.
  Status check_lora_free(const Version& v, const std::vector<Version>& known);
  Result<Version> give_up_if_overdue(const Version& version);
  /// `check` for a version whose job id is unknown and a job id a webhook named for it.
  Result<Version> adopt_hinted_job(const Version& version, const std::string& job_id);
  Result<Version> release_unknown(const Version& version, UnixMs now);
  /// The RunPod configuration problems of `endpoint`, as blockers.
  std::vector<Blocker> configuration_blockers(const std::string& endpoint) const;
  /// The endpoint named `name` (empty: the default); InvalidArgument about "endpoint".
  Result<EndpointProfile> endpoint_named(const std::string& name) const;
  /// The preconditions shared by preview() and start(): endpoint, parameters, synced data.
  struct Checked {
    EndpointProfile endpoint;
    TrainingParameters parameters;
  };
  Result<Checked> check_order(const Actor& actor, const TrainingOrder& order);

  ActorRegistry& registry_;
  TrainingDataScanner& scanner_;
  VersionStore& store_;
  TrainingBackend& backend_;
  const Clock& clock_;
  const Settings& settings_;
  WebhookUrl webhook_url_;
  FaultPoint fault_point_;
  ObjectStore* objects_ = nullptr;
};

}  // namespace atr
