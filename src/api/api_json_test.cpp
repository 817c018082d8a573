#include "api/api_json.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

using nlohmann::ordered_json;

TEST(ActorJsonTest, TheKeyIsAlwaysTextAndTheRegistryIdIsKeptAsInTheFile) {
  Actor numeric;
  numeric.id = "7";
  numeric.id_is_number = true;
  numeric.name = "0007_asian_31_female";
  EXPECT_EQ(actor_to_json(numeric, {})["id"], "7");
  EXPECT_EQ(actor_to_json(numeric, {})["registry_id"], 7);
  Actor padded;
  padded.id = "0006";
  EXPECT_EQ(actor_to_json(padded, {})["id"], "0006");
  EXPECT_EQ(actor_to_json(padded, {})["registry_id"], "0006");
  Actor none;
  none.name = "nameless_actor";
  EXPECT_EQ(actor_to_json(none, {})["id"], "nameless_actor");
  EXPECT_TRUE(actor_to_json(none, {})["registry_id"].is_null());
  Actor huge;  // beyond 64 bits: the digits stay text rather than lose precision
  huge.id = "123456789012345678901234567890";
  huge.id_is_number = true;
  EXPECT_EQ(actor_to_json(huge, {})["registry_id"], "123456789012345678901234567890");
}

TEST(ActorJsonTest, ListItemCarriesTheDocumentedFields) {
  Actor a;
  a.id = "0006";
  a.name = "n";
  a.training_data = TrainingDataRecord{{"s3://b/x.jpg"}, "p", 1, true};
  a.validated_model = ValidatedModel{"job", "V2", "https://l", "2026-11-28T10:00:00Z"};
  a.good = true;
  ActorView view;
  view.data = DataSummary{SyncState::Synced, 1, 0, 0, 100, 1, true};
  const ordered_json item = actor_to_json(a, view);
  std::vector<std::string> keys;
  for (const auto& [key, value] : item.items()) {
    keys.push_back(key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "registry_id", "name", "sex", "ethnicity", "age",
                                            "description", "poster_url", "training_data", "good",
                                            "validated_lora_model", "latest_version"}));
  EXPECT_EQ(item["training_data"],
            ordered_json({{"count", 1},
                          {"excluded", 0},
                          {"ignored", 0},
                          {"recorded", 1},
                          {"synced", true},
                          {"state", "synced"},
                          {"location", "local"},
                          {"faces", {{"one", 0}, {"none", 0}, {"several", 0}}},
                          {"quality_findings", 0}}));
  EXPECT_EQ(item["validated_lora_model"]["version_name"], "V2");
  EXPECT_TRUE(item["latest_version"].is_null());
}

TEST(ActorJsonTest, ViewAddsPosterDataStateAndLatestVersion) {
  Actor a;
  a.id = "0006";
  a.name = "n";
  a.poster_url = "https://cdn.example/p.webp";
  ActorView view;
  view.poster_url = "/api/actors/0006/poster";
  view.data.state = SyncState::NotSynced;
  view.data.usable = 4;
  view.data.excluded = 1;
  view.data.ignored = 2;
  view.data.faces_one = 3;
  view.data.faces_none = 1;
  view.data.faces_several = 1;
  view.data.quality_findings = 4;
  view.latest_version = std::make_pair(std::string("V3"), VersionStatus::Training);
  const ordered_json item = actor_to_json(a, view);
  EXPECT_EQ(item["poster_url"], "/api/actors/0006/poster");
  EXPECT_EQ(item["training_data"],
            ordered_json({{"count", 4},
                          {"excluded", 1},
                          {"ignored", 2},
                          {"recorded", 0},
                          {"synced", false},
                          {"state", "not_synced"},
                          {"location", "local"},
                          {"faces", {{"one", 3}, {"none", 1}, {"several", 1}}},
                          {"quality_findings", 4}}));
  EXPECT_EQ(item["latest_version"], ordered_json({{"name", "V3"}, {"status", "training"}}));
  // An empty view: the record's remote poster and no data.
  const ordered_json plain = actor_to_json(a, {});
  EXPECT_EQ(plain["poster_url"], "https://cdn.example/p.webp");
  EXPECT_EQ(plain["training_data"]["state"], "no_data");
}

TEST(ActorListJsonTest, HasTotalItemsAndFacets) {
  Actor a;
  a.id = "1";
  a.sex = "male";
  a.ethnicity = "asian";
  const ActorCatalog catalog({a});
  const ordered_json list =
      actor_list_to_json(catalog, catalog.search(ActorQuery{}, recorded_data), {});
  EXPECT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["facets"]["sex"]["male"], 1);
  EXPECT_EQ(list["facets"]["ethnicity"]["asian"], 1);
  EXPECT_EQ(list["facets"]["has_data"], 0);
  EXPECT_EQ(list["facets"]["has_model"], 0);
}

TEST(PlanJsonTest, UsesTheProductParameterNames) {
  TrainingPlan plan;
  plan.image_count = 12;
  plan.validation = {FieldError{"learning_rate", "must be greater than 0 and at most 0.01"}};
  const ordered_json doc = plan_to_json(plan);
  std::vector<std::string> names;
  for (const auto& [key, value] : doc["parameters"].items()) {
    names.push_back(key);
  }
  std::vector<std::string> table;
  for (const ParameterSpec& spec : parameter_table()) {
    table.emplace_back(spec.name);
  }
  EXPECT_EQ(names, table);  // every row, in the table's order
  // PRODUCT.md §2.3's names are on the wire as they are written there.
  for (const char* product_name :
       {"max_train_steps", "learning_rate", "network_dim", "network_alpha", "num_repeats",
        "flip_aug", "batch_size", "lr_scheduler", "lr_warmup_steps", "optimizer_type",
        "gradient_dtype", "resolution", "class_tokens"}) {
    EXPECT_TRUE(doc["parameters"].contains(product_name)) << product_name;
  }
  EXPECT_EQ(doc["image_count"], 12);
  EXPECT_EQ(doc["validation"][0]["field"], "learning_rate");
  EXPECT_TRUE(doc["estimate"].contains("cost_usd"));
}

TEST(VersionJsonTest, SaysTheTtlSentAndAStallWithWhatIsKnown) {
  Version v;
  v.name = "V2";
  ordered_json quiet = version_to_json(v);
  EXPECT_TRUE(quiet["job_ttl_seconds"].is_null());
  EXPECT_TRUE(quiet["stalled"].is_null());
  v.job_ttl_ms = 21'600'000;
  v.stall_note = "stalled: V2 reached its last step";
  ordered_json stalled = version_to_json(v);
  EXPECT_EQ(stalled["job_ttl_seconds"], 21600);
  EXPECT_EQ(stalled["stalled"], "stalled: V2 reached its last step");
}

TEST(ErrorJsonTest, HasCodeAndMessage) {
  EXPECT_EQ(error_to_json(Error{ErrorCode::Conflict, "x"}).dump(),
            R"({"error":{"code":"conflict","message":"x"}})");
}

}  // namespace
}  // namespace atr
