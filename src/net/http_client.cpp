#include "net/http_client.h"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

#include <curl/curl.h>

#include "base/check.h"
#include "base/strings.h"

namespace atr {
namespace {

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  const std::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    auto& headers = *static_cast<std::map<std::string, std::string>*>(user);
    headers[to_lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }
  return size * count;
}

// Errors where curl made no connection, so the server cannot have seen the request.
bool nothing_sent(CURLcode code) {
  return code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
         code == CURLE_COULDNT_CONNECT || code == CURLE_UNSUPPORTED_PROTOCOL ||
         code == CURLE_URL_MALFORMAT || code == CURLE_SSL_CONNECT_ERROR ||
         code == CURLE_PEER_FAILED_VERIFICATION;
}

}  // namespace

// Idle easy handles. A handle keeps its connections open, so a call that takes one reuses a
// kept-alive connection to the same host instead of connecting again.
struct CurlHttpClient::Handles {
  std::mutex mutex;
  std::vector<CURL*> idle;

  CURL* take() {
    std::lock_guard lock(mutex);
    if (idle.empty()) return curl_easy_init();
    CURL* c = idle.back();
    idle.pop_back();
    curl_easy_reset(c);  // options go, open connections stay
    return c;
  }
  void give(CURL* c) {
    std::lock_guard lock(mutex);
    idle.push_back(c);
  }
  ~Handles() {
    for (CURL* c : idle) {
      curl_easy_cleanup(c);
    }
  }
};

CurlHttpClient::CurlHttpClient() : handles_(std::make_unique<Handles>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlHttpClient::~CurlHttpClient() = default;

HttpResponse CurlHttpClient::send(const HttpRequest& request) {
  HttpResponse response;
  auto give_back = [this](CURL* c) { handles_->give(c); };
  std::unique_ptr<CURL, decltype(give_back)> handle(handles_->take(), give_back);
  ATR_CHECK(handle != nullptr, "curl_easy_init failed");
  CURL* curl = handle.get();
  curl_slist* raw_headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    std::string line = name;
    line += ": ";
    line += value;
    raw_headers = curl_slist_append(raw_headers, line.c_str());
  }
  const bool uploads = !request.upload_file.empty();
  // No "Expect: 100-continue" round trip for small bodies. A signed request never removes the
  // header (curl 7.88's SigV4 would sign the removed header as an empty one, and the server
  // would refuse the signature); an upload sends its body at once instead (below).
  if (!request.sigv4) raw_headers = curl_slist_append(raw_headers, "Expect:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(raw_headers,
                                                                      &curl_slist_free_all);
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(nullptr, &std::fclose);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (uploads) {
    file.reset(std::fopen(request.upload_file.c_str(), "rb"));
    if (!file) {
      response.outcome = HttpResponse::Outcome::NotSent;
      response.failure = "cannot read " + request.upload_file.string();
      return response;
    }
    std::error_code ec;
    const auto size = static_cast<curl_off_t>(std::filesystem::file_size(request.upload_file, ec));
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READDATA, file.get());
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, size);
    curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
    if (request.method != "PUT") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  } else if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "DELETE" && request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  std::string userpwd;
  if (request.sigv4) {
    userpwd =
        request.sigv4->access_key_id.reveal() + ":" + request.sigv4->secret_access_key.reveal();
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, request.sigv4->provider.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  if (!request.keep_connection) curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "actor-trainer/0.1");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    response.outcome = HttpResponse::Outcome::Answered;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  } else {
    response.outcome =
        nothing_sent(code) ? HttpResponse::Outcome::NotSent : HttpResponse::Outcome::NoAnswer;
    response.failure = curl_easy_strerror(code);
  }
  return response;
}

std::chrono::milliseconds Backoff::delay(int attempt, double unit) const {
  const auto ceiling = std::min<long long>(cap.count(), base.count() << std::min(attempt, 20));
  return std::chrono::milliseconds(
      static_cast<long long>(static_cast<double>(ceiling) * std::clamp(unit, 0.0, 1.0)));
}

bool transient(const HttpResponse& response) {
  return response.outcome != HttpResponse::Outcome::Answered || response.status == 429 ||
         response.status >= 500;
}

long long retry_after_ms(const HttpResponse& response) {
  auto it = response.headers.find("retry-after");
  if (it == response.headers.end()) return 0;
  const std::string_view value = trim(it->second);
  if (value.empty() || value.size() > 6 || !is_digits(value)) return 0;
  return std::stoll(std::string(value)) * 1000;
}

Retrier::Retrier(Backoff backoff, Sleep sleep)
    : backoff_(backoff),
      sleep_(sleep ? std::move(sleep)
                   : Sleep([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); })),
      rng_(std::random_device{}()) {}

HttpResponse Retrier::send(HttpClient& client, const HttpRequest& request, int attempts,
                           const std::function<bool(const HttpResponse&)>& again) {
  HttpResponse response;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    response = client.send(request);
    if (!again(response) || attempt + 1 == attempts) break;
    double unit = 0.0;
    {
      std::lock_guard lock(rng_mutex_);
      unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    }
    std::chrono::milliseconds wait = backoff_.delay(attempt, unit);
    // A Retry-After the other side gave wins, within the cap.
    if (const long long asked = retry_after_ms(response); asked > 0) {
      wait = std::min(backoff_.cap, std::chrono::milliseconds(asked));
    }
    sleep_(wait);
  }
  return response;
}

}  // namespace atr
