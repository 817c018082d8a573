#include "base/files.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace atr {
namespace fs = std::filesystem;

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

std::string temp_prefix(const fs::path& path) {
  return "." + path.filename().string() + ".tmp-";
}

// Closes the descriptor on every path out of write_file_atomic.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      return Error{ErrorCode::NotFound, "read " + path.string() + ": no such file"};
    }
    return Error{ErrorCode::Unavailable, "read " + path.string() + ": cannot open"};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error{ErrorCode::Unavailable, "read " + path.string() + ": I/O error"};
  return std::move(buffer).str();
}

Status write_file_atomic(const fs::path& path, std::string_view content) {
  static std::atomic<unsigned> counter{0};
  const std::string what = "write " + path.string();
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  // The name carries our process id so that remove_stale_temp_files can tell a dead writer's
  // leftovers from a running writer's file.
  const fs::path temp =
      dir / (temp_prefix(path) + std::to_string(::getpid()) + "-" + std::to_string(counter++));

  mode_t mode = 0644;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;

  FdGuard fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    return Error{ErrorCode::Unavailable, what + ": create temp file: " + errno_text()};
  }
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error err{ErrorCode::Unavailable, what + ": " + errno_text()};
      ::unlink(temp.c_str());
      return err;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
    Error err{ErrorCode::Unavailable, what + ": fsync: " + errno_text()};
    ::unlink(temp.c_str());
    return err;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Error err{ErrorCode::Unavailable, what + ": rename: " + errno_text()};
    ::unlink(temp.c_str());
    return err;
  }
  // The rename is durable only once the folder entry itself reaches the disk.
  FdGuard dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
  return Ok{};
}

int remove_stale_temp_files(const fs::path& path) {
  const std::string prefix = temp_prefix(path);
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  int removed = 0;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const long pid = std::strtol(rest.c_str(), nullptr, 10);
    // Only a plain positive pid: a zero or negative value would make kill() query a process
    // group instead of one process.
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max()) continue;
    // Alive (or not ours to signal): leave it; a writer may be filling it right now.
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    if (fs::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace atr
