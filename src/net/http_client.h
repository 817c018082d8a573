#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/secret.h"

namespace atr {

/// AWS Signature Version 4, computed by libcurl (CURLOPT_AWS_SIGV4) from these and the request.
struct SigV4Signing {
  std::string provider;  ///< "aws:amz:<region>:s3"
  Secret access_key_id;
  Secret secret_access_key;
};

/// One HTTP request.
struct HttpRequest {
  std::string method = "GET";  ///< HEAD asks for no body
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// When set, the body is this file, streamed from disk (PUT), instead of `body`.
  std::filesystem::path upload_file;
  std::optional<SigV4Signing> sigv4;
  /// False: close the connection after this exchange instead of keeping it in the pool (a
  /// server that is stopped soon after would otherwise wait for the idle connection to end).
  bool keep_connection = true;
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

/// HttpClient on libcurl. Thread-safe: each call takes an idle easy handle from the client's
/// pool (or a new one) and gives it back, so calls reuse kept-alive connections.
class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient();
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;
  HttpResponse send(const HttpRequest& request) override;

 private:
  struct Handles;
  std::unique_ptr<Handles> handles_;
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

/// True for an answer worth asking again: no answer, 429, or a 5xx.
bool transient(const HttpResponse& response);

/// The answer's Retry-After in milliseconds (delta seconds; an HTTP date or anything else
/// counts as not said); 0 when absent.
long long retry_after_ms(const HttpResponse& response);

/// The one retry loop of the product's HTTP clients (RunPod, S3): sends, and while `again`
/// says so and attempts remain, waits the backoff's delay — or the answer's Retry-After,
/// within the backoff's cap — and sends again. Returns the last answer.
class Retrier {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  explicit Retrier(Backoff backoff, Sleep sleep = {});
  HttpResponse send(HttpClient& client, const HttpRequest& request, int attempts,
                    const std::function<bool(const HttpResponse&)>& again);

 private:
  Backoff backoff_;
  Sleep sleep_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;
};

}  // namespace atr
