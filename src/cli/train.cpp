#include <iostream>
#include <thread>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"

namespace atr::cli {
namespace {

// "name=value" items of --param, as the order's overrides.
Result<std::vector<ParameterOverride>> overrides_of(const std::vector<std::string>& items) {
  std::vector<ParameterOverride> pairs;
  pairs.reserve(items.size());
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return Error{ErrorCode::InvalidArgument, "--param " + item + ": expected name=value"};
    }
    pairs.emplace_back(std::string(trim(item.substr(0, eq))), item.substr(eq + 1));
  }
  return pairs;
}

// The order the command line describes for `actor`, with a progress bar over the scan.
Result<TrainingOrder> order_of(const Options& o, ProgressBar& bar) {
  Result<std::vector<ParameterOverride>> overrides = overrides_of(o.params);
  if (!overrides) return overrides.error();
  TrainingOrder order;
  order.endpoint = o.endpoint;
  order.overrides = std::move(overrides).value();
  order.description = o.description;
  order.idempotency_key = o.idempotency_key;
  order.force = o.force;
  order.deep_check = !o.no_deep_check;
  order.scan_progress = [&bar](std::size_t done, std::size_t total) { bar.update(done, total); };
  return order;
}

int dry_run(Context& context, const Options& o, const Actor& actor) {
  ProgressBar bar("scanning " + actor.label(), !o.json);
  Result<TrainingOrder> order = order_of(o, bar);
  if (!order) return report_error(order.error(), o.json);
  Result<TrainingPreview> preview = context.trainings.preview(actor, *order);
  if (!preview) return report_error(preview.error(), o.json);
  const TrainingRequest& request = preview->request;
  const Estimate& est = preview->estimate;
  if (o.json) {
    nlohmann::ordered_json out;
    out["dry_run"] = true;
    out["version_name"] = request.version_name;
    out["model_name"] = request.model_name;
    out["request_id"] = request.request_id;
    out["estimate"] = estimate_to_json(est);
    out["request"] = nlohmann::ordered_json::parse(preview->body);
    print_json(out);
    return kExitOk;
  }
  std::cout << preview->body << "\n";
  std::cerr << "dry run: nothing was sent. " << request.model_name << " on endpoint '"
            << est.endpoint << "', about "
            << format_duration_seconds(static_cast<long long>(est.duration_seconds)) << ", $"
            << format_decimal(est.cost, 2)
            << (preview->webhook
                    ? ""
                    : "; no public webhook URL configured, the job would be tracked by polling")
            << "\n";
  return kExitOk;
}

Result<CreatedVersion> start_one(Context& context, const Options& o, const Actor& actor) {
  ProgressBar bar("scanning " + actor.label(), !o.json);
  Result<TrainingOrder> order = order_of(o, bar);
  if (!order) return order.error();
  return context.trainings.start(actor, *order);
}

void print_started(const CreatedVersion& created) {
  const Version& v = created.version;
  std::cout << (created.created ? "started " : "already started (same idempotency key): ")
            << v.actor_id << " " << v.name << " (version id " << v.id
            << "): " << to_string(v.status);
  if (!v.job_id.empty()) std::cout << ", RunPod job " << v.job_id;
  std::cout << "\n";
  if (v.submit_state == SubmitState::Unknown) {
    std::cout << "RunPod did not answer /run; the version is kept and resolved by the webhook "
                 "(it is never sent twice)\n";
  }
  if (v.status == VersionStatus::Failed) std::cout << "error: " << v.error << "\n";
  std::cout << "follow it with: actor-trainer watch " << v.id << "\n";
}

// The plan of --eligible, with a progress bar over the candidates' fresh scans.
Result<BatchPlan> eligible_plan(Context& context, const Options& o) {
  if (context.batches == nullptr) {
    return Error{ErrorCode::Unavailable, "train --eligible: batches are not available"};
  }
  BatchRequest request;
  request.endpoint = o.endpoint;
  request.concurrency = o.concurrency;
  request.max = o.max;
  std::shared_ptr<const ActorCatalog> catalog = context.registry.catalog();
  for (const std::string& ref : o.exclude) {
    Result<const Actor*> actor = catalog->find(ref);
    if (!actor) return actor.error().about("--exclude");
    request.exclude.insert((*actor)->key());
  }
  ProgressBar bar("checking eligible actors", !o.json);
  return context.batches->plan(
      request, [&bar](std::size_t done, std::size_t total) { bar.update(done, total); });
}

