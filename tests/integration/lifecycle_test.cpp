// The training lifecycle over real HTTP: the actor-trainer binary (CLI and `serve`) against
// the RunPod emulator, both started by the test on 127.0.0.1. Waits are bounded polls of the
// product's own state (`status --json`), never fixed sleeps.

#include <csignal>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "integration/lifecycle_fixture.h"
#include "support/images.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/workspace_builder.h"

namespace atr {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::CliResult;
using testing::kApiKey;
using testing::LifecycleTest;
using testing::post_webhook;

TEST_F(LifecycleTest, HappyPathCompletesWithLoraUrl) {
  write_config();
  start_emulator();
  start_serve();
  // One serve per workspace: a second would double the poller's request budget.
  const CliResult second_serve = cli("serve --webhook-port 0");
  EXPECT_EQ(second_serve.exit_code, 1);
  EXPECT_NE(second_serve.err.find("another actor-trainer serve is running"), std::string::npos);
  const json started = cli_json("train 6 --description first-try");
  ASSERT_EQ(started["status"], "queued") << started.dump(2);
  const json done = wait_for_status(started["id"], "completed");
  EXPECT_EQ(done["lora_url"], "https://models.emulator.invalid/loras/actor_0006_V1.safetensors");
  EXPECT_EQ(done["model_size_bytes"], 171966464);
  EXPECT_EQ(done["description"], "first-try");
  EXPECT_EQ(count_lines(done, "POST /run"), 1);
  EXPECT_EQ(emulator_stats()["run"], 1);
  // The webhook URL went out with the token; no console line, output or log shows it.
  const json stats = emulator_stats();
  ASSERT_FALSE(stats["webhooks"].empty());
  EXPECT_EQ(stats["webhooks"][0]["status"], 200);
  ASSERT_EQ(stats["webhook_urls"].size(), 1u);
  const std::string url = stats["webhook_urls"][0];
  EXPECT_EQ(
      url.rfind("http://127.0.0.1:" + std::to_string(webhook_port_) + "/api/training-webhook/", 0),
      0u)
      << url;
  const std::string token = url.substr(url.rfind('/') + 1);
  EXPECT_GE(token.size(), 32u);
  std::string everything = done.dump() + serve_->out() + serve_->err() + started.dump();
  everything += cli("versions 6").out + cli("status 6/V1").out + cli("--json status 6/V1").out;
  EXPECT_EQ(everything.find(kApiKey), std::string::npos);
  EXPECT_EQ(everything.find(token), std::string::npos);
  const json versions = cli_json("versions 6");
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0]["name"], "V1");
}

TEST_F(LifecycleTest, WorkerFailureBecomesFailedWithReadableError) {
  write_config();
  start_emulator({"--fail-rate", "1"});
  start_serve();
  const json started = cli_json("train 6");
  const json failed = wait_for_status(started["id"], "failed");
  EXPECT_EQ(failed["error"], "RuntimeError: CUDA out of memory while training actor_0006_V1");
}

TEST_F(LifecycleTest, AbortWhileQueuedAndWhileTraining) {
  write_config();
  start_emulator({"--queue-ms", "60000"});
  start_serve();
  const json queued = cli_json("train 6");
  ASSERT_EQ(queued["status"], "queued");
  const json cancelled = cli_json("abort " + std::to_string(queued["id"].get<int>()));
  EXPECT_EQ(cancelled["status"], "cancelled");

  configure_emulator({{"queue_ms", 0}, {"run_ms", 60000}});
  const json second = cli_json("train 8");
  wait_for_status(second["id"], "training");
  EXPECT_EQ(cli_json("abort 8/V1")["status"], "cancelled");
  EXPECT_EQ(emulator_stats()["cancel"], 2);
  // Aborting again is refused and changes nothing.
  EXPECT_EQ(cli("abort 8/V1").exit_code, 4);
}

TEST_F(LifecycleTest, DuplicatedWebhooksChangeNothing) {
  write_config();
  start_emulator({"--webhook-duplicate-rate", "1"});
  start_serve();
  const json started = cli_json("train 6");
  json done = wait_for_status(started["id"], "completed");
  // Both copies were answered 200; the version completed once.
  wait_for(started["id"], [&](const json&) { return emulator_stats()["webhooks"].size() >= 2; });
  const json stats = emulator_stats();
  for (const json& attempt : stats["webhooks"]) {
    EXPECT_EQ(attempt["status"], 200);
  }
  done = cli_json("status " + std::to_string(started["id"].get<int>()));
  EXPECT_EQ(count_lines(done, "completed after"), 1);
  EXPECT_NE(serve_->err().find("duplicate"), std::string::npos);
}

