#include "core/data_sync.h"

#include <map>

#include <gtest/gtest.h>

#include "support/fakes.h"

namespace atr {
namespace {

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
                image("bad.jpg", "", 5), image("notes.md", "", 3)};
  scan.files[3].status = FileStatus::Corrupt;
  scan.files[4].status = FileStatus::Ignored;
  scan.findings.push_back({Severity::Error, "corrupt", "bad.jpg", "is damaged"});
  const std::vector<StoredObject> remote = {
      {"p/a.jpg", "AAA", 10}, {"p/b.jpg", "old", 20}, {"p/gone.jpg", "zzz", 1}};
  testing::FakeBucket store;
  const SyncReport plan = plan_sync(a, scan, remote, "p/", store);
  EXPECT_EQ(plan.unchanged, 1);  // a.jpg: same MD5 (any case) and size
  ASSERT_EQ(plan.uploads.size(), 2u);
  EXPECT_EQ(plan.uploads[0].key, "p/b.jpg");
  EXPECT_EQ(plan.uploads[0].file, "data/actors/x/training_data/b.jpg");
  EXPECT_EQ(plan.uploads[1].key, "p/c.jpg");
  EXPECT_EQ(plan.upload_bytes, 50);
  EXPECT_EQ(plan.orphans, std::vector<std::string>{"p/gone.jpg"});
  ASSERT_EQ(plan.excluded.size(), 1u);
  EXPECT_EQ(plan.excluded[0], "bad.jpg: is damaged");
  EXPECT_EQ(plan.ignored, std::vector<std::string>{"notes.md"});
  EXPECT_EQ(plan.s3_urls,
            (std::vector<std::string>{"s3://b/p/a.jpg", "s3://b/p/b.jpg", "s3://b/p/c.jpg"}));
}

TEST(DataSyncTest, PresignsEveryUrlInOrderAndRefusesOtherBuckets) {
  const testing::FakeBucket store;
  Result<std::vector<std::string>> urls =
      presign_urls(store, {"s3://b/x/2.jpg", "s3://b/x/1.jpg"}, std::chrono::seconds(600));
  ASSERT_TRUE(urls);
  EXPECT_EQ(*urls, (std::vector<std::string>{"https://b.example/x/2.jpg?expires=600",
                                             "https://b.example/x/1.jpg?expires=600"}));
  Result<std::vector<std::string>> foreign =
      presign_urls(store, {"s3://b/x/1.jpg", "s3://other/x/2.jpg"}, std::chrono::seconds(600));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::FailedPrecondition);
  EXPECT_NE(foreign.error().message.find("s3://other/x/2.jpg"), std::string::npos);
}

class CountingRegistry final : public ActorRegistry {
 public:
  [[nodiscard]] std::shared_ptr<const ActorCatalog> catalog() const override { return nullptr; }
  Status reload() override { return Ok{}; }
  [[nodiscard]] Result<std::map<std::string, std::string>> text_fields(
      const Actor& /*actor*/, const std::vector<std::string>& /*names*/) const override {
    return std::map<std::string, std::string>{};
  }
  Status update(const std::vector<ActorPatch>& patches) override {
    writes.push_back(patches);
    return Ok{};
  }
  std::vector<std::vector<ActorPatch>> writes;
};

SyncReport pending_report(const std::string& actor, bool block_changed, bool md5s_changed) {
  SyncReport r;
  r.actor_id = actor;
  SyncReport::Pending p;
  p.folder = "data/actors/" + actor + "/training_data";
  if (block_changed) p.patch = ActorPatch{actor, TrainingDataRecord{{"s3://b/x"}, "f", 1, true}};
  p.md5s = {{"x", "md5-" + actor}};
  p.md5s_changed = md5s_changed;
  r.pending = p;
  return r;
}

TEST(DataSyncTest, CommitWritesEveryChangedBlockInOneRegistryWrite) {
  CountingRegistry registry;
  testing::FakeScanner scanner;
  SyncReport a = pending_report("a", true, true);
  SyncReport b = pending_report("b", false, false);  // a no-op re-sync
  SyncReport c = pending_report("c", true, true);
  ASSERT_TRUE(commit_syncs({&a, &b, &c}, registry, scanner));
  ASSERT_EQ(registry.writes.size(), 1u);
  ASSERT_EQ(registry.writes[0].size(), 2u);
  EXPECT_EQ(registry.writes[0][0].actor_ref, "a");
  EXPECT_EQ(registry.writes[0][1].actor_ref, "c");
  EXPECT_EQ(scanner.recorded.size(), 2u);
  EXPECT_EQ(scanner.recorded["data/actors/c/training_data"].at("x"), "md5-c");
  for (const SyncReport* r : {&a, &b, &c}) {
    EXPECT_TRUE(r->marked_synced) << r->actor_id;
    EXPECT_FALSE(r->pending) << r->actor_id;
  }

  // Nothing changed anywhere: nothing is written.
  SyncReport d = pending_report("d", false, false);
  ASSERT_TRUE(commit_syncs({&d}, registry, scanner));
  EXPECT_EQ(registry.writes.size(), 1u);
  EXPECT_TRUE(d.marked_synced);
}

