#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace atr::testing {

/// A child process started by a test, with stdout and stderr in files. The destructor stops
/// it (SIGTERM, then SIGKILL) so no test leaves a server behind.
class ChildProcess {
 public:
  /// Starts `argv` with the test's environment plus `env` (an empty value unsets the name).
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::filesystem::path& output_dir, const std::string& name);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  [[nodiscard]] int pid() const { return pid_; }
  /// Waits (bounded) until stdout has a line containing `needle`; returns that line.
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds timeout) const;
  /// Sends `signal` and reaps the process; returns the wait status.
  int stop(int signal);
  /// Waits (bounded) for the process to exit on its own; the wait status, or nothing.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  [[nodiscard]] std::string out() const;
  [[nodiscard]] std::string err() const;

 private:
  int pid_ = -1;
  bool reaped_ = false;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's ephemeral range and
/// claimed for the life of this process, so no other test picks it or gets it from `bind(0)`.
int free_port();

/// The listen backlog the kernel holds for the socket listening on 127.0.0.1:`port` (asked
/// over NETLINK_SOCK_DIAG, what `ss -lt` shows as Send-Q), or -1 when none listens there.
int listen_backlog(int port);

/// Whether a socket with SO_REUSEADDR and SO_REUSEPORT can bind 127.0.0.1:`port` now: true
/// means a second process could share a port that a listener holds.
bool port_can_be_shared(int port);

/// The number after "127.0.0.1:" in `line`, or 0.
int port_in(const std::string& line);

}  // namespace atr::testing
