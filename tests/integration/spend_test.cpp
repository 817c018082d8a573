// Spend under control, through the binary against the RunPod emulator: budget caps refuse a
// paid job with the figures, a batch plan stops at the cap, the batch queue of `serve` runs
// to the end, a failed job is retried in place until it completes, and a re-run makes exactly
// one new version.

#include <cstdio>

#include "integration/lifecycle_fixture.h"

namespace atr::testing {
namespace {

// What the product prints for dollars in a refusal: two decimals.
std::string usd(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "$%.2f", value);
  return buffer;
}

class SpendTest : public LifecycleTest {
 protected:
  // One endpoint at a known price, so estimates and costs are plain figures.
  void write_priced_config(const std::string& budget = "") {
    write_config(
        "[[runpod.endpoints]]\nname = \"a100\"\nprice_per_second = 0.01\n"
        "seconds_per_step = 0.001\noverhead_seconds = 60\n" +
        budget);
  }

  // The estimate of training `actor` now, from the dry run.
  double estimate_of(const std::string& actor) {
    json dry = cli_json("train " + actor + " --dry-run");
    return dry["estimate"]["cost_usd"].get<double>();
  }

  std::int64_t train(const std::string& actor) {
    json started = cli_json("train " + actor);
    return started.value("id", std::int64_t{0});
  }

