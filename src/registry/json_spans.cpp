#include "registry/json_spans.h"

#include <nlohmann/json.hpp>

namespace atr {
namespace {

// A walker over text known to be valid JSON, so it checks only what it needs to find spans.
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

  // Moves past a string whose opening quote is at pos_.
  void skip_string() {
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      pos_ += text_[pos_] == '\\' ? 2U : 1U;
    }
    ++pos_;
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

  [[nodiscard]] std::string_view slice(std::size_t begin, std::size_t end) const {
    return text_.substr(begin, end - begin);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::string decode_key(std::string_view quoted) {
  if (quoted.find('\\') == std::string_view::npos) {
    return std::string(quoted.substr(1, quoted.size() - 2));
  }
  return nlohmann::json::parse(quoted).get<std::string>();
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
    ObjectSpan object{w.pos(), 0, {}};
    w.advance();
    w.skip_space();
    while (w.peek() != '}') {
      MemberSpan member{};
      member.key_begin = w.pos();
      w.skip_string();
      member.key_end = w.pos();
      member.key = decode_key(w.slice(member.key_begin, w.pos()));
      w.skip_space();
      w.advance();  // ':'
      w.skip_space();
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
    spans.objects.push_back(std::move(object));
    w.skip_space();
    if (w.peek() == ',') {
      w.advance();
      continue;
    }
    return spans;  // ']'
  }
}

}  // namespace atr
