#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace atr {

/// Milliseconds since the Unix epoch, UTC (as version.h has it).
using UnixMs = std::int64_t;

/// A period a cap applies to. Days and months are calendar periods in UTC.
enum class BudgetPeriod { Day, Month, Total };

/// "day", "month", "total".
std::string_view to_string(BudgetPeriod period);

/// Spending limits in USD; an absent one does not limit.
struct BudgetCaps {
  std::optional<double> day;
  std::optional<double> month;
  std::optional<double> total;
  [[nodiscard]] std::optional<double> of(BudgetPeriod period) const;
  [[nodiscard]] bool any() const { return day || month || total; }
  bool operator==(const BudgetCaps&) const = default;
};

/// The workspace's caps (`[budget]`), over every job, and per endpoint profile
/// (`[budget.endpoints.<name>]`), over that endpoint's jobs only.
struct BudgetSettings {
  BudgetCaps all;
  std::map<std::string, BudgetCaps> per_endpoint;
  bool operator==(const BudgetSettings&) const = default;
};

/// What one GPU job cost, or may still cost: a training version or a preview.
struct SpendEntry {
  std::string kind;  ///< "training" or "preview"
  std::int64_t id = 0;
  std::string actor_id;
  std::string endpoint;  ///< endpoint profile name (previews: the preview endpoint's)
  /// When it was paid: the job's end, or for a job still running, when it was created (its
  /// earlier attempts' cost counts from then).
  UnixMs at = 0;
  double spent = 0.0;  ///< USD known (RunPod's executionTime × price)
  /// USD it may still cost while unfinished: its estimate less what is already known, never
  /// below 0; 0 for a finished job.
  double running = 0.0;
  bool finished = true;
  std::string status;  ///< the version's or preview's status ("completed", …)
  /// USD the job was estimated at when it started (trainings; nothing when unknown).
  std::optional<double> estimate;
};

class VersionStore;
struct Settings;

/// Sets each unfinished entry's `running`: its estimate (`default_estimate` when it has none)
/// less what it already cost, never below 0.
void price_running(std::vector<SpendEntry>& entries, double default_estimate);

/// Every job's cost so far and what the unfinished ones may still cost (previews at the
/// preview endpoint's overhead × price each).
Result<std::vector<SpendEntry>> workspace_spend(const VersionStore& store,
                                                const Settings& settings);

/// One period's figures against its cap.
struct PeriodSpend {
  BudgetPeriod period = BudgetPeriod::Month;
  std::string endpoint;  ///< empty: every endpoint
  UnixMs from = 0;       ///< start of the period (0 for total)
  double spent = 0.0;
  double running = 0.0;
  std::optional<double> cap;
};

/// Start of the UTC day and of the UTC calendar month that hold `now`.
UnixMs day_start(UnixMs now);
UnixMs month_start(UnixMs now);

/// Spent and running in `period` at `now` over `entries` (all endpoints when `endpoint` is
/// empty), with the cap that applies.
PeriodSpend spend_in(const std::vector<SpendEntry>& entries, BudgetPeriod period,
                     const std::string& endpoint, std::optional<double> cap, UnixMs now);

/// Every capped period (workspace caps first, then `endpoint`'s own, when given), or the
/// month's figures without a cap when nothing is capped: what the page's header shows.
std::vector<PeriodSpend> budget_status(const BudgetSettings& budget,
                                       const std::vector<SpendEntry>& entries,
                                       const std::string& endpoint, UnixMs now);

/// A paid job about to start.
struct PaidJob {
  std::string endpoint;
  double estimate = 0.0;  ///< USD
  std::string what;       ///< "this training", "these 8 previews"
};

/// Whether `job` fits every cap that applies to it (the workspace's, its endpoint's): spent in
/// the period + the estimates of jobs still running + this job's estimate ≤ cap.
/// FailedPrecondition naming the first cap it passes, with the figures: "this month $41.20
/// spent, $6.10 running, this training ≈ $1.46, cap $45.00".
Status check_budget(const BudgetSettings& budget, const std::vector<SpendEntry>& entries,
                    const PaidJob& job, UnixMs now);

/// The caps in force: those set from the page (kept in the state store) when there are any,
/// else actor-trainer.toml's `[budget]`.
Result<BudgetSettings> workspace_budget(const VersionStore& store, const Settings& settings);

/// Whether `budget` can be kept: every cap from 0 to 1e9 dollars, every endpoint one of
/// `settings`' profiles (or the preview endpoint). InvalidArgument naming the cap otherwise.
Status check_caps(const BudgetSettings& budget, const Settings& settings);

/// check_budget() over the workspace's spend as stored now; Ok without reading anything when
/// no cap is set.
Status check_workspace_budget(const VersionStore& store, const Settings& settings,
                              const PaidJob& job, UnixMs now);

/// The phrase for a period: "today", "this month", "in total" (with " on endpoint 'x'").
std::string period_phrase(const PeriodSpend& spend);

}  // namespace atr
