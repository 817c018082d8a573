#include "core/previews.h"

#include <set>

#include <gtest/gtest.h>

namespace atr {
namespace {

Version completed_version() {
  Version v;
  v.id = 7;
  v.actor_id = "6";
  v.name = "V3";
  v.model_name = "actor_6_V3";
  v.parameters.class_tokens = "0006_european_20_female";
  v.status = VersionStatus::Completed;
  v.lora_url = "https://models.example/loras/actor_6_V3.safetensors";
  return v;
}

TEST(FillPromptTest, FieldsAreFilledAndAClauseWithOnlyEmptyFieldsIsLeftOut) {
  const std::map<std::string, std::string> fields = {
      {"trigger", "actor_6"}, {"face_prompt", " freckles "}, {"outfit", ""}};
  EXPECT_EQ(fill_prompt("{trigger}, portrait, {face_prompt}, wearing {outfit}, soft light", fields),
            "actor_6, portrait, freckles, soft light");
  // A clause keeps its words when one of its fields is there; unknown fields are empty.
  EXPECT_EQ(fill_prompt("{trigger} in {nowhere}, plain", fields), "actor_6 in, plain");
  EXPECT_EQ(fill_prompt("no fields at all", fields), "no fields at all");
  EXPECT_EQ(fill_prompt("{outfit}", fields), "");
}

TEST(PlanPreviewsTest, EveryPromptWithEverySeedInOrderWithStableRequestIds) {
  PreviewSettings settings;
  settings.endpoint.endpoint_id = "ep-preview";
  settings.seeds = {11, 22};
  const std::vector<Preview> planned =
      plan_previews(completed_version(), settings, {{"outfit", "a grey coat"}}, 1'000);
  ASSERT_EQ(planned.size(), settings.prompts.size() * 2);
  std::set<std::string> ids;
  for (size_t i = 0; i < planned.size(); ++i) {
    const Preview& p = planned[i];
    EXPECT_EQ(p.prompt_index, static_cast<int>(i / 2));
    EXPECT_EQ(p.seed, i % 2 == 0 ? 11 : 22);
    EXPECT_EQ(p.version_id, 7);
    EXPECT_EQ(p.endpoint_id, "ep-preview");
    EXPECT_EQ(p.status, VersionStatus::Pending);
    EXPECT_EQ(p.prompt.rfind("0006_european_20_female", 0), 0U) << p.prompt;
    ids.insert(p.request_id);
  }
  EXPECT_EQ(ids.size(), planned.size());
  EXPECT_EQ(planned[0].request_id, "actor_6_V3_p0_s11");
  EXPECT_NE(planned[2].prompt.find("wearing a grey coat"), std::string::npos) << planned[2].prompt;
}

TEST(ApplyPreviewReportTest, ACompletedJobIsPricedAndALateReportChangesNothing) {
  Preview p;
  p.job_id = "job-1";
  p.submit_state = SubmitState::Accepted;
  p.status = VersionStatus::Queued;
  JobReport done;
  done.job_id = "job-1";
  done.event = LifecycleEvent::ReportedCompleted;
  done.execution_ms = 2'000;
  ASSERT_TRUE(apply_preview_report(p, done, 0.0005, 10));
  EXPECT_EQ(p.status, VersionStatus::Completed);
  ASSERT_TRUE(p.cost.has_value());
  EXPECT_DOUBLE_EQ(*p.cost, 0.001);
  EXPECT_EQ(p.finished_at, 10);
  JobReport late;
  late.event = LifecycleEvent::ReportedRunning;
  EXPECT_FALSE(apply_preview_report(p, late, 0.0005, 20));
  EXPECT_EQ(p.status, VersionStatus::Completed);
}

TEST(ContactSheetTest, RowsArePromptAndSeedPairsAndColumnsTheVersions) {
  auto preview = [](int prompt, std::int64_t seed, std::string image) {
    Preview p;
    p.prompt_index = prompt;
    p.prompt_label = "prompt " + std::to_string(prompt);
    p.seed = seed;
    if (!image.empty()) p.images = {std::move(image)};
    return p;
  };
  const ContactSheet sheet = contact_sheet(
      {{preview(1, 5, "b.png"), preview(0, 5, "a.png")}, {preview(0, 5, "")}}, {"V1", "V2"});
  ASSERT_EQ(sheet.row_titles.size(), 2U);
  EXPECT_EQ(sheet.row_titles[0], "prompt 0 · seed 5");
  EXPECT_EQ(sheet.cells, (std::vector<std::string>{"a.png", "", "b.png", ""}));
}

}  // namespace
}  // namespace atr