TEST_F(LifecycleTest, DroppedWebhookIsResolvedByPolling) {
  write_config();
  start_emulator({"--webhook-drop-rate", "1"});
  start_serve();
  const json started = cli_json("train 6");
  wait_for_status(started["id"], "completed");
  EXPECT_EQ(emulator_stats()["webhooks_dropped"], 1);
  EXPECT_TRUE(emulator_stats()["webhooks"].empty());
}

TEST_F(LifecycleTest, WebhookDelayedPastThePollChangesNothing) {
  write_config();
  start_emulator({"--webhook-delay-ms", "6000"});
  start_serve();
  const json started = cli_json("train 6");
  wait_for_status(started["id"], "completed");
  EXPECT_TRUE(emulator_stats()["webhooks"].empty());  // the poll was first
  wait_for(started["id"], [&](const json&) { return !emulator_stats()["webhooks"].empty(); });
  EXPECT_EQ(emulator_stats()["webhooks"][0]["status"], 200);
  const json done = cli_json("status " + std::to_string(started["id"].get<int>()));
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(count_lines(done, "completed after"), 1);
}

TEST_F(LifecycleTest, WebhookWithoutIdSuffixCompletesTheJob) {
  // Polling is slowed to a minute, so only the webhook can complete the job in time.
  write_config();
  ws_.write("actor-trainer.toml",
            "[runpod]\npoll_queued_seconds = 60\npoll_training_seconds = 60\n");
  start_emulator({"--webhook-strip-suffix"});
  start_serve();
  const json started = cli_json("train 6");
  ASSERT_NE(started["job_id"].get<std::string>().find("-u1"), std::string::npos);
  wait_for_status(started["id"], "completed", 20s);
}

TEST_F(LifecycleTest, WrongTokenIs404AndChangesNothing) {
  write_config();
  start_emulator({"--queue-ms", "60000"});
  start_serve();
  const json started = cli_json("train 6");
  const json body = {{"id", started["job_id"]},
                     {"status", "COMPLETED"},
                     {"output", {{"loraUrl", "https://evil.example/x.safetensors"}}}};
  httplib::Client c("127.0.0.1", webhook_port_);
  for (const std::string path : {"/api/training-webhook/wrong-token", "/api/training-webhook/",
                                 "/api/training-webhook", "/", "/api/actors"}) {
    auto res = c.Post(path.c_str(), body.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path;
    // The API's error document, from the same encoder.
    EXPECT_EQ(json::parse(res->body, nullptr, false)["error"]["code"], "not_found") << path;
  }
  auto get = c.Get("/api/training-webhook/wrong-token");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 404);
  // Bodies over the limit are refused before anything reads them.
  auto huge = c.Post("/api/training-webhook/wrong-token", std::string(size_t{9} * 1024 * 1024, ' '),
                     "application/json");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  EXPECT_EQ(json::parse(huge->body, nullptr, false)["error"]["code"], "payload_too_large");
  const json after = cli_json("status " + std::to_string(started["id"].get<int>()));
  EXPECT_EQ(after["status"], "queued");
  EXPECT_TRUE(after["lora_url"].is_null());
}

