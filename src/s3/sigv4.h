#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atr::sigv4 {

/// AWS Signature Version 4 pieces that libcurl's CURLOPT_AWS_SIGV4 (7.88) does not do for us:
/// S3's canonical encoding of object keys in the path and of query values, sorted queries,
/// and presigned URLs (curl signs only headers). Reference: AWS "Signature Version 4 signing
/// process" and "Authenticating Requests: Using Query Parameters".

/// Percent-encodes `text` as SigV4 canonicalizes it: unreserved characters (A-Z a-z 0-9 - . _ ~)
/// stay, every other byte becomes %XX (uppercase hex); '/' stays when `keep_slash`.
std::string uri_encode(std::string_view text, bool keep_slash);

/// `name=value` pairs, each encoded with uri_encode, sorted by name then value, joined with '&'.
std::string canonical_query(std::vector<std::pair<std::string, std::string>> params);

/// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
/// HMAC-SHA256 of `data` with `key` (raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);
/// The signing key: HMAC chain of "AWS4"+secret, date (YYYYMMDD), region, service, "aws4_request".
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

/// What a presigned GET needs.
struct PresignRequest {
  std::string host;  ///< as in the URL, with a port when it is not the default
  std::string path;  ///< already canonically encoded ("/bucket/key%20name.jpg")
  std::string access_key;
  std::string secret;
  std::string region;
  std::string amz_date;  ///< "20130524T000000Z"
  long long expires_seconds = 3600;
};

/// The query string of a presigned GET (X-Amz-Algorithm … X-Amz-Signature), to append after '?'.
std::string presigned_query(const PresignRequest& request);

}  // namespace atr::sigv4
