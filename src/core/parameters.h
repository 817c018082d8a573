#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

namespace atr {

/// What a parameter holds; it decides how its text is read, which rule checks it and which
/// control the page draws.
enum class ParameterKind {
  Integer,      ///< a whole number in [min, max], a multiple of `step`
  Decimal,      ///< a number in [min, max]
  OpenDecimal,  ///< a number in (min, max]: above min, at most max
  Flag,         ///< true or false
  Choice,       ///< one of `choices`
  Text,         ///< one line, not blank, at most `max` characters
};

/// "integer", "decimal", "open_decimal", "flag", "choice", "text".
std::string_view to_string(ParameterKind kind);

// The one table of training parameters: adding a parameter is adding one row here. Every
// part of the product reads it: the TrainingParameters struct below, text and JSON reading
// (set_parameter), validation (the single-parameter rules; the two rules between parameters
// are in validate()), the console and compare rows, the state store, the API's JSON, the
// built-in workflow's binding table and the page's form and guidelines (GET /api/settings).
//
// X(C++ type, name, default, kind, min, max, step, choices, label, what it does, good values,
//   built-in binding)
// - name: PRODUCT.md's name, the JSON key, the store's key and the binding table's parameter.
// - min/max: bounds of Integer and Decimal kinds; for Text, max is the longest length.
// - choices: the allowed values of a Choice, space-separated.
// - binding: where the built-in FLUX workflow takes the value, space-separated
//   "ClassType.input" targets ("#id.input" for a node id); empty: not bound.
// Defaults are PRODUCT.md §2.3's; class_tokens defaults to the actor's name and
// lr_warmup_steps to 10 % of the steps (default_parameters).
#define ATR_TRAINING_PARAMETERS(X)                                                                 \
  X(int, max_train_steps, 2000, Integer, 100, 20000, 1, "", "Max train steps",                     \
    "How many optimizer steps the training runs. More steps learn the face more closely and "      \
    "take longer.",                                                                                \
    "About 100 per image, 1,000–6,000 for faces (auto-adjust does this).",                         \
    "InitFluxLoRATraining.max_train_steps FluxTrainLoop.steps")                                    \
  X(double, learning_rate, 0.0004, OpenDecimal, 0, 0.01, 0, "", "Learning rate",                   \
    "How far each step moves the weights. Too high burns the likeness in and loses "               \
    "flexibility; too low learns little.",                                                         \
    "0.0003–0.0005 for face LoRAs; lower for small sets.", "InitFluxLoRATraining.learning_rate")   \
  X(int, network_dim, 8, Integer, 1, 256, 1, "", "Network dim (rank)",                             \
    "Capacity of the LoRA. Higher ranks hold more detail but also more noise and give bigger "     \
    "files.",                                                                                      \
    "8–16 for an identity; 8 is the default.", "InitFluxLoRATraining.network_dim")                 \
  X(int, network_alpha, 8, Integer, 1, 256, 1, "", "Network alpha",                                \
    "Scales the LoRA update; alpha equal to dim keeps the learning rate's meaning.",               \
    "Equal to dim, never above it.", "InitFluxLoRATraining.network_alpha")                         \
  X(int, num_repeats, 10, Integer, 1, 100, 1, "", "Repeats per image",                             \
    "How often each image is shown per epoch. Small sets need more repeats.",                      \
    "15 below 10 images, 10–12 for 10–40, 8 above 40.", "TrainDatasetAdd.num_repeats")             \
  X(bool, flip_aug, false, Flag, 0, 0, 0, "", "Flip augmentation",                                 \
    "Mirrors images at random. Faces are not symmetric, so it blurs identity.", "Off for faces.",  \
    "TrainDatasetGeneralConfig.flip_aug")                                                          \
  X(int, batch_size, 1, Integer, 1, 16, 1, "", "Batch size",                                       \
    "Images per step. Larger batches smooth the gradient and need more GPU memory.",               \
    "1 on a single A100/H100 for FLUX LoRAs.", "TrainDatasetAdd.batch_size")                       \
  X(std::string, lr_scheduler, "cosine", Choice, 0, 0, 0,                                          \
    "constant constant_with_warmup cosine cosine_with_restarts linear polynomial", "LR scheduler", \
    "How the learning rate changes over the training.", "cosine, with a 10 % warm-up.",            \
    "OptimizerConfig.lr_scheduler")                                                                \
  X(int, lr_warmup_steps, 200, Integer, 0, 20000, 1, "", "Warm-up steps",                          \
    "Steps at the start during which the learning rate ramps up.", "About 10 % of the steps.",     \
    "OptimizerConfig.lr_warmup_steps")                                                             \
  X(std::string, optimizer_type, "adamw8bit", Choice, 0, 0, 0,                                     \
    "adamw8bit adamw prodigy adafactor lion8bit came", "Optimizer",                                \
    "The update rule. 8-bit AdamW saves memory with no visible loss in quality.", "adamw8bit.",    \
    "OptimizerConfig.optimizer_type")                                                              \
  X(std::string, gradient_dtype, "bf16", Choice, 0, 0, 0, "bf16 fp16 fp32", "Gradient precision",  \
    "Number format of the gradients.", "bf16 on A100/H100.",                                       \
    "InitFluxLoRATraining.gradient_dtype")                                                         \
  X(int, resolution, 1024, Integer, 256, 2048, 64, "", "Resolution",                               \
    "Training image size in pixels (the short side is bucketed to it).",                           \
    "1024 for FLUX; 512 trains faster with less detail.",                                          \
    "TrainDatasetAdd.width TrainDatasetAdd.height TrainDatasetAdd.max_bucket_reso")                \
  X(double, caption_dropout_rate, 0.0, Decimal, 0, 1, 0, "", "Caption dropout",                    \
    "Share of steps that train an image without its caption, so the face is learned apart "        \
    "from the words.",                                                                             \
    "0 without captions; 0.05–0.1 with captions.",                                                 \
    "TrainDatasetGeneralConfig.caption_dropout_rate")                                              \
  X(std::string, class_tokens, "", Text, 0, 200, 0, "", "Trigger word",                            \
    "The token the model learns to tie to this face; put it in prompts to call the actor.",        \
    "The actor's name (unique, not a real word).", "TrainDatasetAdd.class_tokens")

/// Every training parameter a person can set, one member per row of ATR_TRAINING_PARAMETERS.
struct TrainingParameters {
#define ATR_PARAMETER_MEMBER(type, name, default_value, ...) type name = default_value;
  // The table writes every default, the empty trigger word too.
  // NOLINTNEXTLINE(readability-redundant-string-init)
  ATR_TRAINING_PARAMETERS(ATR_PARAMETER_MEMBER)
#undef ATR_PARAMETER_MEMBER

