#include "images/vips_thumbnailer.h"

#include <gtest/gtest.h>
#include <vips/vips.h>

#include "support/images.h"
#include "support/temp_dir.h"

namespace atr {
namespace {

namespace fs = std::filesystem;

TEST(VipsThumbnailerTest, ShrinksCachesAndChangesTheEtagWhenTheSourceChanges) {
  testing::TempDir ws;
  testing::write_image(ws.path() / "data/a.jpg", 1200, 800, 1);
  VipsThumbnailer thumbs(ws.path(), ws.path() / ".actor-trainer/thumbnails");
  Result<Thumbnail> small = thumbs.thumbnail("data/a.jpg", ThumbnailSize::Small);
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_EQ(small->content_type, "image/jpeg");
  VipsImage* image = vips_image_new_from_file(small->path.c_str(), nullptr);
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(vips_image_get_width(image), 160);  // longest edge
  EXPECT_EQ(vips_image_get_height(image), 107);
  g_object_unref(image);
  // Cached: the same file and ETag the second time.
  Result<Thumbnail> again = thumbs.thumbnail("data/a.jpg", ThumbnailSize::Small);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->etag, small->etag);
  EXPECT_NE(thumbs.thumbnail("data/a.jpg", ThumbnailSize::Large)->etag, small->etag);
  // An edited source gets a new one.
  testing::write_image(ws.path() / "data/a.jpg", 1000, 1000, 2);
  Result<Thumbnail> edited = thumbs.thumbnail("data/a.jpg", ThumbnailSize::Small);
  ASSERT_TRUE(edited);
  EXPECT_NE(edited->etag, small->etag);
}

TEST(VipsThumbnailerTest, RefusesPathsThatLeaveTheWorkspaceAndNonImages) {
  testing::TempDir ws;
  testing::TempDir outside;
  testing::write_image(outside.path() / "x.jpg", 64, 64, 1);
  fs::create_directories(ws.path() / "data");
  fs::create_symlink(outside.path() / "x.jpg", ws.path() / "data/link.jpg");
  ws.write("data/notes.jpg", "not an image at all");
  VipsThumbnailer thumbs(ws.path(), ws.path() / ".actor-trainer/thumbnails");
  for (const std::string& bad :
       std::vector<std::string>{"../x.jpg", "/etc/passwd", "data/../../x.jpg", "data/link.jpg",
                                std::string("data/a\0.jpg", 11)}) {
    Result<Thumbnail> t = thumbs.thumbnail(bad, ThumbnailSize::Small);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::InvalidArgument) << bad;
  }
  EXPECT_EQ(thumbs.thumbnail("data/none.jpg", ThumbnailSize::Small).error().code,
            ErrorCode::NotFound);
  EXPECT_EQ(thumbs.thumbnail("data/notes.jpg", ThumbnailSize::Small).error().code,
            ErrorCode::InvalidArgument);
  EXPECT_FALSE(fs::exists(ws.path() / ".actor-trainer/thumbnails") &&
               !fs::is_empty(ws.path() / ".actor-trainer/thumbnails"));
}

}  // namespace
}  // namespace atr
