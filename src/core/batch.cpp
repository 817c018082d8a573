#include "core/batch.h"

#include <algorithm>
#include <chrono>
#include <queue>

#include "core/budget.h"

namespace atr {
namespace {

constexpr int kMaxConcurrency = 16;

UnixMs ms_of(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
      .count();
}

// The key a batch's start of one actor carries: a repeat after a crash returns that version.
std::string entry_key(const Batch& batch, const BatchEntry& entry) {
  return "batch-" + std::to_string(batch.id) + "-" + entry.actor_id;
}

}  // namespace

double batch_wall_seconds(const std::vector<double>& durations, int lanes) {
  // Each lane's end time; the next job starts on the lane that frees first.
  std::priority_queue<double, std::vector<double>, std::greater<>> ends;
  for (int i = 0; i < std::max(lanes, 1); ++i) {
    ends.push(0.0);
  }
  double wall = 0.0;
  for (double d : durations) {
    const double start = ends.top();
    ends.pop();
    ends.push(start + d);
    wall = std::max(wall, start + d);
  }
  return wall;
}

Batches::Batches(ActorRegistry& registry, Trainings& trainings, BatchStore& batches,
                 VersionStore& versions, const Settings& settings, const Clock& clock)
    : registry_(registry),
      trainings_(trainings),
      batches_(batches),
      versions_(versions),
      settings_(settings),
      clock_(clock) {}

Result<BatchPlan> Batches::plan(const BatchRequest& request, const ProgressFn& progress) {
  if (request.concurrency < 1 || request.concurrency > kMaxConcurrency) {
    return invalid_input("concurrency", "concurrency must be 1 … " +
                                            std::to_string(kMaxConcurrency) + ", not " +
                                            std::to_string(request.concurrency));
  }
  if (request.max < 0) return invalid_input("max", "max must be 0 (all) or more");
  Result<EndpointProfile> endpoint = settings_.endpoint(request.endpoint);
  if (!endpoint) return invalid_input("endpoint", endpoint.error().message);
  BatchPlan plan;
  plan.endpoint = endpoint->name;
  plan.concurrency = request.concurrency;
  auto skip = [&plan](const Actor& actor, std::string reason, std::string detail) {
    ++plan.skipped_counts[reason];
    if (plan.skipped.size() < BatchPlan::kMaxListedSkips) {
      plan.skipped.push_back({actor.key(), actor.name, std::move(reason), std::move(detail)});
    }
  };
  // Cheap facts of the registry first; only candidates get a fresh look at their data.
  std::shared_ptr<const ActorCatalog> catalog = registry_.catalog();
  std::vector<const Actor*> candidates;
  for (const Actor& actor : catalog->actors()) {
    if (actor.has_validated_model()) {
      skip(actor, "validated_model", "has a validated model");
    } else if (!actor.training_data || !actor.training_data->synced ||
               actor.training_data->count <= 0) {
      skip(actor, "no_synced_data", "no synced training data recorded");
    } else {
      candidates.push_back(&actor);
    }
  }
  std::vector<BatchPlanItem> eligible;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Actor& actor = *candidates[i];
    if (progress) progress(i, candidates.size());
    Result<PlanAnswer> answer = trainings_.plan(actor, plan.endpoint, {});
    if (!answer) {
      skip(actor, "data", answer.error().message);
      continue;
    }
    const Blocker* held = nullptr;
    for (const Blocker& b : answer->blockers) {
      if (b.code == "data" || b.code == "active_training") {
        held = &b;
        break;
      }
      if (std::none_of(plan.blockers.begin(), plan.blockers.end(),
                       [&](const Blocker& known) { return known.code == b.code; })) {
        plan.blockers.push_back(b);
      }
    }
    if (held != nullptr) {
      skip(actor, held->code, held->message);
      continue;
    }
    if (!answer->plan.validation.empty()) {
      skip(actor, "parameters", answer->plan.validation.front().message);
      continue;
    }
    BatchPlanItem item;
    item.actor_id = actor.key();
    item.actor_name = actor.name;
    item.images = answer->data.training_images();
    item.parameters = answer->plan.parameters;
    item.estimate = answer->plan.estimate;
    if (request.exclude.contains(item.actor_id)) item.state = "excluded";
    eligible.push_back(std::move(item));
  }
  if (progress) progress(candidates.size(), candidates.size());
  // Included in order until a cap would be passed; the rest stays out.
  Result<std::vector<SpendEntry>> spend = workspace_spend(versions_, settings_);
  if (!spend) return spend.error();
  Result<BudgetSettings> caps = workspace_budget(versions_, settings_);
  if (!caps) return caps.error();
  const UnixMs now = ms_of(clock_);
  std::vector<double> durations;
  for (BatchPlanItem& item : eligible) {
    if (item.state != "included") continue;
    if (request.max > 0 && plan.included >= request.max) {
      item.state = "excluded";
      continue;
    }
    if (!plan.budget_stop.empty()) {
      item.state = "over_budget";
      continue;
    }
    const PaidJob job{plan.endpoint, plan.total_cost + item.estimate.cost,
                      "this batch up to " + item.actor_id};
    if (Status fits = check_budget(*caps, *spend, job, now); !fits) {
      item.state = "over_budget";
      plan.budget_stop = fits.error().message;
      continue;
    }
    ++plan.included;
    plan.total_cost += item.estimate.cost;
    durations.push_back(item.estimate.duration_seconds);
  }
  plan.wall_seconds = batch_wall_seconds(durations, plan.concurrency);
  plan.items = std::move(eligible);
  return plan;
}

