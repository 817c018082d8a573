// The HTTP API over loopback: the real `actor-trainer serve` (API on port 0) against the RunPod
// emulator, both started by the test on 127.0.0.1. Every response body, and serve's own
// output, is kept and searched for the secrets at the end of each test. Waits are bounded
// polls or event reads, never fixed sleeps.

#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/http_answer.h"
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

constexpr const char* kApiKey = "rp-secret-key-0f3a9c";
constexpr const char* kEndpoint = "test-endpoint";
constexpr const char* kAwsSecret = "aws-secret-77d1be";
constexpr const char* kNgrokToken = "ngrok-secret-5e2a41";
constexpr const char* kClient = "X-Actor-Trainer";

using Answer = testing::HttpAnswer;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_api_workspace(ws_.path());
    ws_.write("actor-trainer.toml",
              "[runpod]\npoll_requests_per_second = 20.0\npoll_queued_seconds = 1\n"
              "poll_training_seconds = 1\nrequest_timeout_seconds = 5\n");
    ws_.write("outside-secret.txt", "outside-the-workspace-bytes");
    webhook_port_ = testing::free_port();
  }

  void TearDown() override {
    if (serve_) {
      serve_->stop(SIGTERM);
      remember(serve_->out() + serve_->err());
      // A failed test shows what serve said (its files go with the temp folder).
      if (HasFailure()) std::cerr << "--- serve's stderr:\n" << serve_->err().substr(0, 20000);
    }
    remember(testing::slurp(ws_.path() / ".actor-trainer" / "ngrok.log"));
    const std::string token = webhook_token();
    ASSERT_FALSE(token.empty());
    for (const std::string& secret :
         {std::string(kApiKey), std::string(kAwsSecret), std::string(kNgrokToken), token}) {
      EXPECT_EQ(seen_.find(secret), std::string::npos)
          << "a secret appeared in a response or in serve's output";
    }
  }

  std::string webhook_token() const {
    try {
      SQLite::Database db((ws_.path() / ".actor-trainer" / "state.db").string(),
                          SQLite::OPEN_READONLY);
      SQLite::Statement q(db, "SELECT value FROM settings WHERE key = 'webhook_token'");
      return q.executeStep() ? q.getColumn(0).getString() : "";
    } catch (const std::exception&) {
      return "";
    }
  }

  void start_emulator() {
    emulator_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{ATR_EMULATOR, "--endpoint", kEndpoint, "--api-key", kApiKey,
                                 "--queue-ms", "300", "--run-ms", "1500", "--preview-endpoint",
                                 "test-preview", "--preview-run-ms", "300"},
        std::map<std::string, std::string>{}, logs_.path(), "emulator");
    auto line = emulator_->wait_for_line("listening on", 10s);
    ASSERT_TRUE(line) << emulator_->err();
    emulator_port_ = testing::port_in(*line);
  }

  std::map<std::string, std::string> product_env() const {
    return {{"RUNPOD_API_KEY", kApiKey},
            {"MODEL_TRAINING_RUNPOD_ENDPOINT_ID", kEndpoint},
            {"RUNPOD_BASE_URL", "http://127.0.0.1:" + std::to_string(emulator_port_) + "/v2"},
            {"AWS_ACCESS_KEY_ID", "AKIATESTING"},
            {"AWS_SECRET_ACCESS_KEY", kAwsSecret},
            {"S3_BUCKET", "studio-bucket"},
            {"S3_ENDPOINT_URL", "http://127.0.0.1:1"},  // loopback, nothing listens
            {"NGROK_AUTHTOKEN", kNgrokToken},
            {"PUBLIC_WEBHOOK_BASE_URL", "http://127.0.0.1:" + std::to_string(webhook_port_)},
            {"ACTOR_TRAINER_AUTH_TOKEN", ""},
            {"ATR_FAULT", ""}};
  }

  void start_serve(const std::vector<std::string>& extra = {},
                   const std::map<std::string, std::string>& env_changes = {}) {
    if (emulator_port_ == 0) start_emulator();
    std::vector<std::string> argv = {ATR_BINARY,
                                     "-w",
                                     ws_.path().string(),
                                     "serve",
                                     "--port",
                                     "0",
                                     "--webhook-port",
                                     std::to_string(webhook_port_),
                                     "--heartbeat-seconds",
                                     "1",
                                     "--ui-dir",
                                     (ws_.path() / "no-ui").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::map<std::string, std::string> env = product_env();
    for (const auto& [k, v] : env_changes) {
      env[k] = v;
    }
    serve_ = std::make_unique<ChildProcess>(argv, env, logs_.path(),
                                            "serve" + std::to_string(++serves_));
    auto line = serve_->wait_for_line("API and UI:", 15s);
    // Thrown, not asserted: the test stops here instead of talking to nothing.
    if (!line) throw std::runtime_error("serve did not start: " + serve_->err());
    port_ = testing::port_in(*line);
    if (port_ <= 0) throw std::runtime_error("serve printed no port: " + *line);
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }

  Answer keep(std::string_view method, const std::string& path, const httplib::Result& r) {
    Answer a = testing::answer_of(method, path, r);
    if (a.status == 0) {
      ADD_FAILURE() << "no answer to " << method << " " << path << ": " << a.error;
      return a;
    }
    remember(a.body);
    for (const auto& [k, v] : a.headers) {
      std::string line = k;
      line += ": ";
      line += v;
      remember(line);
    }
    return a;
  }

  Answer get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client c = client();
    return keep("GET", path, c.Get(path, headers));
  }

  // A state-changing request as the web UI sends it (the client header, no Origin).
  Answer post(const std::string& path, const std::string& body = "{}",
              const httplib::Headers& headers = {{kClient, "1"}}) {
    httplib::Client c = client();
    return keep("POST", path, c.Post(path, headers, body, "application/json"));
  }

  Answer del(const std::string& path) {
    httplib::Client c = client();
    return keep("DELETE", path, c.Delete(path, httplib::Headers{{kClient, "1"}}));
  }

  json emulator_stats() {
    httplib::Client c("127.0.0.1", emulator_port_);
    auto res = c.Get("/_emulator/stats");
    return res ? json::parse(res->body) : json::object();
  }

  // Polls one version (bounded) until `status` holds; returns the last state.
  json wait_for_status(std::int64_t id, const std::string& status) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    json v;
    while (std::chrono::steady_clock::now() < deadline) {
      v = get("/api/training-versions/" + std::to_string(id)).doc;
      if (v.is_object() && v.value("status", "") == status) return v;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "version " << id << " never became " << status << ": " << v.dump();
    return v;
  }

  // Starts a training of actor 6 with `network_dim` and waits until it completes.
  std::int64_t completed_version(int network_dim) {
    const Answer started =
        post("/api/actors/6/training-versions",
             R"({"parameters": {"network_dim": )" + std::to_string(network_dim) + "}}");
    EXPECT_EQ(started.status, 202) << started.body;
    const std::int64_t id = started.doc.value("id", std::int64_t{0});
    wait_for_status(id, "completed");
    return id;
  }

  // Reads the SSE stream at `path` until `enough` says so (or `limit` passes); returns the raw
  // text received.
  std::string read_events(const std::string& path, const httplib::Headers& headers,
                          const std::function<bool(const std::string&)>& enough,
                          std::chrono::seconds limit = 20s) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    httplib::Client c = client();
    c.set_read_timeout(5, 0);
    c.Get(path, headers, [&](const char* data, size_t n) {
      text.append(data, n);
      return !enough(text) && std::chrono::steady_clock::now() < deadline;
    });
    remember(text);
    return text;
  }

  // Sends `request` as it is on a fresh connection and returns everything the server sends
  // back until it closes (bounded by a 10 s receive timeout).
  std::string raw_exchange(const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
      char buffer[4096];
      for (ssize_t n = 0; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
        answer.append(buffer, static_cast<size_t>(n));
      }
    }
    ::close(fd);
    remember(answer);
    return answer;
  }

  static std::vector<json> events_of(const std::string& text, const std::string& type) {
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

  static std::vector<std::uint64_t> ids_of(const std::string& text) {
    std::vector<std::uint64_t> out;
    std::size_t at = 0;
    while ((at = text.find("id: ", at)) != std::string::npos) {
      if (at == 0 || text[at - 1] == '\n') out.push_back(std::stoull(text.substr(at + 4)));
      at += 4;
    }
    return out;
  }

  testing::TempDir ws_;
  testing::TempDir logs_;
  std::unique_ptr<ChildProcess> emulator_;
  std::unique_ptr<ChildProcess> serve_;
  int emulator_port_ = 0;
  int webhook_port_ = 0;
  int port_ = 0;
  int serves_ = 0;
  // Every body and header received, and serve's output; SSE readers add from their threads.
  void remember(const std::string& text) {
    std::lock_guard lock(seen_mutex_);
    seen_ += text;
  }
  std::mutex seen_mutex_;
  std::string seen_;
};

