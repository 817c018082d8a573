// Spend commands: retry and re-run of a version, and the analytics (`stats`) with the budget.
#include <chrono>
#include <iostream>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"

namespace atr::cli {
namespace {

std::string percent_text(double share) {
  return format_decimal(share * 100.0, 1) + "%";
}

void print_budget(const std::vector<PeriodSpend>& periods) {
  for (const PeriodSpend& p : periods) {
    std::cout << "budget " << period_phrase(p) << ": " << cost_text(p.spent) << " spent";
    if (p.running > 0) std::cout << ", " << cost_text(p.running) << " running";
    std::cout << (p.cap ? ", cap " + cost_text(*p.cap) : std::string(", no cap")) << "\n";
  }
}

void print_lines(const std::string& title, const std::vector<VersionLine>& lines, bool with_error) {
  if (lines.empty()) return;
  std::cout << "\n" << title << ":\n";
  Table table(
      with_error
          ? std::vector<std::string>{"ID", "ACTOR", "VERSION", "STATUS", "COST", "RETRIES", "ERROR"}
          : std::vector<std::string>{"ID", "ACTOR", "VERSION", "ENDPOINT", "COST", "RETRIES"});
  table.set_max_width(6, 60);
  for (const VersionLine& l : lines) {
    if (with_error) {
      table.add_row({std::to_string(l.id), l.actor_id, l.name, l.status, cost_text(l.cost),
                     std::to_string(l.retries), l.error});
    } else {
      table.add_row({std::to_string(l.id), l.actor_id, l.name, l.endpoint, cost_text(l.cost),
                     std::to_string(l.retries)});
    }
  }
  std::cout << table.render();
}

void print_stats(const Stats& s) {
  std::cout << "trainings: " << s.trainings << " (" << s.completed << " completed, " << s.failed
            << " failed, " << s.cancelled << " cancelled, " << s.running << " running; "
            << s.retries << " retries)\n";
  std::cout << "success rate: " << (s.success_rate ? percent_text(*s.success_rate) : "-")
            << ", median duration: "
            << (s.median_duration_seconds
                    ? format_duration_seconds(std::llround(*s.median_duration_seconds))
                    : "-")
            << "\n";
  std::cout << "spent: " << cost_text(s.spent) << " (trainings " << cost_text(s.spent_trainings)
            << ", previews " << cost_text(s.spent_previews) << ")\n";
  if (!s.months.empty()) {
    std::cout << "\nper month:\n";
    Table table({"MONTH", "SPENT"});
    for (const PeriodCost& m : s.months) {
      table.add_row({m.period, cost_text(m.spent)});
    }
    std::cout << table.render();
  }
  if (!s.weeks.empty()) {
    std::cout << "\nper week (from Monday):\n";
    Table table({"WEEK", "SPENT"});
    for (const PeriodCost& w : s.weeks) {
      table.add_row({w.period, cost_text(w.spent)});
    }
    std::cout << table.render();
  }
  if (!s.speeds.empty()) {
    std::cout << "\nseconds per step (median of the day's completed trainings):\n";
    Table table({"ENDPOINT", "DAY", "S/STEP", "JOBS"});
    for (const EndpointSpeed& e : s.speeds) {
      table.add_row(
          {e.endpoint, e.day, format_decimal(e.seconds_per_step, 3), std::to_string(e.jobs)});
    }
    std::cout << table.render();
  }
  if (!s.actors.empty()) {
    std::cout << "\nper actor (most expensive first):\n";
    Table table({"ACTOR", "NAME", "TRAININGS", "SPENT"});
    for (const ActorCost& a : s.actors) {
      table.add_row({a.actor_id, a.actor_name, std::to_string(a.trainings), cost_text(a.spent)});
    }
    std::cout << table.render();
  }
  print_lines("most expensive versions", s.most_expensive, false);
  print_lines("failed versions", s.failures, true);
}

}  // namespace

int run_retry(Context& context, const Options& o) {
  Result<Version> v = find_version(context, o.version);
  if (!v) return report_error(v.error(), o.json);
  Result<Version> retried = context.trainings.retry(v->id, o.idempotency_key);
  if (!retried) return report_error(retried.error(), o.json);
  if (o.json) {
    print_json(version_to_json(*retried));
  } else {
    std::cout << retried->actor_id << " " << retried->name << ": " << to_string(retried->status)
              << " again on RunPod job " << retried->job_id << " (retry " << retried->retries
              << ")\nfollow it with: actor-trainer watch " << retried->id << "\n";
  }
  return kExitOk;
}

int run_rerun(Context& context, const Options& o) {
  Result<Version> v = find_version(context, o.version);
  if (!v) return report_error(v.error(), o.json);
  TrainingOrder order;
  order.endpoint = o.endpoint;
  order.description = o.description;
  order.idempotency_key = o.idempotency_key;
  for (const std::string& item : o.params) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return report_error(
          Error{ErrorCode::InvalidArgument, "--param " + item + ": expected name=value"}, o.json);
    }
    order.overrides.emplace_back(std::string(trim(item.substr(0, eq))), item.substr(eq + 1));
  }
  if (o.dry_run) {
    std::vector<ParameterOverride> all;
    for (const auto& [name, value] : parameter_values(v->parameters)) {
      all.emplace_back(name, value);
    }
    all.insert(all.end(), order.overrides.begin(), order.overrides.end());
    TrainingParameters params = v->parameters;
    for (const auto& [name, value] : all) {
      if (Status set = set_parameter(params, name, value); !set) {
        return report_error(set.error().about("parameters." + name), o.json);
      }
    }
    if (o.json) {
      nlohmann::ordered_json out;
      out["dry_run"] = true;
      out["of"] = version_to_json(*v);
      out["parameters"] = parameters_to_json(params);
      print_json(out);
    } else {
      for (const ParameterDiff& d : compare_parameters(v->parameters, params)) {
        std::cout << d.name << " = " << d.right << (d.differs ? "   (was " + d.left + ")" : "")
                  << "\n";
      }
      std::cerr << "dry run: nothing was sent\n";
    }
    return kExitOk;
  }
  Result<CreatedVersion> started = context.trainings.rerun(v->id, order);
  if (!started) return report_error(started.error(), o.json);
  const Version& n = started->version;
  if (o.json) {
    nlohmann::ordered_json out = version_to_json(n);
    out["created"] = started->created;
    print_json(out);
  } else {
    std::cout << (started->created ? "started " : "already started (same idempotency key): ")
              << n.actor_id << " " << n.name << " (version id " << n.id << "), re-run of "
              << v->name << ": " << to_string(n.status) << "\nfollow it with: actor-trainer watch "
              << n.id << "\n";
  }
  return n.status == VersionStatus::Failed ? kExitOther : kExitOk;
}

