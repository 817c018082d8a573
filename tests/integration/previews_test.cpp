// Preview images of versions over real HTTP: the actor-trainer binary against the RunPod
// emulator's preview endpoint (the studio's ComfyUI worker format, real PNGs). Waits are
// bounded polls of the product's own state, never fixed sleeps.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/lifecycle_fixture.h"

namespace atr {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using testing::CliResult;
using testing::LifecycleTest;

constexpr const char* kPreviewEndpoint = "test-preview";
constexpr double kPreviewPrice = 0.0005;

class PreviewsTest : public LifecycleTest {
 protected:
  // Two seeds × the four built-in prompts: eight previews per version.
  void write_preview_config(const std::string& extra = "") {
    write_config(extra + "\n[runpod.preview]\nendpoint_id = \"" + kPreviewEndpoint +
                 "\"\nprice_per_second = " + std::to_string(kPreviewPrice) +
                 "\nseeds = [11, 22]\nwidth = 256\nheight = 256\n");
  }

  void start_preview_emulator(const std::vector<std::string>& flags = {}) {
    std::vector<std::string> all = {"--preview-endpoint", kPreviewEndpoint, "--preview-run-ms",
                                    "300"};
    all.insert(all.end(), flags.begin(), flags.end());
    start_emulator(all);
  }

  // Polls `previews list` (bounded) until every preview of `version` is final.
  json wait_for_previews(const std::string& version, size_t count,
                         std::chrono::seconds limit = 40s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    json list;
    while (std::chrono::steady_clock::now() < deadline) {
      list = cli_json("previews list " + version);
      bool done = list.contains("items") && list["items"].size() == count;
      for (const json& p : list.value("items", json::array())) {
        const std::string s = p["status"];
        done = done && s != "pending" && s != "queued" && s != "training";
      }
      if (done) return list;
      std::this_thread::sleep_for(250ms);
    }
    ADD_FAILURE() << "previews of " << version << " did not finish: " << list.dump(2);
    return list;
  }

