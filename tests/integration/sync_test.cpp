// `data sync` against a real S3-protocol server (s3rver from npm, started by the test on
// 127.0.0.1), with the objects checked back by Debian's awscli (/usr/bin/aws): same keys,
// byte-identical content. s3rver does not verify signatures; the signing is tested against
// AWS's examples and an independent verifier in src/s3/.

#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "support/images.h"
#include "support/process.h"
#include "support/sigv4_verifier.h"
#include "support/temp_dir.h"

namespace atr {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using testing::ChildProcess;

constexpr const char* kActor = "0006_european_20_female";
constexpr const char* kPrefix = "actors/0006_european_20_female/training_data/";

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class SyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(ATR_S3RVER)) << "s3rver is not installed: run scripts/setup";
    ASSERT_TRUE(fs::exists("/usr/bin/aws")) << "awscli is not installed: run scripts/setup";
    ws_.write("actors.json", std::string("[\n  {\"id\": \"0006\", \"name\": \"") + kActor +
                                 "\", \"sex\": \"female\", \"custom\": true}\n]\n");
    for (int i = 0; i < 6; ++i) {
      write_local("img_" + std::to_string(i) + ".jpg", i);
    }
    fs::create_directories(s3_dir_.path() / "data");
    s3rver_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{ATR_NODE, ATR_S3RVER, "-d", (s3_dir_.path() / "data").string(),
                                 "-a", "127.0.0.1", "-p", "0", "--configure-bucket", "bucket"},
        std::map<std::string, std::string>{}, logs_.path(), "s3rver");
    auto line = s3rver_->wait_for_line("listening on", 20s);
    ASSERT_TRUE(line) << s3rver_->out() << s3rver_->err();
    port_ = testing::port_in(*line);
    ASSERT_GT(port_, 0);
  }

  void write_local(const std::string& name, int seed, int size = 640) {
    testing::write_image(ws_.path() / "data/actors" / kActor / "training_data" / name, size, size,
                         seed);
  }

  std::map<std::string, std::string> env(const std::string& key_id = "S3RVER") const {
    return {{"S3_BUCKET", "bucket"},
            {"S3_ENDPOINT_URL", "http://127.0.0.1:" + std::to_string(port_)},
            {"AWS_ACCESS_KEY_ID", key_id},
            {"AWS_SECRET_ACCESS_KEY", "S3RVER"},
            {"AWS_REGION", "us-east-1"}};
  }

  CliRun cli(const std::string& args, const std::string& key_id = "S3RVER") {
    std::vector<std::string> argv = {ATR_BINARY, "-w", ws_.path().string()};
    std::istringstream words(args);
    for (std::string w; words >> w;) {
      argv.push_back(w);
    }
    ChildProcess p(argv, env(key_id), logs_.path(), "cli" + std::to_string(++runs_));
    std::optional<int> status = p.wait_exit(60s);
    return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, p.out(), p.err()};
  }

  json sync(const std::string& flags = "", int expected_exit = 0) {
    CliRun r = cli("--json data sync 6 " + flags);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    json doc = json::parse(r.out, nullptr, false);
    return doc.is_discarded() ? json::object() : doc;
  }

  // `aws s3 ...` (Debian's awscli v2) against the test's server; returns stdout.
  std::string aws(const std::vector<std::string>& args, bool empty_ok = false) {
    std::vector<std::string> argv = {"/usr/bin/aws", "--endpoint-url",
                                     "http://127.0.0.1:" + std::to_string(port_), "s3"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::map<std::string, std::string> e = env();
    e["AWS_EC2_METADATA_DISABLED"] = "true";
    e["AWS_CONFIG_FILE"] = (logs_.path() / "none").string();
    e["AWS_SHARED_CREDENTIALS_FILE"] = (logs_.path() / "none").string();
    ChildProcess p(argv, e, logs_.path(), "aws" + std::to_string(++runs_));
    std::optional<int> status = p.wait_exit(60s);
    const int code = status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    // `aws s3 ls` exits 1 when nothing matches.
    EXPECT_TRUE(code == 0 || (empty_ok && code == 1 && p.out().empty())) << p.err();
    return p.out();
  }

  std::set<std::string> remote_keys() {
    std::set<std::string> keys;
    std::istringstream lines(aws({"ls", "s3://bucket/actors/", "--recursive"}, true));
    for (std::string line; std::getline(lines, line);) {
      const std::size_t at = line.find("actors/");
      if (at != std::string::npos) keys.insert(line.substr(at));
    }
    return keys;
  }

  // Downloads the prefix with awscli and compares every file byte for byte with the local one.
  void expect_remote_matches_local() {
    const fs::path down = logs_.path() / ("down" + std::to_string(++runs_));
    aws({"cp", std::string("s3://bucket/") + kPrefix, down.string(), "--recursive"});
    const fs::path local = ws_.path() / "data/actors" / kActor / "training_data";
    std::set<std::string> local_names;
    for (const auto& e : fs::directory_iterator(local)) {
      local_names.insert(e.path().filename().string());
    }
    std::set<std::string> remote_names;
    for (const auto& e : fs::directory_iterator(down)) {
      remote_names.insert(e.path().filename().string());
      EXPECT_EQ(testing::slurp(e.path()), testing::slurp(local / e.path().filename()))
          << e.path().filename();
    }
    EXPECT_EQ(remote_names, local_names);
  }

  testing::TempDir ws_;
  testing::TempDir s3_dir_;
  testing::TempDir logs_;
  std::unique_ptr<ChildProcess> s3rver_;
  int port_ = 0;
  int runs_ = 0;
};

