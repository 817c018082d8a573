#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace httplib {
struct Response;
}

namespace atr {

/// The HTTP status of an error code: the only place one is chosen for a core error.
int http_status_of(ErrorCode code);

/// One line of JSON, invalid UTF-8 replaced (never throws on text from outside).
std::string json_text(const nlohmann::ordered_json& doc);

/// `doc` as the answer, with `Cache-Control: no-store`.
void send_json(httplib::Response& res, int status, const nlohmann::ordered_json& doc);

/// The error document (api/ `problem_to_json`) with a code of the HTTP layer's own
/// ("forbidden", "payload_too_large", …) and its status.
void send_problem(httplib::Response& res, int status, std::string_view code,
                  const std::string& message, const std::string& field = {});

/// A core error as the answer: its status from `http_status_of`, its code, its message.
void send_error(httplib::Response& res, const Error& error, const std::string& field = {});

}  // namespace atr
