#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace atr {

/// Where one `"key": value` member of an object sits in the text (byte offsets).
struct MemberSpan {
  std::string key;          ///< decoded key
  std::size_t key_begin;    ///< the key's opening quote
  std::size_t key_end;      ///< one past the key's closing quote
  std::size_t value_begin;  ///< first byte of the value
  std::size_t value_end;    ///< one past the value's last byte
};

/// Where one object of the top-level array sits, with its members in file order.
struct ObjectSpan {
  std::size_t begin;  ///< the '{'
  std::size_t end;    ///< one past the '}'
  std::vector<MemberSpan> members;
};

/// The byte layout of a registry file: a top-level array of objects.
struct ArraySpans {
  std::vector<ObjectSpan> objects;
};

/// Finds the objects of the top-level array and their members. The text must already be valid
/// JSON (parse it first): this only walks the structure, which nlohmann/json does not expose
/// with positions. InvalidArgument when the top level is not an array of objects.
Result<ArraySpans> scan_array_of_objects(std::string_view text);

/// The members of the one object whose '{' is at `begin` (text as for scan_array_of_objects).
Result<ObjectSpan> scan_object_at(std::string_view text, std::size_t begin);

/// 1-based line and column of a byte offset, for error messages.
struct TextPosition {
  std::size_t line;
  std::size_t column;
};
TextPosition position_of(std::string_view text, std::size_t offset);

}  // namespace atr
