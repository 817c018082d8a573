#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace atr {

/// One HTTP request.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{30'000};  ///< whole exchange
};

/// How an exchange ended.
struct HttpResponse {
  enum class Outcome {
    Answered,  ///< a status line came back (any code)
    NotSent,   ///< no connection was made: the server never saw the request
    NoAnswer,  ///< the request may have reached the server, but no answer came (timeout…)
  };
  Outcome outcome = Outcome::NoAnswer;
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< names lowercased
  std::string failure;  ///< for NotSent / NoAnswer: what went wrong, no URL query or secret
};

/// A blocking HTTP client. net/ implements it with libcurl; tests may replace it.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// Performs the exchange once; never retries.
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

/// HttpClient on libcurl (one easy handle per call; thread-safe).
class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient();
  HttpResponse send(const HttpRequest& request) override;
};

/// Bounded exponential backoff with full jitter: delay n (from 0) is uniform in
/// [0, min(cap, base · 2^n)].
struct Backoff {
  int max_attempts = 4;
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds cap{8'000};
  /// The delay before attempt `attempt` + 1, given a uniform `unit` in [0, 1).
  [[nodiscard]] std::chrono::milliseconds delay(int attempt, double unit) const;
};

}  // namespace atr
