#include "http/problem.h"

#include <httplib.h>

#include "api/api_json.h"

namespace atr {

int http_status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return 400;
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

void send_problem(httplib::Response& res, int status, std::string_view code,
                  const std::string& message, const std::string& field) {
  send_json(res, status, problem_to_json(code, message, field));
}

void send_error(httplib::Response& res, const Error& error, const std::string& field) {
  send_problem(res, http_status_of(error.code), to_string(error.code), error.message, field);
}

}  // namespace atr
