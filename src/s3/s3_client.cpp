#include "s3/s3_client.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <limits>
#include <memory>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "base/strings.h"
#include "s3/sigv4.h"

namespace atr {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string strip_quotes(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

// Base64 of the 16 MD5 bytes given as hex, for Content-MD5.
std::string md5_base64(const std::string& hex) {
  unsigned char bytes[16];
  for (std::size_t i = 0; i < 16 && 2 * i + 1 < hex.size(); ++i) {
    bytes[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  unsigned char out[32] = {};
  const int n = EVP_EncodeBlock(out, bytes, 16);
  return {reinterpret_cast<char*>(out), static_cast<std::size_t>(n)};
}

// The text of S3's XML error <Code> and <Message>, shortened; never the request.
std::string describe_error(long status, const std::string& body) {
  std::string out = "HTTP " + std::to_string(status);
  for (const char* tag : {"Code", "Message"}) {
    const std::string open = std::string("<") + tag + ">";
    const std::size_t at = body.find(open);
    const std::size_t end = body.find(std::string("</") + tag + ">");
    if (at != std::string::npos && end != std::string::npos && end > at) {
      out +=
          " " + body.substr(at + open.size(), std::min<std::size_t>(end - at - open.size(), 200));
    }
  }
  return out;
}

const xmlChar* xml_name(const char* name) {
  return reinterpret_cast<const xmlChar*>(name);
}

std::string child_text(xmlNode* parent, const char* name) {
  for (xmlNode* n = parent->children; n != nullptr; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, xml_name(name)) == 0) {
      xmlChar* text = xmlNodeGetContent(n);
      std::string out = text == nullptr ? "" : reinterpret_cast<const char*>(text);
      xmlFree(text);
      return out;
    }
  }
  return {};
}

std::string amz_date(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[20];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

}  // namespace

Result<S3ListPage> parse_list_page(std::string_view body) {
  if (body.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Error{ErrorCode::Unavailable, "S3 list: the answer is too large"};
  }
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(body.data(), static_cast<int>(body.size()), "list.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      &xmlFreeDoc);
  if (!doc) return Error{ErrorCode::Unavailable, "S3 list: the answer is not XML"};
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || xmlStrcmp(root->name, xml_name("ListBucketResult")) != 0) {
    return Error{ErrorCode::Unavailable, "S3 list: no ListBucketResult in the answer"};
  }
  S3ListPage page;
  page.truncated = child_text(root, "IsTruncated") == "true";
  page.next_token = child_text(root, "NextContinuationToken");
  for (xmlNode* n = root->children; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, xml_name("Contents")) != 0) continue;
    S3Object object;
    object.key = child_text(n, "Key");
    object.etag = strip_quotes(child_text(n, "ETag"));
    const std::string size = child_text(n, "Size");
    const auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), object.size);
    if (!size.empty() &&
        (error != std::errc() || end != size.data() + size.size() || object.size < 0)) {
      return Error{ErrorCode::Unavailable, "S3 list: object " + object.key + " has the size '" +
                                               size + "', not a whole number of bytes"};
    }
    page.objects.push_back(std::move(object));
  }
  return page;
}

S3Client::~S3Client() = default;

