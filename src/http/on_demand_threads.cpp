#include "http/on_demand_threads.h"

#include <algorithm>
#include <memory>
#include <system_error>
#include <thread>

namespace atr {

OnDemandThreads::OnDemandThreads(std::size_t max_threads)
    : max_threads_(std::max<std::size_t>(max_threads, 1)) {}

OnDemandThreads::~OnDemandThreads() {
  wait_idle();
}

void OnDemandThreads::run(std::function<void()> task) {
  std::unique_lock lock(mutex_);
  if (running_ >= max_threads_) {
    waiting_.push_back(std::move(task));
    return;
  }
  ++running_;
  lock.unlock();
  auto shared = std::make_shared<std::function<void()>>(std::move(task));
  try {
    std::thread([this, shared] { work(std::move(*shared)); }).detach();
  } catch (const std::system_error&) {
    // No thread could be made (a system limit): the task waits for a running one.
    lock.lock();
    --running_;
    waiting_.push_back(std::move(*shared));
    if (running_ == 0) all_done_.notify_all();
  }
}

void OnDemandThreads::work(std::function<void()> first) {
  std::function<void()> task = std::move(first);
  for (;;) {
    task();
    task = nullptr;  // the connection's state goes before this thread says it is done
    std::lock_guard lock(mutex_);
    if (waiting_.empty()) {
      if (--running_ == 0) all_done_.notify_all();
      return;
    }
    task = std::move(waiting_.front());
    waiting_.pop_front();
  }
}

void OnDemandThreads::wait_idle() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (running_ == 0 && waiting_.empty()) return;
    if (running_ == 0) {
      // A task left waiting with no thread to run it (only after a failed thread start, which
      // may also happen while this waits) runs here.
      std::function<void()> task = std::move(waiting_.front());
      waiting_.pop_front();
      lock.unlock();
      task();
      lock.lock();
      continue;
    }
    all_done_.wait(lock);
  }
}

std::size_t OnDemandThreads::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace atr
