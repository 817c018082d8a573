#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/settings.h"
#include "core/version.h"

namespace atr {

/// Decides which unfinished versions the poller checks and when: queued jobs about every
/// `poll_queued_seconds`, training jobs every `poll_training_seconds`, each with ±20 %
/// jitter so checks do not bunch; all within a global budget of requests per second; and a
/// pause that doubles (up to a minute) while RunPod answers 429/5xx or cannot be reached.
/// Pure: time comes in as arguments, jitter from a seeded generator.
class PollSchedule {
 public:
  PollSchedule(TrackingSettings settings, std::uint64_t seed);

  /// The ids to check now, oldest due first, no more than the budget allows. Versions not
  /// seen before are due at once (a restart resumes every unfinished version).
  std::vector<std::int64_t> due(const std::vector<Version>& unfinished, UnixMs now);

  /// Takes one check from the budget for a check outside the timetable (a webhook to
  /// confirm); false while the budget is spent or checks are paused.
  bool take(UnixMs now);

  /// How a check went: schedules the version's next check, or pauses all checks. For Busy,
  /// `asked_pause_ms` is what the server asked for (Retry-After): the pause is at least that.
  enum class Outcome { Answered, Busy };
  void record(std::int64_t id, VersionStatus status, Outcome outcome, UnixMs now,
              UnixMs asked_pause_ms = 0);

  /// While RunPod is busy or unreachable, no checks before this time.
  [[nodiscard]] UnixMs paused_until() const { return paused_until_; }

 private:
  UnixMs interval_ms(VersionStatus status);
  void refill(UnixMs now);
  double next_unit();  // uniform in [0, 1)

  TrackingSettings settings_;
  std::uint64_t rng_;
  std::map<std::int64_t, UnixMs> next_due_;
  double tokens_ = 1.0;
  UnixMs refilled_at_ = 0;
  UnixMs paused_until_ = 0;
  int busy_streak_ = 0;
};

}  // namespace atr
