#include "support/sigv4_verifier.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace atr::testing {
namespace {

using Bytes = std::string;

Bytes hmac(const Bytes& key, const Bytes& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n);
  return {reinterpret_cast<char*>(out), n};
}

std::string to_hex(const Bytes& bytes) {
  std::string out;
  char buffer[3];
  for (char ch : bytes) {
    std::snprintf(buffer, sizeof buffer, "%02x", static_cast<unsigned char>(ch));
    out += buffer;
  }
  return out;
}

std::string sha256(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, EVP_sha256(), nullptr);
  return to_hex(Bytes(reinterpret_cast<char*>(out), n));
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2])) != 0) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// S3's rule, written out byte by byte: letters, digits and "-._~" stay.
std::string encode(const std::string& raw, bool path) {
  std::string out;
  char buffer[4];
  for (char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~' ||
        (path && c == '/')) {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

std::vector<std::string> split(const std::string& text, char on) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(on, start);
    parts.push_back(text.substr(start, at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

std::string trim_collapse(const std::string& value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

SignatureCheck check_sigv4(const ReceivedRequest& request, std::string_view secret) {
  SignatureCheck check;
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    headers[lower] = headers.count(lower) ? headers[lower] + "," + value : value;
  }
  const std::size_t q = request.target.find('?');
  const std::string raw_path = request.target.substr(0, q);
  const std::string raw_query = q == std::string::npos ? "" : request.target.substr(q + 1);

  std::vector<std::pair<std::string, std::string>> query;
  std::map<std::string, std::string> query_map;
  if (!raw_query.empty()) {
    for (const std::string& part : split(raw_query, '&')) {
      const std::size_t eq = part.find('=');
      std::string name = percent_decode(part.substr(0, eq));
      std::string value = eq == std::string::npos ? "" : percent_decode(part.substr(eq + 1));
      query_map[name] = value;
      query.emplace_back(std::move(name), std::move(value));
    }
  }
  const bool presigned = query_map.count("X-Amz-Signature") != 0;

  std::string credential;
  std::string signed_headers;
  std::string given_signature;
  std::string amz_date;
  std::string payload_hash;
  if (presigned) {
    credential = query_map["X-Amz-Credential"];
    signed_headers = query_map["X-Amz-SignedHeaders"];
    given_signature = query_map["X-Amz-Signature"];
    amz_date = query_map["X-Amz-Date"];
    payload_hash = "UNSIGNED-PAYLOAD";
    std::erase_if(query, [](const auto& p) { return p.first == "X-Amz-Signature"; });
  } else {
    const std::string auth = headers["authorization"];
    const std::string prefix = "AWS4-HMAC-SHA256 ";
    if (auth.rfind(prefix, 0) != 0) {
      check.reason = "no AWS4-HMAC-SHA256 Authorization header";
      return check;
    }
    for (std::string part : split(auth.substr(prefix.size()), ',')) {
      part = trim_collapse(part);
      if (part.rfind("Credential=", 0) == 0) credential = part.substr(11);
      if (part.rfind("SignedHeaders=", 0) == 0) signed_headers = part.substr(14);
      if (part.rfind("Signature=", 0) == 0) given_signature = part.substr(10);
    }
    amz_date = headers["x-amz-date"];
    payload_hash = headers["x-amz-content-sha256"];
    if (payload_hash.empty()) {
      check.reason = "no x-amz-content-sha256 header (S3 requires it)";
      return check;
    }
  }
  const std::vector<std::string> scope = split(credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request" || amz_date.size() != 16 ||
      amz_date.substr(0, 8) != scope[1]) {
    check.reason = "malformed credential scope or date: " + credential + " " + amz_date;
    return check;
  }

  std::string path;
  for (const std::string& segment : split(raw_path, '/')) {
    if (!path.empty() || raw_path.front() == '/') path += '/';
    path += encode(percent_decode(segment), false);
  }
  if (path.size() > 1 && path.front() == '/' && path[1] == '/') path.erase(0, 1);
  std::vector<std::string> encoded_query;
  encoded_query.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded_query.push_back(encode(name, false) + "=" + encode(value, false));
  }
  std::sort(encoded_query.begin(), encoded_query.end());
  std::string canonical_query;
  for (const std::string& item : encoded_query) {
    canonical_query += canonical_query.empty() ? item : "&" + item;
  }
  std::string canonical_headers;
  for (const std::string& name : split(signed_headers, ';')) {
    if (headers.count(name) == 0) {
      check.reason = "signed header '" + name + "' was not received";
      return check;
    }
    canonical_headers += name + ":" + trim_collapse(headers[name]) + "\n";
  }
  check.canonical_request = request.method + "\n" + path + "\n" + canonical_query + "\n" +
                            canonical_headers + "\n" + signed_headers + "\n" + payload_hash;
  const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope[1] + "/" +
                                     scope[2] + "/" + scope[3] + "/aws4_request\n" +
                                     sha256(check.canonical_request);
  Bytes key = hmac("AWS4" + std::string(secret), scope[1]);
  key = hmac(key, scope[2]);
  key = hmac(key, scope[3]);
  key = hmac(key, "aws4_request");
  const std::string expected = to_hex(hmac(key, string_to_sign));
  if (expected != given_signature) {
    check.reason = "signature mismatch: expected " + expected + ", got " + given_signature;
    return check;
  }
  check.valid = true;
  return check;
}

}  // namespace atr::testing
