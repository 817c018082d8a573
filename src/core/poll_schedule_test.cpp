#include "core/poll_schedule.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

std::vector<Version> versions(int n, VersionStatus status) {
  std::vector<Version> out(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    out[static_cast<size_t>(i)].id = i + 1;
    out[static_cast<size_t>(i)].status = status;
  }
  return out;
}

TEST(PollScheduleTest, NeverExceedsTheRequestBudget) {
  TrackingSettings settings;
  settings.poll_requests_per_second = 5;
  PollSchedule schedule(settings, 42);
  const auto all = versions(1000, VersionStatus::Training);
  size_t checks = 0;
  const UnixMs start = 1'000'000;
  // 60 simulated seconds in 100 ms ticks, every check answered at once.
  for (UnixMs t = start; t < start + 60'000; t += 100) {
    for (std::int64_t id : schedule.due(all, t)) {
      ++checks;
      schedule.record(id, VersionStatus::Training, PollSchedule::Outcome::Answered, t);
    }
  }
  EXPECT_LE(checks, 5u * 60u + 5u);  // the rate, plus one second's burst
  EXPECT_GE(checks, 5u * 60u - 5u);  // and the budget is actually used
}

TEST(PollScheduleTest, IntervalsFollowTheStatusWithJitter) {
  TrackingSettings settings;
  settings.poll_requests_per_second = 100;
  PollSchedule schedule(settings, 7);
  const auto queued = versions(1, VersionStatus::Queued);
  UnixMs t = 1'000'000;
  ASSERT_EQ(schedule.due(queued, t).size(), 1u);  // new versions are due at once
  schedule.record(1, VersionStatus::Queued, PollSchedule::Outcome::Answered, t);
  UnixMs next = 0;
  for (UnixMs s = t + 100; s < t + 30'000 && next == 0; s += 100) {
    if (!schedule.due(queued, s).empty()) next = s;
  }
  EXPECT_GE(next - t, 12'000);  // 15 s − 20 %
  EXPECT_LE(next - t, 18'100);  // 15 s + 20 %
}

TEST(PollScheduleTest, BusyAnswersPauseAllChecksWithGrowingBackoff) {
  TrackingSettings settings;
  settings.poll_requests_per_second = 100;
  PollSchedule schedule(settings, 3);
  const auto all = versions(3, VersionStatus::Training);
  UnixMs t = 1'000'000;
  auto due = schedule.due(all, t);
  ASSERT_FALSE(due.empty());
  schedule.record(due.front(), VersionStatus::Training, PollSchedule::Outcome::Busy, t);
  const UnixMs first_pause = schedule.paused_until() - t;
  EXPECT_GT(first_pause, 0);
  EXPECT_TRUE(schedule.due(all, t + 1).empty());
  t = schedule.paused_until();
  for (int i = 0; i < 8; ++i) {
    due = schedule.due(all, t);
    ASSERT_FALSE(due.empty());
    schedule.record(due.front(), VersionStatus::Training, PollSchedule::Outcome::Busy, t);
    t = schedule.paused_until();
  }
  // After nine busy answers the pause is at its cap range (30–60 s), far above the first.
  due = schedule.due(all, t);
  ASSERT_FALSE(due.empty());
  schedule.record(due.front(), VersionStatus::Training, PollSchedule::Outcome::Busy, t);
  EXPECT_GE(schedule.paused_until() - t, 30'000);
  EXPECT_LE(schedule.paused_until() - t, 60'000);
  EXPECT_LT(first_pause, 1'001);
}

TEST(PollScheduleTest, APauseIsAtLeastWhatTheServerAskedFor) {
  // The poller used to come back after 0.79 s and 1.71 s when RunPod asked for 2 s.
  TrackingSettings settings;
  settings.poll_requests_per_second = 100;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    PollSchedule schedule(settings, seed);
    const auto all = versions(1, VersionStatus::Training);
    const UnixMs t = 1'000'000;
    auto due = schedule.due(all, t);
    ASSERT_FALSE(due.empty());
    schedule.record(due.front(), VersionStatus::Training, PollSchedule::Outcome::Busy, t, 2000);
    EXPECT_GE(schedule.paused_until() - t, 2000);
    EXPECT_TRUE(schedule.due(all, t + 1999).empty());
    EXPECT_FALSE(schedule.take(t + 1999));
  }
}

TEST(PollScheduleTest, FinishedVersionsAreForgotten) {
  TrackingSettings settings;
  settings.poll_requests_per_second = 100;
  PollSchedule schedule(settings, 1);
  auto all = versions(2, VersionStatus::Queued);
  UnixMs t = 1'000'000;
  EXPECT_EQ(schedule.due(all, t).size(), 2u);
  schedule.record(1, VersionStatus::Completed, PollSchedule::Outcome::Answered, t);
  schedule.record(2, VersionStatus::Queued, PollSchedule::Outcome::Answered, t);
  all.erase(all.begin());
  for (UnixMs s = t; s < t + 20'000; s += 100) {
    for (std::int64_t id : schedule.due(all, s)) {
      EXPECT_EQ(id, 2);
      schedule.record(id, VersionStatus::Queued, PollSchedule::Outcome::Answered, s);
    }
  }
}

}  // namespace
}  // namespace atr
