#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
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

/// Parses a template and its binding table. InvalidArgument when either is malformed, when the
/// graph is not ComfyUI API format, or when a binding names an unknown parameter.
Result<WorkflowTemplate> parse_workflow(std::string name, std::string_view graph_json,
                                        std::string_view bindings_json);

/// Where the built-in workflow takes the version's model name.
inline constexpr std::string_view kModelNameTarget = "InitFluxLoRATraining.output_name";

/// The built-in workflow's binding table: each parameter's `binding` column of the parameter
/// table (core/parameters.h), plus the model name.
std::vector<Binding> default_bindings();

/// The template shipped with the product (resources/workflows/flux_actor_lora.json) with
/// default_bindings().
const WorkflowTemplate& default_workflow();

/// The graph with every binding applied for `request`. A target that matches no node, or a node
/// without that input, or an input that is a link to another node, is an error naming the
/// binding: a silently skipped parameter would train with the template's value instead.
Result<nlohmann::ordered_json> bind_workflow(const WorkflowTemplate& workflow,
                                             const TrainingRequest& request);

}  // namespace atr
