#include "base/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

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

TEST(AtomicWriteTest, MissingFolderIsAnErrorNotACrash) {
  testing::TempDir dir;
  Status written = write_file_atomic(dir.path() / "no" / "such" / "file", "x");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::Unavailable);
}

TEST(ReadFileTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  Result<std::string> text = read_file(dir.path() / "nope");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace atr
