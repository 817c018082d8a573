#include "http/problem.h"

#include <httplib.h>

#include "api/api_json.h"

namespace atr {

int http_status_of(const Error& error) {
  switch (error.code) {
    case ErrorCode::InvalidArgument: return error.field.empty() ? 400 : 422;
    case ErrorCode::Malformed: return 400;
    case ErrorCode::Unauthenticated: return 401;
    case ErrorCode::PermissionDenied: return 403;
    case ErrorCode::TooLarge: return 413;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::Conflict:
    case ErrorCode::FailedPrecondition: return 409;
    case ErrorCode::Unavailable: return 503;
    case ErrorCode::Internal: return 500;
  }
  return 500;
}

std::string json_text(const nlohmann::ordered_json& doc) {
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void send_json(httplib::Response& res, int status, const nlohmann::ordered_json& doc) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(json_text(doc), "application/json");
}

void send_error(httplib::Response& res, const Error& error) {
  send_json(res, http_status_of(error), error_to_json(error));
}

}  // namespace atr
