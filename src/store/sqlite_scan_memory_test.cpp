#include "store/sqlite_scan_memory.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "store/sqlite_version_store.h"
#include "support/temp_dir.h"

namespace atr {
namespace {

RememberedScan scan_of(const std::string& name, std::uint64_t inode) {
  RememberedScan r;
  r.stamp = {1234, 1'700'000'000'123'456'789, 1'700'000'001'000'000'001, inode};
  r.file.name = name;
  r.file.status = FileStatus::Image;
  r.file.format = "jpeg";
  r.file.width = 640;
  r.file.height = 480;
  r.file.bytes = 1234;
  r.file.md5 = "0123456789abcdef0123456789abcdef";
  return r;
}

TEST(SqliteScanMemoryTest, RemembersScansPerFolderAndForgetsRemovedFiles) {
  testing::TempDir dir;
  auto memory = SqliteScanMemory::open(dir.path() / "state.db");
  ASSERT_TRUE(memory) << memory.error().message;
  RememberedScan corrupt = scan_of("b.jpg", ~std::uint64_t{0});  // the largest inode survives
  corrupt.file.status = FileStatus::Corrupt;
  corrupt.file.detail = "truncated: no JPEG end marker";
  ASSERT_TRUE((*memory)->remember("f", {scan_of("a.jpg", 7), corrupt}));
  ASSERT_TRUE((*memory)->remember("g", {scan_of("c.jpg", 9)}));

  auto back = (*memory)->recall("f");
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 2u);
  const RememberedScan& a = back->at("a.jpg");
  EXPECT_EQ(a.stamp, scan_of("a.jpg", 7).stamp);
  EXPECT_EQ(a.file.format, "jpeg");
  EXPECT_EQ(a.file.width, 640);
  EXPECT_EQ(a.file.bytes, 1234u);
  EXPECT_EQ(a.file.md5, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(back->at("b.jpg").stamp.inode, ~std::uint64_t{0});
  EXPECT_EQ(back->at("b.jpg").file.status, FileStatus::Corrupt);
  EXPECT_EQ(back->at("b.jpg").file.detail, "truncated: no JPEG end marker");

  ASSERT_TRUE((*memory)->remember("f", {scan_of("a.jpg", 7)}));
  EXPECT_EQ((*memory)->recall("f")->size(), 1u);
  EXPECT_EQ((*memory)->recall("g")->size(), 1u);  // other folders untouched
}

TEST(SqliteScanMemoryTest, KeepsTheQualityMeasuresOfFilesAndObjects) {
  testing::TempDir dir;
  auto memory = SqliteScanMemory::open(dir.path() / "state.db");
  ASSERT_TRUE(memory) << memory.error().message;
  ImageQuality q;
  q.width = 480;
  q.height = 640;  // upright: a quarter turn of the stored 640×480
  q.faces = {{-12, 80, 97, 88, 0.89}, {300, 20, 40, 40, -0.25}};
  q.sharpness = 150.75;
  q.brightness = 168.25;
  q.clipped_share = 0.125;
  q.dhash = 0xcd8d991d893293a7ULL;  // the top bit set: stored beyond int64's range
  q.exposure_of_face = true;
  RememberedScan measured = scan_of("a.jpg", 7);
  measured.file.quality = q;
  ASSERT_TRUE((*memory)->remember("f", {measured, scan_of("b.jpg", 8)}));
  auto back = (*memory)->recall("f");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->at("a.jpg").file.quality, q);
  EXPECT_FALSE(back->at("b.jpg").file.quality);  // not measured: nothing made up

  ScannedFile object = measured.file;
  ASSERT_TRUE((*memory)->remember_object("etag-1", object));
  auto known = (*memory)->recall_object("etag-1", object.bytes);
  ASSERT_TRUE(known && *known);
  EXPECT_EQ((*known)->quality, q);
}

TEST(SqliteScanMemoryTest, KeepsTheSyncedDigestsOfAFolderAcrossConnections) {
  testing::TempDir dir;
  {
    auto memory = SqliteScanMemory::open(dir.path() / "state.db");
    ASSERT_TRUE(memory);
    ASSERT_TRUE((*memory)->record_synced("f", {{"a.jpg", "aaa"}, {"b.jpg", "bbb"}}));
    ASSERT_TRUE((*memory)->record_synced("f", {{"a.jpg", "ccc"}}));
  }
  auto memory = SqliteScanMemory::open(dir.path() / "state.db");
  ASSERT_TRUE(memory);
  auto digests = (*memory)->synced_digests("f");
  ASSERT_TRUE(digests);
  EXPECT_EQ(*digests, (std::map<std::string, std::string>{{"a.jpg", "ccc"}}));
  EXPECT_TRUE((*memory)->synced_digests("other")->empty());
}

TEST(SqliteScanMemoryTest, SharesTheStateDatabaseWithTheVersionStore) {
  testing::TempDir dir;
  const auto path = dir.path() / "state.db";
  {
    // A database of schema version 1 (versions only, reduced to the columns later migrations
    // touch) is migrated, its rows kept.
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(
        "CREATE TABLE versions (id INTEGER PRIMARY KEY, model_name TEXT NOT NULL);"
        "INSERT INTO versions VALUES (42, 'actor_1_V1');");
    db.exec("PRAGMA user_version = 1");
  }
  auto memory = SqliteScanMemory::open(path);
  ASSERT_TRUE(memory) << memory.error().message;
  ASSERT_TRUE((*memory)->record_synced("f", {{"a.jpg", "aaa"}}));
  SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), SqliteVersionStore::schema_version());
  EXPECT_EQ(db.execAndGet("SELECT id FROM versions").getInt(), 42);
}

}  // namespace
}  // namespace atr
