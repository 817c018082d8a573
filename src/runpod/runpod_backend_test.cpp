#include "runpod/runpod_backend.h"

#include <deque>

#include <gtest/gtest.h>

#include "runpod/default_workflow.h"

namespace atr {
namespace {

// Answers from a script and records every request: the client's retry rules are visible.
class ScriptedHttpClient final : public HttpClient {
 public:
  std::deque<HttpResponse> script;
  std::vector<HttpRequest> seen;
  HttpResponse send(const HttpRequest& request) override {
    seen.push_back(request);
    if (script.empty()) return answer(500, "script ran out");
    HttpResponse r = script.front();
    script.pop_front();
    return r;
  }
  static HttpResponse answer(long status, std::string body) {
    HttpResponse r;
    r.outcome = HttpResponse::Outcome::Answered;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static HttpResponse failure(HttpResponse::Outcome outcome) {
    HttpResponse r;
    r.outcome = outcome;
    r.failure = "Timeout was reached";
    return r;
  }
};

struct Fixture {
  std::shared_ptr<ScriptedHttpClient> http = std::make_shared<ScriptedHttpClient>();
  std::vector<std::chrono::milliseconds> sleeps;
  RunpodBackend backend;
  Fixture()
      : backend(default_workflow(), connection(), http,
                [this](std::chrono::milliseconds d) { sleeps.push_back(d); }) {}
  static RunpodConnection connection() {
    RunpodConnection c;
    c.base_url = "http://127.0.0.1:9/v2";
    c.api_key = Secret("rp_secret_key");
    return c;
  }
};

TrainingRequest backend_request() {
  TrainingRequest r;
  r.actor_id = "0006";
  r.version_name = "V1";
  r.model_name = "actor_0006_V1";
  r.request_id = "0006_1";
  r.parameters.class_tokens = "0006_european_20_female";
  r.s3_urls = {"s3://b/a.jpg"};
  return r;
}

TEST(RunpodBackendTest, RunIsSentOnceWithBearerKey) {
  Fixture f;
  f.http->script.push_back(
      ScriptedHttpClient::answer(200, R"({"id":"job-1","status":"IN_QUEUE"})"));
  const SubmitOutcome out = f.backend.submit("ep1", backend_request());
  EXPECT_EQ(out.kind, SubmitOutcome::Kind::Accepted);
  EXPECT_EQ(out.job_id, "job-1");
  ASSERT_EQ(f.http->seen.size(), 1u);
  EXPECT_EQ(f.http->seen[0].url, "http://127.0.0.1:9/v2/ep1/run");
  EXPECT_EQ(f.http->seen[0].headers[0].second, "Bearer rp_secret_key");
  EXPECT_EQ(out.detail.find("rp_secret_key"), std::string::npos);
}

TEST(RunpodBackendTest, RunTimeoutAnd5xxAreUnknownAndNeverRepeated) {
  for (const HttpResponse& answer :
       {ScriptedHttpClient::failure(HttpResponse::Outcome::NoAnswer),
        ScriptedHttpClient::answer(502, "<html><body>Bad gateway</body></html>")}) {
    Fixture f;
    f.http->script.push_back(answer);
    const SubmitOutcome out = f.backend.submit("ep1", backend_request());
    EXPECT_EQ(out.kind, SubmitOutcome::Kind::Unknown) << out.detail;
    EXPECT_EQ(f.http->seen.size(), 1u);
    EXPECT_TRUE(f.sleeps.empty());
  }
}

TEST(RunpodBackendTest, RunIsRepeatedAfter429OnlyHonouringRetryAfter) {
  // A 429 means RunPod executed nothing: the training used to fail on it.
  Fixture f;
  HttpResponse limited = ScriptedHttpClient::answer(429, R"({"error":"rate limited"})");
  limited.headers["retry-after"] = "2";
  f.http->script = {limited, ScriptedHttpClient::answer(429, ""),
                    ScriptedHttpClient::answer(200, R"({"id":"job-9","status":"IN_QUEUE"})")};
  const SubmitOutcome out = f.backend.submit("ep1", backend_request());
  EXPECT_EQ(out.kind, SubmitOutcome::Kind::Accepted) << out.detail;
  EXPECT_EQ(out.job_id, "job-9");
  EXPECT_EQ(f.http->seen.size(), 3u);
  ASSERT_EQ(f.sleeps.size(), 2u);
  EXPECT_EQ(f.sleeps[0], std::chrono::milliseconds(2000));
  // Still 429 after every attempt: refused, nothing runs.
  Fixture g;
  for (int i = 0; i < 10; ++i) {
    g.http->script.push_back(ScriptedHttpClient::answer(429, ""));
  }
  EXPECT_EQ(g.backend.submit("ep1", backend_request()).kind, SubmitOutcome::Kind::Rejected);
  EXPECT_EQ(g.http->seen.size(), static_cast<size_t>(Backoff{}.max_attempts));
}

TEST(RunpodBackendTest, ThePollersErrorCarriesTheRetryAfterItWasGiven) {
  Fixture f;
  HttpResponse limited = ScriptedHttpClient::answer(429, "");
  limited.headers["retry-after"] = " 2 ";
  f.http->script = {limited};
  auto r = f.backend.status("ep1", "job-1", Retries::None);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Unavailable);
  EXPECT_EQ(r.error().retry_after_ms, 2000);
}

TEST(RunpodBackendTest, RunRefusalOrNoConnectionIsRejected) {
  for (const HttpResponse& answer : {ScriptedHttpClient::answer(401, R"({"error":"unauthorized"})"),
                                     ScriptedHttpClient::answer(400, "bad input"),
                                     ScriptedHttpClient::failure(HttpResponse::Outcome::NotSent)}) {
    Fixture f;
    f.http->script.push_back(answer);
    const SubmitOutcome out = f.backend.submit("ep1", backend_request());
    EXPECT_EQ(out.kind, SubmitOutcome::Kind::Rejected) << out.detail;
  }
}

TEST(RunpodBackendTest, StatusRetries429And5xxWithBackoffThenSucceeds) {
  Fixture f;
  f.http->script = {ScriptedHttpClient::answer(429, ""),
                    ScriptedHttpClient::answer(502, "<html>cloudflare</html>"),
                    ScriptedHttpClient::answer(200, R"({"id":"job-1","status":"IN_PROGRESS"})")};
  auto r = f.backend.status("ep1", "job-1", Retries::WithBackoff);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->event, LifecycleEvent::ReportedRunning);
  EXPECT_EQ(f.http->seen.size(), 3u);
  ASSERT_EQ(f.sleeps.size(), 2u);
  const Backoff backoff;
  EXPECT_LE(f.sleeps[0], backoff.delay(0, 1.0));
  EXPECT_LE(f.sleeps[1], backoff.delay(1, 1.0));
}

TEST(RunpodBackendTest, RetryAfterIsHonouredWithinTheCap) {
  Fixture f;
  HttpResponse limited = ScriptedHttpClient::answer(429, "");
  limited.headers["retry-after"] = "3";
  HttpResponse long_wait = ScriptedHttpClient::answer(429, "");
  long_wait.headers["retry-after"] = "3600";
  f.http->script = {limited, long_wait,
                    ScriptedHttpClient::answer(200, R"({"id":"job-1","status":"IN_QUEUE"})")};
  ASSERT_TRUE(f.backend.status("ep1", "job-1", Retries::WithBackoff));
  ASSERT_EQ(f.sleeps.size(), 2u);
  EXPECT_EQ(f.sleeps[0], std::chrono::milliseconds(3000));
  EXPECT_EQ(f.sleeps[1], Backoff{}.cap);
}

TEST(RunpodBackendTest, StatusGivesUpAfterBoundedAttempts) {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    f.http->script.push_back(ScriptedHttpClient::answer(429, ""));
  }
  auto r = f.backend.status("ep1", "job-1", Retries::WithBackoff);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Unavailable);
  EXPECT_EQ(f.http->seen.size(), static_cast<size_t>(Backoff{}.max_attempts));
}

