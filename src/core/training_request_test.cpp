#include "core/training_request.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

Actor synced_actor(std::string id) {
  Actor a;
  a.id = std::move(id);
  a.name = "0006_european_20_female";
  a.training_data = TrainingDataRecord{{"s3://b/k/b.jpg", "s3://b/k/a.jpg"}, "data/x", 2, true};
  return a;
}

TEST(NextVersionTest, FollowsTheHighestExistingNumber) {
  EXPECT_EQ(next_version_number({}), 1);
  EXPECT_EQ(next_version_number({"V1", "V7", "V3"}), 8);
  EXPECT_EQ(next_version_number({"V2", "draft", "V", "Vx"}), 3);
}

TEST(PrepareTrainingRequestTest, NamesUseTheIdAsWrittenInTheRegistry) {
  TrainingParameters params;
  params.class_tokens = "t";
  Result<TrainingRequest> padded = prepare_training_request(
      synced_actor("0006"), params, TrainingIdentity{}, 8, 1764321000000, std::nullopt);
  ASSERT_TRUE(padded) << padded.error().message;
  EXPECT_EQ(padded->model_name, "actor_0006_V8");
  EXPECT_EQ(padded->version_name, "V8");
  EXPECT_EQ(padded->request_id, "0006_1764321000000");
  EXPECT_EQ(padded->s3_urls, (std::vector<std::string>{"s3://b/k/a.jpg", "s3://b/k/b.jpg"}));
  EXPECT_EQ(padded->identity.mode, "custom-actors");
  EXPECT_EQ(padded->identity.user_id, "actor_maker_user");
  EXPECT_EQ(padded->identity.tenant_id, "actor_maker");
  Result<TrainingRequest> plain =
      prepare_training_request(synced_actor("6"), params, TrainingIdentity{}, 1, 5,
                               std::string("https://h/api/training-webhook/t"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->model_name, "actor_6_V1");
  EXPECT_EQ(plain->webhook_url, "https://h/api/training-webhook/t");
}

TEST(PrepareTrainingRequestTest, RefusesWhatCannotTrain) {
  TrainingParameters params;
  params.class_tokens = "t";
  struct Row {
    const char* name;
    void (*mutate)(Actor&, TrainingParameters&);
    ErrorCode code;
    const char* says;
  };
  const Row rows[] = {
      {"no id", [](Actor& a, TrainingParameters&) { a.id.clear(); }, ErrorCode::FailedPrecondition,
       "no id"},
      {"no data", [](Actor& a, TrainingParameters&) { a.training_data.reset(); },
       ErrorCode::FailedPrecondition, "no training data"},
      {"zero count", [](Actor& a, TrainingParameters&) { a.training_data->count = 0; },
       ErrorCode::FailedPrecondition, "no training data"},
      {"not synced", [](Actor& a, TrainingParameters&) { a.training_data->synced = false; },
       ErrorCode::FailedPrecondition, "not synced"},
      {"no urls", [](Actor& a, TrainingParameters&) { a.training_data->s3_urls.clear(); },
       ErrorCode::FailedPrecondition, "no s3_urls"},
      {"count mismatch", [](Actor& a, TrainingParameters&) { a.training_data->count = 3; },
       ErrorCode::FailedPrecondition, "lists 2 s3_urls"},
      {"bad params",
       [](Actor&, TrainingParameters& p) {
         p.learning_rate = 1;
         p.network_alpha = 99;
       },
       ErrorCode::InvalidArgument, "learning_rate must be"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    Actor actor = synced_actor("0006");
    TrainingParameters p = params;
    row.mutate(actor, p);
    Result<TrainingRequest> r =
        prepare_training_request(actor, p, TrainingIdentity{}, 1, 1, std::nullopt);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, row.code);
    EXPECT_NE(r.error().message.find(row.says), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace atr
