#pragma once

#include <string>
#include <string_view>

namespace atr {

/// The closed set of failure kinds. Mapped to HTTP status and CLI exit codes in one place each.
enum class ErrorCode {
  InvalidArgument,     ///< the input is malformed or out of range
  NotFound,            ///< the named thing does not exist
  Conflict,            ///< the state changed under us (file edited elsewhere, duplicate, ambiguous)
  FailedPrecondition,  ///< the input is fine but the world is not ready (data not synced, …)
  Unavailable,         ///< a dependency is missing or not reachable (config, network, service)
  Internal,            ///< a failure we did not expect; the message says what we were doing
};

/// Stable lowercase name used on the wire, e.g. "invalid_argument".
std::string_view to_string(ErrorCode code);

/// A failure: its kind plus a message "<what we were doing>: <why>". Never holds a secret.
struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  /// How long the other side asked us to wait before trying again (its Retry-After), in ms;
  /// 0 when it did not say.
  long long retry_after_ms = 0;

  /// Returns a copy whose message is prefixed with "<context>: ".
  [[nodiscard]] Error with_context(std::string_view context) const;
};

}  // namespace atr
