#include "registry/text_edits.h"

#include <random>

#include <gtest/gtest.h>

namespace atr {
namespace {

std::string joined(const std::vector<std::string_view>& pieces) {
  std::string out;
  for (std::string_view piece : pieces) {
    out.append(piece);
  }
  return out;
}

TEST(TextEditsTest, PiecesRangeAndInPlaceAgreeOnAHandMadeCase) {
  const std::string text = "[{\"a\": 1, \"b\": 2}, {\"a\": 3}]";
  // Shrinks the first object, grows the second (shifts of both signs).
  const std::vector<TextEdit> edits = {{7, 8, ""}, {8, 16, ""}, {26, 26, ", \"good\": true"}};
  const std::string expected = "[{\"a\": }, {\"a\": 3, \"good\": true}]";
  EXPECT_EQ(joined(edited_pieces(text, edits)), expected);
  EXPECT_EQ(edited_range(text, 19, 27, edits), "{\"a\": 3, \"good\": true}");
  EXPECT_EQ(edited_range(text, 1, 17, edits), "{\"a\": }");
  std::string in_place = text;
  edit_in_place(in_place, edits);
  EXPECT_EQ(in_place, expected);
}

TEST(TextEditsTest, InPlaceEqualsTheCopyForRandomEdits) {
  std::mt19937 random(7);  // fixed seed: the same cases every run
  for (int round = 0; round < 2000; ++round) {
    std::string text(std::uniform_int_distribution<std::size_t>(0, 200)(random), ' ');
    for (char& c : text) {
      c = static_cast<char>('a' + random() % 26);
    }
    std::vector<TextEdit> edits;
    std::size_t at = 0;
    while (at <= text.size() && random() % 3 != 0) {
      const std::size_t begin = at + std::uniform_int_distribution<std::size_t>(
                                         0, std::min<std::size_t>(text.size() - at, 20))(random);
      const std::size_t end =
          begin + std::uniform_int_distribution<std::size_t>(
                      0, std::min<std::size_t>(text.size() - begin, 30))(random);
      std::string replacement(std::uniform_int_distribution<std::size_t>(0, 40)(random), '-');
      for (char& c : replacement) {
        c = static_cast<char>('A' + random() % 26);
      }
      edits.push_back({begin, end, replacement});
      at = end + random() % 2;  // the next edit starts where this one ends or after
    }
    const std::string expected = joined(edited_pieces(text, edits));
    std::string in_place = text;
    edit_in_place(in_place, edits);
    ASSERT_EQ(in_place, expected) << "round " << round;
    EXPECT_EQ(edited_range(text, 0, text.size(), edits), expected) << "round " << round;
  }
}

}  // namespace
}  // namespace atr
