#include "core/training_data.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

ScannedFile image(std::string name, int w = 1024, int h = 1024, const std::string& md5 = "") {
  ScannedFile f;
  f.name = std::move(name);
  f.format = "jpeg";
  f.width = w;
  f.height = h;
  f.bytes = 1000;
  f.md5 = md5.empty() ? "md5-" + f.name : md5;
  return f;
}

ScannedFile bad(std::string name, FileStatus status) {
  ScannedFile f;
  f.name = std::move(name);
  f.status = status;
  f.detail = "x";
  return f;
}

std::vector<ScannedFile> images(int n) {
  std::vector<ScannedFile> files;
  files.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    files.push_back(image("img_" + std::to_string(100 + i) + ".jpg"));
  }
  return files;
}

bool has_finding(const TrainingDataReport& r, const std::string& code, Severity severity,
                 const std::string& file = "") {
  for (const Finding& f : r.findings) {
    if (f.code == code && f.severity == severity && (file.empty() || f.file == file)) return true;
  }
  return false;
}

TEST(CheckTrainingDataTest, FileProblemsAreErrorsAndNotCounted) {
  std::vector<ScannedFile> files = images(6);
  files.push_back(bad("broken.jpg", FileStatus::Corrupt));
  files.push_back(bad("anim.gif", FileStatus::Unsupported));
  files.push_back(bad("locked.png", FileStatus::Unreadable));
  files.push_back(bad("escape.jpg", FileStatus::OutsideWorkspace));
  TrainingDataReport r = check_training_data("f", files, std::nullopt);
  EXPECT_EQ(r.usable_count, 6);
  EXPECT_EQ(r.error_count(), 4);
  EXPECT_TRUE(has_finding(r, "corrupt", Severity::Error, "broken.jpg"));
  EXPECT_TRUE(has_finding(r, "unsupported_format", Severity::Error, "anim.gif"));
  EXPECT_TRUE(has_finding(r, "unreadable", Severity::Error, "locked.png"));
  EXPECT_TRUE(has_finding(r, "outside_workspace", Severity::Error, "escape.jpg"));
  EXPECT_EQ(r.findings.front().severity, Severity::Error);  // errors come first
}

TEST(CheckTrainingDataTest, WarnsAboutSmallImagesDuplicatesAndCounts) {
  std::vector<ScannedFile> files = images(5);
  files.push_back(image("small.jpg", 800, 511));
  files.push_back(image("edge.jpg", 512, 900));
  files.push_back(image("copy.jpg", 1024, 1024, "md5-img_100.jpg"));
  TrainingDataReport r = check_training_data("f", files, std::nullopt);
  EXPECT_TRUE(has_finding(r, "small_image", Severity::Warning, "small.jpg"));
  EXPECT_FALSE(has_finding(r, "small_image", Severity::Warning, "edge.jpg"));
  EXPECT_TRUE(has_finding(r, "duplicate", Severity::Warning));
  EXPECT_EQ(r.error_count(), 0);

  EXPECT_TRUE(has_finding(check_training_data("f", images(4), std::nullopt), "too_few_images",
                          Severity::Warning));
  EXPECT_FALSE(has_finding(check_training_data("f", images(5), std::nullopt), "too_few_images",
                           Severity::Warning));
  EXPECT_FALSE(has_finding(check_training_data("f", images(150), std::nullopt), "too_many_images",
                           Severity::Warning));
  EXPECT_TRUE(has_finding(check_training_data("f", images(151), std::nullopt), "too_many_images",
                          Severity::Warning));
  EXPECT_TRUE(
      has_finding(check_training_data("f", {}, std::nullopt), "no_images", Severity::Error));
}

TEST(CheckTrainingDataTest, SummarizesFormatsBytesAndCaptions) {
  std::vector<ScannedFile> files = images(2);
  files[0].has_caption = true;
  files.push_back(image("c.png"));
  files.back().format = "png";
  TrainingDataReport r = check_training_data("f", files, std::nullopt);
  EXPECT_EQ(r.usable_bytes, 3000u);
  EXPECT_EQ(r.captions, 1);
  EXPECT_EQ(r.formats["jpeg"], 2);
  EXPECT_EQ(r.formats["png"], 1);
}

TEST(SyncStateTest, ComparesRecordedUrlsWithLocalNames) {
  TrainingDataRecord record{
      {"s3://b/actors/a/training_data/x.jpg", "s3://b/actors/a/training_data/y.jpg"},
      "data/actors/a/training_data",
      2,
      true};
  struct Row {
    const char* name;
    std::optional<TrainingDataRecord> record;
    std::vector<std::string> local;
    SyncState expected;
    bool changed = false;
  };
  TrainingDataRecord unsynced = record;
  unsynced.synced = false;
  const Row rows[] = {
      {"no local images", record, {}, SyncState::NoData},
      {"no record", std::nullopt, {"x.jpg"}, SyncState::NotSynced},
      {"record says not synced", unsynced, {"x.jpg", "y.jpg"}, SyncState::NotSynced},
      {"same names", record, {"y.jpg", "x.jpg"}, SyncState::Synced},
      {"file added locally", record, {"x.jpg", "y.jpg", "z.jpg"}, SyncState::OutOfSync},
      {"file removed locally", record, {"x.jpg"}, SyncState::OutOfSync},
      {"same names, content changed", record, {"x.jpg", "y.jpg"}, SyncState::OutOfSync, true},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(compute_sync_state(row.record, row.local, row.changed), row.expected) << row.name;
  }
}

TEST(TrainingDataTest, DataRecordedInS3WithoutALocalCopyIsSyncedAndTrainsFromS3) {
  TrainingDataRecord record;
  record.s3_urls = {"s3://b/k/a.jpg", "s3://b/k/b.jpg", "s3://b/k/c.jpg", "s3://b/k/d.jpg",
                    "s3://b/k/e.jpg"};
  record.count = 5;
  record.synced = true;
  const TrainingDataReport only = check_training_data("f", {}, record);
  EXPECT_TRUE(only.s3_only);
  EXPECT_EQ(only.sync, SyncState::Synced);
  EXPECT_EQ(only.training_images(), 5);
  EXPECT_FALSE(has_finding(only, "no_images", Severity::Error));
  const DataSummary summary = summarize(only, record);
  EXPECT_TRUE(summary.has_data());
  EXPECT_EQ(summary.training_images(), 5);
  EXPECT_EQ(summary.usable, 0) << "nothing local to sync";
  // A block that is not synced, or a folder whose only image is left out, is not S3-only.
  record.synced = false;
  EXPECT_FALSE(check_training_data("f", {}, record).s3_only);
  EXPECT_EQ(check_training_data("f", {}, record).sync, SyncState::NoData);
  record.synced = true;
  ScannedFile broken;
  broken.name = "a.jpg";
  broken.status = FileStatus::Corrupt;
  const TrainingDataReport left_out = check_training_data("f", {broken}, record);
  EXPECT_FALSE(left_out.s3_only);
  EXPECT_EQ(left_out.sync, SyncState::NoData);
}
}  // namespace
}  // namespace atr