TEST_F(SyncTest, FirstSyncUploadsEverythingAndRecordsTheBlock) {
  const json first = sync();
  EXPECT_EQ(first["uploads"].size(), 6u);
  EXPECT_EQ(first["marked_synced"], true);
  EXPECT_EQ(remote_keys().size(), 6u);
  expect_remote_matches_local();
  const std::string registry = testing::slurp(ws_.path() / "actors.json");
  EXPECT_NE(registry.find(std::string("\"s3://bucket/") + kPrefix + "img_0.jpg\""),
            std::string::npos);
  const json block = json::parse(registry)[0]["training_data"];
  EXPECT_EQ(block["synced"], true);
  EXPECT_EQ(block["count"], 6);
  EXPECT_EQ(block["local_path"], std::string("data/actors/") + kActor + "/training_data");
  EXPECT_NE(registry.find("\"custom\": true"), std::string::npos);  // the rest untouched
  EXPECT_EQ(cli("--json data scan 6").out.find("\"sync\": \"synced\"") != std::string::npos, true);

  // A no-op re-sync uploads nothing and leaves actors.json as it was, file time included.
  const auto written_at = fs::last_write_time(ws_.path() / "actors.json");
  const json again = sync();
  EXPECT_EQ(again["uploads"].size(), 0u);
  EXPECT_EQ(again["unchanged"], 6);
  EXPECT_EQ(again["marked_synced"], true);
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json"), registry);
  EXPECT_EQ(fs::last_write_time(ws_.path() / "actors.json"), written_at);
}

