// The S3 client against a small in-memory S3 stand-in on loopback that checks every request's
// SigV4 signature with the independent verifier (tests/support/sigv4_verifier.cpp): keys with
// spaces, parentheses and non-ASCII characters, streamed PUT with Content-MD5, HEAD, GET,
// DELETE, ListObjectsV2 across pages, retries after a 503, presigned GET.

#include "s3/s3_client.h"

#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>

#include "support/sigv4_verifier.h"
#include "support/temp_dir.h"

namespace atr {
namespace {

constexpr const char* kKey = "AKIDTESTING";
constexpr const char* kTestSecret = "s3-secret-for-tests";

std::string md5_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_md5(), nullptr);
  std::string out;
  char buffer[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02x", md[i]);
    out += buffer;
  }
  return out;
}

class FakeS3 {
 public:
  FakeS3() {
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      testing::ReceivedRequest received{req.method, req.target, {}};
      for (const auto& [k, v] : req.headers) {
        if (k != "REMOTE_ADDR" && k != "REMOTE_PORT" && k != "LOCAL_ADDR" && k != "LOCAL_PORT") {
          received.headers.emplace_back(k, v);
        }
      }
      const testing::SignatureCheck check = testing::check_sigv4(received, kTestSecret);
      std::lock_guard lock(mutex_);
      ++requests_;
      if (!check.valid) {
        bad_signatures_.push_back(req.method + " " + req.target + ": " + check.reason + "\n" +
                                  check.canonical_request);
        res.status = 403;
        res.set_content("<Error><Code>SignatureDoesNotMatch</Code></Error>", "application/xml");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (fail_next_ > 0) {
        --fail_next_;
        res.status = 503;
        res.set_content("<Error><Code>SlowDown</Code></Error>", "application/xml");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.Put("/bucket/(.+)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      objects_[req.matches[1]] = req.body;
      res.set_header("ETag", "\"" + md5_hex(req.body) + "\"");
    });
    auto read = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      auto it = objects_.find(req.matches[1]);
      if (it == objects_.end()) {
        res.status = 404;
        return;
      }
      res.set_header("ETag", "\"" + md5_hex(it->second) + "\"");
      res.set_content(it->second, "application/octet-stream");
    };
    server_.Get("/bucket/(.+)", read);
    server_.Delete("/bucket/(.+)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      objects_.erase(req.matches[1]);
      res.status = 204;
    });
    server_.Get("/bucket", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      const std::string prefix = req.get_param_value("prefix");
      const std::size_t max = std::stoul(req.get_param_value("max-keys"));
      const std::string after = req.get_param_value("continuation-token");
      std::string xml = "<ListBucketResult>";
      std::size_t n = 0;
      std::string last;
      bool truncated = false;
      for (const auto& [key, data] : objects_) {
        if (key.rfind(prefix, 0) != 0 || (!after.empty() && key <= after)) continue;
        if (n == max) {
          truncated = true;
          break;
        }
        xml += "<Contents><Key>" + key + "</Key><ETag>&quot;" + md5_hex(data) +
               "&quot;</ETag><Size>" + std::to_string(data.size()) + "</Size></Contents>";
        last = key;
        ++n;
      }
      xml += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
      if (truncated) xml += "<NextContinuationToken>" + last + "</NextContinuationToken>";
      xml += "</ListBucketResult>";
      ++list_calls_;
      res.set_content(xml, "application/xml");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  ~FakeS3() {
    server_.stop();
    thread_.join();
  }
  FakeS3(const FakeS3&) = delete;
  FakeS3& operator=(const FakeS3&) = delete;

  S3Config config(const std::string& secret = kTestSecret) const {
    S3Config c;
    c.endpoint_url = "http://127.0.0.1:" + std::to_string(port_);
    c.bucket = "bucket";
    c.access_key_id = Secret(kKey);
    c.secret_access_key = Secret(secret);
    c.timeout = std::chrono::seconds(10);
    return c;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::map<std::string, std::string> objects_;
  std::vector<std::string> bad_signatures_;
  int requests_ = 0;
  int list_calls_ = 0;
  int fail_next_ = 0;
};

TEST(S3ClientTest, SignedRequestsForAwkwardKeysRoundTrip) {
  FakeS3 s3;
  testing::TempDir dir;
  const std::string content(300'000, 'x');
  const auto file = dir.write("a.jpg", content);
  S3Client client(s3.config());
  for (const std::string key :
       {"actors/0006_european_20_female/training_data/a.jpg",
        "actors/odd name (1)/training_data/b+c,d&e=f.jpg", "actors/\xC3\xA9t\xC3\xA9/x~y.jpg"}) {
    Status put = client.put_file(key, file, md5_hex(content));
    ASSERT_TRUE(put) << key << ": " << put.error().message;
    Result<S3Object> head = client.head(key);
    ASSERT_TRUE(head) << key << ": " << head.error().message;
    EXPECT_EQ(head->etag, md5_hex(content));
    EXPECT_EQ(head->size, 300'000);
    Result<std::string> got = client.get(key);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, content);
  }
  EXPECT_TRUE(s3.bad_signatures_.empty()) << s3.bad_signatures_.front();
  EXPECT_EQ(s3.objects_.count("actors/odd name (1)/training_data/b+c,d&e=f.jpg"), 1u);
  ASSERT_TRUE(client.remove("actors/0006_european_20_female/training_data/a.jpg"));
  EXPECT_EQ(client.head("actors/0006_european_20_female/training_data/a.jpg").error().code,
            ErrorCode::NotFound);
  EXPECT_EQ(client.s3_url("k/a.jpg"), "s3://bucket/k/a.jpg");
}

TEST(S3ClientTest, ListingFollowsContinuationTokens) {
  FakeS3 s3;
  for (int i = 0; i < 25; ++i) {
    s3.objects_["actors/p q/" + std::to_string(100 + i) + ".jpg"] = std::string(10, 'a');
  }
  s3.objects_["actors/other/1.jpg"] = "zz";
  S3Client client(s3.config());
  Result<std::vector<S3Object>> all = client.list("actors/p q/", 10);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), 25u);
  EXPECT_EQ(s3.list_calls_, 3);
  EXPECT_EQ(all->front().key, "actors/p q/100.jpg");
  EXPECT_EQ(all->back().size, 10);
  EXPECT_EQ(all->back().etag, md5_hex(std::string(10, 'a')));
  EXPECT_TRUE(s3.bad_signatures_.empty()) << s3.bad_signatures_.front();
}

TEST(S3ClientTest, RetriesServerErrorsAndReportsAWrongSecretClearly) {
  FakeS3 s3;
  s3.objects_["k.jpg"] = "data";
  s3.fail_next_ = 2;
  S3Client client(s3.config());
  Result<std::string> got = client.get("k.jpg");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, "data");
  EXPECT_EQ(s3.requests_, 3);

