#include "registry/json_spans.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

namespace atr {
namespace {

// A walker over text meant to be valid JSON: it checks only what it needs to find spans, but
// never steps past the end, so text that is not JSON ends in an error, not in a crash.
class Walker {
 public:
  explicit Walker(std::string_view text) : text_(text) {
    // nlohmann/json accepts a UTF-8 byte order mark; skip it the same way.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  [[nodiscard]] char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  [[nodiscard]] std::size_t pos() const { return pos_; }
  void advance() { ++pos_; }

  [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }

  // Moves past a string whose opening quote is at pos_ (to the end of the text when it does
  // not close).
  void skip_string() {
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      pos_ += text_[pos_] == '\\' ? 2U : 1U;
    }
    pos_ = std::min(pos_ + 1, text_.size());
  }

  // Moves past any value starting at pos_.
  void skip_value() {
    const char c = peek();
    if (c == '"') {
      skip_string();
      return;
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      while (pos_ < text_.size()) {
        const char d = text_[pos_];
        if (d == '"') {
          skip_string();
          continue;
        }
        if (d == '{' || d == '[') ++depth;
        if (d == '}' || d == ']') --depth;
        ++pos_;
        if (depth == 0) return;
      }
      return;
    }
    while (pos_ < text_.size()) {
      const char d = text_[pos_];
      if (d == ',' || d == '}' || d == ']' || d == ' ' || d == '\t' || d == '\n' || d == '\r') {
        return;
      }
      ++pos_;
    }
  }

  [[nodiscard]] std::string_view text() const { return text_; }
  void seek(std::size_t pos) { pos_ = pos; }
  [[nodiscard]] std::string_view slice(std::size_t begin, std::size_t end) const {
    return text_.substr(begin, end - begin);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<std::string> decode_key(std::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') return std::nullopt;
  if (quoted.find('\\') == std::string_view::npos) {
    return std::string(quoted.substr(1, quoted.size() - 2));
  }
  const nlohmann::json key = nlohmann::json::parse(quoted, nullptr, /*allow_exceptions=*/false);
  if (!key.is_string()) return std::nullopt;
  return key.get<std::string>();
}

Error malformed(std::string_view text, std::size_t offset, const std::string& what) {
  const TextPosition at = position_of(text, offset);
  return Error{ErrorCode::InvalidArgument, what + " at line " + std::to_string(at.line) +
                                               ", column " + std::to_string(at.column)};
}

// Walks the object whose '{' is at the walker's position and stops after its '}'.
Result<ObjectSpan> scan_object(Walker& w) {
  ObjectSpan object{w.pos(), 0, {}};
  w.advance();
  w.skip_space();
  while (w.peek() != '}') {
    if (w.peek() != '"') return malformed(w.text(), w.pos(), "expected a member name");
    MemberSpan member{};
    member.key_begin = w.pos();
    w.skip_string();
    member.key_end = w.pos();
    std::optional<std::string> key = decode_key(w.slice(member.key_begin, w.pos()));
    if (!key) return malformed(w.text(), member.key_begin, "malformed member name");
    member.key = std::move(*key);
    w.skip_space();
    if (w.peek() != ':') return malformed(w.text(), w.pos(), "expected ':'");
    w.advance();
    w.skip_space();
    if (w.at_end()) return malformed(w.text(), w.pos(), "expected a value");
    member.value_begin = w.pos();
    w.skip_value();
    member.value_end = w.pos();
    object.members.push_back(std::move(member));
    w.skip_space();
    if (w.peek() == ',') {
      w.advance();
      w.skip_space();
    }
  }
  w.advance();  // '}'
  object.end = w.pos();
  return object;
}

}  // namespace

TextPosition position_of(std::string_view text, std::size_t offset) {
  TextPosition at{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

Result<ArraySpans> scan_array_of_objects(std::string_view text) {
  Walker w(text);
  w.skip_space();
  if (w.peek() != '[') {
    TextPosition at = position_of(text, w.pos());
    return Error{ErrorCode::InvalidArgument, "expected a JSON array of actors at line " +
                                                 std::to_string(at.line) + ", column " +
                                                 std::to_string(at.column)};
  }
  w.advance();
  ArraySpans spans;
  w.skip_space();
  if (w.peek() == ']') return spans;
  while (true) {
    w.skip_space();
    if (w.peek() != '{') {
      TextPosition at = position_of(text, w.pos());
      return Error{ErrorCode::InvalidArgument, "actor " + std::to_string(spans.objects.size() + 1) +
                                                   " at line " + std::to_string(at.line) +
                                                   ", column " + std::to_string(at.column) +
                                                   " is not a JSON object"};
    }
    Result<ObjectSpan> object = scan_object(w);
    if (!object) return object.error();
    spans.objects.push_back(std::move(object).value());
    w.skip_space();
    if (w.peek() == ',') {
      w.advance();
      continue;
    }
    if (w.peek() != ']') return malformed(text, w.pos(), "expected ',' or ']'");
    return spans;
  }
}

Result<ObjectSpan> scan_object_at(std::string_view text, std::size_t begin) {
  Walker w(text);
  w.seek(begin);
  if (w.peek() != '{') return malformed(text, begin, "expected an object");
  return scan_object(w);
}

}  // namespace atr