TEST_F(LifecycleTest, AForgedWebhookChangesNothingAndTheGenuineOneStillLands) {
  write_config();
  start_emulator({"--queue-ms", "200", "--run-ms", "5000"});
  start_serve();
  const json started = cli_json("train 6");
  const std::string job = started["job_id"];
  const std::string request = started["request_id"];
  const json evil_output = {{"loraUrl", "https://evil.example/attacker.safetensors"}};
  const int status_calls = emulator_stats().value("status", 0);
  // By the job id, with a result; and by the (predictable) request id under another job id.
  EXPECT_EQ(
      post_webhook(
          webhook_port_, emulator_stats(),
          {{"id", job}, {"status", "COMPLETED"}, {"output", evil_output}, {"executionTime", 1}}),
      200);
  EXPECT_EQ(post_webhook(webhook_port_, emulator_stats(),
                         {{"id", "forged-job-1"},
                          {"status", "COMPLETED"},
                          {"input", {{"training_config", {{"request_id", request}}}}},
                          {"output", evil_output}}),
            200);
  // The first hint is confirmed with RunPod's /status (one more status call), which says the
  // job still runs; the second names no version whose job is unknown, so it is not even asked.
  for (int i = 0; i < 100 && emulator_stats().value("status", 0) == status_calls; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GT(emulator_stats().value("status", 0), status_calls);
  const json during = cli_json("status " + std::to_string(started["id"].get<int>()));
  EXPECT_NE(during["status"], "completed") << during.dump(2);
  EXPECT_TRUE(during["lora_url"].is_null()) << during.dump(2);
  // The genuine webhook still lands, with RunPod's own result.
  const json done = wait_for_status(started["id"], "completed");
  EXPECT_EQ(done["lora_url"], "https://models.emulator.invalid/loras/actor_0006_V1.safetensors");
  EXPECT_EQ(done["job_id"], job);
  const json marked = cli_json("mark-good 6 V1");
  const std::string registry = testing::slurp(ws_.path() / "actors.json");
  EXPECT_EQ(registry.find("evil.example"), std::string::npos);
  EXPECT_NE(registry.find("actor_0006_V1.safetensors"), std::string::npos) << marked.dump(2);
}

TEST_F(LifecycleTest, AForgedJobIdForAnUnknownSubmissionIsAskedAboutAndIgnored) {
  write_config("");
  ws_.write("actor-trainer.toml",
            "[runpod]\npoll_queued_seconds = 1\npoll_training_seconds = 1\n"
            "request_timeout_seconds = 1\n");
  // /run answers after our 1 s timeout, and the job then runs 6 s: its webhook comes late.
  start_emulator({"--run-delay-ms", "2500", "--run-ms", "6000"});
  start_serve();
  const json started = cli_json("train 6");
  ASSERT_EQ(started["submission"], "unknown");
  const std::string request = started["request_id"];
  json stats = emulator_stats();
  for (int i = 0; i < 100 && stats["webhook_urls"].empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    stats = emulator_stats();
  }
  ASSERT_FALSE(stats["webhook_urls"].empty());
  EXPECT_EQ(post_webhook(webhook_port_, stats,
                         {{"id", "forged-job-2"},
                          {"status", "COMPLETED"},
                          {"input", {{"training_config", {{"request_id", request}}}}},
                          {"output", {{"loraUrl", "https://evil.example/attacker.safetensors"}}}}),
            200);
  const json asked = wait_for(
      started["id"], [](const json& v) { return count_lines(v, "RunPod does not know it") > 0; });
  EXPECT_TRUE(asked["job_id"].is_null()) << asked.dump(2);
  EXPECT_NE(asked["status"], "completed");
  // RunPod's own webhook then names the real job, which /status confirms.
  const json done = wait_for_status(started["id"], "completed", 40s);
  EXPECT_NE(done["job_id"], "forged-job-2");
  EXPECT_EQ(done["lora_url"], "https://models.emulator.invalid/loras/actor_0006_V1.safetensors");
  EXPECT_EQ(emulator_stats()["run"], 1);
}

TEST_F(LifecycleTest, RateLimitAnd5xxStormsNeverBecomeAFinalState) {
  write_config();
  // A fixed seed makes the emulator's sequence of refused status calls the same on every run,
  // so the test does not depend on luck; it still holds runs of several refusals in a row.
  start_emulator({"--status-429-rate", "0.4", "--status-5xx-rate", "0.25", "--webhook-drop-rate",
                  "1", "--run-ms", "3000", "--seed", "7"});
  start_serve();
  const json started = cli_json("train 6");
  const json done = wait_for_status(started["id"], "completed", 60s);
  EXPECT_GT(emulator_stats().value("injected_429", 0) + emulator_stats().value("injected_5xx", 0),
            0);
  EXPECT_EQ(done["error"], nullptr);
}

TEST_F(LifecycleTest, RunTimeoutIsSubmissionUnknownResolvedByWebhookRequestId) {
  write_config("");
  ws_.write("actor-trainer.toml",
            "[runpod]\npoll_queued_seconds = 1\npoll_training_seconds = 1\n"
            "request_timeout_seconds = 1\n");
  start_emulator({"--run-delay-ms", "2500"});
  start_serve();
  const json started = cli_json("train 6");
  EXPECT_EQ(started["status"], "pending");
  EXPECT_EQ(started["submission"], "unknown");
  EXPECT_TRUE(started["job_id"].is_null());
  const json done = wait_for_status(started["id"], "completed");
  EXPECT_FALSE(done["job_id"].is_null());
  EXPECT_EQ(count_lines(done, "matched to V1 by request id"), 1);
  EXPECT_EQ(emulator_stats()["run"], 1);
}

TEST_F(LifecycleTest, UnknownSubmissionWithoutWebhookIsLostOnceRunpodHasDeletedTheJob) {
  // RunPod's shortest ttl, 10 s: the job is deleted then in any state, so the unknown
  // submission may stop blocking.
  ws_.write("actor-trainer.toml",
            "[runpod]\npoll_queued_seconds = 1\npoll_training_seconds = 1\n"
            "request_timeout_seconds = 1\njob_ttl_seconds = 10\n"
            // One second past the ttl: our clock starts at the claim, before the emulator has
            // the job, so a limit equal to the ttl could end a few ms before it deletes it.
            "unknown_submission_timeout_seconds = 11\n"
            // A fast endpoint, so three times the estimate stays below the 10 s.
            "[[runpod.endpoints]]\nname = \"default\"\nseconds_per_step = 0.001\n"
            "overhead_seconds = 0\n");
  start_emulator({"--run-delay-ms", "2500", "--webhook-drop-rate", "1", "--queue-ms", "60000"});
  start_serve();
  const json started = cli_json("train 6");
  ASSERT_EQ(started["submission"], "unknown");
  EXPECT_EQ(started["job_ttl_seconds"], 10);
  const json stats = emulator_stats();
  EXPECT_EQ(stats["last_policy"], json({{"ttl", 10000}}));
  const json lost = wait_for_status(started["id"], "lost");
  EXPECT_NE(lost["error"].get<std::string>().find("submission unknown"), std::string::npos);
  // Still queued at 10 s (60 s queue), the job was deleted at its ttl, as RunPod does: nothing
  // is left to run or to pay for.
  const json after = emulator_stats();
  EXPECT_EQ(after["jobs"], 0);
  EXPECT_EQ(after["run"], 1);  // never sent twice
}

TEST_F(LifecycleTest, KilledAfterStoringIsSentExactlyOnceAfterRestart) {
  write_config();
  start_emulator();
  const CliResult killed = cli("train 6", {{"ATR_FAULT", "after-store"}});
  EXPECT_EQ(killed.exit_code, -1);  // died by SIGKILL
  const json stored = cli_json("versions 6");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0]["submission"], "prepared");
  EXPECT_EQ(emulator_stats().value("run", 0), 0);
  start_serve();  // recovery sends it
  wait_for_status(stored[0]["id"], "completed");
  EXPECT_EQ(emulator_stats()["run"], 1);
}

