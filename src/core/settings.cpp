#include "core/settings.h"

#include <charconv>

#include "base/strings.h"

namespace atr {
namespace {

Result<int> parse_int(const std::string& name, const std::string& text) {
  int value = 0;
  const std::string_view t = trim(text);
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size()) {
    return Error{ErrorCode::InvalidArgument, name + ": '" + text + "' is not a whole number"};
  }
  return value;
}

Result<double> parse_double(const std::string& name, const std::string& text) {
  const std::string t(trim(text));
  try {
    size_t used = 0;
    double value = std::stod(t, &used);
    if (used == t.size()) return value;
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): reported below
  }
  return Error{ErrorCode::InvalidArgument, name + ": '" + text + "' is not a number"};
}

Result<bool> parse_bool(const std::string& name, const std::string& text) {
  const std::string t = to_lower(trim(text));
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return Error{ErrorCode::InvalidArgument, name + ": '" + text + "' is not true or false"};
}

template <typename T>
Status assign(Result<T> parsed, T& field) {
  if (!parsed) return parsed.error();
  field = *parsed;
  return Ok{};
}

}  // namespace

Result<EndpointProfile> Settings::endpoint(const std::string& name) const {
  const std::string& wanted = name.empty() ? default_endpoint : name;
  std::vector<std::string> names;
  for (const EndpointProfile& profile : endpoints) {
    if (profile.name == wanted) return profile;
    names.push_back(profile.name);
  }
  return Error{ErrorCode::NotFound,
               "no endpoint '" + wanted + "' configured (configured: " + join(names, ", ") + ")"};
}

Status set_parameter(TrainingParameters& p, const std::string& name, const std::string& value) {
  if (name == "max_train_steps") return assign(parse_int(name, value), p.max_train_steps);
  if (name == "learning_rate") return assign(parse_double(name, value), p.learning_rate);
  if (name == "network_dim") return assign(parse_int(name, value), p.network_dim);
  if (name == "network_alpha") return assign(parse_int(name, value), p.network_alpha);
  if (name == "num_repeats") return assign(parse_int(name, value), p.num_repeats);
  if (name == "flip_aug") return assign(parse_bool(name, value), p.flip_aug);
  if (name == "batch_size") return assign(parse_int(name, value), p.batch_size);
  if (name == "lr_warmup_steps") return assign(parse_int(name, value), p.lr_warmup_steps);
  if (name == "resolution") return assign(parse_int(name, value), p.resolution);
  if (name == "lr_scheduler") return assign(Result<std::string>(value), p.lr_scheduler);
  if (name == "optimizer_type") return assign(Result<std::string>(value), p.optimizer_type);
  if (name == "gradient_dtype") return assign(Result<std::string>(value), p.gradient_dtype);
  if (name == "class_tokens") return assign(Result<std::string>(value), p.class_tokens);
  return Error{ErrorCode::InvalidArgument, "unknown parameter '" + name + "'"};
}

Result<TrainingParameters> planned_parameters(const Actor& actor, const AutoAdjustPolicy& policy,
                                              const std::vector<ParameterOverride>& overrides) {
  TrainingParameters params = default_parameters(actor);
  // The images that will be trained on are the synced ones, so their count drives auto-adjust.
  if (actor.recorded_images() > 0) {
    Result<TrainingParameters> adjusted = auto_adjust(params, actor.recorded_images(), policy);
    if (!adjusted) return adjusted.error();
    params = std::move(adjusted).value();
  }
  for (const auto& [name, value] : overrides) {
    if (Status set = set_parameter(params, name, value); !set) return set.error();
  }
  return params;
}

}  // namespace atr