  S3Client wrong(s3.config("not-the-secret"));
  Result<std::vector<S3Object>> listed = wrong.list("");
  ASSERT_FALSE(listed);
  EXPECT_NE(listed.error().message.find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_EQ(listed.error().message.find("not-the-secret"), std::string::npos);
}

TEST(S3ClientTest, PresignedUrlsVerify) {
  FakeS3 s3;
  s3.objects_["actors/a b/c.jpg"] = "pixels";
  S3Client client(s3.config());
  const std::string url = client.presigned_get("actors/a b/c.jpg", std::chrono::hours(1),
                                               std::chrono::system_clock::now());
  const std::string prefix = "http://127.0.0.1:" + std::to_string(s3.port_);
  ASSERT_EQ(url.rfind(prefix, 0), 0u);
  httplib::Client plain("127.0.0.1", s3.port_);
  auto res = plain.Get(url.substr(prefix.size()));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "pixels");
  EXPECT_TRUE(s3.bad_signatures_.empty()) << s3.bad_signatures_.front();
}

}  // namespace
}  // namespace atr

namespace atr {
namespace {

TEST(S3ListPageTest, ReadsAListingAndRefusesSizesNoInt64Holds) {
  Result<S3ListPage> page = parse_list_page(
      "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>t2</NextContinuationToken><Contents><Key>a/b.jpg</Key>"
      "<ETag>\"0123\"</ETag><Size>17</Size></Contents></ListBucketResult>");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].size, 17);
  EXPECT_EQ(page->objects[0].etag, "0123");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "t2");
  // std::stoll threw on this size, which ended the process that listed.
  for (const char* size : {"99999999999999999999", "-1", "12abc"}) {
    SCOPED_TRACE(size);
    Result<S3ListPage> bad =
        parse_list_page(std::string("<ListBucketResult><Contents><Key>k</Key><Size>") + size +
                        "</Size></Contents></ListBucketResult>");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::Unavailable);
    EXPECT_NE(bad.error().message.find("not a whole number of bytes"), std::string::npos);
  }
  EXPECT_FALSE(parse_list_page("<html>502</html>"));
  EXPECT_FALSE(parse_list_page("not xml at all <"));
}

}  // namespace
}  // namespace atr