int run_stats(Context& context, const Options& o) {
  UnixMs since = 0;
  if (!o.since.empty()) {
    std::optional<long long> at = parse_utc_timestamp(o.since);
    if (!at) {
      return report_error(invalid_input("--since",
                                        "--since takes a date (2026-11-01) or an "
                                        "RFC 3339 time, not " +
                                            o.since),
                          o.json);
    }
    since = *at;
  }
  Result<std::vector<Version>> versions = context.store.list_all();
  if (!versions) return report_error(versions.error(), o.json);
  Result<std::vector<SpendEntry>> spend = context.store.spend_entries();
  if (!spend) return report_error(spend.error(), o.json);
  Result<std::vector<PeriodSpend>> budget = context.trainings.budget_status();
  if (!budget) return report_error(budget.error(), o.json);
  const UnixMs now =
      std::chrono::duration_cast<std::chrono::milliseconds>(context.clock.now().time_since_epoch())
          .count();
  const Stats stats = compute_stats(*versions, *spend, since, now);
  if (o.json) {
    nlohmann::ordered_json out = stats_to_json(stats);
    out["budget"] = budget_to_json(*budget);
    print_json(out);
    return kExitOk;
  }
  print_budget(*budget);
  print_stats(stats);
  return kExitOk;
}

}  // namespace atr::cli
