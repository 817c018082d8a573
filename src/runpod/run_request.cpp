#include "runpod/run_request.h"

namespace atr {

Result<nlohmann::ordered_json> build_run_body(const TrainingRequest& request,
                                              const WorkflowTemplate& workflow) {
  Result<nlohmann::ordered_json> graph = bind_workflow(workflow, request);
  if (!graph) return graph.error().with_context("build /run body for " + request.model_name);
  nlohmann::ordered_json body;
  nlohmann::ordered_json& input = body["input"];
  input["workflow"] = std::move(graph).value();
  input["training_data"]["s3_urls"] = request.s3_urls;
  if (!request.presigned_urls.empty()) {
    input["training_data"]["presigned_urls"] = request.presigned_urls;
  }
  nlohmann::ordered_json& config = input["training_config"];
  config["mode"] = request.identity.mode;
  config["user_id"] = request.identity.user_id;
  config["tenant_id"] = request.identity.tenant_id;
  config["request_id"] = request.request_id;
  config["model_name"] = request.model_name;
  config["learning_rate"] = request.parameters.learning_rate;
  config["max_train_steps"] = request.parameters.max_train_steps;
  if (request.webhook_url) body["webhook"] = *request.webhook_url;
  if (request.ttl_ms) body["policy"]["ttl"] = *request.ttl_ms;
  return body;
}

Result<nlohmann::ordered_json> build_preview_body(const PreviewRequest& request,
                                                  const WorkflowTemplate& workflow) {
  Result<nlohmann::ordered_json> graph = bind_preview(workflow, request);
  if (!graph) return graph.error().with_context("build preview /run body for " + request.model_id);
  nlohmann::ordered_json body;
  nlohmann::ordered_json& input = body["input"];
  input["workflow"] = std::move(graph).value();
  input["model_urls"] =
      nlohmann::ordered_json::array({{{"id", request.model_id}, {"url", request.lora_url}}});
  input["force_download"] = false;
  if (request.webhook_url) body["webhook"] = *request.webhook_url;
  if (request.ttl_ms) body["policy"]["ttl"] = *request.ttl_ms;
  return body;
}

}  // namespace atr
