#include "images/vips_scanner.h"

#include <cstdio>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "core/training_data_scanner.h"
#include "support/images.h"
#include "support/photos.h"
#include "support/temp_dir.h"

namespace atr {
namespace {
namespace fs = std::filesystem;

constexpr const char* kFolder = "data/actors/a/training_data";

std::string md5sum(const fs::path& path) {
  // An independent MD5: coreutils' md5sum.
  std::string command = "md5sum '" + path.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  char buffer[64] = {};
  const size_t got = std::fread(buffer, 1, 32, pipe);
  ::pclose(pipe);
  return std::string(buffer, got);
}

void truncate_file(const fs::path& path, double keep) {
  const std::string bytes = testing::slurp(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      << bytes.substr(0, static_cast<size_t>(static_cast<double>(bytes.size()) * keep));
}

const ScannedFile& by_name(const std::vector<ScannedFile>& files, const std::string& name) {
  for (const ScannedFile& f : files) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no file " << name;
  return files.front();
}

// ScanMemory in a map, counting writes.
class MapScanMemory final : public ScanMemory {
 public:
  Result<std::map<std::string, RememberedScan>> recall(const std::string& folder) override {
    return scans[folder];
  }
  Status remember(const std::string& folder, const std::vector<RememberedScan>& files) override {
    ++writes;
    scans[folder].clear();
    for (const RememberedScan& r : files) {
      scans[folder][r.file.name] = r;
    }
    return Ok{};
  }
  Result<std::map<std::string, std::string>> synced_digests(const std::string& folder) override {
    return synced[folder];
  }
  Status record_synced(const std::string& folder,
                       const std::map<std::string, std::string>& md5_by_name) override {
    synced[folder] = md5_by_name;
    return Ok{};
  }
  Result<std::optional<ScannedFile>> recall_object(const std::string& etag,
                                                   std::uint64_t size) override {
    auto it = objects.find({etag, size});
    if (it == objects.end()) return std::optional<ScannedFile>{};
    return std::optional<ScannedFile>(it->second);
  }
  Status remember_object(const std::string& etag, const ScannedFile& file) override {
    objects[{etag, file.bytes}] = file;
    return Ok{};
  }
  std::map<std::pair<std::string, std::uint64_t>, ScannedFile> objects;
  std::map<std::string, std::map<std::string, RememberedScan>> scans;
  std::map<std::string, std::map<std::string, std::string>> synced;
  int writes = 0;
};

class ScannerTest : public ::testing::Test {
 protected:
  fs::path folder() const { return ws_.path() / kFolder; }
  Result<std::vector<ScannedFile>> scan(std::string_view relative = kFolder) {
    VipsTrainingDataScanner scanner(ws_.path());
    return scanner.scan(relative, nullptr, ScanDepth::Files);
  }
  testing::TempDir ws_;
};

TEST_F(ScannerTest, ReadsFormatDimensionsSizeMd5AndCaptions) {
  testing::write_image(folder() / "a.jpg", 640, 480, 1);
  testing::write_image(folder() / "b.png", 512, 768, 2);
  testing::write_image(folder() / "c.webp", 300, 200, 3);
  testing::write_image(folder() / "D.JPEG", 64, 64, 4);
  ws_.write(std::string(kFolder) + "/a.txt", "caption");
  ws_.write(std::string(kFolder) + "/.DS_Store", "junk");
  std::vector<size_t> progress;
  VipsTrainingDataScanner scanner(ws_.path());
  Result<std::vector<ScannedFile>> files = scanner.scan(
      kFolder, [&progress](size_t done, size_t) { progress.push_back(done); }, ScanDepth::Files);
  ASSERT_TRUE(files) << files.error().message;
  ASSERT_EQ(files->size(), 4u);  // captions and hidden files are not training images
  EXPECT_EQ(progress, (std::vector<size_t>{1, 2, 3, 4}));
  const ScannedFile& a = by_name(*files, "a.jpg");
  EXPECT_EQ(a.status, FileStatus::Image);
  EXPECT_EQ(a.format, "jpeg");
  EXPECT_EQ(a.width, 640);
  EXPECT_EQ(a.height, 480);
  EXPECT_EQ(a.bytes, fs::file_size(folder() / "a.jpg"));
  EXPECT_EQ(a.md5, md5sum(folder() / "a.jpg"));
  EXPECT_TRUE(a.has_caption);
  EXPECT_EQ(by_name(*files, "b.png").format, "png");
  EXPECT_EQ(by_name(*files, "b.png").height, 768);
  EXPECT_FALSE(by_name(*files, "b.png").has_caption);
  EXPECT_EQ(by_name(*files, "c.webp").format, "webp");
  EXPECT_EQ(by_name(*files, "D.JPEG").status, FileStatus::Image);
}

TEST_F(ScannerTest, CatchesTruncatedFilesWithoutDecoding) {
  for (const char* name : {"t.jpg", "t.png", "t.webp"}) {
    testing::write_image(folder() / name, 700, 700, 9);
    truncate_file(folder() / name, 0.6);
  }
  Result<std::vector<ScannedFile>> files = scan();
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 3u);
  for (const ScannedFile& f : *files) {
    EXPECT_EQ(f.status, FileStatus::Corrupt) << f.name << ": " << f.detail;
    EXPECT_FALSE(f.detail.empty()) << f.name;
  }
  // JPEG and PNG headers survive truncation, so only the end-marker check can catch these.
  EXPECT_NE(by_name(*files, "t.jpg").detail.find("truncated"), std::string::npos);
  EXPECT_NE(by_name(*files, "t.png").detail.find("truncated"), std::string::npos);
}

TEST_F(ScannerTest, ReportsGarbageWrongFormatsAndEmptyFiles) {
  ws_.write(std::string(kFolder) + "/noise.jpg", "this is not an image at all");
  ws_.write(std::string(kFolder) + "/empty.png", "");
  testing::write_image(ws_.path() / "tmp.tif", 64, 64, 1);
  fs::copy_file(ws_.path() / "tmp.tif", folder() / "disguised.png");  // TIFF content, .png name
  ws_.write(std::string(kFolder) + "/anim.gif", "GIF89a...");
  ws_.write(std::string(kFolder) + "/README", "notes");
  Result<std::vector<ScannedFile>> files = scan();
  ASSERT_TRUE(files);
  EXPECT_EQ(by_name(*files, "noise.jpg").status, FileStatus::Corrupt);
  EXPECT_EQ(by_name(*files, "empty.png").status, FileStatus::Corrupt);
  EXPECT_EQ(by_name(*files, "disguised.png").status, FileStatus::Unsupported);
  EXPECT_NE(by_name(*files, "disguised.png").detail.find("tiff"), std::string::npos);
  EXPECT_EQ(by_name(*files, "anim.gif").status, FileStatus::Unsupported);
  // Not an image at all: listed and ignored, never an error about the actor's data.
  EXPECT_EQ(by_name(*files, "README").status, FileStatus::Ignored);
}

TEST_F(ScannerTest, NonImageFilesAreIgnoredAndOtherImageFormatsAreLeftOut) {
  testing::write_image(folder() / "a.jpg", 600, 600, 1);
  ws_.write(std::string(kFolder) + "/notes.md", "# shoot notes");
  ws_.write(std::string(kFolder) + "/meta.json", "{}");
  fs::copy_file(folder() / "a.jpg", folder() / "scan_01.bmp");
  Result<std::vector<ScannedFile>> files = scan();
  ASSERT_TRUE(files);
  EXPECT_EQ(by_name(*files, "a.jpg").status, FileStatus::Image);
  EXPECT_EQ(by_name(*files, "notes.md").status, FileStatus::Ignored);
  EXPECT_EQ(by_name(*files, "meta.json").status, FileStatus::Ignored);
  EXPECT_EQ(by_name(*files, "scan_01.bmp").status, FileStatus::Unsupported);
}

TEST_F(ScannerTest, DecoderWarningsReachNeitherTheTerminalNorTheFindings) {
  // A JPEG whose JFIF header names revision 3.00: libjpeg reads it and warns "unknown JFIF
  // revision"; libvips prints such warnings on stderr unless told not to.
  testing::write_image(ws_.path() / "plain.jpg", 640, 640, 4);
  const std::string plain = testing::slurp(ws_.path() / "plain.jpg");
  const std::string app0("\xff\xe0\x00\x10JFIF\x00\x03\x00\x00\x00\x01\x00\x01\x00\x00", 18);
  ws_.write(std::string(kFolder) + "/jfif3.jpg", plain.substr(0, 2) + app0 + plain.substr(2));
  ws_.write(std::string(kFolder) + "/broken.jpg", plain.substr(0, 2) + app0 + "garbage");
  ::testing::internal::CaptureStderr();
  Result<std::vector<ScannedFile>> files = scan();
  const std::string stderr_text = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(files);
  EXPECT_EQ(by_name(*files, "jfif3.jpg").status, FileStatus::Image);
  EXPECT_EQ(by_name(*files, "broken.jpg").status, FileStatus::Corrupt);
  EXPECT_EQ(stderr_text.find("VIPS-WARNING"), std::string::npos) << stderr_text;
  const std::string detail = by_name(*files, "broken.jpg").detail;
  EXPECT_EQ(detail.find("VipsJpeg"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("Warning:"), std::string::npos) << detail;
  EXPECT_FALSE(detail.empty());
}

TEST_F(ScannerTest, RefusesSymlinksOutOfTheWorkspace) {
  testing::TempDir outside;
  testing::write_image(outside.path() / "secret.jpg", 600, 600, 5);
  testing::write_image(ws_.path() / "shared" / "inside.jpg", 600, 600, 6);
  fs::create_directories(folder());
  fs::create_symlink(outside.path() / "secret.jpg", folder() / "secret.jpg");
  fs::create_symlink(ws_.path() / "shared" / "inside.jpg", folder() / "inside.jpg");
  fs::create_symlink(ws_.path() / "shared" / "gone.jpg", folder() / "dangling.jpg");
  Result<std::vector<ScannedFile>> files = scan();
  ASSERT_TRUE(files);
  EXPECT_EQ(by_name(*files, "dangling.jpg").status, FileStatus::Unreadable);
  EXPECT_NE(by_name(*files, "dangling.jpg").detail.find("broken symlink"), std::string::npos);
  EXPECT_EQ(by_name(*files, "secret.jpg").status, FileStatus::OutsideWorkspace);
  EXPECT_TRUE(by_name(*files, "secret.jpg").md5.empty());  // never read
  EXPECT_EQ(by_name(*files, "inside.jpg").status, FileStatus::Image);
}

TEST_F(ScannerTest, RefusesFoldersThatLeaveTheWorkspace) {
  testing::TempDir outside;
  fs::create_directories(ws_.path() / "data" / "actors");
  fs::create_symlink(outside.path(), ws_.path() / "data" / "actors" / "evil");
  for (const char* relative : {"../x", "/etc", "data/actors/evil"}) {
    Result<std::vector<ScannedFile>> files = scan(relative);
    ASSERT_FALSE(files) << relative;
    EXPECT_EQ(files.error().code, ErrorCode::InvalidArgument) << relative;
  }
  Result<std::vector<ScannedFile>> missing = scan("data/actors/nobody/training_data");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_F(ScannerTest, AbsentFoldersAreToldFromListingsAndEverythingUncertainIsLeftToTheScan) {
  testing::TempDir outside;
  testing::write_image(folder() / "a.jpg", 64, 64, 1);
  fs::create_directories(ws_.path() / "data" / "actors" / "no_images");
  fs::create_symlink(outside.path(), ws_.path() / "data" / "actors" / "linked");
  ws_.write("data/actors/plain_file", "not a folder");
  const std::vector<std::string> folders = {
      kFolder,                                 // exists
      "data/actors/no_images/training_data",   // its parent exists, it does not
      "data/actors/nobody/training_data",      // nor does its parent
      "./data//actors/nobody/training_data",   // the same, spelled loosely
      "data/actors/linked/training_data",      // through a link: the scan judges
      "data/actors/plain_file/training_data",  // a file on the way: cannot be listed
      "../elsewhere",                          // may leave the workspace
      "/etc",                                  // absolute
      "",                                      // an actor without a folder name
      "library/shared/set_1",                  // a custom local_path that is missing
  };
  VipsTrainingDataScanner scanner(ws_.path());
  EXPECT_EQ(scanner.absent(folders),
            (std::vector<bool>{false, true, true, false, false, false, false, false, false, true}));
  // Every "absent" is what a scan says too.
  for (std::size_t i : {1u, 2u, 9u}) {
    Result<std::vector<ScannedFile>> files = scanner.scan(folders[i], nullptr, ScanDepth::Files);
    ASSERT_FALSE(files) << folders[i];
    EXPECT_EQ(files.error().code, ErrorCode::NotFound) << folders[i];
  }
}

TEST_F(ScannerTest, ASummaryWithoutTheScanOfAnAbsentFolderIsTheScansSummary) {
  Actor bare;
  bare.name = "nobody";
  Actor s3_only = bare;
  s3_only.training_data = TrainingDataRecord{};
  s3_only.training_data->s3_urls.push_back("s3://bucket/actors/nobody/1.jpg");
  s3_only.training_data->count = 1;
  s3_only.training_data->synced = true;
  Actor elsewhere = bare;
  elsewhere.training_data = TrainingDataRecord{};
  elsewhere.training_data->local_path = "library/nobody";
  VipsTrainingDataScanner scanner(ws_.path());
  const ActorList actors(std::vector<Actor>{bare, s3_only, elsewhere});
  EXPECT_EQ(absent_training_folders(actors, scanner), (std::vector<bool>{true, true, true}));
  for (const Actor& actor : actors) {
    EXPECT_EQ(data_summary(actor, scanner, DataCheckLimits{}, true),
              data_summary(actor, scanner, DataCheckLimits{}, false))
        << actor.position;
  }
}

TEST_F(ScannerTest, QualityMeasuresAreTakenOnceAndKeptByTheLighterScans) {
  testing::TempDir photos;
  testing::write_photo_cases(photos.path());
  fs::create_directories(folder());
  fs::copy_file(photos.path() / "portrait.png", folder() / "portrait.png");
  testing::write_image(folder() / "plain.jpg", 640, 480, 1);
  MapScanMemory memory;
  VipsTrainingDataScanner scanner(ws_.path(), &memory, true, std::chrono::nanoseconds(0));

  // Files: no image is measured.
  Result<std::vector<ScannedFile>> light = scanner.scan(kFolder, nullptr, ScanDepth::Files);
  ASSERT_TRUE(light);
  EXPECT_FALSE(by_name(*light, "portrait.png").quality);

  // Quality: both are measured and remembered.
  Result<std::vector<ScannedFile>> full = scanner.scan(kFolder, nullptr, ScanDepth::Quality);
  ASSERT_TRUE(full);
  ASSERT_TRUE(by_name(*full, "portrait.png").quality);
  EXPECT_EQ(by_name(*full, "portrait.png").quality->faces.front().width / 10, 8);  // ~88 px
  ASSERT_TRUE(by_name(*full, "plain.jpg").quality);
  EXPECT_TRUE(by_name(*full, "plain.jpg").quality->faces.empty());
  ASSERT_TRUE(memory.scans[kFolder]["portrait.png"].file.quality);

  // A planted measure shows what is read again: nothing, at either depth.
  memory.scans[kFolder]["portrait.png"].file.quality->sharpness = -1;
  for (ScanDepth depth : {ScanDepth::Quality, ScanDepth::Files}) {
    Result<std::vector<ScannedFile>> again = scanner.scan(kFolder, nullptr, depth);
    ASSERT_TRUE(again);
    ASSERT_TRUE(by_name(*again, "portrait.png").quality);
    EXPECT_EQ(by_name(*again, "portrait.png").quality->sharpness, -1);
  }

  // A file read again by a Files scan loses its measures, and the next Quality scan takes them.
  testing::write_image(folder() / "plain.jpg", 640, 480, 2);
  ASSERT_TRUE(scanner.scan(kFolder, nullptr, ScanDepth::Files));
  EXPECT_FALSE(memory.scans[kFolder]["plain.jpg"].file.quality);
  ASSERT_TRUE(scanner.scan(kFolder, nullptr, ScanDepth::Quality));
  EXPECT_TRUE(memory.scans[kFolder]["plain.jpg"].file.quality);

  // A scanner whose checks are off measures nothing.
  VipsTrainingDataScanner off(ws_.path(), nullptr, false);
  Result<std::vector<ScannedFile>> plain = off.scan(kFolder, nullptr, ScanDepth::Quality);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(by_name(*plain, "portrait.png").quality);
}

TEST_F(ScannerTest, AFileWithAnUnchangedStampIsNotReadAgain) {
  testing::write_image(folder() / "a.jpg", 640, 480, 1);
  testing::write_image(folder() / "b.jpg", 640, 480, 2);
  MapScanMemory memory;
  VipsTrainingDataScanner scanner(ws_.path(), &memory, false, std::chrono::nanoseconds(0));
  ASSERT_TRUE(scanner.scan(kFolder, nullptr, ScanDepth::Files));
  ASSERT_EQ(memory.scans[kFolder].size(), 2u);
  EXPECT_EQ(memory.writes, 1);

  // Planted answers show which files were read: a remembered one keeps the planted MD5.
  memory.scans[kFolder]["a.jpg"].file.md5 = "planted-a";
  memory.scans[kFolder]["b.jpg"].file.md5 = "planted-b";
  testing::write_image(folder() / "b.jpg", 640, 480, 3);  // rewritten: a new stamp
  Result<std::vector<ScannedFile>> again = scanner.scan(kFolder, nullptr, ScanDepth::Files);
  ASSERT_TRUE(again);
  EXPECT_EQ(by_name(*again, "a.jpg").md5, "planted-a");
  EXPECT_EQ(by_name(*again, "a.jpg").width, 640);
  EXPECT_EQ(by_name(*again, "b.jpg").md5, md5sum(folder() / "b.jpg"));
  EXPECT_EQ(memory.writes, 2);

  // Nothing changed: nothing is read and nothing is written.
  ASSERT_TRUE(scanner.scan(kFolder, nullptr, ScanDepth::Files));
  EXPECT_EQ(memory.writes, 2);

  // A removed file is forgotten.
  fs::remove(folder() / "a.jpg");
  ASSERT_TRUE(scanner.scan(kFolder, nullptr, ScanDepth::Files));
  EXPECT_EQ(memory.scans[kFolder].count("a.jpg"), 0u);
}

TEST_F(ScannerTest, AnObjectIsFetchedOncePerEtagAndJudgedLikeAFile) {
  testing::write_image(folder() / "a.jpg", 640, 480, 1);
  testing::write_image(folder() / "t.jpg", 700, 700, 9);
  truncate_file(folder() / "t.jpg", 0.6);
  const std::string good = testing::slurp(folder() / "a.jpg");
  const std::string truncated = testing::slurp(folder() / "t.jpg");
  MapScanMemory memory;
  VipsTrainingDataScanner scanner(ws_.path(), &memory);
  int fetches = 0;
  auto serve = [&](const std::string& content) {
    return [&fetches, content]() -> Result<std::string> {
      ++fetches;
      return content;
    };
  };
  const StoredObject object{"k/face.jpg", "etag-1", static_cast<std::int64_t>(good.size())};
  ScannedFile first = scanner.scan_object("face.jpg", object, serve(good));
  EXPECT_EQ(first.status, FileStatus::Image) << first.detail;
  EXPECT_EQ(first.format, "jpeg");
  EXPECT_EQ(first.width, 640);
  EXPECT_EQ(first.height, 480);
  EXPECT_EQ(first.bytes, good.size());
  EXPECT_EQ(first.md5, md5sum(folder() / "a.jpg"));
  EXPECT_EQ(fetches, 1);
  // The same ETag and size: known, not fetched again, under whatever name it now has.
  ScannedFile again = scanner.scan_object("renamed.jpg", object, serve(good));
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(again.name, "renamed.jpg");
  EXPECT_EQ(again.md5, first.md5);
  EXPECT_EQ(again.width, 640);
  // A new ETag is new content: fetched, and judged as a file would be.
  const StoredObject replaced{"k/face.jpg", "etag-2", static_cast<std::int64_t>(truncated.size())};
  ScannedFile damaged = scanner.scan_object("face.jpg", replaced, serve(truncated));
  EXPECT_EQ(fetches, 2);
  EXPECT_EQ(damaged.status, FileStatus::Corrupt);
  EXPECT_NE(damaged.detail.find("truncated"), std::string::npos) << damaged.detail;
  EXPECT_EQ(damaged.status, scan_file(folder() / "t.jpg").status);
  // A failed fetch names why and is not remembered: the next scan tries again.
  const StoredObject unreachable{"k/x.jpg", "etag-3", 10};
  ScannedFile failed = scanner.scan_object("x.jpg", unreachable, [&]() -> Result<std::string> {
    ++fetches;
    return Error{ErrorCode::Unavailable, "S3 GET k/x.jpg: connection refused"};
  });
  EXPECT_EQ(failed.status, FileStatus::Unreadable);
  EXPECT_NE(failed.detail.find("connection refused"), std::string::npos) << failed.detail;
  EXPECT_EQ(memory.objects.count({"etag-3", 10}), 0u);
  EXPECT_EQ(fetches, 3);
}

TEST_F(ScannerTest, AJustWrittenFileIsReadButNotRemembered) {
  testing::write_image(folder() / "a.jpg", 640, 480, 1);
  MapScanMemory memory;
  VipsTrainingDataScanner scanner(ws_.path(), &memory, false, std::chrono::hours(1));
  Result<std::vector<ScannedFile>> files = scanner.scan(kFolder, nullptr, ScanDepth::Files);
  ASSERT_TRUE(files);
  EXPECT_EQ(by_name(*files, "a.jpg").md5, md5sum(folder() / "a.jpg"));
  EXPECT_TRUE(memory.scans[kFolder].empty());
}

TEST_F(ScannerTest, ReportsTheMd5EachFileHadAtTheLastSync) {
  testing::write_image(folder() / "a.jpg", 640, 480, 1);
  testing::write_image(folder() / "b.jpg", 640, 480, 2);
  MapScanMemory memory;
  VipsTrainingDataScanner scanner(ws_.path(), &memory);
  ASSERT_TRUE(scanner.record_synced(kFolder, {{"a.jpg", "aaa"}}));
  Result<std::vector<ScannedFile>> files = scanner.scan(kFolder, nullptr, ScanDepth::Files);
  ASSERT_TRUE(files);
  EXPECT_EQ(by_name(*files, "a.jpg").synced_md5, "aaa");
  EXPECT_EQ(by_name(*files, "b.jpg").synced_md5, "");
}

}  // namespace
}  // namespace atr
