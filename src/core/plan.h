#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/actor.h"
#include "core/parameters.h"

namespace atr {

/// InvalidArgument "invalid parameters: a must …; b must …" about "parameters.<first>", with
/// every problem in `fields`.
Error invalid_parameters(const std::vector<FieldError>& problems);

/// The actor defaults of PRODUCT.md §2.3, with the actor's name as trigger word.
TrainingParameters default_parameters(const Actor& actor);

/// A parameter set by the user: its PRODUCT.md name and its value as text.
using ParameterOverride = std::pair<std::string, std::string>;

/// One band of image counts and what auto-adjust sets inside it. `num_repeats` goes linearly
/// from `repeats_at_min` to `repeats_at_max` across the band, rounded to the nearest integer.
struct AutoAdjustTier {
  int min_images = 1;
  std::optional<int> max_images;  ///< unset: no upper end
  int repeats_at_min = 10;
  int repeats_at_max = 10;
  double learning_rate = 0.0004;
};

/// How auto-adjust derives parameters from the image count n. Replaceable by configuration.
struct AutoAdjustPolicy {
  std::vector<AutoAdjustTier> tiers;  ///< contiguous, ascending, first starts at 1
  int steps_per_image = 100;
  int min_steps = 1000;
  int max_steps = 6000;
  double warmup_fraction = 0.10;
};

/// The policy of PRODUCT.md §2.3: <10 images 15 repeats at 0.0003; 10–40 images 12→10 repeats at
/// 0.0004; >40 images 8 repeats at 0.0005; steps 100·n clamped to [1000, 6000]; warmup 10 %.
AutoAdjustPolicy default_auto_adjust_policy();

/// InvalidArgument when the tiers leave a gap, overlap, or hold impossible values.
Status check_policy(const AutoAdjustPolicy& policy);

/// `base` with num_repeats, learning_rate, max_train_steps and lr_warmup_steps set for
/// `image_count` images. InvalidArgument when there are no images (nothing to train on).
Result<TrainingParameters> auto_adjust(const TrainingParameters& base, int image_count,
                                       const AutoAdjustPolicy& policy);

/// Every rule broken by `params` (each row's own rule, then alpha ≤ dim and warm-up < steps);
/// empty when they are valid.
std::vector<FieldError> validate(const TrainingParameters& params);

/// A RunPod endpoint that trainings can run on, with what it costs and how fast it is.
struct EndpointProfile {
  std::string name = "default";
  std::string endpoint_id;  ///< RunPod endpoint id; empty when not configured
  std::string gpu;
  double price_per_second = 0.0;    ///< USD
  double seconds_per_step = 1.5;    ///< configured speed, used until enough jobs finished
  double overhead_seconds = 120.0;  ///< start-up, model load and upload, per job
};

/// Expected duration and cost of one training.
struct Estimate {
  std::string endpoint;
  double seconds_per_step = 0.0;
  std::string seconds_per_step_source;  ///< "configured" or "learned"
  double duration_seconds = 0.0;
  double cost = 0.0;  ///< USD
};

/// overhead + steps × seconds-per-step; cost = duration × price. A learned speed (median of
/// this endpoint's finished jobs) replaces the configured one when given.
Estimate estimate(const TrainingParameters& params, const EndpointProfile& endpoint,
                  std::optional<double> learned_seconds_per_step);

/// What `plan` shows: the defaults, the auto-adjusted parameters for this data, their
/// validation and the estimate.
struct TrainingPlan {
  int image_count = 0;
  TrainingParameters defaults;
  TrainingParameters parameters;
  std::vector<FieldError> validation;
  Estimate estimate;
};

/// Plans a training of `actor` on `image_count` images. InvalidArgument when there are none.
Result<TrainingPlan> plan_training(const Actor& actor, int image_count,
                                   const AutoAdjustPolicy& policy, const EndpointProfile& endpoint,
                                   std::optional<double> learned_seconds_per_step);

}  // namespace atr