  int api_port() {
    auto line = serve_->wait_for_line("API and UI", 5s);
    return line ? port_in(*line) : 0;
  }
};

TEST_F(SpendTest, ATrainingPastTheCapIsRefusedWithTheFigures) {
  start_emulator({"--run-ms", "700"});
  write_priced_config();
  const std::int64_t first = train("0006");
  ASSERT_GT(first, 0);
  const double spent = wait_for_status(first, "completed")["cost_usd"].get<double>();
  ASSERT_GT(spent, 0.0);
  const double estimate = estimate_of("0008");
  ASSERT_GT(estimate, 0.0);
  // A cap a cent short of spent + this training: refused, nothing sent.
  const double cap = spent + estimate - 0.01;
  char caps[128];
  std::snprintf(caps, sizeof caps, "[budget]\nmonth = %.4f\n", cap);
  write_priced_config(caps);
  const json runs_before = emulator_stats();
  CliResult refused = cli("train 0008");
  EXPECT_EQ(refused.exit_code, 4) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("budget cap reached: this month " + usd(spent) +
                             " spent, $0.00 running, this training ≈ " + usd(estimate) + ", cap " +
                             usd(cap)),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(emulator_stats()["run"], runs_before["run"]);
  EXPECT_EQ(cli_json("versions 0008").size(), 0U);
  // A running job's estimate counts too: with the cap raised past one training, a second one
  // while the first still runs would pass it.
  std::snprintf(caps, sizeof caps, "[budget]\nmonth = %.4f\n", spent + estimate + 0.005);
  write_priced_config(caps);
  configure_emulator({{"run_ms", 20000}});
  const std::int64_t second = train("0008");
  ASSERT_GT(second, 0);
  json again = cli_json("train 0006 --force", 4);
  EXPECT_NE(again["error"]["message"].get<std::string>().find(usd(estimate) + " running"),
            std::string::npos)
      << again.dump();
  EXPECT_EQ(cli_json("abort " + std::to_string(second))["status"], "cancelled");
}

TEST_F(SpendTest, TheBatchPlanStopsAtTheCapAndTheQueueRunsToTheEnd) {
  start_emulator({"--run-ms", "600"});
  write_priced_config();
  const double estimate = estimate_of("0006");
  ASSERT_NEAR(estimate_of("0008"), estimate, 1e-9);
  // Room for one training, not two.
  char caps[128];
  std::snprintf(caps, sizeof caps, "[budget]\ntotal = %.4f\n", estimate * 1.5);
  write_priced_config(caps);
  json plan = cli_json("train --eligible --dry-run --concurrency 2");
  ASSERT_EQ(plan["items"].size(), 2U) << plan.dump(2);
  EXPECT_EQ(plan["included"], 1);
  EXPECT_EQ(plan["items"][0]["state"], "included");
  EXPECT_EQ(plan["items"][1]["state"], "over_budget");
  EXPECT_NEAR(plan["total_cost_usd"].get<double>(), estimate, 1e-9);
  EXPECT_NE(plan["budget_stop"].get<std::string>().find("cap " + usd(estimate * 1.5)),
            std::string::npos);
  EXPECT_EQ(emulator_stats().value("run", 0), 0);  // a plan sends nothing

  // Without a cap both are planned, and the text plan shows the totals.
  write_priced_config();
  CliResult text = cli("train --eligible --dry-run --concurrency 2 --exclude 8");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("total: 1 of 2 eligible actors"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("excluded"), std::string::npos) << text.out;

  // Caps set from the page replace the file's; a plan over the API stops at them too.
  start_serve();
  httplib::Client api("127.0.0.1", api_port());
  const httplib::Headers write = {{"X-Actor-Trainer", "1"}};
  char body[128];
  std::snprintf(body, sizeof body, R"({"total": %.4f, "day": null})", estimate * 1.5);
  auto put = api.Put("/api/budget", write, body, "application/json");
  ASSERT_TRUE(put && put->status == 200) << (put ? put->body : "no answer");
  const json budget = json::parse(put->body);
  EXPECT_EQ(budget["source"], "page");
  EXPECT_NEAR(budget["caps"]["total"].get<double>(), estimate * 1.5, 1e-4);
  EXPECT_TRUE(budget["caps"]["day"].is_null());
  EXPECT_EQ(budget["periods"][0]["period"], "total");
  auto capped = api.Post("/api/batch-plan", write, R"({"concurrency": 2})", "application/json");
  ASSERT_TRUE(capped && capped->status == 200);
  EXPECT_EQ(json::parse(capped->body)["included"], 1);
  // A write from another origin, a negative cap and an unknown endpoint are refused.
  auto foreign = api.Put("/api/budget", {{"Origin", "http://evil.example"}}, R"({"total": 1e9})",
                         "application/json");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  auto negative = api.Put("/api/budget", write, R"({"month": -5})", "application/json");
  ASSERT_TRUE(negative);
  EXPECT_EQ(negative->status, 422);
  EXPECT_EQ(json::parse(negative->body)["error"]["field"], "month");
  auto unknown =
      api.Put("/api/budget", write, R"({"endpoints": {"t4": {"day": 1}}})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 422);
  auto reset = api.Delete("/api/budget", write);
  ASSERT_TRUE(reset && reset->status == 200);
  EXPECT_EQ(json::parse(reset->body)["source"], "file");
  EXPECT_EQ(json::parse(reset->body)["capped"], false);

  // The queue in serve: both start (two at once), both complete, the batch finishes.
  httplib::Headers key = {{"Idempotency-Key", "batch-test-1"}, {"X-Actor-Trainer", "1"}};
  auto started = api.Post("/api/batches", key, R"({"concurrency": 2})", "application/json");
  ASSERT_TRUE(started && started->status == 202) << (started ? started->body : "no answer");
  const json batch = json::parse(started->body);
  ASSERT_EQ(batch["entries"].size(), 2U);
  auto repeat = api.Post("/api/batches", key, R"({"concurrency": 2})", "application/json");
  ASSERT_TRUE(repeat && repeat->status == 200);
  EXPECT_EQ(json::parse(repeat->body)["id"], batch["id"]);
  const std::string path = "/api/batches/" + std::to_string(batch["id"].get<int>());
  json now;
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto res = api.Get(path);
    ASSERT_TRUE(res && res->status == 200);
    now = json::parse(res->body);
    if (now["state"] == "finished") break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(now["state"], "finished") << now.dump(2);
  EXPECT_EQ(now["queue"]["done"], 2) << now.dump(2);
  for (const json& e : now["entries"]) {
    EXPECT_EQ(e["status"], "completed");
  }
  EXPECT_EQ(emulator_stats()["run"], 2);
  // A finished batch cannot be cancelled into another state.
  auto cancel = api.Post(path + "/cancel", {{"X-Actor-Trainer", "1"}}, "", "application/json");
  ASSERT_TRUE(cancel && cancel->status == 200);
  EXPECT_EQ(json::parse(cancel->body)["state"], "finished");
}

TEST_F(SpendTest, ACancelledBatchStartsNoMoreAndLeavesTheRunningTrainingAlone) {
  start_emulator({"--run-ms", "30000"});
  write_priced_config();
  start_serve();
  httplib::Client api("127.0.0.1", api_port());
  const httplib::Headers write = {{"X-Actor-Trainer", "1"}};
  auto started = api.Post("/api/batches", write, R"({"concurrency": 1})", "application/json");
  ASSERT_TRUE(started && started->status == 202) << (started ? started->body : "no answer");
  const std::string path =
      "/api/batches/" + std::to_string(json::parse(started->body)["id"].get<int>());
  // One at a time: the first is started (its version sent), the second waits.
  json now;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    now = json::parse(api.Get(path)->body);
    if (now["entries"][0]["state"] == "started") break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(now["entries"][0]["state"], "started") << now.dump(2);
  EXPECT_EQ(now["queue"]["running"], 1);
  EXPECT_EQ(now["queue"]["waiting"], 1);
  auto cancelled = api.Post(path + "/cancel", write, "", "application/json");
  ASSERT_TRUE(cancelled && cancelled->status == 200);
  const json after = json::parse(cancelled->body);
  EXPECT_EQ(after["state"], "cancelled");
  EXPECT_EQ(after["queue"]["cancelled"], 1);
  EXPECT_EQ(after["queue"]["running"], 1);
  EXPECT_EQ(after["entries"][1]["state"], "cancelled");
  // The running training goes on; the cancelled one is never started, even after the runner's
  // next passes.
  const std::int64_t running = after["entries"][0]["version_id"];
  EXPECT_NE(cli_json("status " + std::to_string(running))["status"], "cancelled");
  // Nothing must happen now; the runner looks every second, so 2.5 s give it two passes.
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(emulator_stats()["run"], 1);
  EXPECT_EQ(json::parse(api.Get(path)->body)["entries"][1]["state"], "cancelled");
  EXPECT_EQ(cli_json("abort " + std::to_string(running))["status"], "cancelled");
}

TEST_F(SpendTest, AFailedJobIsRetriedInPlaceUntilItCompletes) {
  start_emulator({"--run-ms", "600", "--fail-rate", "1"});
  write_priced_config();
  start_serve();
  const std::int64_t id = train("0006");
  ASSERT_GT(id, 0);
  const json failed = wait_for_status(id, "failed");
  const double first_cost = failed["cost_usd"].get<double>();
  const std::string job = failed["job_id"];
  ASSERT_FALSE(failed["retry_until"].is_null());
  configure_emulator({{"fail_rate", 0}});
  json retried = cli_json("retry " + std::to_string(id) + " --idempotency-key r1");
  EXPECT_EQ(retried["status"], "queued") << retried.dump(2);
  EXPECT_EQ(retried["retries"], 1);
  EXPECT_EQ(retried["job_id"], job);
  EXPECT_TRUE(retried["error"].is_null());
  // The same key again changes nothing and asks RunPod nothing.
  EXPECT_EQ(cli_json("retry " + std::to_string(id) + " --idempotency-key r1")["retries"], 1);
  EXPECT_EQ(emulator_stats()["retry"], 1);
  const json done = wait_for_status(id, "completed");
  EXPECT_EQ(done["retries"], 1);
  EXPECT_EQ(done["job_id"], job);
  EXPECT_FALSE(done["lora_url"].is_null());
  // The cost holds both attempts: the failed one's and this one's execution time.
  const double second_cost = done["execution_ms"].get<double>() / 1000.0 * 0.01;
  EXPECT_NEAR(done["cost_usd"].get<double>(), first_cost + second_cost, 1e-9) << done.dump(2);
  EXPECT_EQ(count_lines(done, "again with the same input (retry 1)"), 1);
  EXPECT_EQ(emulator_stats()["run"], 1);  // one job, run twice
  // Only a failed or timed-out job can be retried.
  json refused = cli_json("retry " + std::to_string(id), 4);
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("only a failed or timed-out"),
            std::string::npos);
  // Stats count the retry and the cost of both attempts.
  json stats = cli_json("stats");
  EXPECT_EQ(stats["retries"], 1);
  EXPECT_EQ(stats["completed"], 1);
  EXPECT_NEAR(stats["spent_trainings_usd"].get<double>(), first_cost + second_cost, 1e-9);
  // /metrics: spend and outcomes as counters, from the state store.
  httplib::Client api("127.0.0.1", api_port());
  auto metrics = api.Get("/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("# TYPE atr_spend_usd_total counter"), std::string::npos);
  EXPECT_NE(metrics->body.find("atr_spend_usd_total{kind=\"training\"} "), std::string::npos);
  EXPECT_NE(metrics->body.find("atr_jobs_finished_total{kind=\"training\",status=\"completed\"} 1"),
            std::string::npos)
      << metrics->body;
}

TEST_F(SpendTest, ARetryOfAJobRunPodNoLongerHoldsExplainsWhyAndSendsNothing) {
  start_emulator({"--run-ms", "400", "--fail-rate", "1"});
  write_priced_config();
  start_serve();
  const std::int64_t id = train("0006");
  ASSERT_GT(id, 0);
  const json failed = wait_for_status(id, "failed");
  httplib::Client c("127.0.0.1", emulator_port_);
  auto expired = c.Post("/_emulator/jobs/" + failed["job_id"].get<std::string>() + "/expire", "",
                        "application/json");
  ASSERT_TRUE(expired && expired->status == 200);
  json refused = cli_json("retry " + std::to_string(id), 4);
  EXPECT_NE(refused["error"]["message"].get<std::string>().find(
                "RunPod no longer holds job " + failed["job_id"].get<std::string>()),
            std::string::npos)
      << refused.dump();
  EXPECT_EQ(cli_json("status " + std::to_string(id))["status"], "failed");
}

TEST_F(SpendTest, ARerunMakesExactlyOneNewVersionWithTheSameParameters) {
  start_emulator({"--run-ms", "500"});
  write_priced_config();
  start_serve();
  const std::int64_t first = train("0006");
  ASSERT_GT(first, 0);
  const json v1 = wait_for_status(first, "completed");
  json a =
      cli_json("rerun " + std::to_string(first) + " --param network_dim=16 --idempotency-key k");
  json b =
      cli_json("rerun " + std::to_string(first) + " --param network_dim=16 --idempotency-key k");
  EXPECT_EQ(a["created"], true);
  EXPECT_EQ(b["created"], false);
  EXPECT_EQ(a["id"], b["id"]);
  EXPECT_EQ(a["name"], "V2");
  EXPECT_EQ(cli_json("versions 0006").size(), 2U);
  EXPECT_EQ(emulator_stats()["run"], 2);
  // Same parameters as V1, network_dim changed as asked.
  json p1 = v1["parameters"];
  json p2 = a["parameters"];
  EXPECT_EQ(p2["network_dim"], 16);
  p1.erase("network_dim");
  p2.erase("network_dim");
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(a["description"], "re-run of V1");
}

}  // namespace
}  // namespace atr::testing
