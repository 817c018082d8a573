#include "net/http_client.h"

#include <deque>

#include <gtest/gtest.h>

namespace atr {
namespace {

// Answers from a script, and remembers how often it was asked.
class ScriptedClient final : public HttpClient {
 public:
  std::deque<HttpResponse> answers;
  int sends = 0;
  HttpResponse send(const HttpRequest& /*request*/) override {
    ++sends;
    HttpResponse r = answers.front();
    if (answers.size() > 1) answers.pop_front();
    return r;
  }
};

HttpResponse answer(long status, const std::string& retry_after = {}) {
  HttpResponse r;
  r.outcome = HttpResponse::Outcome::Answered;
  r.status = status;
  if (!retry_after.empty()) r.headers["retry-after"] = retry_after;
  return r;
}

TEST(RetrierTest, WaitsWhatRetryAfterSaysWithinTheCapThenStopsAtTheFirstGoodAnswer) {
  ScriptedClient client;
  client.answers = {answer(503, "2"), answer(429, "60"), answer(200)};
  std::vector<std::chrono::milliseconds> waits;
  Retrier retrier(Backoff{5, std::chrono::milliseconds(100), std::chrono::milliseconds(8'000)},
                  [&waits](std::chrono::milliseconds d) { waits.push_back(d); });
  const HttpResponse r = retrier.send(client, HttpRequest{}, 5, &transient);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(client.sends, 3);
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_EQ(waits[0], std::chrono::milliseconds(2'000));  // Retry-After: 2
  EXPECT_EQ(waits[1], std::chrono::milliseconds(8'000));  // 60 s asked, the cap given
}

TEST(RetrierTest, GivesUpAfterItsAttemptsAndNeverRetriesWhatIsNotTransient) {
  ScriptedClient failing;
  failing.answers = {answer(500)};
  Retrier retrier(Backoff{}, [](std::chrono::milliseconds) {});
  EXPECT_EQ(retrier.send(failing, HttpRequest{}, 3, &transient).status, 500);
  EXPECT_EQ(failing.sends, 3);
  ScriptedClient refusing;
  refusing.answers = {answer(403)};
  EXPECT_EQ(retrier.send(refusing, HttpRequest{}, 3, &transient).status, 403);
  EXPECT_EQ(refusing.sends, 1);
}

TEST(RetrierTest, RetryAfterThatIsNoNumberOfSecondsIsNotSaid) {
  EXPECT_EQ(retry_after_ms(answer(429, "Wed, 21 Oct 2026 07:28:00 GMT")), 0);
  EXPECT_EQ(retry_after_ms(answer(429, "-1")), 0);
  EXPECT_EQ(retry_after_ms(answer(429, " 3 ")), 3'000);
  EXPECT_EQ(retry_after_ms(answer(429)), 0);
}

}  // namespace
}  // namespace atr
