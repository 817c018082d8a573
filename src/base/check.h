#pragma once

#include <string_view>

namespace atr::detail {

/// Prints "file:line: CHECK failed: expr (message)" to stderr and aborts. Never returns.
[[noreturn]] void check_failed(std::string_view expression, std::string_view message,
                               const char* file, int line);

}  // namespace atr::detail

/// Always-on invariant check: a failure is a bug, so the process stops loudly.
/// (__FILE__/__LINE__ rather than std::source_location: clang-tidy 14 cannot see the latter in
/// libstdc++ 12.)
#define ATR_CHECK(condition, message)                                       \
  do {                                                                      \
    if (!(condition)) [[unlikely]] {                                        \
      ::atr::detail::check_failed(#condition, message, __FILE__, __LINE__); \
    }                                                                       \
  } while (false)
