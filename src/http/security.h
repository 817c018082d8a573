#pragma once
// The checks of PRODUCT.md §4 that every API request passes before any route runs.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/secret.h"

namespace httplib {
struct Request;
}

namespace atr {

/// Compares a secret without stopping at the first difference (OpenSSL's CRYPTO_memcmp), so
/// timing does not reveal how much of it a guess got right.
bool same_secret(std::string_view given, std::string_view expected);

/// Whom the API trusts: its own Host names and origins, the bearer token when one is set.
class RequestGuard {
 public:
  /// The header the web UI sends with every state-changing request (see ApiServer).
  static constexpr const char* kClientHeader = "X-Actor-Trainer";
  /// The cookie the page sets so that reads that cannot send headers (EventSource, <img>)
  /// carry the token.
  static constexpr std::string_view kTokenCookie = "atr_token";

  RequestGuard() = default;
  /// Trusts `host` (and the loopback names) on `port`, plus `extra_origins` (their hosts too).
  RequestGuard(const std::string& host, int port, const std::vector<std::string>& extra_origins,
               Secret token, std::size_t body_limit);

  /// Ok, or the refusal: Malformed (no Host), PermissionDenied (a foreign Host — DNS
  /// rebinding —, a cross-origin change, a change without Origin/Referer or the UI's header),
  /// Unauthenticated (no or a wrong bearer token), TooLarge (Content-Length over the limit),
  /// NotFound (a method no route has).
  [[nodiscard]] Status check(const httplib::Request& req) const;

 private:
  std::vector<std::string> hosts_;    ///< "127.0.0.1:8090", …
  std::vector<std::string> origins_;  ///< "http://127.0.0.1:8090", …
  Secret token_;
  std::size_t body_limit_ = 0;
};

/// Debian's cpp-httplib 0.11 compresses with Brotli whenever a client accepts it, at Brotli's
/// slowest quality: 0.9 s for the page's 250 KB script and 0.25 s for a page of 200 actors,
/// against 3–30 ms with gzip. Browsers always accept both, so "br" is taken out of the
/// request's Accept-Encoding before the library decides.
void offer_gzip_only(const httplib::Request& req);

}  // namespace atr
