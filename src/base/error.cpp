#include "base/error.h"

namespace atr {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid_argument";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::FailedPrecondition: return "failed_precondition";
    case ErrorCode::Unavailable: return "unavailable";
    case ErrorCode::Internal: return "internal";
    case ErrorCode::Malformed: return "bad_request";
    case ErrorCode::Unauthenticated: return "unauthorized";
    case ErrorCode::PermissionDenied: return "forbidden";
    case ErrorCode::TooLarge: return "payload_too_large";
  }
  return "internal";
}

Error Error::with_context(std::string_view context) const {
  Error out = *this;
  out.message = std::string(context) + ": " + message;
  return out;
}

Error Error::about(std::string name) const {
  Error out = *this;
  if (out.field.empty()) out.field = std::move(name);
  return out;
}

Error invalid_input(std::string field, std::string message) {
  Error error{ErrorCode::InvalidArgument, std::move(message)};
  error.field = std::move(field);
  return error;
}

}  // namespace atr