TEST_F(ApiTest, HealthSettingsAndTheServedOpenApiDocument) {
  start_serve();
  const Answer health = get("/api/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.doc["status"], "ok");
  EXPECT_EQ(health.doc["actors"], 4);
  EXPECT_EQ(health.doc["webhook"], "public_url");
  const Answer settings = get("/api/settings");
  EXPECT_EQ(settings.status, 200);
  EXPECT_EQ(settings.doc["runpod_configured"], true);
  EXPECT_EQ(settings.doc["runpod_official"], false);  // the emulator: the page shows "demo"
  EXPECT_EQ(settings.doc["runpod_base_url"],
            "http://127.0.0.1:" + std::to_string(emulator_port_) + "/v2");
  EXPECT_EQ(settings.doc["endpoints"][0]["configured"], true);
  const auto& table = settings.doc["parameters"];
  ASSERT_TRUE(table.is_array());
  EXPECT_EQ(table[0]["name"], "max_train_steps");
  EXPECT_EQ(table[0]["max"], 20000);
  const auto optimizer = std::find_if(
      table.begin(), table.end(), [](const auto& row) { return row["name"] == "optimizer_type"; });
  ASSERT_NE(optimizer, table.end());
  EXPECT_EQ((*optimizer)["choices"][0], "adamw8bit");
  const Answer doc = get("/api/openapi.json");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.doc["openapi"], "3.0.3");
  EXPECT_TRUE(doc.doc["paths"].contains("/api/actors/{id}/training-versions"));
  const Answer missing = get("/api/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.doc["error"]["code"], "not_found");
}

// Both listeners take a burst of connects (the library alone listens with a backlog of 5,
// which 200 clients at once overflow) and hold their ports (no SO_REUSEPORT, so a second
// serve cannot bind them and take part of the traffic).
TEST_F(ApiTest, ListenersHoldBurstsAndTheirPorts) {
  start_serve();
  int somaxconn = 4096;
  std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
  const int granted = std::min(1024, somaxconn);
  for (const int port : {port_, webhook_port_}) {
    EXPECT_EQ(testing::listen_backlog(port), granted) << "port " << port;
    EXPECT_FALSE(testing::port_can_be_shared(port)) << "port " << port;
  }
}

TEST_F(ApiTest, PostersAreThumbnailsWithEtagsOrRedirects) {
  start_serve();
  const Answer small = get("/api/actors/6/poster?size=small");
  ASSERT_EQ(small.status, 200);
  EXPECT_EQ(small.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(small.body.substr(0, 2), "\xFF\xD8");
  const std::string etag = small.header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_NE(small.header("Cache-Control").find("max-age"), std::string::npos);
  EXPECT_EQ(get("/api/actors/6/poster?size=small", {{"If-None-Match", etag}}).status, 304);
  const Answer large = get("/api/actors/6/poster?size=large");
  EXPECT_NE(large.header("ETag"), etag);
  EXPECT_GT(large.body.size(), small.body.size());

  httplib::Client c = client();
  c.set_follow_location(false);
  const Answer remote = keep("GET", "/api/actors/10/poster", c.Get("/api/actors/10/poster"));
  EXPECT_EQ(remote.status, 302);
  EXPECT_EQ(remote.header("Location"), "https://cdn.example.invalid/0010.webp");
  EXPECT_EQ(get("/api/actors/0011/poster").status, 404);
  const Answer bad_size = get("/api/actors/6/poster?size=huge");
  EXPECT_EQ(bad_size.status, 422);
  EXPECT_EQ(bad_size.doc["error"]["field"], "size");
}

TEST_F(ApiTest, TrainingDataAndImageThumbnails) {
  start_serve();
  const Answer data = get("/api/actors/6/training-data");
  ASSERT_EQ(data.status, 200);
  EXPECT_EQ(data.doc["count"], 3);
  EXPECT_EQ(data.doc["sync"], "synced");
  const std::string url = data.doc["files"][0]["thumbnail_url"];
  EXPECT_EQ(url, "/api/actors/0006/training-data/img_0.jpg");
  const Answer thumb = get(url + "?size=small");
  EXPECT_EQ(thumb.status, 200);
  EXPECT_EQ(thumb.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(get(url, {{"If-None-Match", thumb.header("ETag")}}).status, 200);  // other size
  EXPECT_EQ(get(url + "?size=small", {{"If-None-Match", thumb.header("ETag")}}).status, 304);
  EXPECT_EQ(get("/api/actors/6/training-data/missing.jpg").status, 404);
  EXPECT_EQ(get("/api/actors/999/training-data").status, 404);
}

TEST_F(ApiTest, TraversalAttemptsReadNothingOutsideTheWorkspace) {
  // A symlink in the training folder to a file outside the workspace.
  const fs::path outside = logs_.path() / "outside.jpg";
  testing::write_image(outside, 64, 64, 1);
  fs::create_symlink(outside,
                     ws_.path() / "data/actors/0006_european_20_female/training_data/link.jpg");
  fs::create_directories(ws_.path() / "ui/assets");
  ws_.write("ui/index.html", "<!doctype html><title>ui</title>");
  start_serve({"--ui-dir", (ws_.path() / "ui").string()});
  for (const std::string path :
       {"/api/actors/6/training-data/..%2F..%2F..%2Factors.json",
        "/api/actors/6/training-data/%2e%2e", "/api/actors/6/training-data/..",
        "/api/actors/6/training-data/%2Fetc%2Fpasswd", "/api/actors/6/training-data/a%00.jpg",
        "/api/actors/6/training-data/link.jpg", "/api/actors/..%2F..%2Foutside-secret.txt",
        "/api/actors/%2e%2e/training-data"}) {
    const Answer a = get(path);
    EXPECT_TRUE(a.status == 400 || a.status == 404) << path << " -> " << a.status;
    EXPECT_EQ(a.body.find("outside-the-workspace-bytes"), std::string::npos) << path;
    EXPECT_NE(a.header("Content-Type"), "image/jpeg") << path;
  }
  // The static files: the same rules, and the SPA fallback never reaches outside.
  httplib::Client c = client();
  for (const std::string path :
       {"/../outside-secret.txt", "/%2e%2e/outside-secret.txt", "/..%2Foutside-secret.txt",
        "/assets/..%2F..%2Foutside-secret.txt"}) {
    const Answer a = keep("GET", path, c.Get(path));
    EXPECT_EQ(a.body.find("outside-the-workspace-bytes"), std::string::npos) << path;
  }
}

TEST_F(ApiTest, ResponsesAreGzippedNeverBrotli) {
  // The library's Brotli runs at its slowest quality (0.9 s for the page's script); gzip is
  // offered instead, and a client that accepts only Brotli gets the bytes as they are.
  start_serve();
  httplib::Client c = client();
  c.set_decompress(false);
  auto both = c.Get("/api/actors?limit=100", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, 200);
  EXPECT_EQ(both->get_header_value("Content-Encoding"), "gzip");
  auto only_br = c.Get("/api/actors?limit=100", {{"Accept-Encoding", "br;q=1.0"}});
  ASSERT_TRUE(only_br);
  EXPECT_EQ(only_br->get_header_value("Content-Encoding"), "");
  EXPECT_EQ(json::parse(only_br->body)["total"], 4);
}

TEST_F(ApiTest, PlanWithDefaultsAndWithTheUsersChanges) {
  start_serve();
  const Answer plan = get("/api/actors/6/training-plan");
  ASSERT_EQ(plan.status, 200);
  EXPECT_EQ(plan.doc["image_count"], 3);
  EXPECT_TRUE(plan.doc["validation"].empty());
  EXPECT_GT(plan.doc["estimate"]["cost_usd"].get<double>(), 0.0);
  const Answer unknown = get("/api/actors/6/training-plan?endpoint=nope");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.doc["error"]["field"], "endpoint");

  const Answer changed =
      post("/api/actors/6/training-plan", R"({"parameters": {"max_train_steps": 3000}})");
  ASSERT_EQ(changed.status, 200);
  EXPECT_EQ(changed.doc["parameters"]["max_train_steps"], 3000);
  EXPECT_GT(changed.doc["estimate"]["duration_seconds"].get<double>(),
            plan.doc["estimate"]["duration_seconds"].get<double>());
  const Answer invalid =
      post("/api/actors/6/training-plan", R"({"parameters": {"batch_size": 0}})");
  ASSERT_EQ(invalid.status, 200);  // a plan shows problems instead of refusing
  ASSERT_FALSE(invalid.doc["validation"].empty());
  EXPECT_EQ(invalid.doc["validation"][0]["field"], "batch_size");
  const Answer wrong_type =
      post("/api/actors/6/training-plan", R"({"parameters": {"learning_rate": "fast"}})");
  EXPECT_EQ(wrong_type.status, 422);
  EXPECT_EQ(wrong_type.doc["error"]["field"], "parameters.learning_rate");
  const Answer bad_json = post("/api/actors/6/training-plan", "{not json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(bad_json.doc["error"]["code"], "bad_request");  // unreadable, not an invalid input
  EXPECT_EQ(bad_json.doc["error"]["field"], "body");
}

TEST_F(ApiTest, AStartIsIdempotentAndASecondWhileOneRunsIsAConflict) {
  start_serve();
  const Answer started = post("/api/actors/6/training-versions",
                              R"({"description": "api run", "parameters": {"network_dim": 32}})",
                              {{kClient, "1"}, {"Idempotency-Key", "click-1"}});
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(started.doc["created"], true);
  EXPECT_EQ(started.doc["name"], "V1");
  EXPECT_EQ(started.doc["parameters"]["network_dim"], 32);
  const std::int64_t id = started.doc["id"];
  // A double click with the same key: the same version, nothing sent again.
  const Answer again = post("/api/actors/6/training-versions", "{}",
                            {{kClient, "1"}, {"Idempotency-Key", "click-1"}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.doc["id"], id);
  EXPECT_EQ(again.doc["created"], false);
  const Answer busy = post("/api/actors/6/training-versions");
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(busy.doc["error"]["code"], "conflict");
  wait_for_status(id, "completed");
  EXPECT_EQ(emulator_stats().value("run", 0), 1);
}

TEST_F(ApiTest, ACompletedTrainingHasItsModelCostAndLogs) {
  start_serve();
  const std::int64_t id = completed_version(32);
  const json done = get("/api/training-versions/" + std::to_string(id)).doc;
  EXPECT_FALSE(done["lora_url"].is_null()) << done.dump();
  const Answer listed = get("/api/actors/6/training-versions");
  ASSERT_EQ(listed.doc["items"].size(), 1u);
  EXPECT_GT(listed.doc["total_cost_usd"].get<double>(), 0.0);
  EXPECT_EQ(get("/api/actors").doc["items"][0]["latest_version"],
            json({{"name", "V1"}, {"status", "completed"}}));
  const Answer logs = get("/api/training-versions/" + std::to_string(id) + "/logs");
  ASSERT_FALSE(logs.doc["items"].empty());
  const std::int64_t after = logs.doc["items"][0]["seq"];
  EXPECT_EQ(
      get("/api/training-versions/" + std::to_string(id) + "/logs?after=" + std::to_string(after))
          .doc["items"]
          .size(),
      logs.doc["items"].size() - 1);
}

TEST_F(ApiTest, ACompletedVersionHasItsCurveAndItsPreviewsWithImages) {
  ws_.write("actor-trainer.toml",
            "[runpod]\npoll_requests_per_second = 20.0\npoll_queued_seconds = 1\n"
            "poll_training_seconds = 1\nrequest_timeout_seconds = 5\n"
            "[runpod.preview]\nendpoint_id = \"test-preview\"\nprice_per_second = 0.0004\n"
            "seeds = [7]\nwidth = 128\nheight = 128\n");
  start_serve();
  const std::int64_t id = completed_version(16);
  const std::string base = "/api/training-versions/" + std::to_string(id);
  const Answer curve = get(base + "/curve");
  EXPECT_EQ(curve.status, 200);
  EXPECT_EQ(curve.doc["version_id"], id);
  // serve starts the previews on completion: four prompts × one seed.
  json previews;
  for (int i = 0; i < 200; ++i) {
    previews = get(base + "/previews").doc;
    int done = 0;
    for (const json& p : previews.value("items", json::array())) {
      done += p["status"] == "completed";
    }
    if (done == 4) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(previews["items"].size(), 4u) << previews.dump(2);
  const json first = previews["items"][0];
  ASSERT_EQ(first["status"], "completed") << previews.dump(2);
  const Answer image = get(first["images"][0]["url"].get<std::string>());
  EXPECT_EQ(image.status, 200);
  EXPECT_EQ(image.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(get("/api/previews/" + std::to_string(first["id"].get<int>()) + "/images/1").status,
            404);
  // Asking again sends nothing new; a finished preview cannot be aborted.
  const Answer again = post(base + "/previews");
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.doc["items"].size(), 4u);
  EXPECT_EQ(emulator_stats().value("preview_run", 0), 4);
  EXPECT_EQ(post("/api/previews/" + std::to_string(first["id"].get<int>()) + "/abort").status, 409);
  // The actor's versions list counts what the previews cost.
  const json versions = get("/api/actors/6/training-versions").doc;
  EXPECT_GT(versions["preview_cost_usd"].get<double>(), 0.0) << versions.dump(2);
}

TEST_F(ApiTest, ListItemsAreTheActorsAsTheirDetailShowsThemAndFollowTheirNewestVersion) {
  start_serve();
  // The first list renders every actor's item; later lists with other queries (not in the
  // answer cache) are assembled from those pieces, which must follow what changes.
  const Answer first = get("/api/actors?limit=10");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_FALSE(first.doc["items"].empty());
  for (const json& item : first.doc["items"]) {
    const Answer detail = get("/api/actors/" + item["id"].get<std::string>());
    EXPECT_EQ(detail.doc, item) << item["id"];
  }
  auto item_of_6 = [&](int limit) {
    const Answer list = get("/api/actors?limit=" + std::to_string(limit));
    for (const json& item : list.doc["items"]) {
      if (item["id"] == "0006") return item;
    }
    ADD_FAILURE() << "actor 0006 is not listed: " << list.body;
    return json();
  };
  EXPECT_TRUE(item_of_6(11)["latest_version"].is_null());
  completed_version(32);
  EXPECT_EQ(item_of_6(12)["latest_version"], json({{"name", "V1"}, {"status", "completed"}}));
  EXPECT_EQ(item_of_6(13), get("/api/actors/0006").doc);
}

TEST_F(ApiTest, TwoVersionsCompareAndARunningOneAborts) {
  start_serve();
  const std::int64_t id = completed_version(32);
  const Answer second =
      post("/api/actors/6/training-versions", R"({"parameters": {"network_dim": 64}})");
  ASSERT_EQ(second.status, 202) << second.body;
  const std::int64_t id2 = second.doc["id"];
  const Answer cmp = get("/api/training-versions/compare?left=" + std::to_string(id) +
                         "&right=" + std::to_string(id2));
  ASSERT_EQ(cmp.status, 200);
  bool dim_differs = false;
  for (const json& row : cmp.doc["parameters"]) {
    if (row["name"] == "network_dim") dim_differs = row["differs"];
  }
  EXPECT_TRUE(dim_differs);
  EXPECT_EQ(get("/api/training-versions/compare?left=" + std::to_string(id)).status, 422);
  const Answer aborted = post("/api/training-versions/" + std::to_string(id2) + "/abort");
  EXPECT_EQ(aborted.status, 200);
  EXPECT_EQ(aborted.doc["status"], "cancelled");
  EXPECT_EQ(post("/api/training-versions/" + std::to_string(id2) + "/refresh").status, 200);
  EXPECT_EQ(get("/api/training-versions/999999").status, 404);
  EXPECT_EQ(post("/api/training-versions/999999/abort").status, 404);
}

TEST_F(ApiTest, MarkGoodTakesOnlyACompletedVersionOfThisActor) {
  start_serve();
  const std::int64_t id = completed_version(32);
  const Answer second = post("/api/actors/6/training-versions");
  ASSERT_EQ(second.status, 202) << second.body;
  const std::int64_t running = second.doc["id"];
  const std::string registry = testing::slurp(ws_.path() / "actors.json");
  EXPECT_EQ(post("/api/actors/6/mark-good", "{}").status, 422);
  EXPECT_EQ(post("/api/actors/6/mark-good", R"({"version_id": 9999})").status, 404);
  EXPECT_EQ(post("/api/actors/8/mark-good", R"({"version_id": )" + std::to_string(id) + "}").status,
            422);
  EXPECT_EQ(
      post("/api/actors/6/mark-good", R"({"version_id": )" + std::to_string(running) + "}").status,
      409);
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json"), registry);
}

TEST_F(ApiTest, MarkGoodWritesTheModelIntoTheRegistryAndClearingRemovesIt) {
  start_serve();
  const std::int64_t id = completed_version(32);
  const Answer good =
      post("/api/actors/6/mark-good", R"({"version_id": )" + std::to_string(id) + "}");
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.doc["good"], true);
  const std::string registry = testing::slurp(ws_.path() / "actors.json");
  EXPECT_NE(registry.find("\"validated_lora_model\""), std::string::npos);
  EXPECT_NE(registry.find("\"custom\": [1, 2]"), std::string::npos);  // the rest untouched
  EXPECT_EQ(get("/api/actors/6").doc["validated_lora_model"]["version_name"], "V1");
  const Answer cleared = del("/api/actors/6/mark-good");
  EXPECT_EQ(cleared.status, 200);
  EXPECT_TRUE(cleared.doc["validated_lora_model"].is_null());
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json").find("\"validated_lora_model\""),
            std::string::npos);
}

TEST_F(ApiTest, BadTrainingRequestsChangeNothing) {
  start_serve();
  EXPECT_EQ(post("/api/actors/999/training-versions").status, 404);
  const Answer bad_json = post("/api/actors/6/training-versions", "[1, 2");
  EXPECT_EQ(bad_json.status, 400);
  const Answer not_object = post("/api/actors/6/training-versions", "[1, 2]");
  EXPECT_EQ(not_object.status, 400);
  // Numbers no double holds, or no parameter takes: 400/422, never 500.
  const Answer overflow = post("/api/actors/6/training-versions", R"({"steps": 1e400})");
  EXPECT_EQ(overflow.status, 400);
  EXPECT_NE(overflow.doc["error"]["message"].get<std::string>().find("1e400"), std::string::npos)
      << overflow.doc.dump();
  const Answer huge = post("/api/actors/6/training-versions",
                           R"({"parameters": {"steps": 1e300, "learning_rate": -1e308,
                               "batch_size": 18446744073709551615}})");
  EXPECT_EQ(huge.status, 422) << huge.doc.dump();
  const Answer wrong_type = post("/api/actors/6/training-versions", R"({"force": "yes"})");
  EXPECT_EQ(wrong_type.status, 422);
  EXPECT_EQ(wrong_type.doc["error"]["field"], "force");
  const Answer unknown_param =
      post("/api/actors/6/training-versions", R"({"parameters": {"warp_speed": 9}})");
  EXPECT_EQ(unknown_param.status, 422);
  EXPECT_EQ(unknown_param.doc["error"]["field"], "parameters.warp_speed");
  const Answer out_of_range = post("/api/actors/6/training-versions",
                                   R"({"parameters": {"learning_rate": 5, "batch_size": 0}})");
  EXPECT_EQ(out_of_range.status, 422);
  EXPECT_EQ(out_of_range.doc["error"]["fields"].size(), 2u);
  const Answer unknown_endpoint =
      post("/api/actors/6/training-versions", R"({"endpoint": "moon"})");
  EXPECT_EQ(unknown_endpoint.status, 422);
  EXPECT_EQ(unknown_endpoint.doc["error"]["field"], "endpoint");
  // 2 MB announced, 64 KB sent: the server answers 413 from the headers alone.
  const std::string oversize = raw_exchange(
      "POST /api/actors/6/training-versions HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
      "\r\nX-Actor-Trainer: 1\r\nContent-Type: application/json\r\n" + "Connection: close\r\n" +
      "Content-Length: 2097152\r\n\r\n{\"description\": \"" + std::string(65536, 'x'));
  EXPECT_TRUE(oversize.starts_with("HTTP/1.1 413")) << oversize.substr(0, 200);
  EXPECT_NE(oversize.find("payload_too_large"), std::string::npos);
  const Answer unsynced = post("/api/actors/0011/training-versions");
  EXPECT_EQ(unsynced.status, 409);
  EXPECT_EQ(get("/api/actors/6/training-versions").doc["items"].size(), 0u);
  EXPECT_EQ(emulator_stats().value("run", 0), 0);
}

