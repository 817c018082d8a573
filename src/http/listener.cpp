#include "http/listener.h"

#include <cerrno>
#include <cstring>
#include <string>

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

}  // namespace atr