Result<BatchStore::Created> Batches::start(const BatchRequest& request,
                                           const std::string& idempotency_key) {
  if (!idempotency_key.empty()) {
    // A repeat must not plan again: the first answer stands.
    Result<std::vector<Batch>> recent = batches_.recent_batches(50);
    if (!recent) return recent.error();
    for (const Batch& b : *recent) {
      if (b.idempotency_key == idempotency_key) return BatchStore::Created{b, false};
    }
  }
  Result<BatchPlan> plan = this->plan(request);
  if (!plan) return plan.error();
  if (!plan->blockers.empty()) {
    return Error{ErrorCode::FailedPrecondition, "batch: " + plan->blockers.front().message};
  }
  if (plan->included == 0) {
    return Error{ErrorCode::FailedPrecondition, plan->budget_stop.empty()
                                                    ? "batch: no eligible actor is included"
                                                    : "batch: " + plan->budget_stop};
  }
  Batch batch;
  batch.idempotency_key = idempotency_key;
  batch.endpoint = plan->endpoint;
  batch.concurrency = plan->concurrency;
  batch.created_at = ms_of(clock_);
  batch.updated_at = batch.created_at;
  batch.planned_cost = plan->total_cost;
  for (const BatchPlanItem& item : plan->items) {
    if (item.state != "included") continue;
    batch.entries.push_back({item.actor_id, item.actor_name, item.estimate.cost});
  }
  return batches_.create_batch(batch);
}

Result<Batch> Batches::cancel(std::int64_t id) {
  const UnixMs now = ms_of(clock_);
  return batches_.update_batch(id, [now](Batch& b) {
    if (b.state != "running") return false;
    for (BatchEntry& e : b.entries) {
      if (e.state == "waiting") e.state = "cancelled";
    }
    b.state = "cancelled";
    b.updated_at = now;
    return true;
  });
}

Result<std::vector<std::int64_t>> Batches::advance() {
  Result<std::vector<Batch>> open = batches_.running_batches();
  if (!open) return open.error();
  std::vector<std::int64_t> changed;
  if (open->empty()) return changed;
  Result<std::vector<Version>> listed = versions_.list_unfinished();
  if (!listed) return listed.error();
  std::set<std::int64_t> unfinished;
  for (const Version& v : *listed) {
    unfinished.insert(v.id);
  }
  for (const Batch& batch : *open) {
    Result<Batch> after = advance_one(batch, unfinished);
    if (!after) return after.error();
    if (!(*after == batch)) changed.push_back(batch.id);
  }
  return changed;
}

Result<Batch> Batches::advance_one(const Batch& batch, std::set<std::int64_t>& unfinished) {
  // A "starting" entry counts as running: its start may have reached RunPod.
  auto running = [&unfinished](const BatchEntry& e) {
    return e.state == "starting" || (e.state == "started" && unfinished.contains(e.version_id));
  };
  Batch current = batch;
  int active = 0;
  for (const BatchEntry& e : current.entries) {
    active += running(e) && e.state == "started" ? 1 : 0;
  }
  for (size_t i = 0; i < current.entries.size(); ++i) {
    const BatchEntry& entry = current.entries[i];
    // A "starting" entry is one a crash interrupted: its start is asked again with the same
    // key, which returns the version it made, if it made one.
    if (entry.state != "waiting" && entry.state != "starting") continue;
    if (active >= current.concurrency) break;
    if (current.state != "running") break;
    const UnixMs now = ms_of(clock_);
    Result<Batch> marked = batches_.update_batch(current.id, [&](Batch& b) {
      if (b.state != "running" || b.entries[i].state == "started") return false;
      b.entries[i].state = "starting";
      b.updated_at = now;
      return true;
    });
    if (!marked) return marked.error();
    current = std::move(marked).value();
    if (current.state != "running") break;
    std::shared_ptr<const ActorCatalog> catalog = registry_.catalog();
    Result<const Actor*> actor = catalog->find(current.entries[i].actor_id);
    Result<CreatedVersion> started = Error{ErrorCode::NotFound, "actor not found"};
    if (actor) {
      TrainingOrder order;
      order.endpoint = current.endpoint;
      order.idempotency_key = entry_key(current, current.entries[i]);
      started = trainings_.start(**actor, order);
    } else {
      started = actor.error();
    }
    const bool over_budget = !started && started.error().field == "budget";
    Result<Batch> recorded = batches_.update_batch(current.id, [&](Batch& b) {
      BatchEntry& e = b.entries[i];
      if (started) {
        e.state = "started";
        e.version_id = started->version.id;
        e.error.clear();
      } else {
        e.state = "skipped";
        e.error = started.error().message;
        if (over_budget) {
          // The queue stops at the cap: what is left waits for no one.
          for (BatchEntry& rest : b.entries) {
            if (rest.state == "waiting") {
              rest.state = "skipped";
              rest.error = "not started: " + started.error().message;
            }
          }
        }
      }
      b.updated_at = ms_of(clock_);
      return true;
    });
    if (!recorded) return recorded.error();
    current = std::move(recorded).value();
    if (started && !is_final(started->version.status)) {
      unfinished.insert(started->version.id);
      ++active;
    }
  }
  // Finished once nothing waits or runs.
  const bool done =
      std::none_of(current.entries.begin(), current.entries.end(),
                   [&](const BatchEntry& e) { return e.state == "waiting" || running(e); });
  if (done && current.state == "running") {
    Result<Batch> finished = batches_.update_batch(current.id, [&](Batch& b) {
      if (b.state != "running") return false;
      b.state = "finished";
      b.updated_at = ms_of(clock_);
      return true;
    });
    if (!finished) return finished.error();
    current = std::move(finished).value();
  }
  return current;
}

}  // namespace atr
