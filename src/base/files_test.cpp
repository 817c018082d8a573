#include "base/files.h"

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/temp_dir.h"

namespace atr {
namespace {
namespace fs = std::filesystem;

TEST(AtomicWriteTest, ReplacesContentKeepsModeAndLeavesNoTempFile) {
  testing::TempDir dir;
  const fs::path file = dir.write("actors.json", "old");
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  ASSERT_TRUE(write_file_atomic(file, "new content"));
  EXPECT_EQ(testing::slurp(file), "new content");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

size_t entries_in(const fs::path& dir) {
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) {
    ++entries;
  }
  return entries;
}

TEST(CompareAndSwapTest, ReplacesAnUnchangedFileAndLeavesNoTempFile) {
  testing::TempDir dir;
  const fs::path file = dir.write("actors.json", "old");
  Result<FileSnapshot> base = read_file_snapshot(file);
  ASSERT_TRUE(base);
  EXPECT_EQ(base->text, "old");
  ASSERT_TRUE(replace_file_if_unchanged(file, "new", *base, base->text));
  EXPECT_EQ(testing::slurp(file), "new");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(CompareAndSwapTest, AFileRenamedIntoPlaceSinceTheReadIsKept) {
  testing::TempDir dir;
  const fs::path file = dir.write("actors.json", "old");
  Result<FileSnapshot> base = read_file_snapshot(file);
  ASSERT_TRUE(base);
  dir.write("theirs.tmp", "theirs");
  fs::rename(dir.path() / "theirs.tmp", file);
  Status written = replace_file_if_unchanged(file, "ours", *base, base->text);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::Conflict);
  EXPECT_EQ(testing::slurp(file), "theirs");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(CompareAndSwapTest, AFileRewrittenInPlaceWithTheSameSizeIsKept) {
  testing::TempDir dir;
  const fs::path file = dir.write("actors.json", "old");
  Result<FileSnapshot> base = read_file_snapshot(file);
  ASSERT_TRUE(base);
  {
    std::ofstream out(file, std::ios::binary | std::ios::in | std::ios::out);
    out << "odd";  // same inode, same size, likely the same clock tick
  }
  Status written = replace_file_if_unchanged(file, "ours", *base, base->text);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::Conflict);
  EXPECT_EQ(testing::slurp(file), "odd");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(CompareAndSwapTest, ARemovedFileIsAConflictNotRecreated) {
  testing::TempDir dir;
  const fs::path file = dir.write("actors.json", "old");
  Result<FileSnapshot> base = read_file_snapshot(file);
  ASSERT_TRUE(base);
  fs::remove(file);
  Status written = replace_file_if_unchanged(file, "ours", *base, base->text);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::Conflict);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(entries_in(dir.path()), 0u);
}

TEST(AtomicWriteTest, MissingFolderIsAnErrorNotACrash) {
  testing::TempDir dir;
  Status written = write_file_atomic(dir.path() / "no" / "such" / "file", "x");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::Unavailable);
}

TEST(AtomicWriteTest, StaleTempFilesOfDeadWritersAreRemovedLiveOnesKept) {
  testing::TempDir dir;
  const fs::path file = dir.write("actors.json", "[]");
  // pid 2^22+1 is above Linux's pid_max default ceiling, so no process has it.
  dir.write(".actors.json.tmp-4194305-0", "partial");
  dir.write(".actors.json.tmp-" + std::to_string(::getpid()) + "-0", "in progress");
  dir.write(".other.json.tmp-4194305-0", "not ours");
  dir.write(".actors.json.tmp-99999999999999999999-0", "pid out of range: never signalled");
  dir.write(".actors.json.tmp--1-0", "negative: would name a process group");
  EXPECT_EQ(remove_stale_temp_files(file), 1);
  EXPECT_FALSE(fs::exists(dir.path() / ".actors.json.tmp-4194305-0"));
  EXPECT_TRUE(fs::exists(dir.path() / (".actors.json.tmp-" + std::to_string(::getpid()) + "-0")));
  EXPECT_TRUE(fs::exists(dir.path() / ".other.json.tmp-4194305-0"));
}

// kill -9 at random instants of a loop that does nothing but rewrite an 8 MB file: the file
// must always hold one complete version. A plain truncate-and-write fails this in a few rounds.
TEST(AtomicWriteTest, KillMidWriteLeavesOneCompleteVersion) {
  testing::TempDir dir;
  const fs::path file = dir.path() / "actors.json";
  const std::string a(8 << 20, 'a');
  const std::string b(8 << 20, 'b');
  ASSERT_TRUE(write_file_atomic(file, a));
  std::mt19937 rng(11);
  int torn = 0;
  for (int round = 0; round < 10; ++round) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (int i = 0;; ++i) {
        (void)write_file_atomic(file, i % 2 == 0 ? b : a);
      }
    }
    // The kill lands somewhere in the write loop; the exact instant is what varies.
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 60));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    const std::string now = testing::slurp(file);
    if (now != a && now != b) ++torn;
  }
  EXPECT_EQ(torn, 0);
  (void)remove_stale_temp_files(file);  // the killed writers' temp files, however many
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u);  // the killed writers' temp files are swept
}

TEST(ReadFileTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  Result<std::string> text = read_file(dir.path() / "nope");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace atr