// Actors named `names` (id = name); b's folder holds 1.jpg and 2.jpg, e's 3.jpg.
std::vector<Actor> actors_named(std::initializer_list<const char*> names,
                                testing::FakeScanner& scanner) {
  std::vector<Actor> actors;
  for (const char* name : names) {
    Actor actor;
    actor.id = name;
    actor.name = name;
    actors.push_back(actor);
  }
  scanner.by_folder["data/actors/b/training_data"] = {testing::scanned_image("1.jpg", "m1"),
                                                      testing::scanned_image("2.jpg", "m2")};
  scanner.by_folder["data/actors/e/training_data"] = {testing::scanned_image("3.jpg", "m3")};
  return actors;
}

// `data sync --all` on a registry where 2 of 6 actors have images: one listing call for just
// their 2 prefixes, one upload run holding both actors' files, one registry write, progress
// over files and bytes, outcomes in registry order.
TEST(DataSyncTest, SyncAllCostsWhatTheDataCostsNotWhatTheRegistryHolds) {
  testing::FakeScanner scanner;
  const ActorCatalog catalog(actors_named({"a", "b", "c", "d", "e", "f"}, scanner));
  testing::FakeBucket bucket;
  CountingRegistry registry;
  std::vector<SyncAllStatus> seen;
  Result<std::vector<SyncOutcome>> outcomes =
      sync_all(catalog, scanner, bucket, registry, DataCheckLimits{}, "actors/{actor}/{file}",
               SyncOptions{}, [&seen](const SyncAllStatus& s) { seen.push_back(s); });
  ASSERT_TRUE(outcomes) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 2u);
  EXPECT_EQ((*outcomes)[0].actor_id, "b");
  EXPECT_EQ((*outcomes)[1].actor_id, "e");
  ASSERT_EQ(bucket.listings.size(), 1u);
  EXPECT_EQ(bucket.listings[0], (std::vector<std::string>{"actors/b/", "actors/e/"}));
  ASSERT_EQ(bucket.puts.size(), 1u);
  EXPECT_EQ(bucket.puts[0],
            (std::vector<std::string>{"actors/b/1.jpg", "actors/b/2.jpg", "actors/e/3.jpg"}));
  ASSERT_EQ(registry.writes.size(), 1u);
  EXPECT_EQ(registry.writes[0].size(), 2u);
  for (const SyncOutcome& o : *outcomes) {
    ASSERT_TRUE(o.report) << o.actor_id;
    EXPECT_TRUE(o.report->marked_synced) << o.actor_id;
  }
  ASSERT_FALSE(seen.empty());
  const SyncAllStatus& last_upload = [&]() -> const SyncAllStatus& {
    for (auto it = seen.rbegin(); it != seen.rend(); ++it) {
      if (it->stage == "upload") return *it;
    }
    return seen.back();
  }();
  EXPECT_EQ(last_upload.stage, "upload");
  EXPECT_EQ(last_upload.files_done, 3u);
  EXPECT_EQ(last_upload.files_total, 3u);
  EXPECT_EQ(last_upload.bytes_done, 3000);
  EXPECT_EQ(last_upload.bytes_total, 3000);
  EXPECT_EQ(last_upload.actors, 2u);
  EXPECT_EQ(last_upload.scanned, 2u);
}

// A failed upload stays with its own actor: that actor is not recorded as synced, the others
// are, and the one registry write holds only theirs.
TEST(DataSyncTest, SyncAllKeepsAFailedUploadWithItsActor) {
  testing::FakeScanner scanner;
  const ActorCatalog catalog(actors_named({"b", "e"}, scanner));
  testing::FakeBucket bucket;
  bucket.failing_puts = {"actors/e/3.jpg"};
  CountingRegistry registry;
  Result<std::vector<SyncOutcome>> outcomes =
      sync_all(catalog, scanner, bucket, registry, DataCheckLimits{}, "actors/{actor}/{file}",
               SyncOptions{}, {});
  ASSERT_TRUE(outcomes) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 2u);
  const SyncOutcome& b = (*outcomes)[0];
  const SyncOutcome& e = (*outcomes)[1];
  ASSERT_TRUE(b.report && e.report);
  EXPECT_TRUE(b.report->failed.empty());
  EXPECT_TRUE(b.report->marked_synced);
  ASSERT_EQ(e.report->failed.size(), 1u);
  EXPECT_EQ(e.report->failed[0], "actors/e/3.jpg: upload refused");
  EXPECT_FALSE(e.report->marked_synced);
  ASSERT_EQ(registry.writes.size(), 1u);
  ASSERT_EQ(registry.writes[0].size(), 1u);
  EXPECT_EQ(registry.writes[0][0].actor_ref, "b");
}

}  // namespace
}  // namespace atr
