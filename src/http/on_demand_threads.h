#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace atr {

/// A bounded pool that keeps no thread at rest: a task gets a thread of its own at once, up to
/// `max_threads`; a thread whose task ended takes the next waiting one, oldest first, or exits.
/// So a task that blocks for long (an open connection, an upload) holds only its own thread,
/// and an idle process has none. Used by both HTTP listeners (one thread per connection) and
/// for the server's background work (syncs started from the API).
class OnDemandThreads {
 public:
  explicit OnDemandThreads(std::size_t max_threads);
  /// Waits for every task (wait_idle).
  ~OnDemandThreads();
  OnDemandThreads(const OnDemandThreads&) = delete;
  OnDemandThreads& operator=(const OnDemandThreads&) = delete;

  /// Runs `task` on a new thread, or after a running one when `max_threads` are busy (or
  /// when the system refuses a new thread).
  void run(std::function<void()> task);
  /// Returns once no task runs or waits.
  void wait_idle();
  /// Threads running tasks now.
  [[nodiscard]] std::size_t running() const;

 private:
  void work(std::function<void()> first);

  std::size_t max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable all_done_;
  std::deque<std::function<void()>> waiting_;
  std::size_t running_ = 0;
};

}  // namespace atr