TEST_F(LifecycleTest, KilledWhileRunIsInFlightIsNeverSentTwice) {
  write_config();
  start_emulator({"--run-delay-ms", "3000"});
  start_serve();
  ChildProcess train({ATR_BINARY, "-w", ws_.path().string(), "train", "6"}, product_env(),
                     logs_.path(), "train-killed");
  // Kill -9 once the emulator holds the /run (it has created the job).
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (emulator_stats().value("run", 0) < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(emulator_stats()["run"], 1);
  train.stop(SIGKILL);
  const json versions = cli_json("versions 6");
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0]["submission"], "sending");
  wait_for_status(versions[0]["id"], "completed");
  EXPECT_EQ(emulator_stats()["run"], 1);
}

TEST_F(LifecycleTest, ServeKilledWhileJobsAreActiveResumesThemAfterRestart) {
  write_config();
  start_emulator({"--run-ms", "4000", "--webhook-drop-rate", "1"});
  start_serve();
  const json a = cli_json("train 6");
  const json b = cli_json("train 8");
  wait_for_status(a["id"], "training");
  serve_->stop(SIGKILL);
  serve_.reset();
  start_serve();
  wait_for_status(a["id"], "completed");
  wait_for_status(b["id"], "completed");
  EXPECT_EQ(emulator_stats()["run"], 2);
}

TEST_F(LifecycleTest, DoubleSubmitWithOneIdempotencyKeyMakesOneJob) {
  write_config();
  // The job must still run at the end, when a start without the key has to be refused.
  start_emulator({"--run-ms", "120000"});
  start_serve();
  std::vector<std::unique_ptr<ChildProcess>> clicks;
  clicks.reserve(3);
  for (int i = 0; i < 3; ++i) {
    clicks.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{ATR_BINARY, "-w", ws_.path().string(), "--json", "train", "6",
                                 "--idempotency-key", "click-42"},
        product_env(), logs_.path(), "click" + std::to_string(i)));
  }
  for (auto& c : clicks) {
    ASSERT_TRUE(c->wait_exit(60s));
  }
  std::set<int> ids;
  for (auto& c : clicks) {
    ids.insert(json::parse(c->out())["id"].get<int>());
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(cli_json("versions 6").size(), 1u);
  EXPECT_EQ(emulator_stats()["run"], 1);
  // A second active training of the same actor without the key is refused.
  EXPECT_EQ(cli_json("train 6", 5)["error"]["code"], "conflict");
}

