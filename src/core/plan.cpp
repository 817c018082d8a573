#include "core/plan.h"

#include <algorithm>
#include <cmath>

#include "base/strings.h"

namespace atr {
namespace {

int warmup_for(int steps, double fraction) {
  return static_cast<int>(std::lround(static_cast<double>(steps) * fraction));
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string one_of(const std::vector<std::string>& list) {
  return "one of: " + join(list, ", ");
}

}  // namespace

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

const std::vector<std::string>& allowed_lr_schedulers() {
  static const std::vector<std::string> kList = {
      "constant", "constant_with_warmup", "cosine", "cosine_with_restarts", "linear", "polynomial"};
  return kList;
}

const std::vector<std::string>& allowed_optimizers() {
  static const std::vector<std::string> kList = {"adamw8bit", "adamw",    "prodigy",
                                                 "adafactor", "lion8bit", "came"};
  return kList;
}

const std::vector<std::string>& allowed_gradient_dtypes() {
  static const std::vector<std::string> kList = {"bf16", "fp16", "fp32"};
  return kList;
}

std::vector<FieldError> validate(const TrainingParameters& p) {
  std::vector<FieldError> errors;
  auto add = [&errors](const char* field, std::string message) {
    errors.push_back(FieldError{field, std::move(message)});
  };
  if (!(p.learning_rate > 0.0 && p.learning_rate <= 0.01)) {
    add("learning_rate", "must be greater than 0 and at most 0.01");
  }
  if (p.max_train_steps < 100 || p.max_train_steps > 20000) {
    add("max_train_steps", "must be between 100 and 20000");
  }
  if (p.network_dim < 1 || p.network_dim > 256) add("network_dim", "must be between 1 and 256");
  if (p.network_alpha < 1) {
    add("network_alpha", "must be at least 1");
  } else if (p.network_alpha > p.network_dim) {
    add("network_alpha",
        "must not be greater than network_dim (" + std::to_string(p.network_dim) + ")");
  }
  if (p.num_repeats < 1 || p.num_repeats > 100) add("num_repeats", "must be between 1 and 100");
  if (p.batch_size < 1 || p.batch_size > 16) add("batch_size", "must be between 1 and 16");
  if (p.lr_warmup_steps < 0) {
    add("lr_warmup_steps", "must not be negative");
  } else if (p.lr_warmup_steps >= p.max_train_steps) {
    add("lr_warmup_steps", "must be less than max_train_steps");
  }
  if (!contains(allowed_lr_schedulers(), p.lr_scheduler)) {
    add("lr_scheduler", "must be " + one_of(allowed_lr_schedulers()));
  }
  if (!contains(allowed_optimizers(), p.optimizer_type)) {
    add("optimizer_type", "must be " + one_of(allowed_optimizers()));
  }
  if (!contains(allowed_gradient_dtypes(), p.gradient_dtype)) {
    add("gradient_dtype", "must be " + one_of(allowed_gradient_dtypes()));
  }
  if (p.resolution < 256 || p.resolution > 2048 || p.resolution % 64 != 0) {
    add("resolution", "must be a multiple of 64 between 256 and 2048");
  }
  if (is_blank(p.class_tokens)) {
    add("class_tokens", "must not be empty");
  } else if (p.class_tokens.size() > 200) {
    add("class_tokens", "must be at most 200 characters");
  } else if (p.class_tokens.find_first_of("\r\n\t") != std::string::npos) {
    add("class_tokens", "must be one line without tabs");
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
