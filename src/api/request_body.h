#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "core/settings.h"

namespace atr {

/// Decoders of our API's request bodies (the HTTP server's edge calls them; the fuzzer drives
/// them). Every one answers a value or an InvalidArgument naming what is wrong.

/// The body as a JSON object; `{}` when empty. Malformed JSON names the byte; valid JSON that
/// cannot be held (a number beyond a double's range) says so.
Result<nlohmann::json> parse_body_object(std::string_view body);

/// Applies `{"parameters": {name: value}}` of `body` to `params`; on a bad one, `field` names
/// it ("parameters.<name>").
Status apply_parameters(const nlohmann::json& body, TrainingParameters& params, std::string& field);

/// An optional string member ("" when absent or null); InvalidArgument for another type.
Result<std::string> string_member(const nlohmann::json& body, const char* name);

}  // namespace atr