TEST_F(SyncTest, ChangedAndDeletedFilesAreFollowed) {
  sync();
  write_local("img_2.jpg", 99);  // changed content, same name: the MD5 no longer matches the ETag
  EXPECT_NE(cli("--json data scan 6").out.find("\"sync\": \"out_of_sync\""), std::string::npos);
  const json changed = sync();
  ASSERT_EQ(changed["uploads"].size(), 1u);
  EXPECT_EQ(changed["uploads"][0], std::string(kPrefix) + "img_2.jpg");
  expect_remote_matches_local();
  EXPECT_NE(cli("--json data scan 6").out.find("\"sync\": \"synced\""), std::string::npos);

  fs::remove(ws_.path() / "data/actors" / kActor / "training_data/img_5.jpg");
  EXPECT_NE(cli("--json data scan 6").out.find("\"sync\": \"out_of_sync\""), std::string::npos);
  const json kept = sync();
  EXPECT_EQ(kept["orphans"].size(), 1u);
  EXPECT_EQ(kept["deletions"].size(), 0u);
  EXPECT_EQ(kept["count"], 5);
  EXPECT_EQ(remote_keys().size(), 6u);  // without --delete the remote file stays
  const json deleted = sync("--delete");
  EXPECT_EQ(deleted["deletions"].size(), 1u);
  EXPECT_EQ(remote_keys().size(), 5u);
  expect_remote_matches_local();
}

