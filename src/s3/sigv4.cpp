#include "s3/sigv4.h"

#include <algorithm>
#include <array>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/strings.h"

namespace atr::sigv4 {
namespace {

std::string hex(const unsigned char* data, std::size_t size) {
  return to_hex(data, size);
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  return percent_encode(text, keep_slash);
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> params) {
  for (auto& [name, value] : params) {
    name = uri_encode(name, false);
    value = uri_encode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &size, EVP_sha256(), nullptr);
  return hex(md.data(), size);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(), &size);
  return {reinterpret_cast<const char*>(md.data()), size};
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  const std::string k_date = hmac_sha256("AWS4" + std::string(secret), date);
  const std::string k_region = hmac_sha256(k_date, region);
  const std::string k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string presigned_query(const PresignRequest& r) {
  const std::string date = r.amz_date.substr(0, 8);
  const std::string scope = date + "/" + r.region + "/s3/aws4_request";
  std::vector<std::pair<std::string, std::string>> params = {
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"X-Amz-Credential", r.access_key + "/" + scope},
      {"X-Amz-Date", r.amz_date},
      {"X-Amz-Expires", std::to_string(r.expires_seconds)},
      {"X-Amz-SignedHeaders", "host"}};
  const std::string query = canonical_query(params);
  std::string canonical = "GET\n";
  canonical += r.path;
  canonical += '\n';
  canonical += query;
  canonical += "\nhost:";
  canonical += r.host;
  canonical += "\n\nhost\nUNSIGNED-PAYLOAD";
  std::string to_sign = "AWS4-HMAC-SHA256\n";
  to_sign += r.amz_date;
  to_sign += '\n';
  to_sign += scope;
  to_sign += '\n';
  to_sign += sha256_hex(canonical);
  const std::string key = signing_key(r.secret, date, r.region, "s3");
  const std::string signature = hmac_sha256(key, to_sign);
  return query + "&X-Amz-Signature=" +
         hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

}  // namespace atr::sigv4
