#include "images/image_quality.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include <gtest/gtest.h>

#include "images/vips_scanner.h"
#include "support/photos.h"
#include "support/temp_dir.h"

namespace atr {
namespace {
namespace fs = std::filesystem;

// The real-photo test set, built and measured once for all tests of this file.
struct PhotoSet {
  testing::TempDir dir;
  std::vector<testing::PhotoCase> cases;
  std::map<std::string, ScannedFile> measured;

  PhotoSet() : cases(testing::write_photo_cases(dir.path())) {
    for (const testing::PhotoCase& c : cases) {
      measured[c.file] = scan_file(dir.path() / c.file, true);
    }
  }
};

const PhotoSet& photo_set() {
  static const PhotoSet kSet;
  return kSet;
}

class PhotoCasesTest : public ::testing::Test {
 protected:
  static const ScannedFile& measured(const std::string& file) {
    return photo_set().measured.at(file);
  }
  static const std::vector<testing::PhotoCase>& cases() { return photo_set().cases; }
};

// The codes of the image-quality findings `report` gives about `file`, sorted.
std::vector<std::string> quality_codes(const TrainingDataReport& report, const std::string& file) {
  std::vector<std::string> codes;
  for (const Finding& f : report.findings) {
    if (f.file == file && is_image_quality_code(f.code)) codes.push_back(f.code);
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

TrainingDataReport check(const std::vector<ScannedFile>& files,
                         const DataCheckLimits& limits = {}) {
  return check_training_data("data/actors/a/training_data", files, std::nullopt, limits);
}

TEST_F(PhotoCasesTest, EveryPlantedCaseIsFoundAndTheCleanPortraitHasNoFinding) {
  for (const testing::PhotoCase& c : cases()) {
    const ScannedFile& file = measured(c.file);
    ASSERT_TRUE(file.quality) << c.file << " was not measured";
    EXPECT_EQ(quality_codes(check({file}), c.file), c.codes) << c.file;
  }
}

TEST_F(PhotoCasesTest, TheFaceIsFoundWhereItIsAndScaledToTheOriginal) {
  // astronaut.png: the face (brows to chin) at about x 179–267, y 83–171 of 512×512.
  const ImageQuality& portrait = *measured("portrait.png").quality;
  EXPECT_EQ(portrait.width, 512);
  EXPECT_EQ(portrait.height, 512);
  const std::vector<FaceBox> faces = counted_faces(portrait, QualityLimits{});
  ASSERT_EQ(faces.size(), 1U);
  EXPECT_NEAR(faces[0].x, 179, 8);
  EXPECT_NEAR(faces[0].y, 83, 8);
  EXPECT_NEAR(faces[0].width, 88, 10);
  EXPECT_GT(faces[0].confidence, 1.0);
  EXPECT_TRUE(portrait.exposure_of_face);

  // The small face is found only on the enlarged copy, and reported in the 1024 px original.
  const std::vector<FaceBox> small =
      counted_faces(*measured("small_face.png").quality, QualityLimits{});
  ASSERT_EQ(small.size(), 1U);
  EXPECT_NEAR(small[0].x, 256 + 179, 10);
  EXPECT_NEAR(small[0].y, 256 + 83, 10);

  // Two people side by side: both faces, one in each half.
  const std::vector<FaceBox> two =
      counted_faces(*measured("two_people.png").quality, QualityLimits{});
  ASSERT_EQ(two.size(), 2U);
  EXPECT_LT(std::min(two[0].x, two[1].x), 512);
  EXPECT_GT(std::max(two[0].x, two[1].x), 512);

  // Cut by the left edge: the box reaches past it.
  const std::vector<FaceBox> cut =
      counted_faces(*measured("cut_face.png").quality, QualityLimits{});
  ASSERT_EQ(cut.size(), 1U);
  EXPECT_LE(cut[0].x, 0);
}

TEST_F(PhotoCasesTest, NearDuplicatesAreGroupedAndOtherPhotosAreNot) {
  const TrainingDataReport report = check(
      {measured("portrait.png"), measured("portrait_resized.jpg"), measured("no_person.png")});
  ASSERT_EQ(report.near_duplicate_groups.size(), 1U);
  EXPECT_EQ(report.near_duplicate_groups[0],
            (std::vector<std::string>{"portrait.png", "portrait_resized.jpg"}));
  EXPECT_EQ(quality_codes(report, "portrait_resized.jpg"),
            std::vector<std::string>{"near_duplicate"});
  EXPECT_EQ(quality_codes(report, "portrait.png"), std::vector<std::string>{});
  EXPECT_GT(hash_distance(measured("portrait.png").quality->dhash,
                          measured("no_person.png").quality->dhash),
            QualityLimits{}.near_duplicate_bits);

  // The same photo darkened or blurred is the same photo too.
  const TrainingDataReport copies =
      check({measured("portrait.png"), measured("dark.png"), measured("blurred.png")});
  ASSERT_EQ(copies.near_duplicate_groups.size(), 1U);
  EXPECT_EQ(copies.near_duplicate_groups[0].size(), 3U);
}

TEST_F(PhotoCasesTest, AnImageWithNoFaceIsLeftOutOfTrainingUnlessTheCheckIsLowered) {
  const std::vector<ScannedFile> files = {measured("portrait.png"), measured("no_person.png"),
                                          measured("two_people.png")};
  const TrainingDataReport report = check(files);
  EXPECT_EQ(report.usable_count, 2);
  EXPECT_EQ(report.training_images(), 2);
  EXPECT_EQ(report.excluded, std::vector<std::string>{"no_person.png"});
  EXPECT_EQ(report.faces_one, 1);
  EXPECT_EQ(report.faces_none, 1);
  EXPECT_EQ(report.faces_several, 1);
  EXPECT_EQ(describe_faces(report), "faces: 1 one face · 1 none · 1 several");
  const DataSummary summary = summarize(report, std::nullopt);
  EXPECT_EQ(summary.usable, 2);
  EXPECT_EQ(summary.quality_findings, 2);  // no_face, several_faces

  DataCheckLimits lowered;
  lowered.quality.no_face = CheckLevel::Warning;
  const TrainingDataReport kept = check(files, lowered);
  EXPECT_EQ(kept.usable_count, 3);
  EXPECT_TRUE(kept.excluded.empty());
  EXPECT_EQ(quality_codes(kept, "no_person.png"), std::vector<std::string>{"no_face"});

  DataCheckLimits off;
  off.quality.no_face = CheckLevel::Off;
  off.quality.several_faces = CheckLevel::Off;
  EXPECT_TRUE(quality_codes(check(files, off), "no_person.png").empty());
  EXPECT_TRUE(quality_codes(check(files, off), "two_people.png").empty());

  DataCheckLimits disabled;
  disabled.quality.enabled = false;
  const TrainingDataReport plain = check(files, disabled);
  EXPECT_EQ(plain.usable_count, 3);
  EXPECT_EQ(plain.faces_none, 0);
}

TEST_F(PhotoCasesTest, AWarningRaisedToAnErrorLeavesTheImageOut) {
  DataCheckLimits strict;
  strict.quality.blurry = CheckLevel::Error;
  strict.quality.near_duplicate = CheckLevel::Error;
  const TrainingDataReport report =
      check({measured("portrait.png"), measured("blurred.png"), measured("portrait_resized.jpg")},
            strict);
  EXPECT_EQ(report.excluded, (std::vector<std::string>{"blurred.png", "portrait_resized.jpg"}));
  EXPECT_EQ(report.usable_count, 1);
  // blurry, and the resized copy as a near-duplicate; the blurred copy, already left out, is
  // not compared again.
  EXPECT_EQ(report.error_count(), 2);
  EXPECT_EQ(report.near_duplicate_groups,
            (std::vector<std::vector<std::string>>{{"portrait.png", "portrait_resized.jpg"}}));
}

TEST_F(PhotoCasesTest, AnImageWithSeveralErrorsIsLeftOutOnce) {
  DataCheckLimits strict;
  strict.quality.exposure = CheckLevel::Error;  // overexposed.png: no_face and two exposure errors
  const TrainingDataReport report = check({measured("overexposed.png")}, strict);
  EXPECT_EQ(report.excluded, std::vector<std::string>{"overexposed.png"});
  EXPECT_EQ(quality_codes(report, "overexposed.png"),
            (std::vector<std::string>{"clipped_highlights", "no_face", "too_bright"}));
  EXPECT_EQ(summarize(report, std::nullopt).excluded, 1);
}

TEST_F(PhotoCasesTest, ThresholdsComeFromTheLimitsWithoutMeasuringAgain) {
  DataCheckLimits loose;
  loose.quality.min_face_share = 0.05;
  EXPECT_TRUE(quality_codes(check({measured("small_face.png")}, loose), "small_face.png").empty());
  DataCheckLimits strict;
  strict.quality.min_sharpness = 1000;
  EXPECT_EQ(quality_codes(check({measured("portrait.png")}, strict), "portrait.png"),
            std::vector<std::string>{"blurry"});
}

TEST(ImageQualityTest, NothingIsMeasuredUnlessAsked) {
  testing::TempDir dir;
  testing::write_photo_cases(dir.path());
  EXPECT_FALSE(scan_file(dir.path() / "portrait.png").quality);
  // A damaged image is judged by its header checks and not measured.
  const std::string bytes = testing::slurp(dir.path() / "portrait_resized.jpg");
  const ScannedFile cut =
      scan_bytes("cut.jpg", std::string_view(bytes).substr(0, bytes.size() / 2), true);
  EXPECT_EQ(cut.status, FileStatus::Corrupt);
  EXPECT_FALSE(cut.quality);
  // Content in memory (an S3 object) is measured like a file.
  const ScannedFile in_memory = scan_bytes("p.jpg", bytes, true);
  ASSERT_TRUE(in_memory.quality);
  EXPECT_EQ(in_memory.quality, scan_file(dir.path() / "portrait_resized.jpg", true).quality);
}

}  // namespace
}  // namespace atr