TEST_F(SyncTest, AnInterruptedSyncResumesWithWhatIsMissing) {
  for (int i = 6; i < 40; ++i) {
    write_local("img_" + std::to_string(i) + ".jpg", i, 900);
  }
  // Killed (SIGKILL) once at least one object has arrived.
  ChildProcess p({ATR_BINARY, "-w", ws_.path().string(), "data", "sync", "6", "--concurrency", "1"},
                 env(), logs_.path(), "interrupted");
  const fs::path stored = s3_dir_.path() / "data/bucket/actors";
  for (int i = 0; i < 400 && !fs::exists(stored); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  p.stop(SIGKILL);
  const std::size_t before = remote_keys().size();
  EXPECT_GT(before, 0u);
  EXPECT_LT(before, 40u) << "the sync finished before it was killed";
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json").find("s3_urls"), std::string::npos);
  const json resumed = sync();
  // An object cut off by the kill has another MD5 than the file, so it is uploaded again.
  EXPECT_EQ(resumed["uploads"].size() + resumed["unchanged"].get<std::size_t>(), 40u);
  EXPECT_LE(resumed["unchanged"].get<std::size_t>(), before);
  EXPECT_GE(resumed["unchanged"].get<std::size_t>() + 1, before);
  EXPECT_EQ(resumed["marked_synced"], true);
  expect_remote_matches_local();
}

TEST_F(SyncTest, OneBadFileDoesNotBlockTheActorItIsLeftOutAndNamed) {
  // A damaged JPEG, a BMP and a notes file beside six good images: the six are uploaded and
  // recorded (count = usable images), the two image files are left out by name, the notes
  // file is ignored, and the state is synced.
  const fs::path folder = ws_.path() / "data/actors" / kActor / "training_data";
  write_local("broken.jpg", 5);
  fs::resize_file(folder / "broken.jpg", fs::file_size(folder / "broken.jpg") / 2);
  fs::copy_file(folder / "img_0.jpg", folder / "scan_01.bmp");
  ws_.write("data/actors/" + std::string(kActor) + "/training_data/notes.md", "shoot notes");
  const json report = sync("", 0);
  EXPECT_EQ(report["uploads"].size(), 6u);
  ASSERT_EQ(report["excluded"].size(), 2u) << report.dump();
  EXPECT_NE(report["excluded"][0].get<std::string>().find("broken.jpg"), std::string::npos);
  EXPECT_NE(report["excluded"][1].get<std::string>().find("scan_01.bmp"), std::string::npos);
  EXPECT_EQ(report["ignored"], json::array({"notes.md"}));
  EXPECT_EQ(report["marked_synced"], true);
  EXPECT_EQ(remote_keys().count(std::string(kPrefix) + "broken.jpg"), 0u);
  EXPECT_EQ(remote_keys().size(), 6u);
  const json registry = json::parse(testing::slurp(ws_.path() / "actors.json"));
  EXPECT_EQ(registry[0]["training_data"]["count"], 6);
  EXPECT_EQ(registry[0]["training_data"]["synced"], true);
  const json scan = json::parse(cli("--json data scan 6").out);
  EXPECT_EQ(scan["sync"], "synced");
  EXPECT_EQ(scan["count"], 6);
  EXPECT_EQ(scan["excluded"], json::array({"broken.jpg", "scan_01.bmp"}));
  EXPECT_EQ(scan["ignored"], json::array({"notes.md"}));
  // A folder with nothing usable is a clear refusal that names the files, and records nothing.
  for (const fs::directory_entry& e : fs::directory_iterator(folder)) {
    if (e.path().filename().string().starts_with("img_")) fs::remove(e.path());
  }
  const CliRun empty = cli("data sync 6");
  EXPECT_EQ(empty.exit_code, 4) << empty.out << empty.err;
  EXPECT_NE(empty.err.find("no usable training images"), std::string::npos) << empty.err;
  EXPECT_NE(empty.err.find("broken.jpg, scan_01.bmp"), std::string::npos) << empty.err;
}

TEST_F(SyncTest, WrongCredentialsAreAClearErrorAndChangeNothing) {
  const std::string registry = testing::slurp(ws_.path() / "actors.json");
  CliRun r = cli("data sync 6", "NOT-A-KEY");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("InvalidAccessKeyId"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("S3RVER"), std::string::npos);  // the secret is not in the message
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json"), registry);
  EXPECT_TRUE(remote_keys().empty());
  // Without configuration: a clear refusal.
  std::vector<std::string> argv = {ATR_BINARY, "-w", ws_.path().string(), "data", "sync", "6"};
  ChildProcess p(argv, {{"S3_BUCKET", ""}}, logs_.path(), "unconfigured");
  std::optional<int> status = p.wait_exit(30s);
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
  EXPECT_NE(p.err().find("S3 is not configured"), std::string::npos) << p.err();
}

TEST_F(SyncTest, TheApiStartsASyncAndReportsItsProgressAsEvents) {
  const int webhook_port = testing::free_port();
  std::map<std::string, std::string> e = env();
  e["RUNPOD_API_KEY"] = "";
  ChildProcess serve({ATR_BINARY, "-w", ws_.path().string(), "serve", "--port", "0",
                      "--webhook-port", std::to_string(webhook_port)},
                     e, logs_.path(), "serve");
  auto line = serve.wait_for_line("API and UI:", 20s);
  ASSERT_TRUE(line) << serve.err();
  const int port = testing::port_in(*line);
  std::string text;
  std::thread reader([&] {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    c.Get("/api/events?actor=6", [&](const char* data, size_t n) {
      text.append(data, n);
      return text.find("\"state\":\"done\"") == std::string::npos &&
             text.find("\"state\":\"failed\"") == std::string::npos;
    });
  });
  httplib::Client c("127.0.0.1", port);
  for (int i = 0; i < 200; ++i) {
    auto m = c.Get("/metrics");
    if (m && m->body.find("atr_sse_clients 1") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  auto started = c.Post("/api/actors/6/sync", {{"X-Actor-Trainer", "1"}}, "{}", "application/json");
  ASSERT_TRUE(started);
  EXPECT_EQ(started->status, 202) << started->body;
  reader.join();
  EXPECT_NE(text.find("event: sync"), std::string::npos);
  EXPECT_NE(text.find("\"stage\":\"upload\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"state\":\"done\""), std::string::npos) << text;
  EXPECT_EQ(remote_keys().size(), 6u);
  const json block = json::parse(testing::slurp(ws_.path() / "actors.json"))[0]["training_data"];
  EXPECT_EQ(block["synced"], true);
  serve.stop(SIGTERM);
}

TEST_F(SyncTest, DeepCheckRefusesATrainingWhoseObjectsAreMissing) {
  sync();
  aws({"rm", std::string("s3://bucket/") + kPrefix + "img_3.jpg"});
  const CliRun train = cli("train 6");
  EXPECT_NE(train.exit_code, 0);
  EXPECT_NE(train.err.find("1 of 6 training images are missing in S3"), std::string::npos)
      << train.err;
  EXPECT_NE(train.err.find("img_3.jpg"), std::string::npos);
  const CliRun doctor = cli("--json doctor");
  const json checks = json::parse(doctor.out, nullptr, false);
  ASSERT_TRUE(checks.is_array()) << doctor.out << doctor.err;
  EXPECT_EQ(checks[3]["check"], "s3");
  EXPECT_EQ(checks[3]["result"], "failed");
  // A re-sync puts it back; the check passes again.
  EXPECT_EQ(sync()["uploads"].size(), 1u);
  const json healthy = json::parse(cli("--json doctor").out, nullptr, false);
  EXPECT_EQ(healthy[3]["result"], "ok") << healthy.dump();
  const json wrong = json::parse(cli("--json doctor", "NOT-A-KEY").out, nullptr, false);
  EXPECT_EQ(wrong[3]["result"], "failed");
}

TEST_F(SyncTest, PresignedUrlsLetAWorkerWithoutCredentialsFetchTheImages) {
  ws_.write("actor-trainer.toml",
            "[s3]\npresigned_urls = true\npresigned_url_expiry_seconds = 600\n");
  sync();
  ChildProcess emulator(
      {ATR_EMULATOR, "--endpoint", "ep", "--api-key", "rp-key", "--run-ms", "60000"}, {},
      logs_.path(), "emulator");
  auto line = emulator.wait_for_line("listening on", 10s);
  ASSERT_TRUE(line) << emulator.err();
  const int emulator_port = testing::port_in(*line);
  std::map<std::string, std::string> e = env();
  e["RUNPOD_API_KEY"] = "rp-key";
  e["MODEL_TRAINING_RUNPOD_ENDPOINT_ID"] = "ep";
  e["RUNPOD_BASE_URL"] = "http://127.0.0.1:" + std::to_string(emulator_port) + "/v2";
  ChildProcess train({ATR_BINARY, "-w", ws_.path().string(), "train", "6"}, e, logs_.path(),
                     "train");
  std::optional<int> status = train.wait_exit(60s);
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << train.err();
  EXPECT_EQ(train.out().find("X-Amz-Signature"), std::string::npos);  // never printed

  httplib::Client runpod("127.0.0.1", emulator_port);
  auto stats = runpod.Get("/_emulator/stats");
  ASSERT_TRUE(stats);
  const json data = json::parse(stats->body)["last_training_data"];
  ASSERT_EQ(data["s3_urls"].size(), 6u);
  ASSERT_EQ(data["presigned_urls"].size(), 6u);
  const std::string origin = "http://127.0.0.1:" + std::to_string(port_);
  for (std::size_t i = 0; i < 6; ++i) {
    const std::string name = "img_" + std::to_string(i) + ".jpg";
    EXPECT_EQ(data["s3_urls"][i], std::string("s3://bucket/") + kPrefix + name);
    const std::string url = data["presigned_urls"][i];
    std::string expected = origin + "/bucket/";
    expected += std::string(kPrefix) + name + "?";
    ASSERT_TRUE(url.starts_with(expected)) << url;
    EXPECT_NE(url.find("X-Amz-Expires=600"), std::string::npos) << url;
    // s3rver does not check signatures, so an independent verifier does, with the secret.
    const testing::ReceivedRequest request{
        "GET", url.substr(origin.size()), {{"host", "127.0.0.1:" + std::to_string(port_)}}};
    const testing::SignatureCheck check = testing::check_sigv4(request, "S3RVER");
    EXPECT_TRUE(check.valid) << check.reason << "\n" << check.canonical_request;
    EXPECT_FALSE(testing::check_sigv4(request, "another secret").valid);
    // A client with no credentials at all gets the bytes of the local file.
    httplib::Client worker("127.0.0.1", port_);
    auto got = worker.Get(url.substr(origin.size()));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->body,
              testing::slurp(ws_.path() / "data/actors" / kActor / "training_data" / name));
  }
}

TEST_F(SyncTest, AllSyncsEveryActorWithImagesAndRecordsThemTogether) {
  ws_.write("actors.json", std::string("[\n  {\"id\": \"0006\", \"name\": \"") + kActor +
                               "\"},\n  {\"id\": 7, \"name\": \"0007_b\"},\n"
                               "  {\"id\": 8, \"name\": \"0008_empty\", \"x\": [1]}\n]\n");
  for (int i = 0; i < 3; ++i) {
    testing::write_image(
        ws_.path() / "data/actors/0007_b/training_data" / ("b_" + std::to_string(i) + ".png"), 600,
        600, 50 + i);
  }
  auto sync_all = [this] {
    const CliRun r = cli("--json data sync --all");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return json::parse(r.out, nullptr, false);
  };
  const json all = sync_all();
  ASSERT_TRUE(all.is_array()) << all.dump();
  ASSERT_EQ(all.size(), 2u);  // the actor without images has nothing to say
  EXPECT_EQ(all[0]["marked_synced"], true);
  EXPECT_EQ(all[1]["marked_synced"], true);
  EXPECT_EQ(all[1]["uploads"].size(), 3u);
  const json registry = json::parse(testing::slurp(ws_.path() / "actors.json"));
  EXPECT_EQ(registry[0]["training_data"]["count"], 6);
  EXPECT_EQ(registry[1]["training_data"]["count"], 3);
  EXPECT_EQ(registry[1]["training_data"]["s3_urls"][0],
            "s3://bucket/actors/0007_b/training_data/b_0.png");
  EXPECT_FALSE(registry[2].contains("training_data"));
  EXPECT_EQ(registry[2]["x"], json::array({1}));
  EXPECT_EQ(remote_keys().size(), 9u);
  const json again = sync_all();
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0]["uploads"].size() + again[1]["uploads"].size(), 0u);
}

