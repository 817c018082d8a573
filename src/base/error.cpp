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
  }
  return "internal";
}

Error Error::with_context(std::string_view context) const {
  std::string prefixed(context);
  prefixed += ": ";
  prefixed += message;
  return Error{code, std::move(prefixed)};
}

}  // namespace atr
