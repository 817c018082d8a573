#include "runpod/workflow.h"

#include <algorithm>
#include <variant>

#include "base/check.h"
#include "core/parameters.h"
#include "runpod/default_workflow.h"

namespace atr {
namespace {

using nlohmann::ordered_json;

// The value bound for `name`: a parameter of the table, or the version's model name.
ordered_json parameter_value(const TrainingRequest& request, const std::string& name) {
  if (name == "model_name") return request.model_name;
  const ParameterSpec* spec = find_parameter(name);
  if (spec == nullptr) return nullptr;  // unreachable: parse_workflow admits only these names
  return std::visit([](const auto& v) { return ordered_json(v); },
                    value_of(request.parameters, *spec));
}

// "Class.input" or "#node.input", as the parameter table writes a built-in binding.
BindingTarget target_of(const std::string& text) {
  BindingTarget target;
  const std::size_t dot = text.rfind('.');
  ATR_CHECK(dot != std::string::npos && dot > 0, "binding target needs Class.input: " + text);
  target.input = text.substr(dot + 1);
  if (text.front() == '#') {
    target.node_id = text.substr(1, dot - 1);
  } else {
    target.class_type = text.substr(0, dot);
  }
  return target;
}

// The value bound for `name` in a preview graph.
ordered_json preview_value(const PreviewRequest& request, const std::string& name) {
  if (name == "prompt") return request.prompt;
  if (name == "seed") return request.seed;
  if (name == "width") return request.width;
  if (name == "height") return request.height;
  if (name == "batch_size" || name == "num_loras") return 1;
  if (name == "lora_name") return request.model_id;
  if (name == "lora_strength" || name == "lora_model_strength" || name == "lora_clip_strength") {
    return request.lora_strength;
  }
  return nullptr;  // unreachable: parse_workflow admits only the preview names
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
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const ParameterSpec& spec : parameter_table()) {
      names.emplace_back(spec.name);
    }
    names.emplace_back("model_name");
    return names;
  }();
  return kNames;
}

const std::vector<std::string>& preview_bindable_parameters() {
  static const std::vector<std::string> kNames = {"prompt",
                                                  "seed",
                                                  "width",
                                                  "height",
                                                  "batch_size",
                                                  "num_loras",
                                                  "lora_name",
                                                  "lora_strength",
                                                  "lora_model_strength",
                                                  "lora_clip_strength"};
  return kNames;
}

std::vector<Binding> default_bindings() {
  std::vector<Binding> out;
  for (const ParameterSpec& spec : parameter_table()) {
    if (spec.binding.empty()) continue;
    Binding binding{std::string(spec.name), {}};
    for (const std::string& target : spec.binding) {
      binding.targets.push_back(target_of(target));
    }
    out.push_back(std::move(binding));
  }
  out.push_back(Binding{"model_name", {target_of(std::string(kModelNameTarget))}});
  return out;
}

Result<WorkflowTemplate> parse_workflow(std::string name, std::string_view graph_json,
                                        std::string_view bindings_json,
                                        const std::vector<std::string>& names) {
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
  const std::vector<std::string>& known = names;
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
    // The template's own binding table is the parameter table's binding column.
    Result<WorkflowTemplate> parsed =
        parse_workflow("flux_actor_lora", kDefaultWorkflowJson, R"({"bindings": []})");
    ATR_CHECK(parsed.has_value(), "the built-in workflow must parse");
    parsed->bindings = default_bindings();
    return std::move(parsed).value();
  }();
  return kDefault;
}

const WorkflowTemplate& default_preview_workflow() {
  static const WorkflowTemplate kDefault = [] {
    const std::string table = R"({"bindings": [
      {"parameter": "prompt", "targets": [{"class_type": "CLIPTextEncode", "input": "text"}]},
      {"parameter": "seed", "targets": [{"class_type": "RandomNoise", "input": "noise_seed"}]},
      {"parameter": "width", "targets": [{"class_type": "EmptySD3LatentImage", "input": "width"}]},
      {"parameter": "height",
       "targets": [{"class_type": "EmptySD3LatentImage", "input": "height"}]},
      {"parameter": "batch_size",
       "targets": [{"class_type": "EmptySD3LatentImage", "input": "batch_size"}]},
      {"parameter": "num_loras", "targets": [{"class_type": "easy loraStack", "input": "num_loras"}]},
      {"parameter": "lora_name", "targets": [{"class_type": "easy loraStack", "input": "lora_1_name"}]},
      {"parameter": "lora_strength",
       "targets": [{"class_type": "easy loraStack", "input": "lora_1_strength"}]},
      {"parameter": "lora_model_strength",
       "targets": [{"class_type": "easy loraStack", "input": "lora_1_model_strength"}]},
      {"parameter": "lora_clip_strength",
       "targets": [{"class_type": "easy loraStack", "input": "lora_1_clip_strength"}]}
    ]})";
    Result<WorkflowTemplate> parsed =
        parse_workflow("flux_preview", kPreviewWorkflowJson, table, preview_bindable_parameters());
    ATR_CHECK(parsed.has_value(), "the built-in preview workflow must parse");
    return std::move(parsed).value();
  }();
  return kDefault;
}

Result<ordered_json> bind_workflow(const WorkflowTemplate& workflow,
                                   const TrainingRequest& request) {
  return bind_values(workflow,
                     [&](const std::string& name) { return parameter_value(request, name); });
}

Result<ordered_json> bind_preview(const WorkflowTemplate& workflow, const PreviewRequest& request) {
  return bind_values(workflow,
                     [&](const std::string& name) { return preview_value(request, name); });
}

Result<ordered_json> bind_values(const WorkflowTemplate& workflow, const BindingValue& values) {
  ordered_json graph = workflow.graph;
  for (const Binding& binding : workflow.bindings) {
    const ordered_json value = values(binding.parameter);
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
