#include "core/budget.h"

#include <algorithm>
#include <chrono>

#include "base/strings.h"
#include "core/settings.h"
#include "core/version_store.h"

namespace atr {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::sys_days;

std::string usd(double value) {
  return "$" + format_fixed(value, 2);
}

}  // namespace

std::string_view to_string(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::Day: return "day";
    case BudgetPeriod::Month: return "month";
    case BudgetPeriod::Total: return "total";
  }
  return "total";
}

std::optional<double> BudgetCaps::of(BudgetPeriod period) const {
  switch (period) {
    case BudgetPeriod::Day: return day;
    case BudgetPeriod::Month: return month;
    case BudgetPeriod::Total: return total;
  }
  return std::nullopt;
}

UnixMs day_start(UnixMs now) {
  const auto day = std::chrono::floor<days>(std::chrono::sys_time<milliseconds>(milliseconds(now)));
  return std::chrono::duration_cast<milliseconds>(day.time_since_epoch()).count();
}

UnixMs month_start(UnixMs now) {
  const std::chrono::year_month_day date{
      sys_days(std::chrono::floor<days>(std::chrono::sys_time<milliseconds>(milliseconds(now))))};
  const sys_days first{date.year() / date.month() / std::chrono::day{1}};
  return std::chrono::duration_cast<milliseconds>(first.time_since_epoch()).count();
}

PeriodSpend spend_in(const std::vector<SpendEntry>& entries, BudgetPeriod period,
                     const std::string& endpoint, std::optional<double> cap, UnixMs now) {
  PeriodSpend out;
  out.period = period;
  out.endpoint = endpoint;
  out.cap = cap;
  out.from = period == BudgetPeriod::Day     ? day_start(now)
             : period == BudgetPeriod::Month ? month_start(now)
                                             : 0;
  for (const SpendEntry& e : entries) {
    if (!endpoint.empty() && e.endpoint != endpoint) continue;
    // A running job may still cost money in this period whenever it started.
    out.running += e.running;
    if (e.at >= out.from) out.spent += e.spent;
  }
  return out;
}

std::vector<PeriodSpend> budget_status(const BudgetSettings& budget,
                                       const std::vector<SpendEntry>& entries,
                                       const std::string& endpoint, UnixMs now) {
  std::vector<PeriodSpend> out;
  constexpr BudgetPeriod kPeriods[] = {BudgetPeriod::Day, BudgetPeriod::Month, BudgetPeriod::Total};
  for (BudgetPeriod period : kPeriods) {
    if (std::optional<double> cap = budget.all.of(period)) {
      out.push_back(spend_in(entries, period, "", cap, now));
    }
  }
  if (!endpoint.empty()) {
    if (auto it = budget.per_endpoint.find(endpoint); it != budget.per_endpoint.end()) {
      for (BudgetPeriod period : kPeriods) {
        if (std::optional<double> cap = it->second.of(period)) {
          out.push_back(spend_in(entries, period, endpoint, cap, now));
        }
      }
    }
  }
  if (out.empty()) out.push_back(spend_in(entries, BudgetPeriod::Month, "", std::nullopt, now));
  return out;
}

void price_running(std::vector<SpendEntry>& entries, double default_estimate) {
  for (SpendEntry& e : entries) {
    e.running = e.finished ? 0.0 : std::max(e.estimate.value_or(default_estimate) - e.spent, 0.0);
  }
}

Result<std::vector<SpendEntry>> workspace_spend(const VersionStore& store,
                                                const Settings& settings) {
  Result<std::vector<SpendEntry>> entries = store.spend_entries();
  if (!entries) return entries.error();
  const EndpointProfile& preview = settings.preview.endpoint;
  std::vector<SpendEntry> priced = std::move(entries).value();
  for (SpendEntry& e : priced) {
    if (e.kind == "preview" && !e.estimate) {
      e.estimate = preview.overhead_seconds * preview.price_per_second;
    }
  }
  price_running(priced, 0.0);
  return priced;
}

Result<BudgetSettings> workspace_budget(const VersionStore& store, const Settings& settings) {
  Result<std::optional<BudgetSettings>> stored = store.stored_budget();
  if (!stored) return stored.error();
  return stored->value_or(settings.budget);
}

Status check_caps(const BudgetSettings& budget, const Settings& settings) {
  auto check = [](const BudgetCaps& caps, const std::string& where) -> Status {
    for (BudgetPeriod period : {BudgetPeriod::Day, BudgetPeriod::Month, BudgetPeriod::Total}) {
      const std::optional<double> cap = caps.of(period);
      if (cap && !(*cap >= 0.0 && *cap <= 1e9)) {
        return invalid_input(where + std::string(to_string(period)),
                             "a cap is dollars from 0 to 1000000000");
      }
    }
    return Ok{};
  };
  if (Status all = check(budget.all, ""); !all) return all;
  for (const auto& [endpoint, caps] : budget.per_endpoint) {
    const std::string& name = endpoint;
    const bool known = name == settings.preview.endpoint.name ||
                       std::any_of(settings.endpoints.begin(), settings.endpoints.end(),
                                   [&name](const EndpointProfile& e) { return e.name == name; });
    if (!known) {
      return invalid_input("endpoints." + name, "no endpoint profile is named '" + name + "'");
    }
    if (Status one = check(caps, "endpoints." + name + "."); !one) return one;
  }
  return Ok{};
}

Status check_workspace_budget(const VersionStore& store, const Settings& settings,
                              const PaidJob& job, UnixMs now) {
  Result<BudgetSettings> caps = workspace_budget(store, settings);
  if (!caps) return caps.error();
  const BudgetSettings& budget = *caps;
  const auto endpoint = budget.per_endpoint.find(job.endpoint);
  if (!budget.all.any() && (endpoint == budget.per_endpoint.end() || !endpoint->second.any())) {
    return Ok{};
  }
  Result<std::vector<SpendEntry>> entries = workspace_spend(store, settings);
  if (!entries) return entries.error();
  return check_budget(budget, *entries, job, now);
}

std::string period_phrase(const PeriodSpend& spend) {
  std::string phrase = spend.period == BudgetPeriod::Day     ? "today"
                       : spend.period == BudgetPeriod::Month ? "this month"
                                                             : "in total";
  if (!spend.endpoint.empty()) phrase += " on endpoint '" + spend.endpoint + "'";
  return phrase;
}

Status check_budget(const BudgetSettings& budget, const std::vector<SpendEntry>& entries,
                    const PaidJob& job, UnixMs now) {
  for (const PeriodSpend& spend : budget_status(budget, entries, job.endpoint, now)) {
    if (!spend.cap) continue;
    // A cent of rounding must not refuse a job that the figures shown say fits.
    constexpr double kTolerance = 1e-9;
    if (spend.spent + spend.running + job.estimate <= *spend.cap + kTolerance) continue;
    Error error{ErrorCode::FailedPrecondition,
                "budget cap reached: " + period_phrase(spend) + " " + usd(spend.spent) +
                    " spent, " + usd(spend.running) + " running, " + job.what + " ≈ " +
                    usd(job.estimate) + ", cap " + usd(*spend.cap) +
                    " (raise the cap, or wait for the next period)"};
    error.field = "budget";
    return error;
  }
  return Ok{};
}

}  // namespace atr
