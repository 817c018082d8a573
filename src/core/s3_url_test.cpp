#include "core/s3_url.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

TEST(S3Url, ReadsEveryFormAwsWrites) {
  const std::string key = "system_actors/training_data/0006_european_20_female/img 01.jpg";
  struct Case {
    const char* url;
    const char* region;
  };
  for (const Case& c : {
           Case{"s3://story-boards-assets/system_actors/training_data/0006_european_20_female/"
                "img 01.jpg",
                ""},
           Case{"https://story-boards-assets.s3.us-west-1.amazonaws.com/system_actors/"
                "training_data/0006_european_20_female/img%2001.jpg",
                "us-west-1"},
           Case{"https://story-boards-assets.s3-us-west-1.amazonaws.com/system_actors/"
                "training_data/0006_european_20_female/img%2001.jpg?versionId=3",
                "us-west-1"},
           Case{"https://story-boards-assets.s3.amazonaws.com/system_actors/training_data/"
                "0006_european_20_female/img%2001.jpg",
                ""},
           Case{"https://s3.us-west-1.amazonaws.com/story-boards-assets/system_actors/"
                "training_data/0006_european_20_female/img%2001.jpg",
                "us-west-1"},
           Case{"https://story-boards-assets.s3-accelerate.amazonaws.com/system_actors/"
                "training_data/0006_european_20_female/img%2001.jpg",
                ""},
       }) {
    const std::optional<S3Location> at = parse_s3_url(c.url);
    ASSERT_TRUE(at) << c.url;
    EXPECT_EQ(at->bucket, "story-boards-assets") << c.url;
    EXPECT_EQ(at->key, key) << c.url;
    EXPECT_EQ(at->region, c.region) << c.url;
    EXPECT_EQ(at->file_name(), "img 01.jpg");
    EXPECT_EQ(at->url(), "s3://story-boards-assets/" + key);
  }
}

TEST(S3Url, BucketsWithDotsAndOddRegionsAreReadRight) {
  std::optional<S3Location> at =
      parse_s3_url("https://my.assets.s3.eu-west-2.amazonaws.com/a/b.png");
  ASSERT_TRUE(at);
  EXPECT_EQ(at->bucket, "my.assets");
  EXPECT_EQ(at->key, "a/b.png");
  EXPECT_EQ(at->region, "eu-west-2");
  at = parse_s3_url("https://s3.bucket.s3.amazonaws.com/k.png");
  ASSERT_TRUE(at);
  EXPECT_EQ(at->bucket, "s3.bucket");
}

TEST(S3Url, RefusesWhatIsNotAnS3ObjectUrl) {
  for (const char* text :
       {"", "s3://bucket", "s3://bucket/", "https://example.com/bucket/key.jpg",
        "https://bucket.s3.us-west-1.amazonaws.com/", "https://s3.us-west-1.amazonaws.com/bucket",
        "ftp://bucket.s3.amazonaws.com/k", "s3://UPPER/key", "https://bkt.s3.amazonaws.com/bad%zz",
        "data/actors/x/a.jpg"}) {
    EXPECT_FALSE(parse_s3_url(text)) << text;
  }
}

}  // namespace
}  // namespace atr
