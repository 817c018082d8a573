#include "core/parameters.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/strings.h"

namespace atr {
namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& part : split(std::string(text), ' ')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

const std::vector<ParameterSpec>& rows() {
  static const std::vector<ParameterSpec> kRows = {
#define ATR_PARAMETER_ROW(type, name, default_value, kind, min, max, step, choices, label, what, \
                          good, binding)                                                         \
  ParameterSpec{#name,                                                                           \
                ParameterKind::kind,                                                             \
                min,                                                                             \
                max,                                                                             \
                step,                                                                            \
                words(choices),                                                                  \
                label,                                                                           \
                what,                                                                            \
                good,                                                                            \
                words(binding),                                                                  \
                ParameterValue(type(default_value)),                                             \
                &TrainingParameters::name},
      ATR_TRAINING_PARAMETERS(ATR_PARAMETER_ROW)
#undef ATR_PARAMETER_ROW
  };
  return kRows;
}

Result<ParameterValue> parse_int(const std::string& name, const std::string& text) {
  int value = 0;
  const std::string_view t = trim(text);
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size()) {
    return Error{ErrorCode::InvalidArgument, name + ": '" + text + "' is not a whole number"};
  }
  return ParameterValue(value);
}

Result<ParameterValue> parse_double(const std::string& name, const std::string& text) {
  const std::string t(trim(text));
  try {
    size_t used = 0;
    const double value = std::stod(t, &used);
    if (used == t.size() && std::isfinite(value)) return ParameterValue(value);
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): reported below
  }
  return Error{ErrorCode::InvalidArgument, name + ": '" + text + "' is not a number"};
}

Result<ParameterValue> parse_bool(const std::string& name, const std::string& text) {
  const std::string t = to_lower(trim(text));
  if (t == "true" || t == "1" || t == "yes" || t == "on") return ParameterValue(true);
  if (t == "false" || t == "0" || t == "no" || t == "off") return ParameterValue(false);
  return Error{ErrorCode::InvalidArgument, name + ": '" + text + "' is not true or false"};
}

Result<ParameterValue> parse_value(const ParameterSpec& spec, const std::string& text) {
  const std::string name(spec.name);
  return std::visit(
      [&](auto member) -> Result<ParameterValue> {
        using T = std::remove_reference_t<decltype(TrainingParameters{}.*member)>;
        if constexpr (std::is_same_v<T, int>) {
          return parse_int(name, text);
        } else if constexpr (std::is_same_v<T, double>) {
          return parse_double(name, text);
        } else if constexpr (std::is_same_v<T, bool>) {
          return parse_bool(name, text);
        } else {
          return ParameterValue(text);
        }
      },
      spec.member);
}

// A bound as people write it: 20000, 0.01.
std::string bound_text(double value) {
  return format_decimal(value, 8);
}

}  // namespace

std::string_view to_string(ParameterKind kind) {
  switch (kind) {
    case ParameterKind::Integer: return "integer";
    case ParameterKind::Decimal: return "decimal";
    case ParameterKind::OpenDecimal: return "open_decimal";
    case ParameterKind::Flag: return "flag";
    case ParameterKind::Choice: return "choice";
    case ParameterKind::Text: return "text";
  }
  return "text";
}

std::span<const ParameterSpec> parameter_table() {
  return rows();
}

const ParameterSpec* find_parameter(std::string_view name) {
  for (const ParameterSpec& spec : rows()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

ParameterValue value_of(const TrainingParameters& params, const ParameterSpec& spec) {
  return std::visit([&](auto member) { return ParameterValue(params.*member); }, spec.member);
}

std::string value_text(const ParameterValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return format_decimal(v, 8);
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else {
          return v;
        }
      },
      value);
}

std::optional<std::string> check_value(const ParameterSpec& spec, const ParameterValue& value) {
  const std::string range = bound_text(spec.min) + " and " + bound_text(spec.max);
  switch (spec.kind) {
    case ParameterKind::Integer: {
      const int* v = std::get_if<int>(&value);
      if (v == nullptr) return "must be a whole number";
      const bool in_range = *v >= spec.min && *v <= spec.max;
      if (spec.step > 1) {
        if (!in_range || *v % spec.step != 0) {
          return "must be a multiple of " + std::to_string(spec.step) + " between " + range;
        }
      } else if (!in_range) {
        return "must be between " + range;
      }
      return std::nullopt;
    }
    case ParameterKind::Decimal:
    case ParameterKind::OpenDecimal: {
      const double* v = std::get_if<double>(&value);
      if (v == nullptr) return "must be a number";
      if (spec.kind == ParameterKind::OpenDecimal) {
        if (!(*v > spec.min && *v <= spec.max)) {
          return "must be greater than " + bound_text(spec.min) + " and at most " +
                 bound_text(spec.max);
        }
      } else if (!(*v >= spec.min && *v <= spec.max)) {
        return "must be between " + range;
      }
      return std::nullopt;
    }
    case ParameterKind::Flag:
      if (!std::holds_alternative<bool>(value)) return "must be true or false";
      return std::nullopt;
    case ParameterKind::Choice: {
      const std::string* v = std::get_if<std::string>(&value);
      if (v == nullptr ||
          std::find(spec.choices.begin(), spec.choices.end(), *v) == spec.choices.end()) {
        return "must be one of: " + join(spec.choices, ", ");
      }
      return std::nullopt;
    }
    case ParameterKind::Text: {
      const std::string* v = std::get_if<std::string>(&value);
      if (v == nullptr || is_blank(*v)) return "must not be empty";
      if (static_cast<double>(v->size()) > spec.max) {
        return "must be at most " + bound_text(spec.max) + " characters";
      }
      if (v->find_first_of("\r\n\t") != std::string::npos) return "must be one line without tabs";
      return std::nullopt;
    }
  }
  return std::nullopt;
}

Status set_parameter(TrainingParameters& params, const std::string& name,
                     const std::string& value) {
  const ParameterSpec* spec = find_parameter(name);
  if (spec == nullptr) {
    return Error{ErrorCode::InvalidArgument, "unknown parameter '" + name + "'"};
  }
  Result<ParameterValue> parsed = parse_value(*spec, value);
  if (!parsed) return parsed.error();
  std::visit(
      [&](auto member) {
        using T = std::remove_reference_t<decltype(params.*member)>;
        params.*member = std::get<T>(*parsed);
      },
      spec->member);
  return Ok{};
}

std::vector<std::pair<std::string, std::string>> parameter_values(const TrainingParameters& p) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows().size());
  for (const ParameterSpec& spec : rows()) {
    out.emplace_back(std::string(spec.name), value_text(value_of(p, spec)));
  }
  return out;
}

}  // namespace atr
