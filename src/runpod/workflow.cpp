#include "runpod/workflow.h"

#include <algorithm>

#include "runpod/default_workflow.h"

namespace atr {
namespace {

using nlohmann::ordered_json;

ordered_json parameter_value(const TrainingRequest& request, const std::string& name) {
  const TrainingParameters& p = request.parameters;
  if (name == "max_train_steps") return p.max_train_steps;
  if (name == "learning_rate") return p.learning_rate;
  if (name == "network_dim") return p.network_dim;
  if (name == "network_alpha") return p.network_alpha;
  if (name == "num_repeats") return p.num_repeats;
  if (name == "flip_aug") return p.flip_aug;
  if (name == "batch_size") return p.batch_size;
  if (name == "lr_scheduler") return p.lr_scheduler;
  if (name == "lr_warmup_steps") return p.lr_warmup_steps;
  if (name == "optimizer_type") return p.optimizer_type;
  if (name == "gradient_dtype") return p.gradient_dtype;
  if (name == "resolution") return p.resolution;
  if (name == "class_tokens") return p.class_tokens;
  if (name == "model_name") return request.model_name;
  return nullptr;  // unreachable: parse_workflow admits only bindable_parameters()
}

std::string describe(const Binding& binding, const BindingTarget& target) {
  std::string text = binding.parameter;
  text += " -> ";
  text += target.class_type ? *target.class_type : "#" + *target.node_id;
  text += ".";
  text += target.input;
  return text;
}

// A ComfyUI link is ["<node id>", <output index>]; overwriting one would cut the graph.
bool is_link(const ordered_json& value) {
  return value.is_array() && value.size() == 2 && value[0].is_string() &&
         value[1].is_number_integer();
}

}  // namespace

const std::vector<std::string>& bindable_parameters() {
  static const std::vector<std::string> kNames = {
      "max_train_steps", "learning_rate", "network_dim",  "network_alpha",   "num_repeats",
      "flip_aug",        "batch_size",    "lr_scheduler", "lr_warmup_steps", "optimizer_type",
      "gradient_dtype",  "resolution",    "class_tokens", "model_name"};
  return kNames;
}

Result<WorkflowTemplate> parse_workflow(std::string name, std::string_view graph_json,
                                        std::string_view bindings_json) {
  const std::string what = "workflow " + name;
  WorkflowTemplate workflow;
  workflow.name = std::move(name);
  try {
    workflow.graph = ordered_json::parse(graph_json);
  } catch (const ordered_json::exception& e) {
    return Error{ErrorCode::InvalidArgument, what + ": template is not valid JSON: " + e.what()};
  }
  if (!workflow.graph.is_object() || workflow.graph.empty()) {
    return Error{ErrorCode::InvalidArgument,
                 what + ": template must be a ComfyUI API-format object of nodes"};
  }
  for (const auto& [id, node] : workflow.graph.items()) {
    if (!node.is_object() || !node.contains("class_type") || !node["class_type"].is_string() ||
        !node.contains("inputs") || !node["inputs"].is_object()) {
      std::string message = what;
      message += ": node " + id;
      message += " lacks a string class_type or an inputs object (export the workflow with ";
      message += "\"Save (API Format)\")";
      return Error{ErrorCode::InvalidArgument, std::move(message)};
    }
  }
  ordered_json table;
  try {
    table = ordered_json::parse(bindings_json);
  } catch (const ordered_json::exception& e) {
    return Error{ErrorCode::InvalidArgument,
                 what + ": binding table is not valid JSON: " + e.what()};
  }
  if (!table.is_object() || !table.contains("bindings") || !table["bindings"].is_array()) {
    return Error{ErrorCode::InvalidArgument, what + ": binding table needs a \"bindings\" array"};
  }
  const std::vector<std::string>& known = bindable_parameters();
  for (const ordered_json& row : table["bindings"]) {
    Binding binding;
    if (!row.is_object() || !row.contains("parameter") || !row["parameter"].is_string() ||
        !row.contains("targets") || !row["targets"].is_array() || row["targets"].empty()) {
      return Error{ErrorCode::InvalidArgument,
                   what + ": each binding needs a \"parameter\" and a non-empty \"targets\" array"};
    }
    binding.parameter = row["parameter"].get<std::string>();
    if (std::find(known.begin(), known.end(), binding.parameter) == known.end()) {
      return Error{ErrorCode::InvalidArgument,
                   what + ": unknown parameter '" + binding.parameter + "' in binding table"};
    }
    for (const ordered_json& t : row["targets"]) {
      BindingTarget target;
      if (!t.is_object() || !t.contains("input") || !t["input"].is_string()) {
        return Error{ErrorCode::InvalidArgument,
                     what + ": binding " + binding.parameter + ": target needs an \"input\""};
      }
      target.input = t["input"].get<std::string>();
      if (t.contains("class_type") && t["class_type"].is_string()) {
        target.class_type = t["class_type"].get<std::string>();
      }
      if (t.contains("node_id") && t["node_id"].is_string()) {
        target.node_id = t["node_id"].get<std::string>();
      }
      if (target.class_type.has_value() == target.node_id.has_value()) {
        return Error{ErrorCode::InvalidArgument,
                     what + ": binding " + binding.parameter +
                         ": target needs exactly one of \"class_type\" or \"node_id\""};
      }
      binding.targets.push_back(std::move(target));
    }
    workflow.bindings.push_back(std::move(binding));
  }
  return workflow;
}

const WorkflowTemplate& default_workflow() {
  static const WorkflowTemplate kDefault = [] {
    Result<WorkflowTemplate> parsed =
        parse_workflow("flux_actor_lora", kDefaultWorkflowJson, kDefaultWorkflowBindingsJson);
    ATR_CHECK(parsed.has_value(), "the built-in workflow must parse");
    return std::move(parsed).value();
  }();
  return kDefault;
}

Result<ordered_json> bind_workflow(const WorkflowTemplate& workflow,
                                   const TrainingRequest& request) {
  ordered_json graph = workflow.graph;
  for (const Binding& binding : workflow.bindings) {
    const ordered_json value = parameter_value(request, binding.parameter);
    for (const BindingTarget& target : binding.targets) {
      size_t matched = 0;
      for (auto& [id, node] : graph.items()) {
        const bool hit = target.node_id
                             ? id == *target.node_id
                             : node["class_type"].get<std::string>() == *target.class_type;
        if (!hit) continue;
        ++matched;
        ordered_json& inputs = node["inputs"];
        if (!inputs.contains(target.input)) {
          return Error{ErrorCode::InvalidArgument, "workflow " + workflow.name + ": binding " +
                                                       describe(binding, target) + ": node " + id +
                                                       " has no input '" + target.input + "'"};
        }
        if (is_link(inputs[target.input])) {
          return Error{ErrorCode::InvalidArgument,
                       "workflow " + workflow.name + ": binding " + describe(binding, target) +
                           ": input of node " + id + " is a link to another node, not a value"};
        }
        inputs[target.input] = value;
      }
      if (matched == 0) {
        return Error{ErrorCode::InvalidArgument, "workflow " + workflow.name + ": binding " +
                                                     describe(binding, target) +
                                                     " matches no node"};
      }
    }
  }
  return graph;
}

}  // namespace atr
