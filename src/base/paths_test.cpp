#include "base/paths.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace atr {
namespace {
namespace fs = std::filesystem;

TEST(ConfineTest, AcceptsNamesInsideTheWorkspace) {
  testing::TempDir ws;
  Result<fs::path> path = confine(ws.path(), "data/actors/0006_a/training_data");
  ASSERT_TRUE(path) << path.error().message;
  EXPECT_EQ(path->filename(), "training_data");
}

TEST(ConfineTest, RefusesEveryWayOut) {
  testing::TempDir ws;
  fs::create_directories(ws.path() / "inside");
  testing::TempDir outside;
  fs::create_symlink(outside.path(), ws.path() / "inside" / "link_out");
  const std::string nul_name = std::string("a") + '\0' + "b";
  struct Row {
    std::string input;
    const char* why;
  };
  for (const Row& row :
       {Row{"", "empty"}, Row{"../etc", "parent"}, Row{"a/../../etc", "nested parent"},
        Row{"/etc/passwd", "absolute"}, Row{nul_name, "NUL byte"},
        Row{"inside/link_out/file.jpg", "symlink out"}}) {
    Result<fs::path> path = confine(ws.path(), row.input);
    EXPECT_FALSE(path) << row.why;
    if (!path) {
      EXPECT_EQ(path.error().code, ErrorCode::InvalidArgument) << row.why;
    }
  }
}

TEST(ConfineTest, SymlinkThatStaysInsideIsFine) {
  testing::TempDir ws;
  fs::create_directories(ws.path() / "real");
  fs::create_symlink(ws.path() / "real", ws.path() / "alias");
  EXPECT_TRUE(confine(ws.path(), "alias/x.jpg"));
  EXPECT_TRUE(resolves_within(ws.path(), ws.path() / "alias"));
}

}  // namespace
}  // namespace atr