  static int count_status(const json& list, const std::string& status) {
    int n = 0;
    for (const json& p : list["items"]) {
      n += p["status"] == status ? 1 : 0;
    }
    return n;
  }
};

TEST_F(PreviewsTest, ACompletedTrainingGetsItsPreviewsOnceWithRealImagesAndCost) {
  write_preview_config();
  start_preview_emulator({"--run-ms", "5000"});
  start_serve();
  const json started = cli_json("train 6");
  const json done = wait_for_status(started["id"], "completed");
  // The loss curve: a point per progress report seen (polled every second for 5 s).
  EXPECT_GE(done["curve_points"].get<int>(), 3) << done.dump(2);
  ASSERT_TRUE(done["final_loss"].is_number()) << done.dump(2);
  ASSERT_TRUE(done["steps_per_second"].is_number()) << done.dump(2);
  const json list = wait_for_previews("6/V1", 8);
  EXPECT_EQ(count_status(list, "completed"), 8) << list.dump(2);
  double cost = 0;
  std::set<std::pair<int, int>> pairs;
  for (const json& p : list["items"]) {
    pairs.insert({p["prompt_index"].get<int>(), p["seed"].get<int>()});
    ASSERT_EQ(p["images"].size(), 1u) << p.dump(2);
    const fs::path file = ws_.path() / p["images"][0]["path"].get<std::string>();
    const std::string bytes = testing::slurp(file);
    EXPECT_EQ(bytes.substr(1, 3), "PNG") << file;
    ASSERT_TRUE(p["cost_usd"].is_number()) << p.dump(2);
    EXPECT_NEAR(p["cost_usd"].get<double>(),
                p["execution_ms"].get<double>() / 1000.0 * kPreviewPrice, 1e-9);
    cost += p["cost_usd"].get<double>();
    // The prompt was built from the actor's fields and trigger word.
    EXPECT_NE(p["prompt"].get<std::string>().find("0006_european_20_female"), std::string::npos);
  }
  EXPECT_EQ(pairs.size(), 8u);  // every prompt × seed, once
  EXPECT_GT(cost, 0.0);
  EXPECT_NEAR(list["cost_usd"].get<double>(), cost, 1e-9);
  EXPECT_EQ(emulator_stats()["preview_run"], 8);
  // Asked again (CLI and the version's completion seen again): nothing new is sent.
  const json again = cli_json("previews start 6/V1");
  EXPECT_EQ(again["items"].size(), 8u);
  EXPECT_EQ(emulator_stats()["preview_run"], 8);
  // The preview jobs carried the version's LoRA in the studio's request format.
  const std::string log = serve_->err();
  EXPECT_NE(log.find("previews of V1 of actor 0006: 8 sent"), std::string::npos) << log;
}

TEST_F(PreviewsTest, OnePreviewFailingLeavesTheOthersAndTheVersionAlone) {
  write_preview_config();
  start_preview_emulator({"--preview-broken-seed", "22"});
  start_serve();
  const json started = cli_json("train 6");
  wait_for_status(started["id"], "completed");
  const json list = wait_for_previews("6/V1", 8);
  EXPECT_EQ(count_status(list, "completed"), 4) << list.dump(2);
  EXPECT_EQ(count_status(list, "failed"), 4) << list.dump(2);
  for (const json& p : list["items"]) {
    if (p["seed"] != 22) continue;
    EXPECT_TRUE(p["images"].empty());
    EXPECT_NE(p["error"].get<std::string>().find("could not be applied"), std::string::npos)
        << p.dump(2);
  }
  const json version = cli_json("status " + std::to_string(started["id"].get<int>()));
  EXPECT_EQ(version["status"], "completed");
  EXPECT_TRUE(version["error"].is_null());
}

TEST_F(PreviewsTest, AForgedPreviewWebhookChangesNothing) {
  write_preview_config();
  start_preview_emulator({"--preview-run-ms", "4000"});
  start_serve();
  const json started = cli_json("train 6");
  wait_for_status(started["id"], "completed");
  // The previews are running now; take one preview job's id and its webhook URL.
  json list;
  for (int i = 0; i < 100; ++i) {
    list = cli_json("previews list 6/V1");
    if (list.contains("items") && list["items"].size() == 8 &&
        !list["items"][0]["job_id"].is_null()) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(list["items"].size(), 8u) << list.dump(2);
  const json stats = emulator_stats();
  std::string preview_url;
  for (const json& url : stats["webhook_urls"]) {
    if (url.get<std::string>().find("/api/preview-webhook/") != std::string::npos) {
      preview_url = url;
    }
  }
  ASSERT_FALSE(preview_url.empty()) << stats.dump(2);
  const std::string job = list["items"][0]["job_id"];
  // A 1×1 PNG an attacker would like to plant, as the studio's worker would send it.
  const std::string forged_png =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJg"
      "gg==";
  const json forged = {{"id", job},
                       {"status", "COMPLETED"},
                       {"executionTime", 1},
                       {"output", {{"output", {{"images", {forged_png}}}}, {"status", "success"}}}};
  httplib::Client c("127.0.0.1", webhook_port_);
  const std::string path = preview_url.substr(preview_url.find("/api/"));
  auto res = c.Post(path.c_str(), forged.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  // A wrong token is 404 and reaches nothing.
  auto wrong = c.Post("/api/preview-webhook/wrong-token", forged.dump(), "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 404);
  // The hint makes the poller ask RunPod, which says the job still runs: nothing is stored.
  const json during = cli_json("previews list 6/V1");
  EXPECT_NE(during["items"][0]["status"], "completed") << during.dump(2);
  EXPECT_TRUE(during["items"][0]["images"].empty());
  // When the job really ends, its images are RunPod's, not the forged one.
  const json done = wait_for_previews("6/V1", 8);
  EXPECT_EQ(count_status(done, "completed"), 8);
  const std::string bytes =
      testing::slurp(ws_.path() / done["items"][0]["images"][0]["path"].get<std::string>());
  EXPECT_GT(bytes.size(), 1000u);  // the emulator's 256×256 render, not the forged 1×1 PNG
  EXPECT_NE(done["items"][0]["execution_ms"], 1);
}

TEST_F(PreviewsTest, WithoutServeTheCliRendersComparesAndWritesAContactSheet) {
  write_preview_config();
  // The public ComfyUI worker's output format this time.
  start_preview_emulator({"--preview-format", "comfyui"});
  for (int n = 1; n <= 2; ++n) {
    const json started =
        cli_json("train 6 --force --param max_train_steps=" + std::to_string(500 * n));
    wait_for_status(started["id"], "completed");
  }
  // No serve: nothing starts previews by itself; the CLI starts them and follows the jobs.
  EXPECT_EQ(emulator_stats().value("preview_run", 0), 0);
  for (const std::string v : {"6/V1", "6/V2"}) {
    const CliResult r = cli("--json previews start " + v + " --wait --wait-seconds 60");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const json list = json::parse(r.out);
    EXPECT_EQ(count_status(list, "completed"), 8) << list.dump(2);
  }
  const CliResult sheet =
      cli("previews sheet 6/V1 6/V2 --out " + (ws_.path() / "sheet.png").string());
  ASSERT_EQ(sheet.exit_code, 0) << sheet.out << sheet.err;
  const std::string png = testing::slurp(ws_.path() / "sheet.png");
  EXPECT_EQ(png.substr(1, 3), "PNG");
  // A version without previews is named in the refusal, and nothing is written.
  const CliResult none = cli("previews sheet 8/V1 --out " + (ws_.path() / "none.png").string());
  EXPECT_NE(none.exit_code, 0);
  EXPECT_FALSE(fs::exists(ws_.path() / "none.png"));
}

TEST_F(PreviewsTest, PreviewsNeedAPreviewEndpointAndACompletedVersion) {
  write_config();
  start_preview_emulator();
  const json started = cli_json("train 6");
  const CliResult early = cli("previews start 6/V1");
  EXPECT_NE(early.exit_code, 0);
  EXPECT_NE(early.err.find("completed version"), std::string::npos) << early.err;
  wait_for_status(started["id"], "completed");
  const CliResult unconfigured = cli("previews start 6/V1");
  EXPECT_NE(unconfigured.exit_code, 0);
  EXPECT_NE(unconfigured.err.find("[runpod.preview]"), std::string::npos) << unconfigured.err;
  EXPECT_EQ(emulator_stats().value("preview_run", 0), 0);
}

TEST_F(PreviewsTest, AVersionThatCompletedWhileServeWasDownGetsItsPreviewsWhenServeStarts) {
  write_preview_config();
  start_preview_emulator();
  const json started = cli_json("train 6");
  wait_for_status(started["id"], "completed");  // followed by the CLI: no serve runs
  EXPECT_EQ(emulator_stats().value("preview_run", 0), 0);
  start_serve();
  const json list = wait_for_previews("6/V1", 8);
  EXPECT_EQ(count_status(list, "completed"), 8) << list.dump(2);
  EXPECT_EQ(emulator_stats()["preview_run"], 8);
}

TEST_F(PreviewsTest, ARunningPreviewCanBeAbortedAndItsTimeIsStillPaidFor) {
  write_preview_config();
  start_preview_emulator({"--preview-run-ms", "30000"});
  const json started = cli_json("train 6");
  wait_for_status(started["id"], "completed");
  const json sent = cli_json("previews start 6/V1");
  ASSERT_EQ(sent["items"].size(), 8u) << sent.dump(2);
  const int id = sent["items"][0]["id"];
  // Once it runs on a worker (the CLI follows the jobs itself: no serve).
  json list;
  for (int i = 0; i < 100; ++i) {
    list = cli_json("previews list 6/V1");
    if (list["items"][0]["status"] == "training") break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(list["items"][0]["status"], "training") << list.dump(2);
  const json aborted = cli_json("previews abort " + std::to_string(id));
  EXPECT_EQ(aborted["status"], "cancelled") << aborted.dump(2);
  EXPECT_TRUE(aborted["cost_usd"].is_number()) << aborted.dump(2);
  EXPECT_EQ(emulator_stats()["cancel"], 1);
  // Ended: a second abort is refused and sends nothing.
  EXPECT_EQ(cli("previews abort " + std::to_string(id)).exit_code, 4);
  EXPECT_EQ(emulator_stats()["cancel"], 1);
}

TEST_F(PreviewsTest, ImagesGivenAsUrlsAreFetchedAndAPassingFailureIsTriedAgain) {
  write_preview_config();
  // The worker answers image URLs (the emulator serves them); the first 3 downloads fail.
  start_preview_emulator({"--preview-format", "url", "--preview-image-failures", "3"});
  start_serve();
  const json started = cli_json("train 6");
  wait_for_status(started["id"], "completed");
  const json list = wait_for_previews("6/V1", 8);
  EXPECT_EQ(count_status(list, "completed"), 8) << list.dump(2);
  for (const json& p : list["items"]) {
    EXPECT_TRUE(p["error"].is_null()) << p.dump(2);  // the note of a failed try is gone
    ASSERT_EQ(p["images"].size(), 1u);
    EXPECT_EQ(testing::slurp(ws_.path() / p["images"][0]["path"].get<std::string>()).substr(1, 3),
              "PNG");
  }
  EXPECT_EQ(emulator_stats()["image_downloads"], 11);  // 8 images, 3 of them twice
  EXPECT_EQ(emulator_stats()["preview_run"], 8);       // fetched again, never sent again
}

}  // namespace
}  // namespace atr
