#include "core/plan.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

Actor actor_named(const std::string& name) {
  Actor actor;
  actor.id = "0006";
  actor.name = name;
  return actor;
}

TEST(DefaultParametersTest, MatchTheActorDefaults) {
  const TrainingParameters p = default_parameters(actor_named("0006_european_20_female"));
  EXPECT_EQ(p.max_train_steps, 2000);
  EXPECT_DOUBLE_EQ(p.learning_rate, 0.0004);
  EXPECT_EQ(p.network_dim, 8);
  EXPECT_EQ(p.network_alpha, 8);
  EXPECT_EQ(p.num_repeats, 10);
  EXPECT_FALSE(p.flip_aug);
  EXPECT_EQ(p.batch_size, 1);
  EXPECT_EQ(p.lr_scheduler, "cosine");
  EXPECT_EQ(p.lr_warmup_steps, 200);
  EXPECT_EQ(p.optimizer_type, "adamw8bit");
  EXPECT_EQ(p.gradient_dtype, "bf16");
  EXPECT_EQ(p.resolution, 1024);
  EXPECT_EQ(p.class_tokens, "0006_european_20_female");
  EXPECT_TRUE(validate(p).empty());
}

TEST(AutoAdjustTest, FollowsThePolicyTableAtEveryBoundary) {
  struct Row {
    int images;
    int repeats;
    double learning_rate;
    int steps;
    int warmup;
  };
  const Row rows[] = {
      {1, 15, 0.0003, 1000, 100},  {9, 15, 0.0003, 1000, 100},  {10, 12, 0.0004, 1000, 100},
      {11, 12, 0.0004, 1100, 110}, {25, 11, 0.0004, 2500, 250}, {39, 10, 0.0004, 3900, 390},
      {40, 10, 0.0004, 4000, 400}, {41, 8, 0.0005, 4100, 410},  {60, 8, 0.0005, 6000, 600},
      {61, 8, 0.0005, 6000, 600},  {200, 8, 0.0005, 6000, 600},
  };
  const TrainingParameters base = default_parameters(actor_named("a"));
  for (const Row& row : rows) {
    SCOPED_TRACE("n = " + std::to_string(row.images));
    Result<TrainingParameters> p = auto_adjust(base, row.images, default_auto_adjust_policy());
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->num_repeats, row.repeats);
    EXPECT_DOUBLE_EQ(p->learning_rate, row.learning_rate);
    EXPECT_EQ(p->max_train_steps, row.steps);
    EXPECT_EQ(p->lr_warmup_steps, row.warmup);
    // Everything auto-adjust does not own stays as it was.
    EXPECT_EQ(p->network_dim, base.network_dim);
    EXPECT_EQ(p->class_tokens, base.class_tokens);
    EXPECT_TRUE(validate(*p).empty());
  }
}

TEST(AutoAdjustTest, RefusesZeroImages) {
  Result<TrainingParameters> p = auto_adjust(TrainingParameters{}, 0, default_auto_adjust_policy());
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(p.error().message.find("no usable training images"), std::string::npos);
}

TEST(AutoAdjustTest, AReplacementPolicyIsUsedInstead) {
  AutoAdjustPolicy policy;
  policy.tiers = {{.min_images = 1,
                   .max_images = std::nullopt,
                   .repeats_at_min = 4,
                   .repeats_at_max = 4,
                   .learning_rate = 0.0001}};
  policy.steps_per_image = 50;
  policy.min_steps = 200;
  policy.max_steps = 900;
  policy.warmup_fraction = 0.05;
  ASSERT_TRUE(check_policy(policy));
  Result<TrainingParameters> p = auto_adjust(TrainingParameters{}, 10, policy);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->num_repeats, 4);
  EXPECT_DOUBLE_EQ(p->learning_rate, 0.0001);
  EXPECT_EQ(p->max_train_steps, 500);
  EXPECT_EQ(p->lr_warmup_steps, 25);
}

TEST(CheckPolicyTest, RejectsGapsOverlapsAndClosedEnds) {
  EXPECT_TRUE(check_policy(default_auto_adjust_policy()));
  AutoAdjustPolicy gap = default_auto_adjust_policy();
  gap.tiers[1].min_images = 11;
  EXPECT_FALSE(check_policy(gap));
  AutoAdjustPolicy closed = default_auto_adjust_policy();
  closed.tiers[2].max_images = 100;
  EXPECT_FALSE(check_policy(closed));
  AutoAdjustPolicy open_middle = default_auto_adjust_policy();
  open_middle.tiers[1].max_images = std::nullopt;
  EXPECT_FALSE(check_policy(open_middle));
  AutoAdjustPolicy empty;
  EXPECT_FALSE(check_policy(empty));
}

