#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace atr {

/// A credential (API key, S3 secret, webhook token). It cannot be streamed or formatted by
/// accident: printing it shows "<redacted>"; only reveal() gives the text, at the one place
/// that sends it.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  [[nodiscard]] bool empty() const { return value_.empty(); }
  [[nodiscard]] const std::string& reveal() const { return value_; }

  friend std::ostream& operator<<(std::ostream& out, const Secret& secret) {
    return out << (secret.empty() ? "<unset>" : "<redacted>");
  }

 private:
  std::string value_;
};

}  // namespace atr
