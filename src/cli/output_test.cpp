#include "cli/output.h"

#include <sstream>

#include <gtest/gtest.h>

namespace atr::cli {
namespace {

using namespace std::chrono_literals;

struct FakeTime {
  std::chrono::steady_clock::time_point at{};
};

ProgressBar::Output log_output(std::ostringstream& out, FakeTime& time) {
  return {&out, false, [&time] { return time.at; }, 2000ms};
}

TEST(ProgressBarTest, OutsideATerminalALongJobPrintsPeriodicLinesAndTheLastCount) {
  std::ostringstream out;
  FakeTime time;
  {
    ProgressBar bar("sync 7", true, log_output(out, time));
    bar.update(1, 40, "upload");
    EXPECT_EQ(out.str(), "") << "nothing before the first interval";
    time.at += 2100ms;
    bar.update(12, 40, "upload");
    time.at += 500ms;
    bar.update(13, 40, "upload");
    time.at += 2000ms;
    bar.update(30, 40, "upload");
    bar.update(40, 40, "upload");
  }
  EXPECT_EQ(out.str(), "sync 7: upload 12/40\nsync 7: upload 30/40\nsync 7: upload 40/40\n");
}

TEST(ProgressBarTest, OutsideATerminalAShortJobPrintsNothing) {
  std::ostringstream out;
  FakeTime time;
  {
    ProgressBar bar("scanning 7", true, log_output(out, time));
    bar.update(5, 10);
    time.at += 300ms;
    bar.update(10, 10);
  }
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressBarTest, DisabledForJsonOutput) {
  std::ostringstream out;
  FakeTime time;
  {
    ProgressBar bar("sync 7", false, log_output(out, time));
    time.at += 5s;
    bar.update(1, 2);
  }
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressBarTest, OnATerminalTheLineIsRedrawnAndClearedAtTheEnd) {
  std::ostringstream out;
  {
    ProgressBar bar("sync 7", true, {&out, true, {}, 2000ms});
    bar.update(1, 2, "upload");
  }
  EXPECT_NE(out.str().find("\rsync 7 [###############...............] upload 1/2"),
            std::string::npos);
  EXPECT_TRUE(out.str().ends_with("\r\033[K"));
}

}  // namespace
}  // namespace atr::cli
