#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/secret.h"
#include "net/http_client.h"

namespace atr {

/// Where the objects live and who signs for them. Credentials come from the environment or
/// `.env` only (app/config.cpp) and are never logged or put in an error message.
struct S3Config {
  std::string endpoint_url;  ///< S3-compatible store ("http://127.0.0.1:4568"); empty: AWS
  std::string region = "us-east-1";
  std::string bucket;
  Secret access_key_id;
  Secret secret_access_key;
  std::chrono::milliseconds timeout{120'000};
  int max_attempts = 4;  ///< for 5xx, 429 and network failures
};

/// One object as a listing or HEAD shows it.
struct S3Object {
  std::string key;
  std::string etag;  ///< without quotes; the MD5 hex for a single-part upload
  std::int64_t size = 0;
};

/// One page of a ListObjectsV2 answer.
struct S3ListPage {
  std::vector<S3Object> objects;
  bool truncated = false;
  std::string next_token;
};

/// Reads a ListObjectsV2 answer (XML). Unavailable, saying why, for anything else: not XML, no
/// ListBucketResult, a size that is not a whole number of bytes.
Result<S3ListPage> parse_list_page(std::string_view body);

/// An S3 client on libcurl with its built-in SigV4 signing (CURLOPT_AWS_SIGV4), plus what
/// curl 7.88 leaves out: the `x-amz-content-sha256` header, object keys percent-encoded in
/// the path the way SigV4 canonicalizes them, sorted and encoded query strings, and presigned
/// URLs (s3/sigv4.cpp). Path-style addressing for a configured endpoint, virtual-hosted style
/// for AWS. Retries 5xx, 429 and network failures with backoff. Thread-safe (one curl handle
/// per call).
class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  /// Uploads `file` as `key`, streamed from disk, with Content-MD5 when `md5_hex` is given (the
  /// store then verifies the bytes). The answer's ETag is checked against it.
  Status put_file(const std::string& key, const std::filesystem::path& file,
                  const std::string& md5_hex = {});
  /// The object's metadata; NotFound when it does not exist.
  Result<S3Object> head(const std::string& key);
  /// The whole object (small objects, tests).
  Result<std::string> get(const std::string& key);
  /// Deletes `key` (S3 answers 204 also when it did not exist).
  Status remove(const std::string& key);
  /// Every object under `prefix`, following ListObjectsV2 continuation tokens.
  Result<std::vector<S3Object>> list(const std::string& prefix, int page_size = 1000);
  /// A presigned GET URL for `key`, valid `expires` from `now`.
  [[nodiscard]] std::string presigned_get(const std::string& key, std::chrono::seconds expires,
                                          std::chrono::system_clock::time_point now) const;
  /// "s3://bucket/key".
  [[nodiscard]] std::string s3_url(const std::string& key) const;

 private:
  [[nodiscard]] std::string base_url() const;  ///< scheme://host[:port] (no path)
  [[nodiscard]] std::string object_path(const std::string& key) const;  ///< encoded
  /// One signed exchange through net/ (its handle pool and its retry loop): 5xx, 429 and
  /// network failures are retried; Unavailable when no useful answer came.
  Result<HttpResponse> perform(const std::string& method, const std::string& path_and_query,
                               const std::filesystem::path* upload,
                               const std::vector<std::pair<std::string, std::string>>& headers);

  S3Config config_;
  CurlHttpClient http_;
  Retrier retrier_;
};

}  // namespace atr
