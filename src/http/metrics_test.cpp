#include "http/metrics.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

TEST(MetricsTest, RendersCountersAndGaugesInTheTextFormat) {
  Metrics m;
  m.add("atr_http_requests_total", "requests", {{"route", "GET /a"}, {"code", "200"}});
  m.add("atr_http_requests_total", "requests", {{"route", "GET /a"}, {"code", "200"}}, 2);
  m.add("atr_http_requests_total", "requests", {{"route", "say \"hi\""}, {"code", "404"}});
  m.set("atr_sse_clients", "streams", {}, 3);
  const std::string text = m.render();
  EXPECT_NE(text.find("# HELP atr_http_requests_total requests\n"
                      "# TYPE atr_http_requests_total counter\n"),
            std::string::npos);
  EXPECT_NE(text.find("atr_http_requests_total{route=\"GET /a\",code=\"200\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("route=\"say \\\"hi\\\"\""), std::string::npos);
  EXPECT_NE(text.find("# TYPE atr_sse_clients gauge\natr_sse_clients 3\n"), std::string::npos);
  m.clear("atr_sse_clients");
  EXPECT_EQ(m.render().find("atr_sse_clients 3"), std::string::npos);
}

}  // namespace
}  // namespace atr