TEST(RunpodBackendTest, PollerStatusMakesOneAttempt) {
  Fixture f;
  f.http->script = {ScriptedHttpClient::answer(503, "")};
  auto r = f.backend.status("ep1", "job-1", Retries::None);
  ASSERT_FALSE(r);
  EXPECT_EQ(f.http->seen.size(), 1u);
}

TEST(RunpodBackendTest, Status404IsAReportNotAnError) {
  Fixture f;
  f.http->script = {ScriptedHttpClient::answer(404, R"({"error":"job not found"})")};
  auto r = f.backend.status("ep1", "job-1", Retries::WithBackoff);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->event, LifecycleEvent::ReportedUnknown);
}

TEST(RunpodBackendTest, HealthIsLenient) {
  Fixture f;
  f.http->script = {ScriptedHttpClient::answer(200, R"({"workers":{"idle":2,"running":1}})")};
  auto h = f.backend.health("ep1");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->workers_idle, 2);
  EXPECT_EQ(h->jobs_in_queue, 0);
}

TEST(DescribeAnswerTest, HtmlPagesAreNotDumped) {
  EXPECT_EQ(describe_answer(ScriptedHttpClient::answer(502, "<!DOCTYPE html><html>...</html>")),
            "HTTP 502 (HTML error page)");
}

}  // namespace
}  // namespace atr
