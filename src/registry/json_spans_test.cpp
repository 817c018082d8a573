#include "registry/json_spans.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

TEST(JsonSpansTest, FindsMembersWithTrickyStrings) {
  const std::string text =
      "\xEF\xBB\xBF[ {\"a\": \"x}\\\"]\", \"b\\u0062\": [1, {\"c\": 2}], \"n\": -1.5e3} ,{} ]";
  Result<ArraySpans> spans = scan_array_of_objects(text);
  ASSERT_TRUE(spans) << spans.error().message;
  ASSERT_EQ(spans->objects.size(), 2u);
  const ObjectSpan& first = spans->objects[0];
  ASSERT_EQ(first.members.size(), 3u);
  EXPECT_EQ(first.members[0].key, "a");
  EXPECT_EQ(text.substr(first.members[0].value_begin,
                        first.members[0].value_end - first.members[0].value_begin),
            "\"x}\\\"]\"");
  EXPECT_EQ(first.members[1].key, "bb");  // escaped key decoded
  EXPECT_EQ(text.substr(first.members[1].value_begin,
                        first.members[1].value_end - first.members[1].value_begin),
            "[1, {\"c\": 2}]");
  EXPECT_EQ(text.substr(first.members[2].value_begin,
                        first.members[2].value_end - first.members[2].value_begin),
            "-1.5e3");
  EXPECT_TRUE(spans->objects[1].members.empty());
}

TEST(JsonSpansTest, EveryTruncationOfAFileIsAnErrorNeverAReadPastTheEnd) {
  // The scanner used to step past the end on text cut inside a string or after a backslash.
  const std::string text = R"([{"a": "x\"y", "b\u0062": [1, {"c": 2}]}, {"n": -1.5e3, "t": true}])";
  for (size_t n = 0; n < text.size(); ++n) {
    SCOPED_TRACE(n);
    Result<ArraySpans> spans = scan_array_of_objects(std::string_view(text).substr(0, n));
    EXPECT_FALSE(spans);
  }
  for (const char* junk :
       {"[{\"a\\", "[{\"a\":", "[{\"a\" 1}]", "[{\"a\": 1} {}]", "[{1: 2}]", "[{\"\\u12\": 1}]"}) {
    SCOPED_TRACE(junk);
    EXPECT_FALSE(scan_array_of_objects(junk));
  }
  ASSERT_TRUE(scan_array_of_objects(text));
}

TEST(JsonSpansTest, PositionsAreOneBased) {
  const TextPosition at = position_of("ab\ncd", 4);
  EXPECT_EQ(at.line, 2u);
  EXPECT_EQ(at.column, 2u);
}

}  // namespace
}  // namespace atr
