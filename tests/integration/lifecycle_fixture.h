#pragma once

// The fixture of the lifecycle tests: a workspace with two synced actors, the RunPod emulator
// and `serve` as child processes on 127.0.0.1, the CLI, and bounded waits on the product's
// own state.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "support/images.h"
#include "support/process.h"
#include "support/product.h"
#include "support/temp_dir.h"
#include "support/workspace_builder.h"

namespace atr::testing {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kApiKey = "emulator-key-for-tests";
constexpr const char* kEndpoint = "test-endpoint";

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string actors = "[\n";
    for (const std::string id : {"0006", "0008"}) {
      actors += id == "0006" ? "  " : ",\n  ";
      actors += synced_actor(ws_.path(), "\"" + id + "\"", id + "_european_20_female", 3,
                             R"("sex": "female", "custom": [1, 2])");
    }
    ws_.write("actors.json", actors + "\n]\n");
    webhook_port_ = free_port();
  }

  void write_config(const std::string& extra = "") {
    ws_.write("actor-trainer.toml",
              "[runpod]\npoll_requests_per_second = 20.0\npoll_queued_seconds = 1\n"
              "poll_training_seconds = 1\nrequest_timeout_seconds = 5\n" +
                  extra);
  }

  void start_emulator(const std::vector<std::string>& flags = {}) {
    std::vector<std::string> argv = {
        ATR_EMULATOR, "--endpoint", kEndpoint,  "--api-key", kApiKey,
        "--queue-ms", "300",        "--run-ms", "1500",      "--webhook-retry-delay-ms",
        "300"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    emulator_ = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{},
                                               logs_.path(), "emulator");
    auto line = emulator_->wait_for_line("listening on", 10s);
    ASSERT_TRUE(line) << emulator_->err();
    emulator_port_ = port_in(*line);
  }

  std::map<std::string, std::string> product_env(bool webhook = true) const {
    return {{"RUNPOD_API_KEY", kApiKey},
            {"MODEL_TRAINING_RUNPOD_ENDPOINT_ID", kEndpoint},
            {"RUNPOD_BASE_URL", "http://127.0.0.1:" + std::to_string(emulator_port_) + "/v2"},
            {"PUBLIC_WEBHOOK_BASE_URL",
             webhook ? "http://127.0.0.1:" + std::to_string(webhook_port_) : ""},
            {"ATR_FAULT", ""}};
  }

  void start_serve() {
    serve_ = std::make_unique<ChildProcess>(
        // API on any free port: tests run in parallel, and a listener never shares its port.
        std::vector<std::string>{ATR_BINARY, "-w", ws_.path().string(), "serve", "--port", "0",
                                 "--webhook-port", std::to_string(webhook_port_)},
        product_env(), logs_.path(), "serve");
    ASSERT_TRUE(serve_->wait_for_line("serving", 15s)) << serve_->err();
  }

  CliResult cli(const std::string& args, const std::map<std::string, std::string>& extra_env = {}) {
    std::vector<std::string> argv = {ATR_BINARY, "-w", ws_.path().string()};
    std::istringstream words(args);
    for (std::string w; words >> w;) {
      argv.push_back(w);
    }
    std::map<std::string, std::string> env = product_env();
    for (const auto& [k, v] : extra_env) {
      env[k] = v;
    }
    const std::string name = "cli" + std::to_string(++cli_runs_);
    ChildProcess p(argv, env, logs_.path(), name);
    std::optional<int> status = p.wait_exit(60s);
    CliResult r;
    r.exit_code = status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    r.out = p.out();
    r.err = p.err();
    return r;
  }

  json cli_json(const std::string& args, int expected_exit = 0) {
    CliResult r = cli("--json " + args);
    EXPECT_EQ(r.exit_code, expected_exit) << args << "\n" << r.out << r.err;
    json doc = json::parse(r.out, nullptr, false);
    return doc.is_discarded() ? json::object() : doc;
  }

  // Polls the version's stored state (bounded) until `done` holds; returns the last state.
  json wait_for(std::int64_t id, const std::function<bool(const json&)>& done,
                std::chrono::seconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    json v;
    while (std::chrono::steady_clock::now() < deadline) {
      v = cli_json("status " + std::to_string(id));
      if (done(v)) return v;
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << "version " << id << " did not reach the expected state: " << v.dump(2);
    return v;
  }

  json wait_for_status(std::int64_t id, const std::string& status,
                       std::chrono::seconds limit = 30s) {
    return wait_for(
        id, [&](const json& v) { return v.value("status", "") == status; }, limit);
  }

  json emulator_stats() {
    httplib::Client c("127.0.0.1", emulator_port_);
    auto res = c.Get("/_emulator/stats");
    return res ? json::parse(res->body) : json::object();
  }

  void configure_emulator(const json& patch) {
    httplib::Client c("127.0.0.1", emulator_port_);
    auto res = c.Post("/_emulator/config", patch.dump(), "application/json");
    ASSERT_TRUE(res && res->status == 200);
  }

  static int count_lines(const json& version, const std::string& needle) {
    int n = 0;
    for (const json& line : version["console"]) {
      if (line["text"].get<std::string>().find(needle) != std::string::npos) ++n;
    }
    return n;
  }

  TempDir ws_;
  TempDir logs_;
  std::unique_ptr<ChildProcess> emulator_;
  std::unique_ptr<ChildProcess> serve_;
  int emulator_port_ = 0;
  int webhook_port_ = 0;
  int cli_runs_ = 0;
};

// Posts `body` to the webhook URL the emulator was given for the first job (token included),
// as an attacker who learned the token would; returns the HTTP status.
inline int post_webhook(int port, const json& stats, const json& body) {
  const std::string url = stats["webhook_urls"][0];
  httplib::Client c("127.0.0.1", port);
  auto res = c.Post(url.substr(url.find("/api/")).c_str(), body.dump(), "application/json");
  return res ? res->status : -1;
}

}  // namespace atr::testing
