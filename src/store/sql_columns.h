#pragma once

// Helpers the SQLite stores share: optional columns in and out, and how a database failure
// becomes an Error.

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <SQLiteCpp/SQLiteCpp.h>

#include "base/result.h"

namespace atr {

/// A column that may be NULL; doubles read as doubles, every other T as an integer.
template <typename T>
std::optional<T> optional_column(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  if constexpr (std::is_same_v<T, double>) {
    return c.getDouble();
  } else {
    return static_cast<T>(c.getInt64());
  }
}

/// Binds `value` to the named parameter, NULL when it is absent.
template <typename T>
void bind_optional(SQLite::Statement& q, const char* name, const std::optional<T>& value) {
  if (!value) {
    q.bind(name);
  } else if constexpr (std::is_same_v<T, double>) {
    q.bind(name, *value);
  } else {
    q.bind(name, static_cast<std::int64_t>(*value));
  }
}

/// A database failure while doing `what`: Unavailable (busy, full, unreadable).
inline Error db_error(std::string_view what, const std::exception& e) {
  return Error{ErrorCode::Unavailable, "state store: " + std::string(what) + ": " + e.what()};
}

}  // namespace atr