TEST_F(LifecycleTest, MarkGoodWritesActorsJsonAndCompareShowsDifferences) {
  write_config();
  start_emulator();
  start_serve();
  const json v1 = cli_json("train 6");
  wait_for_status(v1["id"], "completed");
  const json v2 = cli_json("train 6 --param learning_rate=0.0002");
  wait_for_status(v2["id"], "completed");
  const json marked = cli_json("mark-good 6 V2");
  EXPECT_TRUE(marked["good"].get<bool>());
  const json actors = json::parse(testing::slurp(ws_.path() / "actors.json"));
  EXPECT_EQ(actors[0]["validated_lora_model"]["version_name"], "V2");
  EXPECT_EQ(actors[0]["validated_lora_model"]["lora_url"],
            "https://models.emulator.invalid/loras/actor_0006_V2.safetensors");
  EXPECT_EQ(actors[0]["good"], true);
  EXPECT_EQ(actors[0]["custom"], json::array({1, 2}));  // unknown fields survive
  EXPECT_FALSE(actors[1].contains("validated_lora_model"));
  const json compared = cli_json("compare 6/V1 6/V2");
  int differing = 0;
  for (const json& row : compared["parameters"]) {
    differing += row["differs"].get<bool>();
  }
  EXPECT_EQ(differing, 1);
  EXPECT_EQ(cli_json("mark-good 6 --clear")["good"], false);
  EXPECT_FALSE(
      json::parse(testing::slurp(ws_.path() / "actors.json"))[0].contains("validated_lora_model"));
}

TEST_F(LifecycleTest, ExpiredJobWithoutWebhookBecomesLost) {
  write_config();
  start_emulator({"--queue-ms", "60000", "--webhook-drop-rate", "1"});
  start_serve();
  const json started = cli_json("train 6");
  httplib::Client c("127.0.0.1", emulator_port_);
  auto res =
      c.Post(("/_emulator/jobs/" + started["job_id"].get<std::string>() + "/expire").c_str());
  ASSERT_TRUE(res && res->status == 200);
  const json lost = wait_for_status(started["id"], "lost");
  EXPECT_EQ(count_lines(lost, "lost: RunPod answered 404 for job"), 1);
}

TEST_F(LifecycleTest, WithoutServeTheCliTracksTheJobItself) {
  write_config();
  start_emulator({"--webhook-drop-rate", "1"});
  const json started = cli_json("train 6");
  ASSERT_EQ(started["status"], "queued");
  const CliResult watched = cli("watch " + std::to_string(started["id"].get<int>()));
  EXPECT_EQ(watched.exit_code, 0) << watched.out << watched.err;
  EXPECT_NE(watched.out.find("completed"), std::string::npos);
  EXPECT_EQ(cli_json("status 6/V1")["status"], "completed");
  const json refreshed = cli_json("refresh 6/V1");
  EXPECT_EQ(refreshed["status"], "completed");
}

TEST_F(LifecycleTest, TrainEligibleKeepsToTheConcurrencyLimit) {
  write_config();
  start_emulator({"--run-ms", "1000"});
  start_serve();
  const json batch = cli_json("train --eligible --concurrency 1");
  ASSERT_EQ(batch.size(), 2u) << batch.dump(2);
  // With one slot, the second started only after the first had finished.
  const json first = cli_json("status 6/V1");
  const json second = cli_json("status 8/V1");
  EXPECT_EQ(first["status"], "completed");
  EXPECT_GE(second["created_at"].get<std::string>(), first["finished_at"].get<std::string>());
  EXPECT_EQ(emulator_stats()["run"], 2);
  // Nothing is eligible twice while versions are unfinished, and an actor with a validated
  // model is not eligible at all.
  wait_for_status(second["id"], "completed");
  ASSERT_EQ(cli("mark-good 6 V1").exit_code, 0);
  const json again = cli_json("train --eligible --max 5");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["actor_id"], "0008");
}

}  // namespace
}  // namespace atr
