#include "core/lifecycle.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

using S = VersionStatus;
using E = LifecycleEvent;

constexpr S kAll[] = {S::Pending, S::Queued,    S::Training, S::Completed,
                      S::Failed,  S::Cancelled, S::TimedOut, S::Lost};
constexpr E kReports[] = {E::ReportedQueued, E::ReportedRunning,   E::ReportedCompleted,
                          E::ReportedFailed, E::ReportedCancelled, E::ReportedTimedOut,
                          E::ReportedUnknown};

TEST(NextStatusTest, FollowsEveryForwardPath) {
  struct Row {
    S from;
    E event;
    S to;
  };
  const Row rows[] = {
      {S::Pending, E::Accepted, S::Queued},
      {S::Pending, E::SubmitRejected, S::Failed},
      {S::Pending, E::GaveUp, S::Lost},
      {S::Pending, E::Withdrawn, S::Cancelled},
      {S::Pending, E::Released, S::Lost},
      // A webhook matched by request_id can arrive before the /run answer.
      {S::Pending, E::ReportedRunning, S::Training},
      {S::Pending, E::ReportedCompleted, S::Completed},
      {S::Queued, E::ReportedRunning, S::Training},
      {S::Queued, E::ReportedCancelled, S::Cancelled},
      {S::Queued, E::ReportedUnknown, S::Lost},
      {S::Training, E::ReportedCompleted, S::Completed},
      {S::Training, E::ReportedFailed, S::Failed},
      {S::Training, E::ReportedTimedOut, S::TimedOut},
      {S::Training, E::ReportedCancelled, S::Cancelled},
      {S::Training, E::ReportedUnknown, S::Lost},
      // "Lost" was our guess; a report that shows the job exists puts it back under tracking.
      {S::Lost, E::ReportedCompleted, S::Completed},
      {S::Lost, E::ReportedFailed, S::Failed},
      {S::Lost, E::ReportedRunning, S::Training},
      {S::Lost, E::ReportedQueued, S::Queued},
      // RunPod's /retry runs the same job again: the one way back from a final status.
      {S::Failed, E::Retried, S::Queued},
      {S::TimedOut, E::Retried, S::Queued},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(to_string(row.from)) + " + " + std::string(to_string(row.event)));
    Result<S> next = next_status(row.from, row.event);
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(*next, row.to);
  }
}

TEST(NextStatusTest, LateDuplicateAndOutOfOrderReportsChangeNothing) {
  struct Row {
    S from;
    E event;
  };
  const Row rows[] = {
      {S::Queued, E::Accepted},            // the webhook won the race with the /run answer
      {S::Queued, E::ReportedQueued},      // duplicate
      {S::Training, E::ReportedQueued},    // out of order
      {S::Training, E::ReportedRunning},   // progress updates repeat the status
      {S::Completed, E::ReportedRunning},  // IN_PROGRESS after COMPLETED (RunPod quirk)
      {S::Completed, E::ReportedFailed},   // a different final report after the first
      {S::Cancelled, E::ReportedCompleted},
      {S::Completed, E::ReportedUnknown},  // results expired after we saw the end
      {S::Training, E::GaveUp},            // our timeout never overrides RunPod's word
      {S::Lost, E::ReportedUnknown},
      {S::Lost, E::GaveUp},
      {S::Queued, E::Released},  // a job id is known: release is not for it
      {S::Lost, E::Released},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(to_string(row.from)) + " + " + std::string(to_string(row.event)));
    Result<S> next = next_status(row.from, row.event);
    ASSERT_TRUE(next);
    EXPECT_EQ(*next, row.from);
  }
}

TEST(NextStatusTest, NoReportEverMovesBackward) {
  // Exhaustive over every status and report: a real final status never changes, and nothing
  // moves back to pending or from training back to queued.
  for (S from : kAll) {
    for (E event : kReports) {
      Result<S> next = next_status(from, event);
      ASSERT_TRUE(next);
      if (is_final(from) && from != S::Lost) {
        EXPECT_EQ(*next, from);
      }
      if (from == S::Training) {
        EXPECT_NE(*next, S::Queued);
      }
      if (from != S::Pending) {
        EXPECT_NE(*next, S::Pending);
      }
    }
  }
}

TEST(NextStatusTest, RefusalOrWithdrawalAfterAcceptanceIsAConflict) {
  for (S from : {S::Queued, S::Training, S::Completed, S::Lost}) {
    for (E event : {E::SubmitRejected, E::Withdrawn}) {
      Result<S> next = next_status(from, event);
      ASSERT_FALSE(next) << to_string(from);
      EXPECT_EQ(next.error().code, ErrorCode::Conflict);
    }
  }
}

TEST(VersionStatusTest, WireNamesAndFinality) {
  EXPECT_EQ(to_string(S::TimedOut), "timed_out");
  EXPECT_FALSE(is_final(S::Training));
  EXPECT_TRUE(is_final(S::Lost));
  EXPECT_TRUE(is_final(S::Cancelled));
}

}  // namespace
}  // namespace atr

namespace atr {
namespace {

TEST(NextStatusTest, OnlyAFailedOrTimedOutJobCanBeRetried) {
  for (S from : kAll) {
    Result<S> next = next_status(from, E::Retried);
    if (from == S::Failed || from == S::TimedOut) {
      ASSERT_TRUE(next);
      EXPECT_EQ(*next, S::Queued);
    } else {
      ASSERT_FALSE(next) << to_string(from);
      EXPECT_EQ(next.error().code, ErrorCode::FailedPrecondition);
    }
  }
}

}  // namespace
}  // namespace atr
