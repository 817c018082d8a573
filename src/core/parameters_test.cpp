#include "core/parameters.h"

#include <set>

#include <gtest/gtest.h>

namespace atr {
namespace {

TEST(ParameterTableTest, EveryRowHasAUniqueNameALabelAndHelp) {
  std::set<std::string_view> names;
  for (const ParameterSpec& spec : parameter_table()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_FALSE(spec.label.empty()) << spec.name;
    EXPECT_FALSE(spec.what.empty()) << spec.name;
    EXPECT_FALSE(spec.good.empty()) << spec.name;
    EXPECT_EQ(spec.kind == ParameterKind::Choice, !spec.choices.empty()) << spec.name;
  }
  EXPECT_EQ(names.size(), parameter_values(TrainingParameters{}).size());
}

TEST(ParameterTableTest, TheStructsDefaultsAreTheTablesAndPassTheirOwnRules) {
  const TrainingParameters defaults;
  for (const ParameterSpec& spec : parameter_table()) {
    EXPECT_EQ(value_of(defaults, spec), spec.default_value) << spec.name;
    if (spec.kind != ParameterKind::Text) {  // the trigger word is the actor's name
      EXPECT_EQ(check_value(spec, spec.default_value), std::nullopt) << spec.name;
    }
  }
}

TEST(ParameterTableTest, EveryValueReadsBackFromItsText) {
  TrainingParameters changed;
  changed.learning_rate = 0.00012345;
  changed.flip_aug = true;
  changed.class_tokens = "zq actor";
  changed.resolution = 512;
  TrainingParameters read;
  for (const auto& [name, text] : parameter_values(changed)) {
    ASSERT_TRUE(set_parameter(read, name, text)) << name << "=" << text;
  }
  EXPECT_EQ(read, changed);
}

TEST(ParameterTableTest, EachKindIsCheckedByItsRow) {
  struct Row {
    const char* name;
    ParameterValue value;
    std::optional<std::string> says;
  };
  const Row rows[] = {
      {"max_train_steps", 99, "must be between 100 and 20000"},
      {"max_train_steps", 100, std::nullopt},
      {"max_train_steps", 20001, "must be between 100 and 20000"},
      {"learning_rate", 0.0, "must be greater than 0 and at most 0.01"},
      {"learning_rate", 0.01, std::nullopt},
      {"resolution", 1000, "must be a multiple of 64 between 256 and 2048"},
      {"resolution", 2112, "must be a multiple of 64 between 256 and 2048"},
      {"resolution", 768, std::nullopt},
      {"optimizer_type", std::string("sgd"),
       "must be one of: adamw8bit, adamw, prodigy, adafactor, lion8bit, came"},
      {"optimizer_type", std::string("prodigy"), std::nullopt},
      {"class_tokens", std::string("  "), "must not be empty"},
      {"class_tokens", std::string(201, 'a'), "must be at most 200 characters"},
      {"class_tokens", std::string("two\nlines"), "must be one line without tabs"},
      {"flip_aug", true, std::nullopt},
  };
  for (const Row& row : rows) {
    const ParameterSpec* spec = find_parameter(row.name);
    ASSERT_NE(spec, nullptr) << row.name;
    EXPECT_EQ(check_value(*spec, row.value), row.says) << row.name;
  }
}

TEST(ParameterTableTest, TextOfTheWrongTypeOrAnUnknownNameIsRefused) {
  TrainingParameters p;
  EXPECT_FALSE(set_parameter(p, "max_train_steps", "25.5"));
  EXPECT_FALSE(set_parameter(p, "learning_rate", "inf"));
  EXPECT_FALSE(set_parameter(p, "flip_aug", "maybe"));
  const Status unknown = set_parameter(p, "lerning_rate", "1");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "unknown parameter 'lerning_rate'");
  EXPECT_EQ(p, TrainingParameters{});
}

}  // namespace
}  // namespace atr
