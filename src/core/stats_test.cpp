#include "core/stats.h"

#include <gtest/gtest.h>

#include "base/strings.h"

namespace atr {
namespace {

UnixMs at(const char* text) {
  return *parse_utc_timestamp(text);
}

// A studio's fortnight: two completed trainings, a failure that was retried once, a timed-out
// one, a cancelled one, one still running, an imported version, and a preview.
struct History {
  std::vector<Version> versions;
  std::vector<SpendEntry> spend;

  void add(std::int64_t id, const std::string& actor, VersionStatus status, const char* created,
           const char* finished, std::int64_t execution_s, int steps, double cost,
           const std::string& error = {}, int retries = 0) {
    Version v;
    v.id = id;
    v.actor_id = actor;
    v.actor_name = "Actor " + actor;
    v.name = "V" + std::to_string(id);
    v.endpoint_name = "a100";
    v.status = status;
    v.created_at = at(created);
    v.updated_at = v.created_at;
    if (finished != nullptr) v.finished_at = at(finished);
    if (execution_s > 0) v.execution_ms = execution_s * 1000;
    v.parameters.max_train_steps = steps;
    if (cost > 0) v.cost = cost;
    v.error = error;
    v.retries = retries;
    versions.push_back(v);
    SpendEntry e;
    e.kind = "training";
    e.id = id;
    e.actor_id = actor;
    e.endpoint = "a100";
    e.at = v.finished_at.value_or(v.created_at);
    e.spent = cost;
    e.finished = is_final(status);
    spend.push_back(e);
  }
};

History fixture() {
  History h;
  h.add(1, "6", VersionStatus::Completed, "2026-11-30T10:00:00Z", "2026-11-30T11:00:00Z", 3000,
        2000, 2.28);
  h.add(2, "6", VersionStatus::Failed, "2026-12-01T09:00:00Z", "2026-12-01T09:30:00Z", 600, 2000,
        0.456, "CUDA out of memory while training\nTraceback ...", 1);
  h.add(3, "7", VersionStatus::Completed, "2026-12-06T08:00:00Z", "2026-12-06T09:00:00Z", 1800,
        1000, 1.368);
  h.add(4, "7", VersionStatus::Cancelled, "2026-12-07T10:00:00Z", "2026-12-07T10:10:00Z", 0, 2000,
        0.1);
  h.add(5, "8", VersionStatus::Training, "2026-12-07T14:00:00Z", nullptr, 0, 2000, 0.0);
  h.add(7, "8", VersionStatus::TimedOut, "2026-12-02T12:00:00Z", "2026-12-02T12:05:00Z", 100, 2000,
        0.076, "job timed out");
  Version imported;
  imported.id = 6;
  imported.actor_id = "9";
  imported.imported = true;
  imported.status = VersionStatus::Completed;
  imported.created_at = at("2026-12-03T00:00:00Z");
  h.versions.push_back(imported);
  SpendEntry preview;
  preview.kind = "preview";
  preview.actor_id = "6";
  preview.endpoint = "preview";
  preview.at = at("2026-11-30T12:00:00Z");
  preview.spent = 0.05;
  h.spend.push_back(preview);
  return h;
}

TEST(StatsTest, FiguresOfAFixtureHistory) {
  const History h = fixture();
  const Stats s = compute_stats(h.versions, h.spend, 0, at("2026-12-07T15:00:00Z"));
  EXPECT_EQ(s.trainings, 6);  // the imported version is not counted
  EXPECT_EQ(s.completed, 2);
  EXPECT_EQ(s.failed, 2);  // failed and timed out
  EXPECT_EQ(s.cancelled, 1);
  EXPECT_EQ(s.running, 1);
  EXPECT_EQ(s.retries, 1);
  ASSERT_TRUE(s.success_rate);
  EXPECT_DOUBLE_EQ(*s.success_rate, 0.5);
  ASSERT_TRUE(s.median_duration_seconds);
  EXPECT_DOUBLE_EQ(*s.median_duration_seconds, 2400.0);
  EXPECT_NEAR(s.spent, 4.33, 1e-9);
  EXPECT_NEAR(s.spent_trainings, 4.28, 1e-9);
  EXPECT_NEAR(s.spent_previews, 0.05, 1e-9);

  // Every day from the first one to today, quiet days included.
  ASSERT_EQ(s.days.size(), 8U);
  EXPECT_EQ(s.days.front().day, "2026-11-30");
  EXPECT_EQ(s.days.back().day, "2026-12-07");
  EXPECT_EQ(s.days[0].started, 1);
  EXPECT_EQ(s.days[0].completed, 1);
  EXPECT_NEAR(s.days[0].spent, 2.33, 1e-9);
  EXPECT_EQ(s.days[1].failed, 1);
  EXPECT_NEAR(s.days[1].spent, 0.456, 1e-9);
  EXPECT_EQ(s.days[4].started, 0);  // 2026-12-04: nothing happened
  EXPECT_EQ(s.days[7].started, 2);
  EXPECT_EQ(s.days[7].cancelled, 1);

  ASSERT_EQ(s.weeks.size(), 2U);  // weeks start on Monday: 12-06 is a Sunday
  EXPECT_EQ(s.weeks[0].period, "2026-11-30");
  EXPECT_NEAR(s.weeks[0].spent, 4.23, 1e-9);
  EXPECT_EQ(s.weeks[1].period, "2026-12-07");
  EXPECT_NEAR(s.weeks[1].spent, 0.1, 1e-9);
  ASSERT_EQ(s.months.size(), 2U);
  EXPECT_EQ(s.months[0].period, "2026-11");
  EXPECT_NEAR(s.months[0].spent, 2.33, 1e-9);
  EXPECT_NEAR(s.months[1].spent, 2.0, 1e-9);

  ASSERT_EQ(s.speeds.size(), 2U);
  EXPECT_EQ(s.speeds[0].day, "2026-11-30");
  EXPECT_DOUBLE_EQ(s.speeds[0].seconds_per_step, 1.5);
  EXPECT_EQ(s.speeds[1].day, "2026-12-06");
  EXPECT_DOUBLE_EQ(s.speeds[1].seconds_per_step, 1.8);

  ASSERT_EQ(s.actors.size(), 3U);
  EXPECT_EQ(s.actors[0].actor_id, "6");
  EXPECT_NEAR(s.actors[0].spent, 2.786, 1e-9);
  EXPECT_EQ(s.actors[0].trainings, 2);
  EXPECT_EQ(s.actors[1].actor_id, "7");
  EXPECT_EQ(s.actors[2].actor_id, "8");

  ASSERT_GE(s.most_expensive.size(), 2U);
  EXPECT_EQ(s.most_expensive[0].id, 1);
  EXPECT_EQ(s.most_expensive[1].id, 3);
  ASSERT_EQ(s.failures.size(), 2U);
  EXPECT_EQ(s.failures[0].id, 7);  // newest first
  EXPECT_EQ(s.failures[1].id, 2);
  EXPECT_EQ(s.failures[1].error, "CUDA out of memory while training");
  EXPECT_EQ(s.failures[1].retries, 1);
}

TEST(StatsTest, SinceCountsOnlyTheWindow) {
  const History h = fixture();
  const Stats s = compute_stats(h.versions, h.spend, at("2026-12-01"), at("2026-12-07T15:00:00Z"));
  EXPECT_EQ(s.trainings, 5);
  EXPECT_EQ(s.completed, 1);
  EXPECT_NEAR(s.spent, 2.0, 1e-9);
  EXPECT_EQ(s.days.front().day, "2026-12-01");
  ASSERT_EQ(s.months.size(), 1U);
}

TEST(StatsTest, AnEmptyHistoryHasNoRateAndNoDays) {
  const Stats s = compute_stats({}, {}, 0, at("2026-12-07T15:00:00Z"));
  EXPECT_EQ(s.trainings, 0);
  EXPECT_FALSE(s.success_rate);
  EXPECT_FALSE(s.median_duration_seconds);
  EXPECT_TRUE(s.days.empty());
}

}  // namespace
}  // namespace atr