// Every route that takes an actor or a version: an unknown one is 404 and changes nothing;
// every route that changes state refuses a body over the limit with 413 from the headers.
TEST_F(ApiTest, EveryRouteAnswersUnknownIdsWith404AndOversizeWith413) {
  start_serve();
  const std::vector<std::pair<std::string, std::string>> unknown = {
      {"GET", "/api/actors/999"},
      {"GET", "/api/actors/999/poster"},
      {"GET", "/api/actors/999/training-data"},
      {"GET", "/api/actors/999/training-data/a.jpg"},
      {"POST", "/api/actors/999/sync"},
      {"GET", "/api/actors/999/training-plan"},
      {"POST", "/api/actors/999/training-plan"},
      {"GET", "/api/actors/999/training-versions"},
      {"POST", "/api/actors/999/training-versions"},
      {"POST", "/api/actors/999/mark-good"},
      {"DELETE", "/api/actors/999/mark-good"},
      {"GET", "/api/training-versions/compare?left=999998&right=999999"},
      {"GET", "/api/training-versions/999999"},
      {"GET", "/api/training-versions/999999/logs"},
      {"POST", "/api/training-versions/999999/abort"},
      {"POST", "/api/training-versions/999999/refresh"},
      {"GET", "/api/training-versions/999999/curve"},
      {"GET", "/api/training-versions/999999/previews"},
      {"POST", "/api/training-versions/999999/previews"},
      {"GET", "/api/previews/999999/images/0"},
      {"POST", "/api/previews/999999/abort"},
      {"GET", "/api/events?actor=999"},
  };
  for (const auto& [method, path] : unknown) {
    const Answer a = method == "GET"    ? get(path)
                     : method == "POST" ? post(path, R"({"version_id": 1})")
                                        : del(path);
    EXPECT_EQ(a.status, 404) << method << " " << path << ": " << a.body;
    EXPECT_EQ(a.doc["error"]["code"], "not_found") << method << " " << path;
  }
  // A sync starts in the background (its S3 here refuses connections; sync_test.cpp has the
  // real one); a bad option is refused first.
  EXPECT_EQ(post("/api/actors/6/sync", R"({"delete": "yes"})").status, 422);
  const Answer sync = post("/api/actors/6/sync");
  EXPECT_EQ(sync.status, 202);
  EXPECT_EQ(sync.doc["state"], "running");

  for (const std::string path :
       {"/api/actors/6/sync", "/api/actors/6/training-plan", "/api/actors/6/training-versions",
        "/api/actors/6/mark-good", "/api/training-versions/1/abort",
        "/api/training-versions/1/refresh", "/api/training-versions/1/previews",
        "/api/previews/1/abort", "/api/tunnel/start", "/api/tunnel/stop"}) {
    std::string request = "POST " + path;
    request += " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_);
    request += "\r\nX-Actor-Trainer: 1\r\nConnection: close\r\nContent-Length: 1048577\r\n\r\n{";
    const std::string answer = raw_exchange(request);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << path << ": " << answer.substr(0, 100);
  }
  EXPECT_EQ(get("/api/actors/6/training-versions").doc["items"].size(), 0u);
  EXPECT_EQ(get("/api/tunnel").doc["ngrok"]["state"], "off");
  EXPECT_EQ(emulator_stats().value("run", 0), 0);
}

