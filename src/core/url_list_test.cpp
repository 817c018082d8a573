#include "core/url_list.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

TEST(UrlListTest, HoldsUrlsInOrderWhateverTheyShare) {
  const std::vector<std::string> urls = {"s3://b/actors/x/training_data/img_000.jpg",
                                         "s3://b/actors/x/training_data/img_001.jpg",
                                         "s3://b/actors/x/training_data/a.png",
                                         "s3://b/other/z.jpg",
                                         "s3://c/elsewhere.jpg",
                                         "",
                                         "s3://b/actors/x/training_data/img_000.jpg"};
  UrlList list;
  for (std::size_t n = 0; n < urls.size(); ++n) {
    list.push_back(urls[n]);
    ASSERT_EQ(list.size(), n + 1);
    for (std::size_t i = 0; i <= n; ++i) {
      EXPECT_EQ(list[i], urls[i]) << n << " " << i;
    }
  }
  EXPECT_EQ(static_cast<std::vector<std::string>>(list), urls);
  std::vector<std::string> walked;
  for (const std::string& url : list) {
    walked.push_back(url);
  }
  EXPECT_EQ(walked, urls);
  EXPECT_EQ(list.front(), urls.front());
  EXPECT_EQ(list.back(), urls.back());
}

TEST(UrlListTest, EqualListsCompareEqualHoweverTheyWereBuilt) {
  const UrlList a = {"s3://b/k/1.jpg", "s3://b/k/2.jpg"};
  UrlList b;
  b.push_back("s3://b/zzz");  // a prefix that shrinks, then cleared
  b.push_back("s3://q");
  b.clear();
  b.push_back("s3://b/k/1.jpg");
  b.push_back("s3://b/k/2.jpg");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, UrlList(std::vector<std::string>{"s3://b/k/1.jpg", "s3://b/k/2.jpg"}));
  EXPECT_FALSE(a == UrlList({"s3://b/k/1.jpg"}));
  EXPECT_FALSE(a == UrlList({"s3://b/k/1.jpg", "s3://b/k/3.jpg"}));
  EXPECT_FALSE(a == UrlList({"s3://b/k/2.jpg", "s3://b/k/1.jpg"}));
  EXPECT_EQ(UrlList(), UrlList(std::vector<std::string>{}));
  EXPECT_TRUE(UrlList().empty());
}

}  // namespace
}  // namespace atr
