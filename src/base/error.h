#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace atr {

/// The closed set of failure kinds. Mapped to HTTP status and CLI exit codes in one place each.
enum class ErrorCode {
  InvalidArgument,     ///< the input is malformed or out of range
  NotFound,            ///< the named thing does not exist
  Conflict,            ///< the state changed under us (file edited elsewhere, duplicate, ambiguous)
  FailedPrecondition,  ///< the input is fine but the world is not ready (data not synced, …)
  Unavailable,         ///< a dependency is missing or not reachable (config, network, service)
  Internal,            ///< a failure we did not expect; the message says what we were doing
  // Refusals of the HTTP layer, so that the API, the webhook listener and the CLI speak one
  // vocabulary (the wire names are to_string's).
  Malformed,         ///< "bad_request": the request cannot be read (HTTP framing, JSON)
  Unauthenticated,   ///< "unauthorized": a protected route without the right token
  PermissionDenied,  ///< "forbidden": refused by a security rule (Host, Origin)
  TooLarge,          ///< "payload_too_large": a body over the limit
};

/// A problem with one named input, shown next to it.
struct FieldError {
  std::string field;  ///< the input's name ("parameters.learning_rate", "limit")
  std::string message;

  bool operator==(const FieldError&) const = default;
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
  /// The input the failure is about ("endpoint", "parameters.learning_rate"); empty: none.
  /// An invalid named input is answered 422 instead of 400.
  std::string field;
  /// Every invalid input, when several are (parameter validation); the first is `field`.
  std::vector<FieldError> fields;

  /// Returns a copy whose message is prefixed with "<context>: ".
  [[nodiscard]] Error with_context(std::string_view context) const;
  /// Returns a copy about the input `name` (kept when it already names one).
  [[nodiscard]] Error about(std::string name) const;
};

/// InvalidArgument about the input `field` (answered 422 by the API).
Error invalid_input(std::string field, std::string message);

}  // namespace atr