  bool operator==(const TrainingParameters&) const = default;
};

/// One parameter's value, typed as its member is.
using ParameterValue = std::variant<int, double, bool, std::string>;

/// One row of the parameter table, as data.
struct ParameterSpec {
  std::string_view name;
  ParameterKind kind;
  double min = 0;
  double max = 0;
  int step = 0;                      ///< Integer: the value is a multiple of it (0, 1: any)
  std::vector<std::string> choices;  ///< Choice: the allowed values
  std::string_view label;            ///< the form's label
  std::string_view what;             ///< what it does (guidelines, hints)
  std::string_view good;             ///< what works for faces
  std::vector<std::string> binding;  ///< the built-in workflow's targets ("Class.input")
  ParameterValue default_value;
  /// The member it describes.
  std::variant<int TrainingParameters::*, double TrainingParameters::*, bool TrainingParameters::*,
               std::string TrainingParameters::*>
      member;
};

/// The table, in its order (which is the order of forms, JSON objects and compare rows).
std::span<const ParameterSpec> parameter_table();

/// The row named `name`, or null.
const ParameterSpec* find_parameter(std::string_view name);

/// The value of `spec`'s member in `params`.
ParameterValue value_of(const TrainingParameters& params, const ParameterSpec& spec);

/// The value as text that set_parameter() reads back exactly (decimals with 8 places).
std::string value_text(const ParameterValue& value);

/// What is wrong with `value` for `spec` alone ("must be between 1 and 256"), or nothing.
std::optional<std::string> check_value(const ParameterSpec& spec, const ParameterValue& value);

/// Sets one parameter from text ("learning_rate", "0.0003"). InvalidArgument for an unknown
/// name or a value of the wrong type; range rules are validate()'s job.
Status set_parameter(TrainingParameters& params, const std::string& name, const std::string& value);

/// Every parameter as (name, value text), in table order; set_parameter() reads each back.
std::vector<std::pair<std::string, std::string>> parameter_values(const TrainingParameters& p);

}  // namespace atr