TEST_F(ApiTest, CrossOriginWritesAreRefusedAndStartNothing) {
  start_serve();
  const std::string path = "/api/actors/6/training-versions";
  const Answer evil_origin = post(path, "{}", {{"Origin", "https://evil.example"}, {kClient, "1"}});
  EXPECT_EQ(evil_origin.status, 403);
  EXPECT_EQ(evil_origin.doc["error"]["code"], "forbidden");
  EXPECT_EQ(post(path, "{}", {{"Origin", "null"}}).status, 403);
  EXPECT_EQ(post(path, "{}", {{"Referer", "https://evil.example/page"}}).status, 403);
  EXPECT_EQ(post(path, "{}", {}).status, 403);  // neither, and no client header
  // DNS rebinding: a foreign Host is refused, reads included.
  EXPECT_EQ(get("/api/actors", {{"Host", "evil.example:" + std::to_string(port_)}}).status, 403);
  EXPECT_EQ(del("/api/actors/6/mark-good").status, 200);  // the UI's own header passes
  EXPECT_EQ(get("/api/actors/6/training-versions").doc["items"].size(), 0u);
  EXPECT_EQ(emulator_stats().value("run", 0), 0);
  // The server's own origin may.
  const Answer own = post(path, "{}", {{"Origin", "http://127.0.0.1:" + std::to_string(port_)}});
  EXPECT_EQ(own.status, 202) << own.body;
}

