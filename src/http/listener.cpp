#include "http/listener.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>

#include <sys/socket.h>

namespace atr {

ListenerSocket::ListenerSocket(httplib::Server& server) {
  server.set_socket_options([fd = fd_](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    fd->store(sock);
  });
}

Status ListenerSocket::deepen_backlog() const {
  const int fd = fd_->load();
  if (fd < 0) return Error{ErrorCode::Unavailable, "listener: no socket was bound"};
  if (::listen(fd, kBacklog) != 0) {
    return Error{ErrorCode::Unavailable,
                 std::string("listener: cannot set the listen backlog: ") + std::strerror(errno)};
  }
  return Ok{};
}

ConnectionThreads::ConnectionThreads(std::size_t max_threads)
    : max_threads_(std::max<std::size_t>(max_threads, 1)) {}

ConnectionThreads::~ConnectionThreads() {
  shutdown();
}

void ConnectionThreads::enqueue(std::function<void()> fn) {
  std::unique_lock lock(mutex_);
  if (running_ >= max_threads_) {
    waiting_.push_back(std::move(fn));
    return;
  }
  ++running_;
  lock.unlock();
  auto task = std::make_shared<std::function<void()>>(std::move(fn));
  try {
    std::thread([this, task] { work(std::move(*task)); }).detach();
  } catch (const std::system_error&) {
    // No thread could be made (a system limit): the connection waits for a running one.
    lock.lock();
    --running_;
    waiting_.push_back(std::move(*task));
    if (running_ == 0) all_done_.notify_all();
  }
}

void ConnectionThreads::work(std::function<void()> first) {
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

void ConnectionThreads::shutdown() {
  std::unique_lock lock(mutex_);
  // A connection left waiting with no thread to run it (only after a failed thread start)
  // runs here, so its socket is answered and closed.
  while (running_ == 0 && !waiting_.empty()) {
    std::function<void()> task = std::move(waiting_.front());
    waiting_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
  all_done_.wait(lock, [this] { return running_ == 0 && waiting_.empty(); });
}

std::size_t ConnectionThreads::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace atr
