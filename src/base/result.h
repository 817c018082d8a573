#pragma once

#include <utility>
#include <variant>

#include "base/check.h"
#include "base/error.h"

namespace atr {

/// A value or the Error that prevented it. Shaped like C++23 std::expected (has_value, value,
/// error, *, ->), which g++ 12 lacks in C++20, so switching later is one alias.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : storage_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool has_value() const { return storage_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  [[nodiscard]] const Error& error() const {
    ATR_CHECK(!has_value(), "error() on a Result that holds a value");
    return std::get<1>(storage_);
  }
  [[nodiscard]] T& value() & {
    ATR_CHECK(has_value(), error_message());
    return std::get<0>(storage_);
  }
  [[nodiscard]] const T& value() const& {
    ATR_CHECK(has_value(), error_message());
    return std::get<0>(storage_);
  }
  [[nodiscard]] T&& value() && {
    ATR_CHECK(has_value(), error_message());
    return std::get<0>(std::move(storage_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  [[nodiscard]] std::string_view error_message() const {
    return has_value() ? std::string_view{} : std::string_view{std::get<1>(storage_).message};
  }

  std::variant<T, Error> storage_;
};

/// The value of a Result<Ok>: success that carries nothing.
struct Ok {};
/// For operations that return nothing but can fail.
using Status = Result<Ok>;

}  // namespace atr
