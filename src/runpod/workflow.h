#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "core/previews.h"
#include "core/training_request.h"

namespace atr {

/// Where one parameter goes in a ComfyUI graph: an input of every node of a class, or of one
/// node by id.
struct BindingTarget {
  std::optional<std::string> class_type;
  std::optional<std::string> node_id;
  std::string input;
};

/// One row of a binding table: a parameter name and the inputs that receive its value.
struct Binding {
  std::string parameter;
  std::vector<BindingTarget> targets;
};

/// A ComfyUI API-format training graph plus the table that binds our parameters into it.
struct WorkflowTemplate {  // NOLINT(bugprone-exception-escape): json moves may allocate
  std::string name;
  nlohmann::ordered_json graph;  ///< {"<node id>": {"class_type", "inputs", …}}
  std::vector<Binding> bindings;
};

/// The parameter names a binding may use: every TrainingParameters field plus "model_name".
const std::vector<std::string>& bindable_parameters();

/// The names a preview workflow's binding may use: prompt, seed, width, height, batch_size,
/// num_loras, lora_name, lora_strength, lora_model_strength, lora_clip_strength.
const std::vector<std::string>& preview_bindable_parameters();

/// Parses a template and its binding table. InvalidArgument when either is malformed, when the
/// graph is not ComfyUI API format, or when a binding names a parameter not in `names` (a
/// training workflow's by default).
Result<WorkflowTemplate> parse_workflow(
    std::string name, std::string_view graph_json, std::string_view bindings_json,
    const std::vector<std::string>& names = bindable_parameters());

/// The value each binding's parameter takes.
using BindingValue = std::function<nlohmann::ordered_json(const std::string& parameter)>;

/// The graph with every binding set to `value(parameter)`. A target that matches no node, or a
/// node without that input, or an input that is a link to another node, is an error naming the
/// binding: a silently skipped value would run with the template's instead.
Result<nlohmann::ordered_json> bind_values(const WorkflowTemplate& workflow,
                                           const BindingValue& value);

/// Where the built-in workflow takes the version's model name.
inline constexpr std::string_view kModelNameTarget = "InitFluxLoRATraining.output_name";

/// The built-in workflow's binding table: each parameter's `binding` column of the parameter
/// table (core/parameters.h), plus the model name.
std::vector<Binding> default_bindings();

/// The template shipped with the product (resources/workflows/flux_actor_lora.json) with
/// default_bindings().
const WorkflowTemplate& default_workflow();

/// The graph with every binding applied for `request` (bind_values).
Result<nlohmann::ordered_json> bind_workflow(const WorkflowTemplate& workflow,
                                             const TrainingRequest& request);

/// The preview template shipped with the product (resources/workflows/flux_preview.json: FLUX,
/// an `easy loraStack` with the version's LoRA in slot 1) with its binding table.
const WorkflowTemplate& default_preview_workflow();

/// The preview graph with every binding applied for `request` (bind_values).
Result<nlohmann::ordered_json> bind_preview(const WorkflowTemplate& workflow,
                                            const PreviewRequest& request);

}  // namespace atr
