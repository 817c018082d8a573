#include "core/settings.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

TEST(SetParameterTest, ParsesEachTypeAndRejectsWrongOnes) {
  TrainingParameters p;
  ASSERT_TRUE(set_parameter(p, "learning_rate", "0.0003"));
  EXPECT_DOUBLE_EQ(p.learning_rate, 0.0003);
  ASSERT_TRUE(set_parameter(p, "max_train_steps", "2500"));
  EXPECT_EQ(p.max_train_steps, 2500);
  ASSERT_TRUE(set_parameter(p, "flip_aug", "true"));
  EXPECT_TRUE(p.flip_aug);
  ASSERT_TRUE(set_parameter(p, "optimizer_type", "prodigy"));
  EXPECT_EQ(p.optimizer_type, "prodigy");
  EXPECT_FALSE(set_parameter(p, "max_train_steps", "25.5"));
  EXPECT_FALSE(set_parameter(p, "learning_rate", "fast"));
  EXPECT_FALSE(set_parameter(p, "flip_aug", "maybe"));
  Status unknown = set_parameter(p, "lerning_rate", "1");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown parameter"), std::string::npos);
  EXPECT_EQ(p.max_train_steps, 2500);  // failed sets change nothing
}

TEST(SettingsTest, EndpointLookupFallsBackToTheDefault) {
  Settings s;
  s.endpoints = {EndpointProfile{.name = "a100"}, EndpointProfile{.name = "h100"}};
  s.default_endpoint = "h100";
  EXPECT_EQ(s.endpoint("")->name, "h100");
  EXPECT_EQ(s.endpoint("a100")->name, "a100");
  Result<EndpointProfile> missing = s.endpoint("b200");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_NE(missing.error().message.find("a100, h100"), std::string::npos);
}

}  // namespace
}  // namespace atr