TEST_F(ApiTest, ARequestWithoutHostAndAnUnguardedPublicAddressAreRefused) {
  start_serve();
  // Without a Host header the DNS-rebinding check cannot run: refused, reads included.
  const std::string read = raw_exchange("GET /api/actors HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(read.starts_with("HTTP/1.1 400")) << read.substr(0, 200);
  EXPECT_NE(read.find("no Host header"), std::string::npos);
  const std::string write = raw_exchange(
      "POST /api/actors/6/training-versions HTTP/1.1\r\nX-Actor-Trainer: 1\r\n"
      "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_TRUE(write.starts_with("HTTP/1.1 400")) << write.substr(0, 200);
  EXPECT_EQ(get("/api/actors/6/training-versions").doc["items"].size(), 0u);
  EXPECT_EQ(emulator_stats().value("run", 0), 0);

  // Off loopback without a token, serve refuses to start (it only warned before).
  const std::vector<std::string> off_loopback = {
      ATR_BINARY, "-w", ws_.path().string(), "serve", "--host", "0.0.0.0",
      "--port",   "0",  "--webhook-port",    "0"};
  ChildProcess refused(off_loopback, product_env(), logs_.path(), "serve-off-loopback");
  const std::optional<int> status = refused.wait_exit(15s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << *status;
  EXPECT_NE(refused.err().find("refusing to listen on 0.0.0.0 without --auth-token"),
            std::string::npos)
      << refused.err();
  EXPECT_EQ(refused.out().find("API and UI:"), std::string::npos);
}

TEST_F(ApiTest, BearerTokenGuardsTheApiWhenSet) {
  start_serve({}, {{"ACTOR_TRAINER_AUTH_TOKEN", "api-token-for-tests"}});
  const Answer without = get("/api/actors");
  EXPECT_EQ(without.status, 401);
  EXPECT_EQ(without.doc["error"]["code"], "unauthorized");
  EXPECT_EQ(get("/api/actors", {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(get("/metrics").status, 401);
  EXPECT_EQ(get("/api/actors", {{"Authorization", "Bearer api-token-for-tests"}}).status, 200);
  EXPECT_EQ(get("/").status, 200);  // the page itself holds no data
  // The page's cookie opens reads (EventSource and <img> cannot send headers), never writes.
  const httplib::Headers cookie = {{"Cookie", "theme=dark; atr_token=api-token-for-tests"}};
  EXPECT_EQ(get("/api/actors", cookie).status, 200);
  EXPECT_EQ(get("/api/actors", {{"Cookie", "atr_token=api-token-wrong"}}).status, 401);
  httplib::Headers write = cookie;
  write.emplace(kClient, "1");
  EXPECT_EQ(post("/api/actors/6/mark-good", R"({"version_id": 1})", write).status, 401);
  EXPECT_EQ(post("/api/tunnel/stop", "{}", write).status, 401);
}

TEST_F(ApiTest, LiveEventsFollowATrainingAndResumeWithoutGaps) {
  start_serve();
  std::string text;
  std::thread reader([&] {
    text = read_events("/api/events?actor=6", {}, [](const std::string& t) {
      return t.find("\"status\":\"completed\"") != std::string::npos;
    });
  });
  // The stream is open once its first bytes came; a start before would not be seen.
  for (int i = 0; i < 100 && get("/metrics").body.find("atr_sse_clients 1") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(20ms);
  }
  post("/api/actors/8/training-versions");  // another actor: filtered out
  const Answer started = post("/api/actors/6/training-versions");
  ASSERT_EQ(started.status, 202);
  reader.join();
  const std::vector<json> versions = events_of(text, "version");
  ASSERT_FALSE(versions.empty()) << text;
  std::set<std::string> statuses;
  for (const json& v : versions) {
    EXPECT_EQ(v["actor_id"], "0006");
    statuses.insert(v["status"].get<std::string>());
  }
  EXPECT_TRUE(statuses.count("queued") && statuses.count("completed")) << text;
  const std::vector<json> logs = events_of(text, "log");
  ASSERT_FALSE(logs.empty());
  EXPECT_EQ(logs[0]["actor_id"], "0006");
  const std::vector<std::uint64_t> ids = ids_of(text);
  ASSERT_GE(ids.size(), 3u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));

  // Resume after the first event: everything after it comes again, in order, no gap.
  const std::string resumed =
      read_events("/api/events?actor=6", {{"Last-Event-ID", std::to_string(ids[0])}},
                  [&](const std::string& t) {
                    return t.find("id: " + std::to_string(ids.back())) != std::string::npos;
                  });
  std::vector<std::uint64_t> again = ids_of(resumed);
  ASSERT_GE(again.size(), ids.size() - 1) << resumed;
  again.resize(ids.size() - 1);
  EXPECT_EQ(again, std::vector<std::uint64_t>(ids.begin() + 1, ids.end()));
  EXPECT_EQ(resumed.find("event: reset"), std::string::npos);
  // An id this server never gave: the client is told to reload.
  const std::string unknown =
      read_events("/api/events", {{"Last-Event-ID", "12"}},
                  [](const std::string& t) { return t.find("event: reset") != std::string::npos; });
  EXPECT_NE(unknown.find("event: reset"), std::string::npos);
  // Heartbeats keep a quiet stream alive (every second in this test).
  const std::string quiet = read_events("/api/events?version=999999", {}, [](const std::string& t) {
    return t.find(": heartbeat") != std::string::npos;
  });
  EXPECT_NE(quiet.find(": heartbeat"), std::string::npos);
  EXPECT_EQ(get("/api/events?actor=nobody").status, 404);
}

TEST_F(ApiTest, NgrokTunnelStartsStopsAndCarriesTheWebhook) {
  const fs::path bin = logs_.path() / "bin";
  fs::create_directories(bin);
  fs::copy_file(ATR_NGROK_STANDIN, bin / "ngrok");
  const int agent_port = testing::free_port();
  const fs::path record = logs_.path() / "ngrok-args.txt";
  start_serve({}, {{"PATH", bin.string() + ":" + std::getenv("PATH")},
                   {"PUBLIC_WEBHOOK_BASE_URL", ""},
                   {"NGROK_AGENT_API_URL", "http://127.0.0.1:" + std::to_string(agent_port)},
                   {"NGROK_STANDIN_RECORD", record.string()}});
  const Answer before = get("/api/tunnel");
  EXPECT_EQ(before.doc["mode"], "none");
  EXPECT_EQ(before.doc["ngrok"]["state"], "off");
  EXPECT_EQ(before.doc["ngrok"]["binary_found"], true);
  EXPECT_EQ(before.doc["ngrok"]["token_configured"], true);

  const Answer started = post("/api/tunnel/start", "");
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(started.doc["mode"], "ngrok");
  EXPECT_EQ(started.doc["ngrok"]["state"], "running");
  const std::string url = started.doc["ngrok"]["public_url"];
  EXPECT_TRUE(url.starts_with("https://")) << url;
  const std::string args = testing::slurp(record);
  EXPECT_NE(args.find("http\n127.0.0.1:" + std::to_string(webhook_port_)), std::string::npos)
      << args;  // the webhook listener only, never the API
  EXPECT_EQ(args.find(kNgrokToken), std::string::npos);

  // A training started now gives RunPod the tunnel's URL.
  ASSERT_EQ(post("/api/actors/6/training-versions").status, 202);
  const json stats = emulator_stats();
  ASSERT_EQ(stats["webhook_urls"].size(), 1u);
  EXPECT_TRUE(
      stats["webhook_urls"][0].get<std::string>().starts_with(url + "/api/training-webhook/"));

  const Answer stopped = post("/api/tunnel/stop", "");
  EXPECT_EQ(stopped.doc["ngrok"]["state"], "off");
  EXPECT_EQ(stopped.doc["mode"], "none");
  httplib::Client agent("127.0.0.1", agent_port);
  agent.set_connection_timeout(1, 0);
  EXPECT_FALSE(agent.Get("/api/tunnels"));  // the child is gone

  // Started again, then serve shuts down: the child goes with it.
  ASSERT_EQ(post("/api/tunnel/start", "").status, 200);
  serve_->stop(SIGTERM);
  remember(serve_->out() + serve_->err());
  serve_.reset();
  EXPECT_FALSE(agent.Get("/api/tunnels"));
}

TEST_F(ApiTest, NgrokProblemsAreReportedClearly) {
  start_serve({}, {{"PATH", "/usr/bin:/bin"}, {"PUBLIC_WEBHOOK_BASE_URL", ""}});
  const Answer no_binary = post("/api/tunnel/start", "");
  EXPECT_EQ(no_binary.status, 503);
  EXPECT_NE(no_binary.doc["error"]["message"].get<std::string>().find("ngrok is not installed"),
            std::string::npos);
  EXPECT_EQ(get("/api/tunnel").doc["ngrok"]["state"], "failed");
  serve_->stop(SIGTERM);
  remember(serve_->out() + serve_->err());

  const fs::path bin = logs_.path() / "bin";
  fs::create_directories(bin);
  fs::copy_file(ATR_NGROK_STANDIN, bin / "ngrok");
  start_serve({}, {{"PATH", bin.string() + ":/usr/bin:/bin"},
                   {"PUBLIC_WEBHOOK_BASE_URL", ""},
                   {"NGROK_AUTHTOKEN", ""}});
  const Answer no_token = post("/api/tunnel/start", "");
  EXPECT_EQ(no_token.status, 503);
  EXPECT_NE(no_token.doc["error"]["message"].get<std::string>().find("NGROK_AUTHTOKEN"),
            std::string::npos);
  serve_->stop(SIGTERM);
  remember(serve_->out() + serve_->err());

  start_serve({}, {{"PATH", bin.string() + ":/usr/bin:/bin"},
                   {"PUBLIC_WEBHOOK_BASE_URL", ""},
                   {"NGROK_STANDIN_FAIL", "1"}});
  const Answer exited = post("/api/tunnel/start", "");
  EXPECT_EQ(exited.status, 503);
  EXPECT_NE(exited.doc["error"]["message"].get<std::string>().find("ngrok exited"),
            std::string::npos)
      << exited.body;
}

TEST_F(ApiTest, MetricsCountRequestsCallsWebhooksAndStreams) {
  start_serve();
  get("/api/actors");
  get("/api/actors/999");
  const Answer started = post("/api/actors/6/training-versions");
  ASSERT_EQ(started.status, 202);
  wait_for_status(started.doc["id"], "completed");
  const std::string text = get("/metrics").body;
  EXPECT_NE(text.find("# TYPE atr_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find(R"(atr_http_requests_total{route="GET /api/actors",code="200"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(atr_http_requests_total{route="GET /api/actors/{id}",code="404"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(atr_runpod_calls_total{call="run",outcome="accepted"} 1)"),
            std::string::npos);
  // Every webhook here reports the end, a hint the poller confirms with /status.
  EXPECT_NE(text.find(R"(atr_webhook_receipts_total{result="to_confirm"})"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(atr_active_versions{status="training"} 0)"), std::string::npos);
  EXPECT_NE(text.find("atr_sse_clients 0"), std::string::npos);
}

TEST_F(ApiTest, SigtermEndsStreamsAndStopsCleanly) {
  start_serve();
  std::string text;
  std::thread reader([&] {
    text = read_events(
        "/api/events", {}, [](const std::string&) { return false; }, 30s);
  });
  for (int i = 0; i < 100 && get("/metrics").body.find("atr_sse_clients 1") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(20ms);
  }
  const auto began = std::chrono::steady_clock::now();
  const int status = serve_->stop(SIGTERM);
  reader.join();  // the stream ended with the server, long before its 30 s
  EXPECT_LT(std::chrono::steady_clock::now() - began, 10s);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(serve_->out().find("stopped"), std::string::npos);
  remember(serve_->out() + serve_->err());
  serve_.reset();
}

TEST_F(ApiTest, RegistryEditsByOtherToolsAreServed) {
  start_serve();
  std::string text = testing::slurp(ws_.path() / "actors.json");
  text.replace(text.rfind(']'), 1,
               R"(, {"id": "0042", "name": "0042_nordic_50_male", "sex": "male"}])");
  ws_.write("actors.json", text);
  int total = 0;
  for (int i = 0; i < 100 && total != 5; ++i) {
    total = get("/api/actors").doc["total"];
    if (total != 5) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(total, 5);
  ws_.write("actors.json", "[ {\"id\": broken");
  // The last good copy is kept; the reload error reaches serve's log, naming the line.
  for (int i = 0; i < 100 && serve_->err().find("keeping the last good copy") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(serve_->err().find("line 1"), std::string::npos) << serve_->err();
  EXPECT_EQ(get("/api/actors").doc["total"], 5);
  // Health says the file is broken while the last good copy is served.
  const Answer broken = get("/api/health");
  EXPECT_EQ(broken.status, 503);
  EXPECT_EQ(broken.doc["status"], "degraded");
  EXPECT_EQ(broken.doc["registry"]["ok"], false);
  EXPECT_NE(broken.doc["registry"]["error"].get<std::string>().find("line 1"), std::string::npos);
  // Valid JSON that no double holds: serve stays up and names the place (it used to abort).
  ws_.write("actors.json", "[\n  {\"id\": 1, \"name\": \"a\", \"age\": 1e400}\n]\n");
  Answer overflow;
  for (int i = 0; i < 100; ++i) {
    overflow = get("/api/health");
    if (overflow.doc["registry"].value("error", "").find("1e400") != std::string::npos) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(overflow.doc["registry"]["error"].get<std::string>().find(
                "line 2, column 33: number overflow parsing '1e400'"),
            std::string::npos)
      << overflow.doc.dump();
  EXPECT_EQ(get("/api/actors").doc["total"], 5);
  ws_.write("actors.json", text);
  Answer fixed;
  for (int i = 0; i < 100; ++i) {
    fixed = get("/api/health");
    if (fixed.status == 200) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(fixed.status, 200);
  EXPECT_EQ(fixed.doc["registry"]["ok"], true);
}

TEST_F(ApiTest, DoctorChecksRunpodAndExplainsWhatIsMissing) {
  start_emulator();
  auto doctor = [&](const std::map<std::string, std::string>& changes) {
    std::map<std::string, std::string> env = product_env();
    env["S3_BUCKET"] = "";  // S3 has its own doctor test in sync_test.cpp
    for (const auto& [k, v] : changes) {
      env[k] = v;
    }
    ChildProcess p({ATR_BINARY, "-w", ws_.path().string(), "--json", "doctor"}, env, logs_.path(),
                   "doctor" + std::to_string(++serves_));
    std::optional<int> status = p.wait_exit(30s);
    remember(p.out() + p.err());
    return std::make_pair(status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1,
                          json::parse(p.out(), nullptr, false));
  };
  const auto [ok_code, ok] = doctor({});
  EXPECT_EQ(ok_code, 0);
  ASSERT_TRUE(ok.is_array());
  EXPECT_EQ(ok[2]["check"], "runpod");
  EXPECT_EQ(ok[2]["result"], "ok") << ok.dump();
  EXPECT_EQ(ok[4]["check"], "webhook");
  EXPECT_EQ(ok[4]["result"], "ok");
  const auto [missing_code, missing] = doctor({{"RUNPOD_API_KEY", ""}});
  EXPECT_EQ(missing_code, 1);
  EXPECT_EQ(missing[2]["result"], "failed");
  EXPECT_NE(missing[2]["detail"].get<std::string>().find("RUNPOD_API_KEY"), std::string::npos);
  const auto [wrong_code, wrong] = doctor({{"RUNPOD_API_KEY", "not-the-key"}});
  EXPECT_EQ(wrong_code, 1);
  EXPECT_EQ(wrong[2]["result"], "failed");
}

}  // namespace
}  // namespace atr
