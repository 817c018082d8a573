#include "runpod/workflow.h"

#include <gtest/gtest.h>

#include "runpod/run_request.h"

namespace atr {
namespace {

using nlohmann::ordered_json;

TrainingRequest workflow_request() {
  TrainingRequest r;
  r.actor_id = "0006";
  r.version_name = "V8";
  r.model_name = "actor_0006_V8";
  r.request_id = "0006_1764321000000";
  r.parameters.class_tokens = "0006_european_20_female";
  r.parameters.learning_rate = 0.0003;
  r.parameters.max_train_steps = 2400;
  r.parameters.num_repeats = 12;
  r.parameters.lr_warmup_steps = 240;
  r.parameters.resolution = 768;
  r.parameters.flip_aug = true;
  r.s3_urls = {"s3://b/a.jpg", "s3://b/b.jpg"};
  return r;
}

const ordered_json& node_of(const ordered_json& graph, const std::string& class_type) {
  for (const auto& [id, node] : graph.items()) {
    if (node["class_type"] == class_type) return node;
  }
  throw std::runtime_error("no node " + class_type);
}

TEST(BindWorkflowTest, DefaultTemplateReceivesEveryParameter) {
  Result<ordered_json> graph = bind_workflow(default_workflow(), workflow_request());
  ASSERT_TRUE(graph) << graph.error().message;
  const ordered_json& init = node_of(*graph, "InitFluxLoRATraining")["inputs"];
  EXPECT_EQ(init["learning_rate"], 0.0003);
  EXPECT_EQ(init["max_train_steps"], 2400);
  EXPECT_EQ(init["network_dim"], 8);
  EXPECT_EQ(init["network_alpha"], 8);
  EXPECT_EQ(init["gradient_dtype"], "bf16");
  EXPECT_EQ(init["output_name"], "actor_0006_V8");
  EXPECT_EQ(init["dataset"], ordered_json::array({"3", 0}));  // links stay links
  EXPECT_EQ(node_of(*graph, "FluxTrainLoop")["inputs"]["steps"], 2400);
  const ordered_json& dataset = node_of(*graph, "TrainDatasetAdd")["inputs"];
  EXPECT_EQ(dataset["num_repeats"], 12);
  EXPECT_EQ(dataset["class_tokens"], "0006_european_20_female");
  EXPECT_EQ(dataset["batch_size"], 1);
  EXPECT_EQ(dataset["width"], 768);
  EXPECT_EQ(dataset["height"], 768);
  EXPECT_EQ(node_of(*graph, "TrainDatasetGeneralConfig")["inputs"]["flip_aug"], true);
  const ordered_json& optimizer = node_of(*graph, "OptimizerConfig")["inputs"];
  EXPECT_EQ(optimizer["optimizer_type"], "adamw8bit");
  EXPECT_EQ(optimizer["lr_scheduler"], "cosine");
  EXPECT_EQ(optimizer["lr_warmup_steps"], 240);
}

TEST(BindWorkflowTest, EveryProductParameterHasABindingInTheDefaultTable) {
  std::set<std::string> bound;
  for (const Binding& b : default_workflow().bindings) {
    bound.insert(b.parameter);
  }
  for (const std::string& name : bindable_parameters()) {
    EXPECT_EQ(bound.count(name), 1u) << name;
  }
}

TEST(BindWorkflowTest, ABindingThatMatchesNothingIsAnError) {
  const std::string graph =
      R"({"5": {"class_type": "InitFluxLoRATraining", "inputs": {"learning_rate": 1, "dataset": ["3", 0]}}})";
  struct Row {
    const char* name;
    const char* table;
    const char* says;
  };
  const Row rows[] = {
      {"unknown class",
       R"({"bindings": [{"parameter": "learning_rate", "targets": [{"class_type": "Nope", "input": "learning_rate"}]}]})",
       "matches no node"},
      {"unknown node id",
       R"({"bindings": [{"parameter": "learning_rate", "targets": [{"node_id": "9", "input": "learning_rate"}]}]})",
       "matches no node"},
      {"missing input",
       R"({"bindings": [{"parameter": "learning_rate", "targets": [{"class_type": "InitFluxLoRATraining", "input": "lr"}]}]})",
       "has no input 'lr'"},
      {"input is a link",
       R"({"bindings": [{"parameter": "num_repeats", "targets": [{"node_id": "5", "input": "dataset"}]}]})",
       "is a link"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    Result<WorkflowTemplate> workflow = parse_workflow("t", graph, row.table);
    ASSERT_TRUE(workflow) << workflow.error().message;
    Result<ordered_json> bound = bind_workflow(*workflow, workflow_request());
    ASSERT_FALSE(bound);
    EXPECT_EQ(bound.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(bound.error().message.find(row.says), std::string::npos) << bound.error().message;
  }
  Result<WorkflowTemplate> by_id = parse_workflow(
      "t", graph,
      R"({"bindings": [{"parameter": "learning_rate", "targets": [{"node_id": "5", "input": "learning_rate"}]}]})");
  ASSERT_TRUE(by_id);
  EXPECT_EQ((*bind_workflow(*by_id, workflow_request()))["5"]["inputs"]["learning_rate"], 0.0003);
}

TEST(ParseWorkflowTest, RejectsMalformedTemplatesAndTables) {
  const std::string good_graph = R"({"1": {"class_type": "X", "inputs": {}}})";
  const std::string good_table = R"({"bindings": []})";
  EXPECT_FALSE(parse_workflow("t", "{", good_table));
  EXPECT_FALSE(parse_workflow("t", "[]", good_table));
  EXPECT_FALSE(parse_workflow("t", R"({"1": {"inputs": {}}})", good_table));  // UI format, not API
  EXPECT_FALSE(parse_workflow("t", good_graph, "{}"));
  EXPECT_FALSE(parse_workflow(
      "t", good_graph,
      R"({"bindings": [{"parameter": "lr", "targets": [{"class_type": "X", "input": "a"}]}]})"));
  EXPECT_FALSE(parse_workflow(
      "t", good_graph,
      R"({"bindings": [{"parameter": "learning_rate", "targets": [{"input": "a"}]}]})"));
  EXPECT_FALSE(parse_workflow("t", good_graph,
                              R"({"bindings": [{"parameter": "learning_rate", "targets": []}]})"));
  EXPECT_TRUE(parse_workflow("t", good_graph, good_table));
}

TEST(RunBodyTest, HasTheShapeRunPodWorkersExpect) {
  TrainingRequest request = workflow_request();
  request.webhook_url = "https://hooks.example.com/api/training-webhook/tok";
  Result<ordered_json> body = build_run_body(request, default_workflow());
  ASSERT_TRUE(body) << body.error().message;
  std::vector<std::string> top;
  for (const auto& [key, value] : body->items()) {
    top.push_back(key);
  }
  EXPECT_EQ(top, (std::vector<std::string>{"input", "webhook"}));
  const ordered_json& input = (*body)["input"];
  EXPECT_TRUE(input["workflow"].is_object());
  EXPECT_EQ(input["training_data"], ordered_json({{"s3_urls", {"s3://b/a.jpg", "s3://b/b.jpg"}}}));
  EXPECT_EQ(
      input["training_config"].dump(),
      R"({"mode":"custom-actors","user_id":"actor_maker_user","tenant_id":"actor_maker",)"
      R"("request_id":"0006_1764321000000","model_name":"actor_0006_V8","learning_rate":0.0003,)"
      R"("max_train_steps":2400})");
  EXPECT_EQ((*body)["webhook"], "https://hooks.example.com/api/training-webhook/tok");

  request.webhook_url.reset();
  Result<ordered_json> polled = build_run_body(request, default_workflow());
  ASSERT_TRUE(polled);
  EXPECT_FALSE(polled->contains("webhook"));

  request.presigned_urls = {"https://b.example/a.jpg?X-Amz-Signature=1",
                            "https://b.example/b.jpg?X-Amz-Signature=2"};
  Result<ordered_json> presigned = build_run_body(request, default_workflow());
  ASSERT_TRUE(presigned);
  EXPECT_EQ((*presigned)["input"]["training_data"]["presigned_urls"],
            ordered_json(request.presigned_urls));

  // The lifespan goes as RunPod's policy.ttl, in milliseconds.
  request.ttl_ms = 21'600'000;
  Result<ordered_json> with_ttl = build_run_body(request, default_workflow());
  ASSERT_TRUE(with_ttl);
  EXPECT_EQ((*with_ttl)["policy"], ordered_json({{"ttl", 21'600'000}}));
}

TEST(PreviewWorkflowTest, TheBuiltInGraphTakesThePromptSeedSizeAndTheLora) {
  PreviewRequest r;
  r.model_id = "actor_0006_V7.safetensors";
  r.lora_url = "https://models.example/actor_0006_V7.safetensors";
  r.prompt = "actor_0006, close-up portrait photo";
  r.seed = 98765;
  r.width = 768;
  r.height = 512;
  r.lora_strength = 0.8;
  r.webhook_url = "https://h/api/preview-webhook/t";
  Result<ordered_json> body = build_preview_body(r, default_preview_workflow());
  ASSERT_TRUE(body) << body.error().message;
  const ordered_json& graph = (*body)["input"]["workflow"];
  EXPECT_EQ(node_of(graph, "CLIPTextEncode")["inputs"]["text"], r.prompt);
  EXPECT_EQ(node_of(graph, "RandomNoise")["inputs"]["noise_seed"], 98765);
  EXPECT_EQ(node_of(graph, "EmptySD3LatentImage")["inputs"]["width"], 768);
  EXPECT_EQ(node_of(graph, "EmptySD3LatentImage")["inputs"]["height"], 512);
  const ordered_json& stack = node_of(graph, "easy loraStack")["inputs"];
  EXPECT_EQ(stack["num_loras"], 1);
  EXPECT_EQ(stack["lora_1_name"], r.model_id);
  EXPECT_EQ(stack["lora_1_model_strength"], 0.8);
  EXPECT_EQ(stack["lora_2_name"], "None");
  // Links between nodes are left alone.
  EXPECT_EQ(node_of(graph, "easy loraStackApply")["inputs"]["lora_stack"], ordered_json({"4", 0}));
  EXPECT_EQ((*body)["input"]["model_urls"],
            ordered_json::parse(R"([{"id": "actor_0006_V7.safetensors",
                                     "url": "https://models.example/actor_0006_V7.safetensors"}])"));
  EXPECT_EQ((*body)["input"]["force_download"], false);
  EXPECT_EQ((*body)["webhook"], "https://h/api/preview-webhook/t");
}

TEST(PreviewWorkflowTest, AWorkspaceGraphWithoutTheBoundNodeIsRefusedNamingTheBinding) {
  Result<WorkflowTemplate> parsed =
      parse_workflow("mine", R"({"1": {"class_type": "CLIPTextEncode", "inputs": {"text": ""}}})",
                     R"({"bindings": [{"parameter": "seed",
                        "targets": [{"class_type": "KSampler", "input": "seed"}]}]})",
                     preview_bindable_parameters());
  ASSERT_TRUE(parsed) << parsed.error().message;
  Result<ordered_json> bound = bind_preview(*parsed, PreviewRequest{});
  ASSERT_FALSE(bound);
  EXPECT_NE(bound.error().message.find("seed -> KSampler.seed matches no node"), std::string::npos)
      << bound.error().message;
  // A training parameter is not a preview binding.
  EXPECT_FALSE(parse_workflow("mine", R"({"1": {"class_type": "X", "inputs": {"a": 1}}})",
                              R"({"bindings": [{"parameter": "learning_rate",
                                                "targets": [{"class_type": "X", "input": "a"}]}]})",
                              preview_bindable_parameters()));
}

}  // namespace
}  // namespace atr
