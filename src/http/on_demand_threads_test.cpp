#include "http/on_demand_threads.h"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace atr {
namespace {

// A task that never finishes (a slow header, an open event stream) must not hold up the
// next one: the second task runs while the first still waits for it.
TEST(OnDemandThreadsTest, ABlockedTaskDoesNotHoldUpTheNext) {
  OnDemandThreads threads(8);
  std::promise<void> second_ran;
  std::shared_future<void> ran = second_ran.get_future().share();
  std::atomic<bool> first_saw_second{false};
  threads.run([&, ran] {
    first_saw_second = ran.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  });
  threads.run([&] { second_ran.set_value(); });
  threads.wait_idle();
  EXPECT_TRUE(first_saw_second.load());
  EXPECT_EQ(threads.running(), 0U);
}

// Past the limit a task waits, oldest first, and runs on the thread that comes free.
TEST(OnDemandThreadsTest, BeyondTheLimitTasksWaitTheirTurn) {
  OnDemandThreads threads(1);
  std::promise<void> release;
  std::shared_future<void> go = release.get_future().share();
  std::vector<int> order;
  std::mutex order_mutex;
  auto record = [&](int n) {
    std::lock_guard lock(order_mutex);
    order.push_back(n);
  };
  threads.run([&, go] {
    go.wait();
    record(1);
  });
  threads.run([&] { record(2); });
  threads.run([&] { record(3); });
  EXPECT_EQ(threads.running(), 1U);  // the waiting two have no thread of their own
  {
    std::lock_guard lock(order_mutex);
    EXPECT_TRUE(order.empty());
  }
  release.set_value();
  threads.wait_idle();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace atr
