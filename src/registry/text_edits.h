#pragma once
// Edits of a large text that never hold two copies of it: the edited text as pieces to write
// out, and the same edits applied to the text where it is.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace atr {

/// Replaces [begin, end) of the text with `text` (an insertion when begin == end).
struct TextEdit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
};

/// The edited text as consecutive pieces of `text` and of the edits' texts. `edits` are
/// sorted by position and do not overlap.
std::vector<std::string_view> edited_pieces(std::string_view text,
                                            const std::vector<TextEdit>& edits);

/// The edited text of [begin, end) of `text`: the edits that lie inside it applied.
std::string edited_range(std::string_view text, std::size_t begin, std::size_t end,
                         const std::vector<TextEdit>& edits);

/// Applies `edits` to `text` where it is: every stretch between edits is moved at most once,
/// and the string grows only by what the edits add (no second copy of the text).
void edit_in_place(std::string& text, const std::vector<TextEdit>& edits);

}  // namespace atr
