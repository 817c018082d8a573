#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/actor_registry.h"
#include "core/clock.h"
#include "core/plan.h"
#include "core/trainings.h"
#include "core/version_store.h"

namespace atr {

/// What a batch of trainings is asked to cover.
struct BatchRequest {
  std::string endpoint;  ///< empty: the default one
  int concurrency = 2;   ///< trainings running at once, 1 … 16
  /// Actors (keys) the person took out of the plan.
  std::set<std::string> exclude;
  int max = 0;  ///< at most this many trainings (0: every eligible actor)
};

/// One eligible actor in a batch plan.
struct BatchPlanItem {
  std::string actor_id;
  std::string actor_name;
  int images = 0;
  TrainingParameters parameters;
  Estimate estimate;
  /// "included"; "excluded" (by the person or by `max`); "over_budget" (past a cap: the plan
  /// stops there).
  std::string state = "included";
};

/// An actor that is not eligible, and why.
struct BatchSkip {
  std::string actor_id;
  std::string actor_name;
  std::string reason;  ///< "validated_model", "no_synced_data", "data", "active_training",
                       ///< "parameters"
  std::string detail;  ///< for people
};

/// The plan of training every eligible actor: an actor is eligible when its recorded data is
/// synced (and a fresh look agrees), it has no validated model, no data finding blocks it and
/// no training of it is active.
struct BatchPlan {
  std::string endpoint;
  int concurrency = 2;
  std::vector<BatchPlanItem> items;           ///< every eligible actor, in registry order
  std::vector<BatchSkip> skipped;             ///< the first kMaxListedSkips not eligible
  std::map<std::string, int> skipped_counts;  ///< every one not eligible, by reason
  int included = 0;
  double total_cost = 0.0;    ///< USD, of the included
  double wall_seconds = 0.0;  ///< the included at `concurrency` at once, in plan order
  /// Where the plan stopped at a budget cap, with the figures; empty when it did not.
  std::string budget_stop;
  /// What keeps any training from starting (RunPod configuration); empty when none.
  std::vector<Blocker> blockers;
  static constexpr std::size_t kMaxListedSkips = 200;
};

/// How long `durations` take when run `lanes` at a time, each starting when a lane is free, in
/// order (list scheduling). Pure.
double batch_wall_seconds(const std::vector<double>& durations, int lanes);

/// One actor of a started batch.
struct BatchEntry {
  std::string actor_id;
  std::string actor_name;
  double estimate = 0.0;  ///< USD, from the plan
  /// "waiting", "starting" (a start was asked; repeated with the same key after a crash),
  /// "started" (see version_id), "skipped" (the start was refused: see error), "cancelled".
  std::string state = "waiting";
  std::int64_t version_id = 0;
  std::string error;
  bool operator==(const BatchEntry&) const = default;
};

/// A started batch: a queue the server works through, `concurrency` trainings at a time.
struct Batch {
  std::int64_t id = 0;
  std::string idempotency_key;
  std::string endpoint;
  int concurrency = 2;
  std::string state = "running";  ///< "running", "finished", "cancelled"
  UnixMs created_at = 0;
  UnixMs updated_at = 0;
  double planned_cost = 0.0;
  std::vector<BatchEntry> entries;
  bool operator==(const Batch&) const = default;
};

/// The durable record of batches. store/ implements it in state.db.
class BatchStore {
 public:
  virtual ~BatchStore() = default;
  /// Inserts `batch` (id given by the store); a repeated idempotency key returns the batch it
  /// created, with `created` false.
  struct Created {
    Batch batch;
    bool created = false;
  };
  [[nodiscard]] virtual Result<Created> create_batch(const Batch& batch) = 0;
  /// NotFound when there is none.
  [[nodiscard]] virtual Result<Batch> get_batch(std::int64_t id) const = 0;
  /// Batches still running, oldest first.
  [[nodiscard]] virtual Result<std::vector<Batch>> running_batches() const = 0;
  /// The newest batches, newest first.
  [[nodiscard]] virtual Result<std::vector<Batch>> recent_batches(int limit) const = 0;
  /// Changes one batch as stored now, in one transaction; `change` returns false to leave it.
  using ChangeBatch = std::function<bool(Batch&)>;
  [[nodiscard]] virtual Result<Batch> update_batch(std::int64_t id, const ChangeBatch& change) = 0;
};

/// Training many actors at once: the plan with its price, and the queue that follows it.
class Batches {
 public:
  Batches(ActorRegistry& registry, Trainings& trainings, BatchStore& batches,
          VersionStore& versions, const Settings& settings, const Clock& clock);

  /// The plan for `request` from a fresh look at each candidate's data (progress over the
  /// candidates). Stops at the first budget cap the included trainings would pass.
  /// InvalidArgument about "endpoint" or "concurrency".
  [[nodiscard]] Result<BatchPlan> plan(const BatchRequest& request,
                                       const ProgressFn& progress = {});

  /// Plans `request` again and stores the included actors as a queue (a repeated key returns
  /// the first batch). FailedPrecondition when nothing can start (no included actor, a
  /// configuration blocker).
  [[nodiscard]] Result<BatchStore::Created> start(const BatchRequest& request,
                                                  const std::string& idempotency_key);

  /// Stops the queue: waiting actors are not started; trainings already started go on (abort
  /// them one by one). A finished batch is returned as it is.
  [[nodiscard]] Result<Batch> cancel(std::int64_t id);

  /// Starts waiting entries of every running batch while fewer than its concurrency run; a
  /// batch with nothing waiting or running is finished. A start refused at a budget cap skips
  /// every waiting entry (the queue stops there). Returns the ids of the batches it changed.
  [[nodiscard]] Result<std::vector<std::int64_t>> advance();

 private:
  /// Starts what `batch` can start now; `unfinished` holds the ids of every version not final
  /// (read once per pass, not once per entry), and gets the versions this pass started.
  Result<Batch> advance_one(const Batch& batch, std::set<std::int64_t>& unfinished);

  ActorRegistry& registry_;
  Trainings& trainings_;
  BatchStore& batches_;
  VersionStore& versions_;
  const Settings& settings_;
  const Clock& clock_;
};

}  // namespace atr
