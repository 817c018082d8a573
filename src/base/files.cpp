#include "base/files.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <system_error>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
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
  Result<FileSnapshot> snapshot = read_file_snapshot(path);
  if (!snapshot) return snapshot.error();
  return std::move(snapshot->text);
}

namespace {

FileIdentity identity_of(const struct stat& st) {
  return FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                      static_cast<int64_t>(st.st_size),
                      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                          static_cast<int64_t>(st.st_mtim.tv_nsec)};
}

std::optional<FileIdentity> identity_at(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return identity_of(st);
}

fs::path folder_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// The rename is durable only once the folder entry itself reaches the disk.
void sync_folder(const fs::path& path) {
  FdGuard dir_fd(::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
}

// A complete, fsynced file beside `path`, not yet in place.
struct TempFile {
  fs::path path;
  FileIdentity identity;
};

Result<TempFile> write_temp_file(const fs::path& path, const std::vector<std::string_view>& pieces,
                                 const std::string& what) {
  static std::atomic<unsigned> counter{0};
  // The name carries our process id so that remove_stale_temp_files can tell a dead writer's
  // leftovers from a running writer's file.
  const fs::path temp = folder_of(path) / (temp_prefix(path) + std::to_string(::getpid()) + "-" +
                                           std::to_string(counter++));
  mode_t mode = 0644;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;

  FdGuard fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    return Error{ErrorCode::Unavailable, what + ": create temp file: " + errno_text()};
  }
  for (std::string_view content : pieces) {
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
  }
  struct stat written_st {};
  if (::fsync(fd.get()) != 0 || ::fstat(fd.get(), &written_st) != 0 || ::close(fd.release()) != 0) {
    Error err{ErrorCode::Unavailable, what + ": fsync: " + errno_text()};
    ::unlink(temp.c_str());
    return err;
  }
  return TempFile{temp, identity_of(written_st)};
}

bool exchange(const fs::path& a, const fs::path& b) {
  return ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0;
}

// After an exchange showed that `path` had been replaced since it was read: `temp` holds the
// other program's file and `path` holds `placed` (ours). Swap back; if yet another file
// replaced ours meanwhile, it is newer than the one we hold, so swap again, until what comes
// out at `temp` is the file we had put in place. Then `temp` is dropped.
void put_back(const fs::path& path, const fs::path& temp, FileIdentity placed) {
  for (int round = 0; round < 64; ++round) {
    const std::optional<FileIdentity> held = identity_at(temp);
    if (!held || !exchange(temp, path)) break;
    const std::optional<FileIdentity> out = identity_at(temp);
    if (out && *out == placed) {
      ::unlink(temp.c_str());
      sync_folder(path);
      return;
    }
    placed = *held;  // what we just put at `path`; the newcomer is now at `temp`
  }
  // Left for remove_stale_temp_files: a neighbour that replaces the file 64 times within a
  // few system calls is not a case to guess about.
}

// Renames the finished temp file over `path` and makes the rename durable.
Status rename_into_place(const TempFile& temp, const fs::path& path, const std::string& what) {
  if (::rename(temp.path.c_str(), path.c_str()) != 0) {
    Error err{ErrorCode::Unavailable, what + ": rename: " + errno_text()};
    ::unlink(temp.path.c_str());
    return err;
  }
  sync_folder(path);
  return Ok{};
}

}  // namespace

Status write_file_atomic(const fs::path& path, std::string_view content) {
  const std::string what = "write " + path.string();
  Result<TempFile> temp = write_temp_file(path, {content}, what);
  if (!temp) return temp.error();
  return rename_into_place(*temp, path, what);
}

namespace {
// Room past the end of a text read whole: 64 bytes for a parser that reads ahead (simdjson),
// and up to 1 MiB more so that edits which grow a large text can be made where it is.
size_t read_slack(size_t size) {
  return 64 + std::min<size_t>(size / 64, size_t{1} << 20);
}

// Asks for transparent huge pages under a large buffer before it is first touched: a 150 MB
// registry then costs a few hundred page faults instead of 40,000 (where the system leaves
// huge pages to madvise, as Debian does). Advice only: nothing changes when it is refused.
void advise_huge_pages(std::string& buffer) {
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  if (buffer.capacity() < 4 * kHuge) return;
  const std::size_t misalign = reinterpret_cast<std::uintptr_t>(buffer.data()) % kHuge;
  const std::size_t skip = misalign == 0 ? 0 : kHuge - misalign;
  const std::size_t length = (buffer.capacity() - skip) / kHuge * kHuge;
  ::madvise(buffer.data() + skip, length, MADV_HUGEPAGE);
}

}  // namespace

