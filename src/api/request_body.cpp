#include "api/request_body.h"

#include <optional>

#include "base/strings.h"

namespace atr {
namespace {

// A JSON value as set_parameter() takes it.
std::optional<std::string> parameter_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number()) return value.dump();
  return std::nullopt;
}

}  // namespace

Result<nlohmann::json> parse_body_object(std::string_view body) {
  if (is_blank(body)) return nlohmann::json::object();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return Error{ErrorCode::InvalidArgument,
                 "body is not valid JSON (at byte " + std::to_string(e.byte) + ")"};
  } catch (const nlohmann::json::exception& e) {
    // Valid JSON that cannot be held, such as a number beyond a double's range ("1e400").
    std::string why = e.what();
    if (size_t bracket = why.find("] "); bracket != std::string::npos) why.erase(0, bracket + 2);
    return Error{ErrorCode::InvalidArgument, "body cannot be read: " + why};
  }
  if (!doc.is_object()) return Error{ErrorCode::InvalidArgument, "body must be a JSON object"};
  return doc;
}

Status apply_parameters(const nlohmann::json& body, TrainingParameters& params,
                        std::string& field) {
  if (!body.contains("parameters") || body["parameters"].is_null()) return Ok{};
  const nlohmann::json& given = body["parameters"];
  if (!given.is_object()) {
    field = "parameters";
    return Error{ErrorCode::InvalidArgument, "parameters must be an object"};
  }
  for (const auto& [name, value] : given.items()) {
    field = "parameters." + name;
    std::optional<std::string> text = parameter_text(value);
    if (!text) {
      return Error{ErrorCode::InvalidArgument, name + ": must be a number, text or true/false"};
    }
    if (Status set = set_parameter(params, name, *text); !set) return set;
  }
  field.clear();
  return Ok{};
}

Result<std::string> string_member(const nlohmann::json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return std::string{};
  if (!body[name].is_string()) {
    return Error{ErrorCode::InvalidArgument, std::string(name) + " must be a string"};
  }
  return body[name].get<std::string>();
}

}  // namespace atr
