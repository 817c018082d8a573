#include "registry/text_edits.h"

#include <algorithm>
#include <cstring>

namespace atr {

std::vector<std::string_view> edited_pieces(std::string_view text,
                                            const std::vector<TextEdit>& edits) {
  std::vector<std::string_view> pieces;
  pieces.reserve(2 * edits.size() + 1);
  std::size_t at = 0;
  for (const TextEdit& edit : edits) {
    pieces.push_back(text.substr(at, edit.begin - at));
    pieces.emplace_back(edit.text);
    at = edit.end;
  }
  pieces.push_back(text.substr(at));
  return pieces;
}

std::string edited_range(std::string_view text, std::size_t begin, std::size_t end,
                         const std::vector<TextEdit>& edits) {
  std::string out;
  std::size_t at = begin;
  auto first = std::lower_bound(edits.begin(), edits.end(), begin,
                                [](const TextEdit& e, std::size_t pos) { return e.begin < pos; });
  for (auto it = first; it != edits.end() && it->end <= end; ++it) {
    out.append(text.substr(at, it->begin - at));
    out.append(it->text);
    at = it->end;
  }
  out.append(text.substr(at, end - at));
  return out;
}

void edit_in_place(std::string& text, const std::vector<TextEdit>& edits) {
  // Stretch k is the old text between edit k-1 and edit k; it moves by the growth of the
  // edits before it. Stretches moving left are moved first, front to back, then those moving
  // right, back to front: a stretch's new place never covers a stretch still to be moved
  // (between two stretches lie the old bytes of the edits, which their new texts replace), and
  // the edits' texts are written last, into the gaps left between the moved stretches.
  struct Stretch {
    std::size_t from;
    std::size_t size;
    std::ptrdiff_t shift;
  };
  std::vector<Stretch> stretches;
  stretches.reserve(edits.size() + 1);
  std::ptrdiff_t shift = 0;
  std::size_t at = 0;
  for (const TextEdit& edit : edits) {
    stretches.push_back({at, edit.begin - at, shift});
    shift += static_cast<std::ptrdiff_t>(edit.text.size()) -
             static_cast<std::ptrdiff_t>(edit.end - edit.begin);
    at = edit.end;
  }
  stretches.push_back({at, text.size() - at, shift});
  const std::size_t old_size = text.size();
  const auto new_size = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(old_size) + shift);
  if (new_size > old_size) text.resize(new_size);
  auto move = [&text](const Stretch& s) {
    if (s.size == 0 || s.shift == 0) return;
    std::memmove(text.data() + static_cast<std::ptrdiff_t>(s.from) + s.shift, text.data() + s.from,
                 s.size);
  };
  for (const Stretch& s : stretches) {
    if (s.shift < 0) move(s);
  }
  for (auto it = stretches.rbegin(); it != stretches.rend(); ++it) {
    if (it->shift > 0) move(*it);
  }
  for (std::size_t k = 0; k < edits.size(); ++k) {
    const std::size_t to =
        static_cast<std::size_t>(static_cast<std::ptrdiff_t>(edits[k].begin) + stretches[k].shift);
    std::memcpy(text.data() + to, edits[k].text.data(), edits[k].text.size());
  }
  if (new_size < old_size) text.resize(new_size);
}

}  // namespace atr
