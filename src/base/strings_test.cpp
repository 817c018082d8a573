#include "base/strings.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

TEST(StringsTest, SplitWordsDropsEmptyParts) {
  EXPECT_EQ(split_words("  euro \t fem\n"), (std::vector<std::string>{"euro", "fem"}));
  EXPECT_TRUE(split_words("   ").empty());
}

TEST(StringsTest, SplitKeepsEmptyParts) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
}

TEST(StringsTest, DigitsAndCase) {
  EXPECT_TRUE(is_digits("0006"));
  EXPECT_FALSE(is_digits(""));
  EXPECT_FALSE(is_digits("6a"));
  EXPECT_TRUE(iequals("JPG", "jpg"));
  EXPECT_EQ(to_lower("ÄbC"), "Äbc");  // UTF-8 bytes are left alone
  EXPECT_EQ(extension_lower("a.JPEG"), "jpeg");
  EXPECT_EQ(extension_lower(".hidden"), "");
  EXPECT_EQ(extension_lower("noext"), "");
}

TEST(StringsTest, FormatsNumbersForPeople) {
  struct Row {
    double value;
    int decimals;
    const char* expected;
  };
  for (const Row& row :
       {Row{0.0004, 6, "0.0004"}, Row{2.3712, 2, "2.37"}, Row{3.0, 2, "3"}, Row{-0.0001, 2, "0"}}) {
    EXPECT_EQ(format_decimal(row.value, row.decimals), row.expected) << row.value;
  }
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KB");
  EXPECT_EQ(format_duration_seconds(3125), "52m 05s");
  EXPECT_EQ(format_duration_seconds(3725), "1h 02m 05s");
  EXPECT_EQ(format_duration_seconds(9), "9s");
}

TEST(FormatUtcTimestampTest, WritesRfc3339ToTheSecond) {
  EXPECT_EQ(format_utc_timestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_utc_timestamp(1764324000999), "2025-11-28T10:00:00Z");
  EXPECT_EQ(format_utc_timestamp(951782400000), "2000-02-29T00:00:00Z");
}

TEST(StringsTest, ReplaceAllLeavesWhatItInsertedAlone) {
  EXPECT_EQ(replace_all("a/{x}/{x}", "{x}", "b"), "a/b/b");
  EXPECT_EQ(replace_all("{x}", "{x}", "{x}{x}"), "{x}{x}");  // not searched again
  EXPECT_EQ(replace_all("abc", "", "z"), "abc");
}

}  // namespace
}  // namespace atr
