#include "core/actor.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

TEST(TrainingFolderTest, UsesLocalPathElseTheNameAndRefusesNamesThatAreNotFolders) {
  Actor a;
  a.id = "1";
  a.name = "0001_x";
  EXPECT_EQ(*training_folder(a), "data/actors/0001_x/training_data");
  a.training_data = TrainingDataRecord{{}, "custom/place", 0, false};
  EXPECT_EQ(*training_folder(a), "custom/place");
  a.training_data.reset();
  for (const char* name : {"", ".", "..", "a/b"}) {
    a.name = name;
    Result<std::string> folder = training_folder(a);
    ASSERT_FALSE(folder) << name;
    EXPECT_EQ(folder.error().code, ErrorCode::InvalidArgument);
  }
}

}  // namespace
}  // namespace atr