TEST_F(SyncTest, AllListsEveryActorInRegistryOrderWithFailuresInPlace) {
  // The middle actor's folder holds only a damaged image, so its sync fails; the actors around
  // it still sync and are recorded, and the exit code says not all went well. An actor without
  // a folder has nothing to sync and is not listed.
  ws_.write("actors.json", std::string("[\n  {\"id\": \"0006\", \"name\": \"") + kActor +
                               "\"},\n  {\"id\": 9, \"name\": \"0009_c\"},\n"
                               "  {\"id\": 8, \"name\": \"0008_no_folder\"},\n"
                               "  {\"id\": 7, \"name\": \"0007_b\"}\n]\n");
  testing::write_image(ws_.path() / "data/actors/0007_b/training_data/b_0.png", 600, 600, 50);
  ws_.write("data/actors/0009_c/training_data/only.jpg", "not really a jpeg");
  const CliRun r = cli("--json data sync --all");
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  const json all = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(all.is_array()) << r.out << r.err;
  ASSERT_EQ(all.size(), 3u) << all.dump();
  EXPECT_EQ(all[0]["actor_id"], "0006");
  EXPECT_EQ(all[0]["marked_synced"], true);
  EXPECT_EQ(all[1]["actor_id"], "9");
  EXPECT_NE(all[1]["error"]["message"].get<std::string>().find("no usable training images"),
            std::string::npos)
      << all[1].dump();
  EXPECT_EQ(all[2]["actor_id"], "7");
  EXPECT_EQ(all[2]["marked_synced"], true);
  const json registry = json::parse(testing::slurp(ws_.path() / "actors.json"));
  EXPECT_EQ(registry[0]["training_data"]["count"], 6);
  EXPECT_FALSE(registry[1].contains("training_data"));
  EXPECT_FALSE(registry[2].contains("training_data"));
  EXPECT_EQ(registry[3]["training_data"]["count"], 1);
}

}  // namespace
}  // namespace atr
