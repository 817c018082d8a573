#include "support/process.h"

#include <csignal>
#include <cstring>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/temp_dir.h"

extern char** environ;  // NOLINT(*-avoid-non-const-global-variables): POSIX declares it

namespace atr::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           const std::filesystem::path& output_dir, const std::string& name)
    : out_(output_dir / (name + ".out")), err_(output_dir / (name + ".err")) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string item(*e);
    const size_t eq = item.find('=');
    if (eq != std::string::npos) merged[item.substr(0, eq)] = item.substr(eq + 1);
  }
  for (const auto& [k, v] : env) {
    if (v.empty()) {
      merged.erase(k);
    } else {
      merged[k] = v;
    }
  }
  std::vector<std::string> env_items;
  env_items.reserve(merged.size());
  for (const auto& [k, v] : merged) {
    std::string item = k;
    item += '=';
    item += v;
    env_items.push_back(std::move(item));
  }
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    // If the test process dies (a crash, a sanitizer abort), its servers die with it
    // instead of lingering on their ports.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(env_items.size() + 1);
    for (const std::string& e : env_items) {
      envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    stop(SIGTERM);
  }
}

std::optional<std::string> ChildProcess::wait_for_line(const std::string& needle,
                                                       std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream lines(slurp(out_));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find(needle) != std::string::npos) return line;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

int ChildProcess::stop(int signal) {
  if (reaped_) return 0;
  ::kill(pid_, signal);
  if (std::optional<int> status = wait_exit(std::chrono::seconds(10))) return *status;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  return status;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

std::string ChildProcess::out() const {
  return slurp(out_);
}
std::string ChildProcess::err() const {
  return slurp(err_);
}

int free_port() {
  // A port the kernel hands out for `bind(0)` (32768–60999 here) may go to another test's
  // `--port 0` server between our check and our server's bind: that race once failed CI. So
  // the port comes from below the kernel's ephemeral range, where nothing is given out on its
  // own, and is claimed among the tests running at once by an flock held until this process
  // exits. A port some other program holds fails the bind check and is skipped.
  static std::mt19937 pick(std::random_device{}());
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "atr-test-ports";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = std::uniform_int_distribution<int>(20000, 32000)(pick);
    const std::string lock = (dir / (std::to_string(port) + ".lock")).string();
    const int lock_fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (lock_fd < 0) continue;
    if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {  // another test process holds it
      ::close(lock_fd);
      continue;
    }
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (!bound) {
      ::close(lock_fd);
      continue;
    }
    return port;  // lock_fd stays open: the claim lasts as long as this test process
  }
  return 0;
}

namespace {

// NLMSG_ALIGN without its casts: netlink messages start on 4-byte boundaries.
size_t netlink_aligned(size_t n) {
  return (n + 3) & ~size_t{3};
}

}  // namespace

int listen_backlog(int port) {
  const int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -1;
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 1U << TCP_LISTEN;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  int backlog = -1;
  if (sendto(fd, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof kernel) == static_cast<ssize_t>(sizeof message)) {
    // Walked by hand: the NLMSG_* macros are C casts.
    std::vector<char> buffer(32768);
    for (bool done = false; !done;) {
      const ssize_t got = recv(fd, buffer.data(), buffer.size(), 0);
      if (got <= 0) break;
      const auto size = static_cast<size_t>(got);
      for (size_t at = 0; at + sizeof(nlmsghdr) <= size;) {
        nlmsghdr header{};
        std::memcpy(&header, buffer.data() + at, sizeof header);
        if (header.nlmsg_len < sizeof header || at + header.nlmsg_len > size ||
            header.nlmsg_type == NLMSG_DONE || header.nlmsg_type == NLMSG_ERROR) {
          done = true;
          break;
        }
        inet_diag_msg answer{};
        if (header.nlmsg_len >= netlink_aligned(sizeof header) + sizeof answer) {
          std::memcpy(&answer, buffer.data() + at + netlink_aligned(sizeof header), sizeof answer);
          if (ntohs(answer.id.idiag_sport) == port &&
              answer.id.idiag_src[0] == htonl(INADDR_LOOPBACK)) {
            backlog = static_cast<int>(answer.idiag_wqueue);  // a listener's maximum backlog
          }
        }
        at += netlink_aligned(header.nlmsg_len);
      }
    }
  }
  close(fd);
  return backlog;
}

bool port_can_be_shared(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return bound;
}

int port_in(const std::string& line) {
  const size_t at = line.find("127.0.0.1:");
  if (at == std::string::npos) return 0;
  return std::atoi(line.c_str() + at + std::strlen("127.0.0.1:"));
}

}  // namespace atr::testing
