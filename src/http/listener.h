#pragma once

#include <atomic>
#include <memory>

#include "base/result.h"

namespace httplib {
class Server;
}

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

}  // namespace atr
