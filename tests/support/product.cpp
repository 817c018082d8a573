#include "support/product.h"

#include <csignal>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <httplib.h>
#include <sys/wait.h>

namespace atr::testing {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kApiKey = "rp-test-key-5b1f0e";
constexpr const char* kEndpoint = "test-endpoint";

}  // namespace

Product::Product(fs::path workspace, fs::path logs, Programs programs,
                 std::vector<std::string> emulator_args)
    : workspace_(std::move(workspace)), logs_(std::move(logs)), programs_(std::move(programs)) {
  if (const char* other = std::getenv("ATR_TEST_BINARY"); other != nullptr && *other != '\0') {
    programs_.trainer = other;
  }
  if (!programs_.node.empty()) {
    fs::create_directories(logs_ / "s3");
    s3rver_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{programs_.node, programs_.s3rver, "-d", (logs_ / "s3").string(),
                                 "-a", "127.0.0.1", "-p", "0", "--configure-bucket", "bucket",
                                 // the studio's layout: images and models in buckets of their own
                                 "--configure-bucket", "story-boards-assets", "--configure-bucket",
                                 "models-bucket"},
        std::map<std::string, std::string>{}, logs_, "s3rver");
    auto line = s3rver_->wait_for_line("listening on", 20s);
    if (!line) throw std::runtime_error("s3rver did not start: " + s3rver_->err());
    s3_port_ = port_in(*line);
  }
  if (!programs_.emulator.empty()) {
    std::vector<std::string> argv = {
        programs_.emulator, "--endpoint", kEndpoint,  "--api-key", kApiKey,
        "--queue-ms",       "300",        "--run-ms", "1500"};
    argv.insert(argv.end(), emulator_args.begin(), emulator_args.end());
    emulator_ = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, logs_,
                                               "emulator");
    auto line = emulator_->wait_for_line("listening on", 10s);
    if (!line) throw std::runtime_error("the emulator did not start: " + emulator_->err());
    emulator_port_ = port_in(*line);
  }
  webhook_port_ = free_port();
}

Product::~Product() {
  if (serve_) serve_->stop(SIGTERM);
}

std::map<std::string, std::string> Product::env(
    const std::map<std::string, std::string>& changes) const {
  std::map<std::string, std::string> e = {
      {"RUNPOD_API_KEY", emulator_port_ != 0 ? kApiKey : ""},
      {"MODEL_TRAINING_RUNPOD_ENDPOINT_ID", emulator_port_ != 0 ? kEndpoint : ""},
      {"RUNPOD_BASE_URL", "http://127.0.0.1:" + std::to_string(emulator_port_) + "/v2"},
      {"S3_BUCKET", s3_port_ != 0 ? "bucket" : ""},
      {"S3_ENDPOINT_URL", "http://127.0.0.1:" + std::to_string(s3_port_)},
      {"AWS_ACCESS_KEY_ID", "S3RVER"},
      {"AWS_SECRET_ACCESS_KEY", "S3RVER"},
      {"AWS_REGION", "us-east-1"},
      {"PUBLIC_WEBHOOK_BASE_URL", "http://127.0.0.1:" + std::to_string(webhook_port_)},
      {"NGROK_AUTHTOKEN", ""},
      {"ACTOR_TRAINER_AUTH_TOKEN", ""},
      {"ATR_FAULT", ""}};
  for (const auto& [k, v] : changes) {
    e[k] = v;
  }
  return e;
}

void Product::start_serve(const std::vector<std::string>& extra,
                          const std::map<std::string, std::string>& env_changes) {
  std::vector<std::string> argv = {programs_.trainer,
                                   "-w",
                                   workspace_.string(),
                                   "serve",
                                   "--port",
                                   "0",
                                   "--webhook-port",
                                   std::to_string(webhook_port_),
                                   "--heartbeat-seconds",
                                   "1",
                                   "--ui-dir",
                                   (logs_ / "no-ui").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  serve_ = std::make_unique<ChildProcess>(argv, env(env_changes), logs_,
                                          "serve" + std::to_string(++runs_));
  auto line = serve_->wait_for_line("API and UI:", 20s);
  if (!line) throw std::runtime_error("serve did not start: " + serve_->err());
  api_port_ = port_in(*line);
}

std::string Product::stop_serve() {
  if (!serve_) return {};
  serve_->stop(SIGTERM);
  std::string err = serve_->err();
  serve_.reset();
  return err;
}

CliResult Product::cli(const std::string& args,
                       const std::map<std::string, std::string>& env_changes) const {
  std::vector<std::string> argv = {programs_.trainer, "-w", workspace_.string()};
  std::istringstream words(args);
  for (std::string w; words >> w;) {
    argv.push_back(w);
  }
  ChildProcess p(argv, env(env_changes), logs_, "cli" + std::to_string(++runs_));
  std::optional<int> status = p.wait_exit(90s);
  return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, p.out(), p.err()};
}

HttpAnswer Product::get(const std::string& path) const {
  httplib::Client c("127.0.0.1", api_port_);
  c.set_read_timeout(30, 0);
  return answer_of("GET", path, c.Get(path));
}

HttpAnswer Product::post(const std::string& path, const std::string& body,
                         const std::map<std::string, std::string>& headers) const {
  httplib::Client c("127.0.0.1", api_port_);
  c.set_read_timeout(30, 0);
  httplib::Headers h = {{"X-Actor-Trainer", "1"}};
  for (const auto& [k, v] : headers) {
    h.emplace(k, v);
  }
  return answer_of("POST", path, c.Post(path, h, body, "application/json"));
}

std::string Product::read_events(const std::string& path,
                                 const std::function<bool(const std::string&)>& enough,
                                 std::chrono::seconds limit) const {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  httplib::Client c("127.0.0.1", api_port_);
  c.set_read_timeout(5, 0);
  c.Get(path, [&](const char* data, size_t n) {
    text.append(data, n);
    return !enough(text) && std::chrono::steady_clock::now() < deadline;
  });
  return text;
}

std::vector<json> Product::events_of(const std::string& text, const std::string& type) {
  std::vector<json> out;
  std::size_t at = 0;
  const std::string marker = "event: " + type + "\ndata: ";
  while ((at = text.find(marker, at)) != std::string::npos) {
    at += marker.size();
    const std::size_t end = text.find('\n', at);
    out.push_back(json::parse(text.substr(at, end - at), nullptr, false));
  }
  return out;
}

json Product::wait_for_status(std::int64_t id, const std::string& status) const {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  json v;
  while (std::chrono::steady_clock::now() < deadline) {
    v = get("/api/training-versions/" + std::to_string(id)).doc;
    if (v.is_object() && v.value("status", "") == status) return v;
    std::this_thread::sleep_for(100ms);
  }
  return v;
}

json Product::emulator_stats() const {
  httplib::Client c("127.0.0.1", emulator_port_);
  auto res = c.Get("/_emulator/stats");
  return res ? json::parse(res->body, nullptr, false) : json::object();
}

}  // namespace atr::testing
