#include "api/request_body.h"

#include <cstdint>
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
    return Error{ErrorCode::Malformed,
                 "body is not valid JSON (at byte " + std::to_string(e.byte) + ")", 0, "body"};
  } catch (const nlohmann::json::exception& e) {
    // Valid JSON that cannot be held, such as a number beyond a double's range ("1e400").
    std::string why = e.what();
    if (size_t bracket = why.find("] "); bracket != std::string::npos) why.erase(0, bracket + 2);
    return Error{ErrorCode::Malformed, "body cannot be read: " + why, 0, "body"};
  }
  if (!doc.is_object()) {
    return Error{ErrorCode::Malformed, "body must be a JSON object", 0, "body"};
  }
  return doc;
}

Result<std::vector<ParameterOverride>> parameter_overrides(const nlohmann::json& body) {
  std::vector<ParameterOverride> out;
  if (!body.contains("parameters") || body["parameters"].is_null()) return out;
  const nlohmann::json& given = body["parameters"];
  if (!given.is_object()) {
    return Error{ErrorCode::InvalidArgument, "parameters must be an object", 0, "parameters"};
  }
  for (const auto& [name, value] : given.items()) {
    std::optional<std::string> text = parameter_text(value);
    if (!text) {
      return Error{ErrorCode::InvalidArgument, name + ": must be a number, text or true/false", 0,
                   "parameters." + name};
    }
    out.emplace_back(name, std::move(*text));
  }
  return out;
}

Result<std::string> string_member(const nlohmann::json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return std::string{};
  if (!body[name].is_string()) {
    return Error{ErrorCode::InvalidArgument, std::string(name) + " must be a string", 0, name};
  }
  return body[name].get<std::string>();
}

Result<std::optional<bool>> flag_member(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<bool>{};
  if (!it->is_boolean()) {
    return Error{ErrorCode::InvalidArgument, std::string(name) + " must be true or false", 0, name};
  }
  return std::optional<bool>{it->get<bool>()};
}

Result<std::optional<int>> int_member(const nlohmann::json& body, const char* name, int min,
                                      int max) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<int>{};
  const std::string range = std::to_string(min) + " … " + std::to_string(max);
  if (!it->is_number_integer()) {
    return Error{ErrorCode::InvalidArgument, std::string(name) + " must be a whole number " + range,
                 0, name};
  }
  // Compared as the widest types, so any stored integer (signed or not) is judged safely.
  bool fits = false;
  if (it->is_number_unsigned()) {
    const std::uint64_t v = it->get<std::uint64_t>();
    fits = max >= 0 && v <= static_cast<std::uint64_t>(max) && static_cast<std::int64_t>(v) >= min;
  } else {
    const std::int64_t v = it->get<std::int64_t>();
    fits = v >= min && v <= max;
  }
  if (!fits) {
    return Error{ErrorCode::InvalidArgument, std::string(name) + " must be " + range, 0, name};
  }
  return std::optional<int>{static_cast<int>(it->get<std::int64_t>())};
}

Result<std::vector<std::string>> string_list_member(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  std::vector<std::string> out;
  if (it == body.end() || it->is_null()) return out;
  const Error wrong{ErrorCode::InvalidArgument, std::string(name) + " must be an array of strings",
                    0, name};
  if (!it->is_array()) return wrong;
  for (const nlohmann::json& item : *it) {
    if (!item.is_string()) return wrong;
    out.push_back(item.get<std::string>());
  }
  return out;
}

namespace {

Result<BudgetCaps> caps_of(const nlohmann::json& doc, const std::string& where,
                           bool endpoints_allowed) {
  if (!doc.is_object()) return invalid_input(where.empty() ? "body" : where, "expected an object");
  BudgetCaps caps;
  for (const auto& [key, value] : doc.items()) {
    if (key == "endpoints" && endpoints_allowed) continue;
    std::optional<double>* slot = key == "day"     ? &caps.day
                                  : key == "month" ? &caps.month
                                  : key == "total" ? &caps.total
                                                   : nullptr;
    if (slot == nullptr) {
      return invalid_input(where + key, "unknown cap (day, month, total" +
                                            std::string(endpoints_allowed ? ", endpoints)" : ")"));
    }
    if (value.is_null()) continue;
    if (!value.is_number()) {
      return invalid_input(where + key, "a cap is a number of dollars or null");
    }
    *slot = value.get<double>();
  }
  return caps;
}

}  // namespace

Result<BudgetSettings> budget_of(const nlohmann::json& body) {
  BudgetSettings budget;
  Result<BudgetCaps> all = caps_of(body, "", true);
  if (!all) return all.error();
  budget.all = *all;
  auto it = body.find("endpoints");
  if (it == body.end() || it->is_null()) return budget;
  if (!it->is_object()) return invalid_input("endpoints", "expected an object of endpoint caps");
  for (const auto& [name, caps] : it->items()) {
    Result<BudgetCaps> one = caps_of(caps, "endpoints." + name + ".", false);
    if (!one) return one.error();
    if (one->any()) budget.per_endpoint[name] = *one;
  }
  return budget;
}

}  // namespace atr