TEST(ValidateTest, EveryRuleReportsItsField) {
  struct Row {
    const char* name;
    void (*mutate)(TrainingParameters&);
    const char* field;  // nullptr: valid
    size_t count = 1;   // how many fields break
  };
  const Row rows[] = {
      {"lr zero", [](TrainingParameters& p) { p.learning_rate = 0.0; }, "learning_rate"},
      {"lr negative", [](TrainingParameters& p) { p.learning_rate = -0.001; }, "learning_rate"},
      {"lr at max", [](TrainingParameters& p) { p.learning_rate = 0.01; }, nullptr},
      {"lr above max", [](TrainingParameters& p) { p.learning_rate = 0.0100001; }, "learning_rate"},
      {"steps 99",
       [](TrainingParameters& p) {
         p.max_train_steps = 99;
         p.lr_warmup_steps = 0;
       },
       "max_train_steps"},
      {"steps 100",
       [](TrainingParameters& p) {
         p.max_train_steps = 100;
         p.lr_warmup_steps = 10;
       },
       nullptr},
      {"steps 20000", [](TrainingParameters& p) { p.max_train_steps = 20000; }, nullptr},
      {"steps 20001", [](TrainingParameters& p) { p.max_train_steps = 20001; }, "max_train_steps"},
      // alpha must be in [1, dim], so a zero dim breaks alpha too
      {"dim 0", [](TrainingParameters& p) { p.network_dim = 0; }, "network_dim", 2},
      {"dim 256", [](TrainingParameters& p) { p.network_dim = 256; }, nullptr},
      {"dim 257", [](TrainingParameters& p) { p.network_dim = 257; }, "network_dim"},
      {"alpha 0", [](TrainingParameters& p) { p.network_alpha = 0; }, "network_alpha"},
      {"alpha above dim", [](TrainingParameters& p) { p.network_alpha = 9; }, "network_alpha"},
      {"alpha equals dim", [](TrainingParameters& p) { p.network_alpha = 8; }, nullptr},
      {"repeats 0", [](TrainingParameters& p) { p.num_repeats = 0; }, "num_repeats"},
      {"repeats 101", [](TrainingParameters& p) { p.num_repeats = 101; }, "num_repeats"},
      {"batch 0", [](TrainingParameters& p) { p.batch_size = 0; }, "batch_size"},
      {"batch 17", [](TrainingParameters& p) { p.batch_size = 17; }, "batch_size"},
      {"warmup negative", [](TrainingParameters& p) { p.lr_warmup_steps = -1; }, "lr_warmup_steps"},
      {"warmup = steps", [](TrainingParameters& p) { p.lr_warmup_steps = p.max_train_steps; },
       "lr_warmup_steps"},
      {"scheduler", [](TrainingParameters& p) { p.lr_scheduler = "sometimes"; }, "lr_scheduler"},
      {"optimizer", [](TrainingParameters& p) { p.optimizer_type = "sgd-ish"; }, "optimizer_type"},
      {"dtype", [](TrainingParameters& p) { p.gradient_dtype = "fp8"; }, "gradient_dtype"},
      {"resolution 192", [](TrainingParameters& p) { p.resolution = 192; }, "resolution"},
      {"resolution 2112", [](TrainingParameters& p) { p.resolution = 2112; }, "resolution"},
      {"resolution 1000", [](TrainingParameters& p) { p.resolution = 1000; }, "resolution"},
      {"resolution 512", [](TrainingParameters& p) { p.resolution = 512; }, nullptr},
      {"tokens empty", [](TrainingParameters& p) { p.class_tokens = "  "; }, "class_tokens"},
      {"tokens newline", [](TrainingParameters& p) { p.class_tokens = "a\nb"; }, "class_tokens"},
      {"tokens long", [](TrainingParameters& p) { p.class_tokens = std::string(201, 'x'); },
       "class_tokens"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    TrainingParameters p;
    p.class_tokens = "actor";
    row.mutate(p);
    const std::vector<FieldError> errors = validate(p);
    if (row.field == nullptr) {
      EXPECT_TRUE(errors.empty()) << errors.front().field << ": " << errors.front().message;
    } else {
      ASSERT_EQ(errors.size(), row.count);
      EXPECT_EQ(errors.front().field, row.field);
      EXPECT_FALSE(errors.front().message.empty());
    }
  }
}

TEST(EstimateTest, UsesConfiguredSpeedUntilALearnedOneExists) {
  TrainingParameters p;
  EndpointProfile endpoint{.name = "a100",
                           .endpoint_id = "x",
                           .gpu = "A100",
                           .price_per_second = 0.00076,
                           .seconds_per_step = 1.5,
                           .overhead_seconds = 120};
  Estimate configured = estimate(p, endpoint, std::nullopt);
  EXPECT_EQ(configured.endpoint, "a100");
  EXPECT_EQ(configured.seconds_per_step_source, "configured");
  EXPECT_DOUBLE_EQ(configured.duration_seconds, 120 + 2000 * 1.5);
  EXPECT_DOUBLE_EQ(configured.cost, (120 + 2000 * 1.5) * 0.00076);
  Estimate learned = estimate(p, endpoint, 2.0);
  EXPECT_EQ(learned.seconds_per_step_source, "learned");
  EXPECT_DOUBLE_EQ(learned.duration_seconds, 120 + 2000 * 2.0);
}

TEST(PlanTrainingTest, CombinesDefaultsAdjustmentValidationAndEstimate) {
  Result<TrainingPlan> plan = plan_training(actor_named("0006_x"), 25, default_auto_adjust_policy(),
                                            EndpointProfile{}, std::nullopt);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->image_count, 25);
  EXPECT_EQ(plan->defaults.num_repeats, 10);
  EXPECT_EQ(plan->parameters.num_repeats, 11);
  EXPECT_TRUE(plan->validation.empty());
  EXPECT_DOUBLE_EQ(plan->estimate.duration_seconds, 120 + 2500 * 1.5);
  Result<TrainingPlan> none = plan_training(actor_named("0006_x"), 0, default_auto_adjust_policy(),
                                            EndpointProfile{}, std::nullopt);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("plan 0006"), std::string::npos);
}

}  // namespace
}  // namespace atr
