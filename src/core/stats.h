#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/budget.h"
#include "core/version.h"

namespace atr {

/// Trainings of one UTC day (by when they were started) and what every job finished that day
/// cost.
struct DayStats {
  std::string day;  ///< "2026-12-07"
  int started = 0;
  int completed = 0;
  int failed = 0;  ///< failed, timed out or lost
  int cancelled = 0;
  double spent = 0.0;  ///< USD of trainings and previews that ended that day
};

/// Spend of one period: a day, an ISO week (named by its Monday) or a calendar month.
struct PeriodCost {
  std::string period;  ///< "2026-12-07", "2026-12-07" (the week's Monday), "2026-12"
  double spent = 0.0;
};

/// The learned speed of an endpoint on one day: the median seconds per step of its completed
/// trainings that finished that day.
struct EndpointSpeed {
  std::string endpoint;
  std::string day;
  double seconds_per_step = 0.0;
  int jobs = 0;
};

/// What one actor's trainings and previews cost.
struct ActorCost {
  std::string actor_id;
  std::string actor_name;
  int trainings = 0;
  double spent = 0.0;
};

/// A version worth naming: among the most expensive, or a failure with its error.
struct VersionLine {
  std::int64_t id = 0;
  std::string actor_id;
  std::string name;  ///< "V3"
  std::string endpoint;
  std::string status;
  double cost = 0.0;
  int retries = 0;
  std::string error;  ///< first line of the error, for failures
  UnixMs at = 0;      ///< when it ended (or was started, if it has not ended)
};

/// The history at a glance (the analytics page and `stats`). Trainings started at or after
/// `since` count; imported versions (trained before this product: no job, cost or time known)
/// do not.
struct Stats {
  UnixMs since = 0;
  UnixMs now = 0;
  int trainings = 0;
  int completed = 0;
  int failed = 0;  ///< failed, timed out or lost
  int cancelled = 0;
  int running = 0;
  int retries = 0;  ///< retries of the counted versions
  /// completed / (completed + failed); nothing before anything finished that way.
  std::optional<double> success_rate;
  /// Median run time of the completed trainings (RunPod's executionTime), in seconds.
  std::optional<double> median_duration_seconds;
  double spent = 0.0;  ///< USD: trainings and previews that ended in the window
  double spent_trainings = 0.0;
  double spent_previews = 0.0;
  std::vector<DayStats> days;  ///< every day from the first counted one to today
  std::vector<PeriodCost> weeks;
  std::vector<PeriodCost> months;
  std::vector<EndpointSpeed> speeds;  ///< by endpoint, then day
  std::vector<ActorCost> actors;      ///< most expensive first
  std::vector<VersionLine> most_expensive;
  std::vector<VersionLine> failures;  ///< newest first
};

/// "2026-12-07" for the UTC day of `at`.
std::string utc_day(UnixMs at);

/// The figures of `versions` (every stored version) and `spend` (every job's cost, previews
/// included) from `since` to `now`. `top` bounds the actor and version lists. Pure.
Stats compute_stats(const std::vector<Version>& versions, const std::vector<SpendEntry>& spend,
                    UnixMs since, UnixMs now, std::size_t top = 10);

}  // namespace atr
