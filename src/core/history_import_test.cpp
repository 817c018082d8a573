#include "core/history_import.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

constexpr UnixMs kNow = 1'764'321'000'000;

Actor actor(const std::string& id, const std::string& name) {
  Actor a;
  a.id = id;
  a.id_is_number = true;
  a.name = name;
  return a;
}

// Actor 6's manifest as the studio writes it: 23 images (19 in S3, 4 only local), V6 and V7.
ActorManifest manifest_of_six() {
  ActorManifest m;
  m.file = "data/actor_manifests/0006_manifest.json";
  m.character_id = "0006";
  m.character_name = "0006_european_20_female";
  for (int i = 1; i <= 23; ++i) {
    ManifestImage image;
    image.filename = "img_" + std::to_string(100 + i) + ".jpg";
    image.local_path = "data/actors/0006_european_20_female/training_data/" + image.filename;
    image.md5 = std::string(31, 'a') + static_cast<char>('a' + (i % 6));
    image.synced = i <= 19;
    if (image.synced) {
      image.s3_url =
          "s3://story-boards-assets/system_actors/training_data/0006_european_20_female/" +
          image.filename;
    }
    m.images.push_back(image);
  }
  for (int n : {7, 6}) {
    ManifestModel model;
    model.filename = "actor_6_V" + std::to_string(n) + ".safetensors";
    model.number = n;
    model.lora_url =
        "https://story-boards-assets.s3-accelerate.amazonaws.com/actor_maker_user/custom-actors/"
        "models/" +
        model.filename;
    model.size_bytes = 171'969'512;
    model.created_at = kNow - 86'400'000LL * (10 - n);
    model.modified_at = *model.created_at + 1000;
    model.good = n == 7;
    m.models.push_back(model);
  }
  m.training_data_good = true;
  return m;
}

std::string default_folder(const Actor& a) {
  return "data/actors/" + a.name + "/training_data";
}

ImportPlan plan(const ActorCatalog& catalog, const std::vector<ActorManifest>& manifests,
                const std::vector<Version>& known = {}) {
  return plan_import(
      catalog, manifests,
      [&](const std::string& key) {
        std::vector<Version> out;
        for (const Version& v : known) {
          if (v.actor_id == key) out.push_back(v);
        }
        return out;
      },
      default_folder, kNow);
}

TEST(HistoryImport, RecordsTheDataBlockTheVersionsAndTheValidatedModel) {
  const ActorCatalog catalog({actor("6", "0006_european_20_female")});
  const ImportPlan p = plan(catalog, {manifest_of_six()});
  ASSERT_EQ(p.actors.size(), 1U);
  const ActorImport& a = p.actors[0];
  EXPECT_EQ(a.actor, "6");
  ASSERT_TRUE(a.training_data);
  EXPECT_EQ(a.training_data->count, 19);
  EXPECT_EQ(a.training_data->s3_urls.size(), 19U);
  EXPECT_FALSE(a.training_data->synced) << "4 images are only local";
  EXPECT_EQ(a.training_data->local_path, "data/actors/0006_european_20_female/training_data");
  EXPECT_EQ(a.synced_md5s.size(), 19U);
  ASSERT_EQ(a.versions.size(), 2U);
  EXPECT_EQ(a.versions[0].name, "V6") << "oldest first";
  EXPECT_EQ(a.versions[1].model_name, "actor_6_V7");
  EXPECT_EQ(a.versions[1].actor_id, "6");
  EXPECT_TRUE(a.versions[1].imported);
  EXPECT_EQ(a.versions[1].status, VersionStatus::Completed);
  EXPECT_FALSE(a.versions[1].cost.has_value());
  EXPECT_EQ(a.versions[1].model_size_bytes, 171'969'512);
  EXPECT_EQ(a.good_number, 7);
  EXPECT_EQ(a.training_data_good, true);
  EXPECT_TRUE(a.changes());
  EXPECT_EQ(p.changing(), 1);
  EXPECT_NE(a.steps[0].what.find("19 images in S3, 4 only local"), std::string::npos)
      << a.steps[0].what;
}

