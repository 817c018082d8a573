#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "core/budget.h"
#include "core/settings.h"

namespace atr {

/// Decoders of our API's request bodies (the HTTP server's edge calls them; the fuzzer drives
/// them). Every one answers a value or an InvalidArgument naming what is wrong.

/// The body as a JSON object; `{}` when empty. Malformed (about "body") when it is not one:
/// broken JSON names the byte; valid JSON that cannot be held (a number beyond a double's
/// range) says so.
Result<nlohmann::json> parse_body_object(std::string_view body);

/// `{"parameters": {name: value}}` of `body` as (name, value text) overrides, in order, for
/// set_parameter(); InvalidArgument about "parameters" or "parameters.<name>" for a value of
/// the wrong shape. Whether a name exists and a value fits is the use case's to say.
Result<std::vector<ParameterOverride>> parameter_overrides(const nlohmann::json& body);

/// An optional string member ("" when absent or null); InvalidArgument about `name` for
/// another type.
Result<std::string> string_member(const nlohmann::json& body, const char* name);

/// An optional boolean member (nothing when absent or null); InvalidArgument about `name` for
/// another type.
Result<std::optional<bool>> flag_member(const nlohmann::json& body, const char* name);

/// Budget caps as the page sends them: `{"day"?, "month"?, "total"?, "endpoints"?: {name:
/// {"day"?, "month"?, "total"?}}}`, each a number of dollars or null (no cap);
/// InvalidArgument naming the member for another shape. Ranges are the core's to judge.
Result<BudgetSettings> budget_of(const nlohmann::json& body);

/// An optional whole-number member within [min, max] (nothing when absent or null);
/// InvalidArgument about `name` for another type or a value out of range.
Result<std::optional<int>> int_member(const nlohmann::json& body, const char* name, int min,
                                      int max);

/// An optional array of strings (empty when absent or null); InvalidArgument about `name`
/// for another shape.
Result<std::vector<std::string>> string_list_member(const nlohmann::json& body, const char* name);

}  // namespace atr
