#include "core/plan.h"

#include <algorithm>
#include <cmath>

#include "base/strings.h"

namespace atr {
namespace {

int warmup_for(int steps, double fraction) {
  return static_cast<int>(std::lround(static_cast<double>(steps) * fraction));
}

}  // namespace

Error invalid_parameters(const std::vector<FieldError>& problems) {
  std::vector<std::string> parts;
  parts.reserve(problems.size());
  for (const FieldError& problem : problems) {
    parts.push_back(problem.field + " " + problem.message);
  }
  Error error{ErrorCode::InvalidArgument, "invalid parameters: " + join(parts, "; ")};
  if (!problems.empty()) error.field = "parameters." + problems.front().field;
  error.fields = problems;
  return error;
}

TrainingParameters default_parameters(const Actor& actor) {
  TrainingParameters params;
  params.class_tokens = actor.name.empty() ? actor.id : actor.name;
  params.lr_warmup_steps = warmup_for(params.max_train_steps, 0.10);
  return params;
}

AutoAdjustPolicy default_auto_adjust_policy() {
  AutoAdjustPolicy policy;
  policy.tiers = {
      {.min_images = 1,
       .max_images = 9,
       .repeats_at_min = 15,
       .repeats_at_max = 15,
       .learning_rate = 0.0003},
      {.min_images = 10,
       .max_images = 40,
       .repeats_at_min = 12,
       .repeats_at_max = 10,
       .learning_rate = 0.0004},
      {.min_images = 41,
       .max_images = std::nullopt,
       .repeats_at_min = 8,
       .repeats_at_max = 8,
       .learning_rate = 0.0005},
  };
  return policy;
}

Status check_policy(const AutoAdjustPolicy& policy) {
  auto bad = [](std::string why) {
    return Error{ErrorCode::InvalidArgument, "auto-adjust policy: " + std::move(why)};
  };
  if (policy.tiers.empty()) return bad("has no tiers");
  if (policy.steps_per_image < 1) return bad("steps_per_image must be at least 1");
  if (policy.min_steps < 1 || policy.max_steps < policy.min_steps) {
    return bad("min_steps must be at least 1 and not above max_steps");
  }
  if (!(policy.warmup_fraction >= 0.0 && policy.warmup_fraction < 1.0)) {
    return bad("warmup_fraction must be in [0, 1)");
  }
  int expected_min = 1;
  for (size_t i = 0; i < policy.tiers.size(); ++i) {
    const AutoAdjustTier& tier = policy.tiers[i];
    const std::string name = "tier " + std::to_string(i + 1);
    if (tier.min_images != expected_min) {
      return bad(name + " starts at " + std::to_string(tier.min_images) + " images, expected " +
                 std::to_string(expected_min) + " (tiers must be contiguous from 1)");
    }
    if (tier.repeats_at_min < 1 || tier.repeats_at_max < 1) {
      return bad(name + ": repeats must be >= 1");
    }
    if (!(tier.learning_rate > 0.0)) return bad(name + ": learning_rate must be > 0");
    const bool last = i + 1 == policy.tiers.size();
    if (!tier.max_images) {
      if (!last) return bad(name + " is open-ended but is not the last tier");
      return Ok{};
    }
    if (*tier.max_images < tier.min_images) return bad(name + ": max_images below min_images");
    expected_min = *tier.max_images + 1;
  }
  return bad("the last tier must be open-ended (no max_images)");
}

Result<TrainingParameters> auto_adjust(const TrainingParameters& base, int image_count,
                                       const AutoAdjustPolicy& policy) {
  if (image_count <= 0) {
    return Error{ErrorCode::InvalidArgument,
                 "auto-adjust: the actor has no usable training images; add images to its "
                 "training_data folder first"};
  }
  const AutoAdjustTier* tier = nullptr;
  for (const AutoAdjustTier& candidate : policy.tiers) {
    if (image_count >= candidate.min_images &&
        (!candidate.max_images || image_count <= *candidate.max_images)) {
      tier = &candidate;
      break;
    }
  }
  if (tier == nullptr) {
    return Error{ErrorCode::InvalidArgument,
                 "auto-adjust: no policy tier covers " + std::to_string(image_count) + " images"};
  }
  TrainingParameters params = base;
  if (tier->max_images && *tier->max_images > tier->min_images) {
    const double span = static_cast<double>(*tier->max_images - tier->min_images);
    const double along = static_cast<double>(image_count - tier->min_images) / span;
    const double repeats = static_cast<double>(tier->repeats_at_min) +
                           static_cast<double>(tier->repeats_at_max - tier->repeats_at_min) * along;
    params.num_repeats = static_cast<int>(std::lround(repeats));
  } else {
    params.num_repeats = tier->repeats_at_min;
  }
  params.learning_rate = tier->learning_rate;
  const long long steps = static_cast<long long>(policy.steps_per_image) * image_count;
  params.max_train_steps =
      static_cast<int>(std::clamp<long long>(steps, policy.min_steps, policy.max_steps));
  params.lr_warmup_steps = warmup_for(params.max_train_steps, policy.warmup_fraction);
  return params;
}

std::vector<FieldError> validate(const TrainingParameters& p) {
  std::vector<FieldError> errors;
  for (const ParameterSpec& spec : parameter_table()) {
    if (std::optional<std::string> problem = check_value(spec, value_of(p, spec))) {
      errors.push_back(FieldError{std::string(spec.name), std::move(*problem)});
    }
  }
  auto has_error = [&errors](std::string_view field) {
    return std::any_of(errors.begin(), errors.end(),
                       [field](const FieldError& e) { return e.field == field; });
  };
  // The rules between two parameters; each only when the parameter is valid on its own.
  if (!has_error("network_alpha") && p.network_alpha > p.network_dim) {
    errors.push_back(FieldError{"network_alpha", "must not be greater than network_dim (" +
                                                     std::to_string(p.network_dim) + ")"});
  }
  if (!has_error("lr_warmup_steps") && p.lr_warmup_steps >= p.max_train_steps) {
    errors.push_back(FieldError{"lr_warmup_steps", "must be less than max_train_steps"});
  }
  return errors;
}

Estimate estimate(const TrainingParameters& params, const EndpointProfile& endpoint,
                  std::optional<double> learned_seconds_per_step) {
  Estimate out;
  out.endpoint = endpoint.name;
  const bool learned = learned_seconds_per_step && *learned_seconds_per_step > 0.0;
  out.seconds_per_step = learned ? *learned_seconds_per_step : endpoint.seconds_per_step;
  out.seconds_per_step_source = learned ? "learned" : "configured";
  out.duration_seconds = endpoint.overhead_seconds +
                         static_cast<double>(params.max_train_steps) * out.seconds_per_step;
  out.cost = out.duration_seconds * endpoint.price_per_second;
  return out;
}

Result<TrainingPlan> plan_training(const Actor& actor, int image_count,
                                   const AutoAdjustPolicy& policy, const EndpointProfile& endpoint,
                                   std::optional<double> learned_seconds_per_step) {
  TrainingPlan plan;
  plan.image_count = image_count;
  plan.defaults = default_parameters(actor);
  Result<TrainingParameters> adjusted = auto_adjust(plan.defaults, image_count, policy);
  if (!adjusted) return adjusted.error().with_context("plan " + actor.label());
  plan.parameters = std::move(adjusted).value();
  plan.validation = validate(plan.parameters);
  plan.estimate = estimate(plan.parameters, endpoint, learned_seconds_per_step);
  return plan;
}

}  // namespace atr
