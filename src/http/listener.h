#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include <httplib.h>

#include "base/result.h"
#include "http/on_demand_threads.h"

namespace atr {

/// The listening socket both listeners need, which Debian's compiled cpp-httplib 0.11.4 does
/// not give by itself: its backlog of 5 overflows when a few dozen clients connect at once
/// (each dropped SYN costs that client 1, 3, 7… s of retransmit back-off), and it sets
/// SO_REUSEPORT, so a second process binds the same port and takes part of the connections.
/// Construct before the server binds; call `deepen_backlog()` after it bound.
class ListenerSocket {
 public:
  /// Asked of listen(2); the kernel caps it at net.core.somaxconn.
  static constexpr int kBacklog = 1024;

  /// Makes `server` create its listening socket with SO_REUSEADDR only, and remembers it.
  explicit ListenerSocket(httplib::Server& server);

  /// Raises the bound socket's backlog to kBacklog (Linux updates a listening socket's
  /// backlog on a second listen). Unavailable when nothing was bound or listen fails.
  [[nodiscard]] Status deepen_backlog() const;

 private:
  std::shared_ptr<std::atomic<int>> fd_ = std::make_shared<std::atomic<int>>(-1);
};

/// The library's task queue hook, filled so that a connection never waits for another: each
/// accepted connection gets a thread of its own at once (up to `max_threads`, then they wait,
/// oldest first), and the thread ends with it. Nothing idles: at rest the listener has no
/// worker thread (the library's ThreadPool keeps its fixed count alive: 256 for the API and 32
/// for webhooks were alive before), and a slow or streaming client holds only its own thread.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(std::size_t max_threads) : threads_(max_threads) {}

  void enqueue(std::function<void()> fn) override { threads_.run(std::move(fn)); }
  /// Waits for every running and waiting connection to end (the library calls it once its
  /// accept loop stopped).
  void shutdown() override { threads_.wait_idle(); }
  /// Threads serving connections now.
  [[nodiscard]] std::size_t running() const { return threads_.running(); }

 private:
  OnDemandThreads threads_;
};

}  // namespace atr