namespace {

// Reads what is left of `fd` (from its current offset) onto the end of `text`.
Status read_rest(int fd, std::string& text, const fs::path& path) {
  size_t got = text.size();
  text.resize(std::max(text.capacity(), got + 65536));
  while (true) {
    if (got == text.size()) text.resize(got + 65536);  // grew while read
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{ErrorCode::Unavailable, "read " + path.string() + ": " + errno_text()};
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return Ok{};
}

// True when what `fd` holds from its start is exactly `known`; reads in blocks, keeps nothing.
// On a difference, `prefix` says how many bytes (a multiple of the block) did match.
bool holds_exactly(int fd, std::string_view known, size_t& prefix) {
  constexpr size_t kBlock = 1 << 20;
  std::string block(kBlock, '\0');
  prefix = 0;
  while (true) {
    size_t filled = 0;
    while (filled < kBlock) {
      ssize_t n = ::read(fd, block.data() + filled, kBlock - filled);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      filled += static_cast<size_t>(n);
    }
    const std::string_view expected = known.substr(prefix, kBlock);
    if (std::string_view(block.data(), filled) != expected) return false;
    if (filled < kBlock) return true;  // the end of both
    prefix += filled;
  }
}

}  // namespace

Result<FileSnapshot> read_file_snapshot(const fs::path& path, std::string_view known) {
  FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return Error{ErrorCode::NotFound, "read " + path.string() + ": no such file"};
    }
    return Error{ErrorCode::Unavailable, "read " + path.string() + ": " + errno_text()};
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return Error{ErrorCode::Unavailable, "read " + path.string() + ": " + errno_text()};
  }
  FileSnapshot snapshot;
  snapshot.identity = identity_of(st);
  snapshot.descriptor = std::shared_ptr<const int>(new int(fd.release()), [](const int* held) {
    ::close(*held);
    delete held;
  });
  const int reading = *snapshot.descriptor;
  const auto size = static_cast<size_t>(std::max<off_t>(st.st_size, 0));
  if (known.data() != nullptr && size == known.size()) {
    size_t prefix = 0;
    if (holds_exactly(reading, known, prefix)) {
      snapshot.same_as_known = true;
      return snapshot;
    }
    if (::lseek(reading, static_cast<off_t>(prefix), SEEK_SET) < 0) {
      return Error{ErrorCode::Unavailable, "read " + path.string() + ": " + errno_text()};
    }
    snapshot.text.reserve(size + read_slack(size));
    snapshot.text.assign(known.substr(0, prefix));
  } else {
    // Room past the end for a parser that reads ahead (simdjson wants 64 bytes), so the text
    // can be parsed where it is instead of copied.
    snapshot.text.reserve(size + read_slack(size));
  }
  advise_huge_pages(snapshot.text);
  if (Status read = read_rest(reading, snapshot.text, path); !read) return read.error();
  return snapshot;
}

Status replace_file_if_unchanged(const fs::path& path, std::string_view content,
                                 const FileSnapshot& base, std::string_view base_text) {
  return replace_file_if_unchanged(path, std::vector<std::string_view>{content}, base, base_text);
}

Status replace_file_if_unchanged(const fs::path& path, const std::vector<std::string_view>& pieces,
                                 const FileSnapshot& base, std::string_view base_text) {
  const std::string what = "write " + path.string();
  const Error changed{ErrorCode::Conflict,
                      what +
                          ": the file was changed by another program while we wrote; its "
                          "version was kept"};
  Result<TempFile> temp = write_temp_file(path, pieces, what);
  if (!temp) return temp.error();
  // Most writes that land while we write the temp file are seen here, before anything of ours
  // is in place; the exchange below catches those of the last few microseconds.
  if (identity_at(path) != base.identity) {
    ::unlink(temp->path.c_str());
    return changed;
  }
  if (!exchange(temp->path, path)) {
    const int error = errno;
    if (error == ENOENT) {
      ::unlink(temp->path.c_str());
      return Error{ErrorCode::Conflict, what + ": the file was removed by another program"};
    }
    if (error != EINVAL && error != ENOSYS && error != EOPNOTSUPP) {
      ::unlink(temp->path.c_str());
      return Error{ErrorCode::Unavailable, what + ": rename: " + std::strerror(error)};
    }
    // No exchange on this filesystem: compare just before the rename instead.
    Result<FileSnapshot> now = read_file_snapshot(path, base_text);
    if (!now || now->identity != base.identity || !now->same_as_known) {
      ::unlink(temp->path.c_str());
      return changed;
    }
    return rename_into_place(*temp, path, what);
  }
  // `temp->path` now names what was in place a moment ago. The identity check comes first and
  // alone, so a replaced file is put back within a few system calls; the bytes are compared
  // only when it is the very inode we read (a writer in place within one clock tick).
  const std::optional<FileIdentity> out = identity_at(temp->path);
  bool same = out && *out == base.identity;
  if (same) {
    Result<FileSnapshot> out_bytes = read_file_snapshot(temp->path, base_text);
    same = out_bytes && out_bytes->same_as_known;
  }
  if (!same) {
    put_back(path, temp->path, temp->identity);
    return changed;
  }
  ::unlink(temp->path.c_str());
  sync_folder(path);
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
