#include "core/budget.h"

#include <gtest/gtest.h>

#include "core/batch.h"

namespace atr {
namespace {

// 2026-12-07T15:00:00Z, a Monday.
constexpr UnixMs kNow = 1'796'655'600'000;
constexpr UnixMs kHour = 3'600'000;
constexpr UnixMs kDay = 24 * kHour;

SpendEntry paid(UnixMs at, double usd, const std::string& endpoint = "a100") {
  SpendEntry e;
  e.kind = "training";
  e.endpoint = endpoint;
  e.at = at;
  e.spent = usd;
  return e;
}

SpendEntry running(double estimate, double so_far = 0.0, const std::string& endpoint = "a100") {
  SpendEntry e = paid(kNow - kHour, so_far, endpoint);
  e.finished = false;
  e.estimate = estimate;
  return e;
}

TEST(BudgetTest, PeriodsAreUtcCalendarDaysAndMonths) {
  EXPECT_EQ(day_start(kNow), kNow - 15 * kHour);
  // 2026-12-01T00:00:00Z
  EXPECT_EQ(month_start(kNow), 1'796'083'200'000);
  EXPECT_EQ(month_start(1'796'083'200'000), 1'796'083'200'000);
  EXPECT_EQ(month_start(1'796'083'199'999), 1'793'491'200'000);  // 2026-11-01
}

TEST(BudgetTest, RefusesAJobPastTheMonthCapWithTheFigures) {
  std::vector<SpendEntry> entries = {
      paid(kNow - 2 * kDay, 30.00),             // this month
      paid(kNow - 3 * kHour, 11.20),            // today
      paid(month_start(kNow) - kHour, 500.00),  // last month: not counted
      running(4.10, 1.00),
      running(3.00),  // $3.10 + $3.00 still to come
  };
  price_running(entries, 0.0);
  BudgetSettings budget;
  budget.all.month = 45.0;
  const PaidJob job{"a100", 1.46, "this training"};
  Status refused = check_budget(budget, entries, job, kNow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::FailedPrecondition);
  EXPECT_EQ(refused.error().field, "budget");
  // Spent this month: 30 + 11.20 + 1.00 (a running job's cost so far) = 42.20.
  EXPECT_EQ(refused.error().message,
            "budget cap reached: this month $42.20 spent, $6.10 running, this training ≈ $1.46, "
            "cap $45.00 (raise the cap, or wait for the next period)");
  // The same job fits a cap that holds spent + running + the job.
  budget.all.month = 49.76;
  EXPECT_TRUE(check_budget(budget, entries, job, kNow));
}

TEST(BudgetTest, EachCapAppliesToItsPeriodAndEndpoint) {
  std::vector<SpendEntry> entries = {paid(kNow - 2 * kDay, 30.0), paid(kNow - kHour, 5.0),
                                     paid(kNow - kHour, 7.0, "h100")};
  BudgetSettings budget;
  budget.all.day = 13.0;  // today: 5 + 7 = 12
  EXPECT_TRUE(check_budget(budget, entries, {"a100", 1.0, "this training"}, kNow));
  Status day = check_budget(budget, entries, {"a100", 1.5, "this training"}, kNow);
  ASSERT_FALSE(day);
  EXPECT_NE(day.error().message.find("today $12.00 spent"), std::string::npos);
  budget.all.day.reset();
  budget.per_endpoint["h100"].total = 8.0;  // h100 only: 7 spent
  EXPECT_TRUE(check_budget(budget, entries, {"a100", 100.0, "this training"}, kNow));
  Status h100 = check_budget(budget, entries, {"h100", 1.5, "this retry"}, kNow);
  ASSERT_FALSE(h100);
  EXPECT_NE(h100.error().message.find(
                "in total on endpoint 'h100' $7.00 spent, $0.00 running, this retry ≈ $1.50, "
                "cap $8.00"),
            std::string::npos);
}

TEST(BudgetTest, NoCapMeansNoRefusalAndTheStatusShowsTheMonth) {
  std::vector<SpendEntry> entries = {paid(kNow - kHour, 1e6)};
  EXPECT_TRUE(check_budget({}, entries, {"a100", 1e6, "this training"}, kNow));
  std::vector<PeriodSpend> status = budget_status({}, entries, "", kNow);
  ASSERT_EQ(status.size(), 1U);
  EXPECT_EQ(status[0].period, BudgetPeriod::Month);
  EXPECT_FALSE(status[0].cap);
  EXPECT_DOUBLE_EQ(status[0].spent, 1e6);
}

TEST(BudgetTest, RunningJobsCountTheirEstimateLessWhatTheyCostSoFar) {
  std::vector<SpendEntry> entries = {running(2.0, 0.5), running(1.0, 3.0)};
  entries.push_back(paid(kNow, 9.0));
  entries.back().finished = true;
  entries.back().estimate = 20.0;
  price_running(entries, 0.25);
  EXPECT_DOUBLE_EQ(entries[0].running, 1.5);
  EXPECT_DOUBLE_EQ(entries[1].running, 0.0);  // past its estimate: nothing more is assumed
  EXPECT_DOUBLE_EQ(entries[2].running, 0.0);  // finished
  SpendEntry unknown = running(0.0);
  unknown.estimate.reset();
  std::vector<SpendEntry> one = {unknown};
  price_running(one, 0.25);
  EXPECT_DOUBLE_EQ(one[0].running, 0.25);
}

TEST(BatchWallTimeTest, ListSchedulingOnTheLanes) {
  EXPECT_DOUBLE_EQ(batch_wall_seconds({}, 2), 0.0);
  EXPECT_DOUBLE_EQ(batch_wall_seconds({100, 100, 100}, 1), 300.0);
  // Two lanes: 100 and 50 start at once; the third (100) takes the lane free at 50.
  EXPECT_DOUBLE_EQ(batch_wall_seconds({100, 50, 100}, 2), 150.0);
  EXPECT_DOUBLE_EQ(batch_wall_seconds({100, 50, 100}, 8), 100.0);
  EXPECT_DOUBLE_EQ(batch_wall_seconds({10, 10}, 0), 20.0);  // at least one lane
}

}  // namespace
}  // namespace atr