void print_plan(const BatchPlan& plan) {
  Table table({"ACTOR", "NAME", "IMAGES", "STEPS", "LR", "DIM", "TIME", "COST", "IN PLAN"});
  table.set_max_width(1, 28);
  for (const BatchPlanItem& item : plan.items) {
    table.add_row({item.actor_id, item.actor_name, std::to_string(item.images),
                   std::to_string(item.parameters.max_train_steps),
                   format_decimal(item.parameters.learning_rate, 6),
                   std::to_string(item.parameters.network_dim),
                   format_duration_seconds(static_cast<long long>(item.estimate.duration_seconds)),
                   cost_text(item.estimate.cost),
                   item.state == "included"      ? "yes"
                   : item.state == "over_budget" ? "over budget"
                                                 : "excluded"});
  }
  std::cout << table.render();
  std::cout << "total: " << plan.included << " of " << plan.items.size() << " eligible actors, "
            << cost_text(plan.total_cost) << ", about "
            << format_duration_seconds(static_cast<long long>(plan.wall_seconds)) << " at "
            << plan.concurrency << " at once on endpoint '" << plan.endpoint << "'\n";
  if (!plan.budget_stop.empty()) std::cout << "stopped at the cap: " << plan.budget_stop << "\n";
  int skipped = 0;
  std::string reasons;
  for (const auto& [reason, count] : plan.skipped_counts) {
    skipped += count;
    reasons += (reasons.empty() ? "" : ", ") + std::to_string(count) + " " + reason;
  }
  if (skipped > 0) std::cout << "not eligible: " << skipped << " (" << reasons << ")\n";
  for (const Blocker& b : plan.blockers) {
    std::cout << "cannot start: " << b.message << "\n";
  }
}

// Trains every included actor of the plan, keeping at most `concurrency` trainings active.
int run_eligible(Context& context, const Options& o) {
  Result<BatchPlan> plan = eligible_plan(context, o);
  if (!plan) return report_error(plan.error(), o.json);
  if (o.dry_run) {
    if (o.json) {
      print_json(batch_plan_to_json(*plan));
    } else {
      print_plan(*plan);
      std::cerr << "dry run: nothing was sent\n";
    }
    return kExitOk;
  }
  std::shared_ptr<const ActorCatalog> catalog = context.registry.catalog();
  std::vector<const Actor*> queue;
  for (const BatchPlanItem& item : plan->items) {
    if (item.state != "included") continue;
    if (Result<const Actor*> actor = catalog->find(item.actor_id); actor) queue.push_back(*actor);
  }
  std::cerr << "train --eligible: " << queue.size() << " actors, " << cost_text(plan->total_cost)
            << ", at most " << o.concurrency << " at once\n";
  if (!plan->budget_stop.empty()) std::cerr << "stopped at the cap: " << plan->budget_stop << "\n";
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::vector<std::int64_t> active;
  int failures = 0;
  size_t next = 0;
  while (next < queue.size() || !active.empty()) {
    // Drop finished trainings, checking RunPod ourselves when no server tracks them.
    const bool tracked = context.serve_running && context.serve_running();
    std::erase_if(active, [&](std::int64_t id) {
      Result<Version> v =
          tracked ? context.store.get(id) : context.trainings.check(id, Retries::WithBackoff);
      return !v || is_final(v->status);
    });
    while (next < queue.size() && active.size() < static_cast<size_t>(o.concurrency)) {
      const Actor& actor = *queue[next++];
      Result<CreatedVersion> started = start_one(context, o, actor);
      if (!started) {
        ++failures;
        std::cerr << "skipped " << actor.label() << ": " << started.error().message << "\n";
        results.push_back(
            {{"actor_id", actor.key()}, {"error", error_to_json(started.error())["error"]}});
        if (started.error().field == "budget") next = queue.size();  // the queue stops at a cap
        continue;
      }
      if (!o.json) print_started(*started);
      results.push_back(version_to_json(started->version));
      if (!is_final(started->version.status)) active.push_back(started->version.id);
    }
    if (next >= queue.size()) break;  // all submitted; serve or `watch` follows them
    if (!active.empty()) std::this_thread::sleep_for(std::chrono::seconds(5));
  }
  if (o.json) print_json(results);
  return failures == 0 ? kExitOk : kExitOther;
}

}  // namespace

int run_train(Context& context, const Options& o) {
  if (o.eligible) {
    if (!o.actor.empty()) {
      return report_error(Error{ErrorCode::InvalidArgument, "train --eligible takes no ACTOR"},
                          o.json);
    }
    return run_eligible(context, o);
  }
  if (o.actor.empty()) {
    return report_error(Error{ErrorCode::InvalidArgument, "train: give an ACTOR or --eligible"},
                        o.json);
  }
  if (!o.exclude.empty()) {
    return report_error(Error{ErrorCode::InvalidArgument, "train: --exclude goes with --eligible"},
                        o.json);
  }
  Result<FoundActor> found = find_actor(context, o.actor);
  if (!found) return report_error(found.error(), o.json);
  const Actor& actor = *found->actor;
  if (o.dry_run) return dry_run(context, o, actor);
  Result<CreatedVersion> started = start_one(context, o, actor);
  if (!started) return report_error(started.error(), o.json);
  if (o.json) {
    nlohmann::ordered_json out = version_to_json(started->version);
    out["created"] = started->created;
    print_json(out);
  } else {
    print_started(*started);
  }
  return started->version.status == VersionStatus::Failed ? kExitOther : kExitOk;
}

int run_serve(Context& context, const Options& o) {
  return context.serve(o);
}

}  // namespace atr::cli
