#include "http/security.h"

#include <algorithm>

#include <httplib.h>
#include <openssl/crypto.h>

#include "base/strings.h"

namespace atr {
namespace {

// "scheme://host[:port]" of a URL, lowercased.
std::string origin_of(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const std::size_t end = url.find_first_of("/?#", scheme + 3);
  return to_lower(url.substr(0, end));
}

// The value of cookie `name` (percent-decoded), or "" when the request has none.
std::string cookie_of(const httplib::Request& req, std::string_view name) {
  for (const std::string& part : split(req.get_header_value("Cookie"), ';')) {
    const std::string_view pair = trim(part);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return httplib::detail::decode_url(std::string(pair.substr(eq + 1)), false);
    }
  }
  return {};
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool same_secret(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) {
    // Compare anyway, so a wrong length takes as long as a wrong value.
    (void)CRYPTO_memcmp(expected.data(), expected.data(), expected.size());
    return false;
  }
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

RequestGuard::RequestGuard(const std::string& host, int port,
                           const std::vector<std::string>& extra_origins, Secret token,
                           std::size_t body_limit)
    : token_(std::move(token)), body_limit_(body_limit) {
  const std::string port_text = std::to_string(port);
  for (const std::string& h :
       {host, std::string("127.0.0.1"), std::string("localhost"), std::string("[::1]")}) {
    hosts_.push_back(to_lower(h) + ":" + port_text);
    origins_.push_back("http://" + to_lower(h) + ":" + port_text);
  }
  for (const std::string& o : extra_origins) {
    const std::string origin = origin_of(o);
    if (origin.empty()) continue;
    origins_.push_back(origin);
    hosts_.push_back(origin.substr(origin.find("://") + 3));
  }
}

Status RequestGuard::check(const httplib::Request& req) const {
  // HTTP/1.1 requires a Host header; without one the DNS-rebinding check below cannot run.
  if (!req.has_header("Host")) {
    return Error{ErrorCode::Malformed, "the request has no Host header"};
  }
  const std::string host = to_lower(req.get_header_value("Host"));
  if (!contains(hosts_, host)) {
    return Error{ErrorCode::PermissionDenied,
                 "Host '" + host + "' is not this server; add it with --allow-origin"};
  }
  const bool protected_path = req.path.starts_with("/api/") || req.path == "/metrics";
  const bool changes_state = req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS";
  if (!token_.empty() && protected_path) {
    // Reads may also carry the token as the cookie the page sets, since an EventSource or an
    // <img> cannot send headers. Changes always need the header.
    const bool cookie_ok =
        !changes_state && same_secret(cookie_of(req, kTokenCookie), token_.reveal());
    if (!cookie_ok &&
        !same_secret(req.get_header_value("Authorization"), "Bearer " + token_.reveal())) {
      return Error{ErrorCode::Unauthenticated, "this server needs 'Authorization: Bearer <token>'"};
    }
  }
  if (changes_state) {
    std::string origin = req.get_header_value("Origin");
    const bool has_origin = req.has_header("Origin");
    if (!has_origin && req.has_header("Referer")) {
      origin = origin_of(req.get_header_value("Referer"));
    }
    if (has_origin || req.has_header("Referer")) {
      if (!contains(origins_, to_lower(origin))) {
        return Error{ErrorCode::PermissionDenied,
                     "cross-origin request refused: '" + origin + "' is not this server"};
      }
    } else if (req.get_header_value(kClientHeader).empty()) {
      return Error{ErrorCode::PermissionDenied,
                   std::string("a request without Origin or Referer must carry the ") +
                       kClientHeader + " header"};
    }
    if (req.get_header_value<std::uint64_t>("Content-Length") > body_limit_) {
      return Error{ErrorCode::TooLarge,
                   "request body is larger than " + std::to_string(body_limit_) + " bytes"};
    }
  }
  if (!changes_state && req.method != "GET" && req.method != "HEAD") {
    return Error{ErrorCode::NotFound, "no route " + req.method + " " + req.path};
  }
  return Ok{};
}

// The Request object is httplib's own non-const local, handed to handlers as const; changing
// it here is the one place we do so.
void offer_gzip_only(const httplib::Request& req) {
  auto& headers =
      const_cast<httplib::Request&>(req)  // NOLINT(cppcoreguidelines-pro-type-const-cast)
          .headers;
  auto range = headers.equal_range("Accept-Encoding");
  for (auto it = range.first; it != range.second; ++it) {
    std::vector<std::string> kept;
    for (const std::string& token : split(it->second, ',')) {
      const std::string_view name = trim(std::string_view(token).substr(0, token.find(';')));
      if (to_lower(name) != "br") kept.emplace_back(trim(token));
    }
    it->second = join(kept, ", ");
  }
}

}  // namespace atr
