#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace httplib {
struct Response;
}

namespace atr {

/// The HTTP status of an error: the only place one is chosen. An invalid named input
/// (InvalidArgument with a `field`) is 422, without one 400.
int http_status_of(const Error& error);

/// One line of JSON, invalid UTF-8 replaced (never throws on text from outside).
std::string json_text(const nlohmann::ordered_json& doc);

/// `doc` as the answer, with `Cache-Control: no-store`.
void send_json(httplib::Response& res, int status, const nlohmann::ordered_json& doc);

/// An error as the answer: its status from `http_status_of`, its document from api/'s
/// `error_to_json` (code, message, field, fields) — the same the CLI's --json prints.
void send_error(httplib::Response& res, const Error& error);

}  // namespace atr