TEST(HistoryImport, WhatIsAlreadyKnownIsLeftOutWithItsReason) {
  Actor six = actor("6", "0006_european_20_female");
  const ImportPlan first = plan(ActorCatalog({six}), {manifest_of_six()});
  six.training_data = first.actors[0].training_data;
  six.validated_model = ValidatedModel{"actor_6_V7", "V7", first.actors[0].versions[1].lora_url,
                                       "2026-01-01T00:00:00Z"};
  std::vector<Version> known = first.actors[0].versions;
  const ImportPlan again = plan(ActorCatalog({six}), {manifest_of_six()}, known);
  ASSERT_EQ(again.actors.size(), 1U);
  EXPECT_FALSE(again.actors[0].changes());
  EXPECT_EQ(again.changing(), 0);
  for (const ImportStep& step : again.actors[0].steps) {
    EXPECT_FALSE(step.applies) << step.what;
    EXPECT_TRUE(step.why == "already recorded" || step.why == "already known") << step.why;
  }
}

TEST(HistoryImport, NeverReplacesWhatActorsJsonOrTheStoreAlreadySay) {
  Actor six = actor("6", "0006_european_20_female");
  six.training_data = TrainingDataRecord{{"s3://b/x.jpg"}, "somewhere", 1, true};
  six.validated_model = ValidatedModel{"job", "V2", "s3://b/actor_6_V2.safetensors", "t"};
  Version ours;
  ours.actor_id = "6";
  ours.number = 7;
  ours.name = "V7";
  ours.model_name = "actor_6_V7_retrained";
  const ImportPlan p = plan(ActorCatalog({six}), {manifest_of_six()}, {ours});
  const ActorImport& a = p.actors[0];
  EXPECT_FALSE(a.training_data);
  EXPECT_TRUE(a.synced_md5s.empty());
  ASSERT_EQ(a.versions.size(), 1U);
  EXPECT_EQ(a.versions[0].name, "V6");
  EXPECT_FALSE(a.good_number);
  std::string reasons;
  for (const ImportStep& step : a.steps) {
    reasons += step.why + "\n";
  }
  EXPECT_NE(reasons.find("actors.json already records training data (1 image)"), std::string::npos)
      << reasons;
  EXPECT_NE(reasons.find("V7 is already actor_6_V7_retrained here"), std::string::npos) << reasons;
}

TEST(HistoryImport, ManifestsWithoutAMatchOrDataSayWhy) {
  ActorManifest stranger;
  stranger.file = "data/actor_manifests/0999_manifest.json";
  stranger.character_id = "0999";
  ActorManifest empty;
  empty.file = "data/actor_manifests/0002_manifest.json";
  empty.character_id = "0002";
  ActorManifest local_only = manifest_of_six();
  local_only.character_id = "0003";
  local_only.models.clear();
  for (ManifestImage& image : local_only.images) {
    image.synced = false;
    image.s3_url.clear();
  }
  const ImportPlan p =
      plan(ActorCatalog({actor("2", "two"), actor("3", "three")}), {stranger, empty, local_only});
  ASSERT_EQ(p.actors.size(), 3U);
  EXPECT_EQ(p.changing(), 0);
  EXPECT_EQ(p.actors[0].steps.at(0).why, "no actor with this id or name in actors.json");
  EXPECT_EQ(p.actors[1].steps.at(0).why, "the manifest lists no training images");
  EXPECT_EQ(p.actors[2].steps.at(0).why,
            "none of its 23 images is in S3; run `data sync 3` after the import");
}

TEST(HistoryImport, TheValidatedModelBlockIsWhatMarkGoodWrites) {
  Version v;
  v.name = "V7";
  v.model_name = "actor_6_V7";
  v.lora_url = "s3://b/actor_6_V7.safetensors";
  EXPECT_EQ(validated_model_of(v, kNow),
            (ValidatedModel{"actor_6_V7", "V7", v.lora_url, "2025-11-28T09:10:00Z"}));
  v.job_id = "job-1";
  EXPECT_EQ(validated_model_of(v, kNow).version_id, "job-1");
}

}  // namespace
}  // namespace atr
