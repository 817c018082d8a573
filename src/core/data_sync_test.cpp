#include "core/data_sync.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

class UrlOnlyStore final : public ObjectStore {
 public:
  [[nodiscard]] std::string url_of(const std::string& key) const override {
    return "s3://b/" + key;
  }
  Result<std::vector<StoredObject>> list(const std::string& /*prefix*/) override {
    return std::vector<StoredObject>{};
  }
  std::vector<Status> put_all(const std::vector<PutItem>& /*items*/, int /*concurrency*/,
                              const PutDone& /*done*/) override {
    return {};
  }
  Status remove(const std::string& /*key*/) override { return Ok{}; }
  Result<StoredObject> head(const std::string& /*key*/) override {
    return Error{ErrorCode::NotFound, "none"};
  }
};

ScannedFile image(const std::string& name, const std::string& md5, std::uint64_t bytes) {
  ScannedFile f;
  f.name = name;
  f.md5 = md5;
  f.bytes = bytes;
  return f;
}

TEST(DataSyncTest, KeyPrefixFollowsTheLayoutAndRefusesUnsafeNames) {
  Actor a;
  a.id = "0006";
  a.name = "0006_x";
  EXPECT_EQ(*key_prefix("actors/{actor}/training_data/{file}", a), "actors/0006_x/training_data/");
  EXPECT_EQ(*key_prefix("{actor}-{file}", a), "0006_x-");
  EXPECT_FALSE(key_prefix("actors/{actor}/", a));
  a.name = "../x";
  EXPECT_FALSE(key_prefix("actors/{actor}/{file}", a));
}

TEST(DataSyncTest, PlanUploadsNewAndChangedSkipsSameAndFindsOrphans) {
  Actor a;
  a.id = "0006";
  TrainingDataReport scan;
  scan.folder = "data/actors/x/training_data";
  scan.files = {image("a.jpg", "aaa", 10), image("b.jpg", "bbb", 20), image("c.jpg", "ccc", 30),
                image("bad.jpg", "", 5)};
  scan.files[3].status = FileStatus::Corrupt;
  scan.findings.push_back({Severity::Error, "corrupt", "bad.jpg", "is damaged"});
  const std::vector<StoredObject> remote = {
      {"p/a.jpg", "AAA", 10}, {"p/b.jpg", "old", 20}, {"p/gone.jpg", "zzz", 1}};
  UrlOnlyStore store;
  const SyncReport plan = plan_sync(a, scan, remote, "p/", store);
  EXPECT_EQ(plan.unchanged, 1);  // a.jpg: same MD5 (any case) and size
  ASSERT_EQ(plan.uploads.size(), 2u);
  EXPECT_EQ(plan.uploads[0].key, "p/b.jpg");
  EXPECT_EQ(plan.uploads[0].file, "data/actors/x/training_data/b.jpg");
  EXPECT_EQ(plan.uploads[1].key, "p/c.jpg");
  EXPECT_EQ(plan.upload_bytes, 50);
  EXPECT_EQ(plan.orphans, std::vector<std::string>{"p/gone.jpg"});
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_EQ(plan.refused[0], "bad.jpg: is damaged");
  EXPECT_EQ(plan.s3_urls,
            (std::vector<std::string>{"s3://b/p/a.jpg", "s3://b/p/b.jpg", "s3://b/p/c.jpg"}));
}

}  // namespace
}  // namespace atr