S3Client::S3Client(S3Config config)
    : config_(std::move(config)),
      retrier_(Backoff{config_.max_attempts, std::chrono::milliseconds(250),
                       std::chrono::milliseconds(8'000)}) {
  while (!config_.endpoint_url.empty() && config_.endpoint_url.back() == '/') {
    config_.endpoint_url.pop_back();
  }
}

std::string S3Client::base_url() const {
  if (!config_.endpoint_url.empty()) return config_.endpoint_url;
  return "https://" + config_.bucket + ".s3." + config_.region + ".amazonaws.com";
}

std::string S3Client::object_path(const std::string& key) const {
  const std::string encoded = sigv4::uri_encode(key, true);
  if (!config_.endpoint_url.empty()) return "/" + config_.bucket + "/" + encoded;
  return "/" + encoded;
}

std::string S3Client::s3_url(const std::string& key) const {
  return "s3://" + config_.bucket + "/" + key;
}

Result<HttpResponse> S3Client::perform(
    const std::string& method, const std::string& path_and_query, const fs::path* upload,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  if (upload != nullptr) {
    std::error_code ec;
    if (!fs::is_regular_file(*upload, ec)) {
      return Error{ErrorCode::NotFound, "S3 upload: cannot read " + upload->string()};
    }
  }
  HttpRequest request;
  request.method = method;
  request.url = base_url() + path_and_query;
  request.headers = headers;
  request.headers.emplace_back("x-amz-content-sha256",
                               upload != nullptr ? "UNSIGNED-PAYLOAD" : kEmptySha256);
  if (upload != nullptr) request.upload_file = *upload;
  request.sigv4 = SigV4Signing{"aws:amz:" + config_.region + ":s3", config_.access_key_id,
                               config_.secret_access_key};
  request.connect_timeout = std::chrono::milliseconds(10'000);
  request.timeout = config_.timeout;
  HttpResponse response =
      retrier_.send(http_, request, std::max(config_.max_attempts, 1), &transient);
  if (response.outcome != HttpResponse::Outcome::Answered) {
    return Error{ErrorCode::Unavailable,
                 "S3 " + method + " " + base_url() + ": " + response.failure};
  }
  if (transient(response)) {
    return Error{ErrorCode::Unavailable, "S3 " + method + " " + base_url() + ": " +
                                             describe_error(response.status, response.body)};
  }
  return response;
}

Status S3Client::put_file(const std::string& key, const fs::path& file,
                          const std::string& md5_hex) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (md5_hex.size() == 32) headers.emplace_back("Content-MD5", md5_base64(md5_hex));
  Result<HttpResponse> ex = perform("PUT", object_path(key), &file, headers);
  if (!ex) return ex.error();
  if (ex->status != 200) {
    return Error{ex->status == 403 ? ErrorCode::FailedPrecondition : ErrorCode::Unavailable,
                 "S3 upload of " + key + ": " + describe_error(ex->status, ex->body)};
  }
  const std::string etag = strip_quotes(ex->headers["etag"]);
  if (md5_hex.size() == 32 && !etag.empty() && to_lower(etag) != to_lower(md5_hex)) {
    return Error{ErrorCode::Unavailable,
                 "S3 upload of " + key + ": stored ETag " + etag + " differs from MD5 " + md5_hex};
  }
  return Ok{};
}

Result<S3Object> S3Client::head(const std::string& key) {
  Result<HttpResponse> ex = perform("HEAD", object_path(key), nullptr, {});
  if (!ex) return ex.error();
  if (ex->status == 404) return Error{ErrorCode::NotFound, "S3: no object " + s3_url(key)};
  if (ex->status != 200) {
    return Error{ErrorCode::Unavailable, "S3 HEAD " + key + ": " + describe_error(ex->status, "")};
  }
  S3Object object;
  object.key = key;
  object.etag = strip_quotes(ex->headers["etag"]);
  const std::string length = ex->headers["content-length"];
  // A length no int64 holds is no size (std::stoll would throw on it).
  if (std::from_chars(length.data(), length.data() + length.size(), object.size).ec !=
          std::errc() ||
      object.size < 0) {
    object.size = 0;
  }
  return object;
}

Result<std::string> S3Client::get(const std::string& key) {
  Result<HttpResponse> ex = perform("GET", object_path(key), nullptr, {});
  if (!ex) return ex.error();
  if (ex->status == 404) return Error{ErrorCode::NotFound, "S3: no object " + s3_url(key)};
  if (ex->status != 200) {
    return Error{ErrorCode::Unavailable,
                 "S3 GET " + key + ": " + describe_error(ex->status, ex->body)};
  }
  return std::move(ex->body);
}

Status S3Client::remove(const std::string& key) {
  Result<HttpResponse> ex = perform("DELETE", object_path(key), nullptr, {});
  if (!ex) return ex.error();
  if (ex->status != 204 && ex->status != 200) {
    return Error{ErrorCode::Unavailable,
                 "S3 DELETE " + key + ": " + describe_error(ex->status, ex->body)};
  }
  return Ok{};
}

Result<std::vector<S3Object>> S3Client::list(const std::string& prefix, int page_size) {
  std::vector<S3Object> all;
  std::string token;
  const std::string bucket_path = config_.endpoint_url.empty() ? "/" : "/" + config_.bucket;
  for (int pages = 0; pages < 100'000; ++pages) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"list-type", "2"}, {"prefix", prefix}, {"max-keys", std::to_string(page_size)}};
    if (!token.empty()) params.emplace_back("continuation-token", token);
    Result<HttpResponse> ex =
        perform("GET", bucket_path + "?" + sigv4::canonical_query(params), nullptr, {});
    if (!ex) return ex.error();
    if (ex->status != 200) {
      return Error{ex->status == 403 ? ErrorCode::FailedPrecondition : ErrorCode::Unavailable,
                   "S3 list " + s3_url(prefix) + ": " + describe_error(ex->status, ex->body)};
    }
    Result<S3ListPage> page = parse_list_page(ex->body);
    if (!page) return page.error();
    for (S3Object& o : page->objects) {
      all.push_back(std::move(o));
    }
    if (!page->truncated) return all;
    if (page->next_token.empty()) {
      return Error{ErrorCode::Unavailable,
                   "S3 list: truncated answer without a continuation token"};
    }
    token = page->next_token;
  }
  return Error{ErrorCode::Unavailable, "S3 list: too many pages"};
}

std::string S3Client::presigned_get(const std::string& key, std::chrono::seconds expires,
                                    std::chrono::system_clock::time_point now) const {
  const std::string base = base_url();
  sigv4::PresignRequest r;
  r.host = base.substr(base.find("://") + 3);
  r.path = object_path(key);
  r.access_key = config_.access_key_id.reveal();
  r.secret = config_.secret_access_key.reveal();
  r.region = config_.region;
  r.amz_date = amz_date(now);
  r.expires_seconds = expires.count();
  return base + r.path + "?" + sigv4::presigned_query(r);
}

}  // namespace atr
