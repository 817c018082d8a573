#include "registry/manifest_json.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

// Shortened from a studio manifest: the blocks we do not own are kept to show they are read
// past, not understood.
constexpr const char* kManifest = R"json({
  "character_id": "0006",
  "character_name": "0006_european_20_female",
  "metadata": {"sex": "female", "created": "2025-02-01T10:00:00"},
  "base_images": [{"filename": "base.png"}],
  "training_data": [
    {"filename": "img_101.jpg", "local_path": "data/actors/0006_european_20_female/training_data/img_101.jpg",
     "size_bytes": 812345, "md5_hash": "0123456789ABCDEF0123456789abcdef",
     "modified_date": "2025-03-01T12:00:00.123456",
     "s3_url": "https://story-boards-assets.s3.us-west-1.amazonaws.com/system_actors/training_data/0006_european_20_female/img_101.jpg",
     "status": "synced"},
    {"filename": "img_102.jpg", "local_path": "data/actors/0006_european_20_female/training_data/img_102.jpg",
     "size_bytes": 700000, "md5_hash": "fedcba9876543210fedcba9876543210",
     "modified_date": "2025-03-01T12:00:00", "s3_url": null, "status": "local_only"},
    {"filename": "img_103.jpg", "s3_url": "https://example.com/not-s3.jpg", "status": "synced"},
    "junk"
  ],
  "statistics": {"training_images_count": 3, "training_synced_count": 2, "training_local_only_count": 1},
  "custom_lora_models": [
    {"filename": "actor_6_V6.safetensors", "version": "V6",
     "s3_url": "https://story-boards-assets.s3.us-west-1.amazonaws.com/actor_maker_user/custom-actors/models/actor_6_V6.safetensors",
     "s3_accelerated_url": "https://story-boards-assets.s3-accelerate.amazonaws.com/actor_maker_user/custom-actors/models/actor_6_V6.safetensors",
     "size_bytes": 171969512, "md5_hash": "3f0e5b1c9d8a7e6f5a4b3c2d1e0f9a8b-19",
     "last_modified": "2025-04-02T08:30:00+00:00", "created_date": "2025-04-02T08:00:00+00:00",
     "format": "safetensors"},
    {"filename": "actor_6_V7.safetensors", "version": "V7",
     "s3_url": "https://story-boards-assets.s3.us-west-1.amazonaws.com/actor_maker_user/custom-actors/models/actor_6_V7.safetensors",
     "size_bytes": 171969512, "last_modified": "2025-05-02T08:30:00Z", "format": "safetensors",
     "good": true},
    {"filename": "actor_6_V8.safetensors", "s3_url": null}
  ],
  "training_data_good": true,
  "lora_model": {"url": "whatever"},
  "poster_frames": {}
})json";

TEST(ManifestJson, ReadsTheStudioFormat) {
  Result<ActorManifest> m = parse_manifest(kManifest, "data/actor_manifests/0006_manifest.json");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->character_id, "0006");
  EXPECT_EQ(m->character_name, "0006_european_20_female");
  ASSERT_EQ(m->images.size(), 3U);
  EXPECT_EQ(m->images[0].s3_url,
            "s3://story-boards-assets/system_actors/training_data/0006_european_20_female/"
            "img_101.jpg");
  EXPECT_EQ(m->images[0].md5, "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(m->images[0].synced);
  EXPECT_EQ(m->images[0].size_bytes, 812345);
  EXPECT_FALSE(m->images[1].synced);
  EXPECT_TRUE(m->images[1].s3_url.empty());
  EXPECT_FALSE(m->images[2].synced) << "a URL that is not S3's is not a synced copy";
  ASSERT_EQ(m->problems.size(), 2U);
  EXPECT_NE(m->problems[0].find("img_103.jpg): s3_url https://example.com/not-s3.jpg is not an S3"),
            std::string::npos)
      << m->problems[0];
  EXPECT_EQ(m->problems[1], "training_data[3] is not an object");
  ASSERT_EQ(m->models.size(), 3U);
  EXPECT_EQ(m->models[0].number, 6);
  EXPECT_EQ(m->models[0].md5, "3f0e5b1c9d8a7e6f5a4b3c2d1e0f9a8b-19");
  EXPECT_EQ(m->models[0].created_at, 1'743'580'800'000);
  EXPECT_EQ(m->models[0].modified_at, 1'743'582'600'000);
  EXPECT_FALSE(m->models[0].good);
  EXPECT_TRUE(m->models[1].good);
  EXPECT_EQ(m->models[2].number, 8) << "the number read from the file name";
  EXPECT_TRUE(m->models[2].lora_url.empty());
  EXPECT_EQ(m->training_data_good, true);
}

TEST(ManifestJson, RefusesWhatIsNotAManifestWithItsPosition) {
  Result<ActorManifest> m = parse_manifest("{\n  \"character_id\": \"0006\",,\n}", "m.json");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("m.json: malformed JSON at line 2"), std::string::npos)
      << m.error().message;
  m = parse_manifest("[1]", "m.json");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "m.json: expected a JSON object at line 1, column 1");
}

}  // namespace
}  // namespace atr
