// The product on a workspace shaped like the studio's real registry (tests/support's
// studio_workspace: every id a JSON number, no training_data blocks, stray files in the
// folders), through `serve`'s API and the CLI, against s3rver and the RunPod emulator on
// 127.0.0.1. ATR_TEST_BINARY=<other actor-trainer> runs the same tests against another build.

#include <algorithm>
#include <csignal>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/images.h"
#include "support/product.h"
#include "support/studio_workspace.h"
#include "support/temp_dir.h"

namespace atr {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using testing::CliResult;
using testing::HttpAnswer;

constexpr int kActor = 38;  // a numeric id with 8 good images, a broken one and a notes file

class StudioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    studio_ = testing::studio_workspace(40);
    testing::write_studio_workspace(ws_.path(), studio_, [](const fs::path& p, int side, int seed) {
      testing::write_image(p, side, side, seed);
    });
    ws_.write("actor-trainer.toml",
              "[runpod]\npoll_requests_per_second = 20.0\npoll_queued_seconds = 1\n"
              "poll_training_seconds = 1\nrequest_timeout_seconds = 5\n");
  }

  void start(std::vector<std::string> emulator_args = {}) {
    product_ = std::make_unique<testing::Product>(
        ws_.path(), logs_.path(), testing::Programs{ATR_BINARY, ATR_EMULATOR, ATR_NODE, ATR_S3RVER},
        std::move(emulator_args));
  }

  const testing::StudioActor& actor(int id) const {
    return studio_.actors.at(static_cast<std::size_t>(id - 1));
  }

  json item_of(const json& list, int id) const {
    for (const json& item : list["items"]) {
      if (item["name"] == actor(id).name) return item;
    }
    ADD_FAILURE() << "actor " << id << " is not listed";
    return json::object();
  }

  int actors_with_images() const {
    int n = 0;
    for (const testing::StudioActor& a : studio_.actors) {
      n += a.images > 0 ? 1 : 0;
    }
    return n;
  }

  // Syncs the actor through the API and waits for the outcome event.
  json sync_through_api(int id) {
    std::string text;
    std::thread reader([&] {
      text = product_->read_events("/api/events?actor=" + std::to_string(id), [](const auto& t) {
        return t.find("\"state\":\"done\"") != std::string::npos ||
               t.find("\"state\":\"failed\"") != std::string::npos ||
               t.find("\"state\":\"incomplete\"") != std::string::npos;
      });
    });
    wait_for_stream();
    const HttpAnswer started = product_->post("/api/actors/" + std::to_string(id) + "/sync");
    EXPECT_EQ(started.status, 202) << started.body;
    reader.join();
    std::vector<json> events = testing::Product::events_of(text, "sync");
    return events.empty() ? json::object() : events.back();
  }

  // Bounded wait until serve counts one open event stream.
  void wait_for_stream() const {
    for (int i = 0; i < 300; ++i) {
      if (product_->get("/metrics").body.find("atr_sse_clients 1") != std::string::npos) return;
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "the event stream did not open";
  }

  testing::TempDir ws_;
  testing::TempDir logs_;
  testing::StudioWorkspace studio_;
  std::unique_ptr<testing::Product> product_;
};

TEST_F(StudioTest, ANumericIdActorHasOneTextKeyInEveryResourceEventAndUrl) {
  start();
  product_->start_serve();
  const std::string before = testing::slurp(ws_.path() / "actors.json");
  const json item = item_of(product_->get("/api/actors?limit=100").doc, kActor);
  // One key, always text; the registry's own value beside it, as the file has it.
  ASSERT_EQ(item["id"], "38") << item.dump();
  EXPECT_EQ(item["registry_id"], 38);
  EXPECT_EQ(product_->get("/api/actors/38").doc["id"], "38");
  EXPECT_EQ(product_->get("/api/actors/0038").doc["id"], "38");
  EXPECT_EQ(product_->get("/api/actors/38/training-data").doc["actor"]["id"], "38");

  const json synced = sync_through_api(kActor);
  EXPECT_EQ(synced["state"], "done") << synced.dump();
  EXPECT_EQ(synced["actor_id"], item["id"]) << "sync events name the actor by the same key";

  std::string text;
  std::thread reader([&] {
    text = product_->read_events("/api/events?actor=38", [](const std::string& t) {
      return t.find("\"status\":\"completed\"") != std::string::npos;
    });
  });
  wait_for_stream();
  const HttpAnswer started = product_->post("/api/actors/38/training-versions", "{}",
                                            {{"Idempotency-Key", "studio-walk-1"}});
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(started.doc["actor_id"], item["id"]);
  EXPECT_EQ(started.doc["model_name"], "actor_38_V1");
  reader.join();
  const std::vector<json> versions = testing::Product::events_of(text, "version");
  ASSERT_FALSE(versions.empty()) << text;
  for (const json& v : versions) {
    EXPECT_EQ(v["actor_id"], item["id"]) << v.dump();
  }
  EXPECT_EQ(versions.back()["status"], "completed");
  const HttpAnswer listed = product_->get("/api/actors/38/training-versions");
  EXPECT_EQ(listed.doc["items"][0]["actor_id"], item["id"]);

  const HttpAnswer marked =
      product_->post("/api/actors/38/mark-good", json{{"version_id", started.doc["id"]}}.dump());
  ASSERT_EQ(marked.status, 200) << marked.body;
  // actors.json changed in that actor's object only, and there only in the blocks we own.
  const json old_doc = json::parse(before);
  const json new_doc = json::parse(testing::slurp(ws_.path() / "actors.json"));
  ASSERT_EQ(old_doc.size(), new_doc.size());
  for (std::size_t i = 0; i < old_doc.size(); ++i) {
    if (static_cast<int>(i) == kActor - 1) continue;
    EXPECT_EQ(old_doc[i], new_doc[i]) << "actor " << i + 1 << " changed";
  }
  json changed = new_doc[kActor - 1];
  EXPECT_EQ(changed["id"], 38);
  EXPECT_EQ(changed["training_data"]["count"], 8);
  EXPECT_EQ(changed["validated_lora_model"]["version_name"], "V1");
  EXPECT_EQ(changed["good"], true);
  for (const char* owned : {"training_data", "validated_lora_model", "good"}) {
    changed.erase(owned);
  }
  json original = old_doc[kActor - 1];
  original.erase("good");
  EXPECT_EQ(changed, original);
}

TEST_F(StudioTest, DataStateComesFromTheFolderWhenTheRegistryRecordsNothing) {
  start();
  product_->start_serve();
  const json list = product_->get("/api/actors?limit=100").doc;
  // No actor has a training_data block; the folders decide.
  EXPECT_EQ(list["facets"]["has_data"], actors_with_images());
  const json item = item_of(list, kActor);
  EXPECT_EQ(item["training_data"], json({{"count", 8},
                                         {"excluded", 1},
                                         {"ignored", 1},
                                         {"recorded", 0},
                                         {"synced", false},
                                         {"state", "not_synced"},
                                         {"location", "local"},
                                         {"faces", {{"one", 0}, {"none", 0}, {"several", 0}}},
                                         {"quality_findings", 0}}));
  // The detail, the filter, the CLI's list and show all say the same.
  EXPECT_EQ(product_->get("/api/actors/38").doc["training_data"], item["training_data"]);
  EXPECT_EQ(product_->get("/api/actors?has_data=true&limit=100").doc["total"],
            actors_with_images());
  const CliResult cli_list = product_->cli("--json actors list --has-data --limit 0");
  ASSERT_EQ(cli_list.exit_code, 0) << cli_list.err;
  EXPECT_EQ(json::parse(cli_list.out)["total"], actors_with_images());
  const CliResult shown = product_->cli("--json actors show 38");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(json::parse(shown.out)["training_data"], item["training_data"]);
  // An actor with an empty folder, and one without any, have no data.
  EXPECT_EQ(item_of(list, 25)["training_data"]["state"], "no_data");
  EXPECT_EQ(item_of(list, 1)["training_data"]["state"], "no_data");
  const json scan = product_->get("/api/actors/38/training-data").doc;
  EXPECT_EQ(scan.value("excluded", json()), json::array({"broken.jpg"}));
  EXPECT_EQ(scan.value("ignored", json()), json::array({"notes.md"}));
}

TEST_F(StudioTest, AnEndpointWithoutAnIdIsNamedAsTheCauseNotTheApiKey) {
  ws_.write("actor-trainer.toml",
            "[runpod]\ndefault_endpoint = \"a100\"\n"
            "[[runpod.endpoints]]\nname = \"a100\"\ngpu = \"A100 80GB\"\n"
            "price_per_second = 0.00076\nseconds_per_step = 1.5\n"
            "[[runpod.endpoints]]\nname = \"h100\"\ngpu = \"H100 80GB\"\n"
            "price_per_second = 0.00116\nseconds_per_step = 1.0\n");
  start();
  product_->start_serve();
  ASSERT_EQ(sync_through_api(kActor)["state"], "done");
  const json settings = product_->get("/api/settings").doc;
  EXPECT_EQ(settings["endpoints"][0]["configured"], true) << settings.dump();
  EXPECT_EQ(settings["endpoints"][1]["configured"], false);
  const json plan = product_->get("/api/actors/38/training-plan?endpoint=h100").doc;
  ASSERT_TRUE(plan.contains("blockers")) << plan.dump();
  ASSERT_EQ(plan["blockers"].size(), 1u) << plan.dump();
  EXPECT_EQ(plan["blockers"][0]["code"], "endpoint_id");
  EXPECT_EQ(product_->get("/api/actors/38/training-plan?endpoint=a100").doc["blockers"],
            json::array());
  const HttpAnswer refused =
      product_->post("/api/actors/38/training-versions", R"({"endpoint": "h100"})");
  EXPECT_EQ(refused.status, 409) << refused.body;
  const std::string message = refused.doc["error"]["message"];
  EXPECT_NE(message.find("endpoint 'h100' has no RunPod endpoint id"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("RUNPOD_API_KEY"), std::string::npos) << message;
  EXPECT_EQ(product_->emulator_stats().value("run", 0), 0);
}

TEST_F(StudioTest, AFinishedVersionKeepsItsLastStepAndACancelledOneItsDurationAndCost) {
  start({"--run-ms", "600000"});
  product_->start_serve();
  ASSERT_EQ(sync_through_api(kActor)["state"], "done");
  const HttpAnswer started = product_->post("/api/actors/38/training-versions");
  ASSERT_EQ(started.status, 202) << started.body;
  const std::int64_t id = started.doc["id"];
  json training = product_->wait_for_status(id, "training");
  ASSERT_EQ(training["status"], "training") << training.dump();
  for (int i = 0; i < 100 && training["progress"].is_null(); ++i) {
    std::this_thread::sleep_for(100ms);
    training = product_->get("/api/training-versions/" + std::to_string(id)).doc;
  }
  ASSERT_FALSE(training["progress"].is_null()) << training.dump();
  const HttpAnswer aborted =
      product_->post("/api/training-versions/" + std::to_string(id) + "/abort");
  ASSERT_EQ(aborted.status, 200) << aborted.body;
  EXPECT_EQ(aborted.doc["status"], "cancelled");
  // It ran on a worker, so it has a duration and is paid for; its last progress stays.
  ASSERT_TRUE(aborted.doc["duration_seconds"].is_number()) << aborted.body;
  EXPECT_GT(aborted.doc["duration_seconds"].get<double>(), 0.0);
  ASSERT_TRUE(aborted.doc["cost_usd"].is_number()) << aborted.body;
  EXPECT_GT(aborted.doc["cost_usd"].get<double>(), 0.0);
  ASSERT_TRUE(aborted.doc["progress"].is_object()) << aborted.body;
  EXPECT_TRUE(aborted.doc["progress"]["step"].is_number());
  EXPECT_TRUE(aborted.doc["progress"]["loss"].is_number());
  EXPECT_TRUE(aborted.doc["progress"]["eta_seconds"].is_null());
}

TEST_F(StudioTest, AVersionWhoseProcessDiedBeforeRunIsShownWithItsReasonAndCanBeReleased) {
  start();
  product_->start_serve();
  ASSERT_EQ(sync_through_api(kActor)["state"], "done");
  product_->stop_serve();
  // The CLI claims the submission, then dies before /run (as a kill -9 there would).
  const CliResult died = product_->cli("train 38", {{"ATR_FAULT", "before-run"}});
  EXPECT_NE(died.exit_code, 0);
  product_->start_serve();
  const json version = product_->get("/api/actors/38/training-versions").doc["items"][0];
  ASSERT_EQ(version["status"], "pending") << version.dump() << died.out << died.err;
  EXPECT_EQ(version["submission"], "sending");
  const json plan = product_->get("/api/actors/38/training-plan").doc;
  ASSERT_TRUE(plan.contains("blockers")) << plan.dump();
  ASSERT_EQ(plan["blockers"].size(), 1u) << plan.dump();
  EXPECT_EQ(plan["blockers"][0]["code"], "active_training");
  EXPECT_EQ(plan["blockers"][0]["version_id"], version["id"]);
  const std::string why = plan["blockers"][0]["message"];
  EXPECT_NE(why.find("submission is unknown"), std::string::npos) << why;
  EXPECT_NE(why.find("abort releases it"), std::string::npos) << why;
  const CliResult again = product_->cli("train 38");
  EXPECT_EQ(again.exit_code, 5) << again.err;
  EXPECT_NE(again.err.find("submission is unknown"), std::string::npos) << again.err;
  // The way out: abort releases it; it stays in the history, and stops blocking.
  const HttpAnswer released = product_->post("/api/training-versions/" +
                                             std::to_string(version["id"].get<int>()) + "/abort");
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_EQ(released.doc["status"], "lost");
  EXPECT_NE(released.doc["error"].get<std::string>().find("released by the user"),
            std::string::npos);
  EXPECT_EQ(product_->get("/api/actors/38/training-plan").doc["blockers"], json::array());
  EXPECT_EQ(product_->emulator_stats().value("run", 0), 0) << "nothing was ever sent";
}

TEST_F(StudioTest, TheCliSaysWhatItIs) {
  start();
  const CliResult version = product_->cli("--version");
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.out.rfind("actor-trainer ", 0), 0u) << version.out;
  // A JPEG whose header names an unknown JFIF revision reads fine; libvips' warning about it
  // reaches neither the terminal nor the findings.
  const fs::path folder = ws_.path() / "data/actors" / actor(3).name / "training_data";
  const std::string plain = testing::slurp(folder / "img_01.jpg");
  const std::string app0("\xff\xe0\x00\x10JFIF\x00\x03\x00\x00\x00\x01\x00\x01\x00\x00", 18);
  ws_.write("data/actors/" + actor(3).name + "/training_data/jfif3.jpg",
            plain.substr(0, 2) + app0 + plain.substr(2));
  const CliResult scan = product_->cli("data scan 3");
  EXPECT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(scan.err.find("VIPS-WARNING"), std::string::npos) << scan.err;
  EXPECT_EQ(scan.out.find("VIPS"), std::string::npos) << scan.out;
  EXPECT_NE(scan.out.find("sync state: not synced"), std::string::npos) << scan.out;
}

// Puts `body` as `bucket/key` on the test's s3rver (which does not check signatures), as the
// studio's own tools put its images and models before it adopted the product.
void put_object(int port, const std::string& bucket, const std::string& key,
                const std::string& body) {
  httplib::Client s3("127.0.0.1", port);
  const auto answer = s3.Put(("/" + bucket + "/" + key).c_str(), body, "application/octet-stream");
  ASSERT_TRUE(answer) << "PUT " << key;
  ASSERT_EQ(answer->status, 200) << answer->body;
}

void delete_object(int port, const std::string& bucket, const std::string& key) {
  httplib::Client s3("127.0.0.1", port);
  const auto answer = s3.Delete(("/" + bucket + "/" + key).c_str());
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 204) << answer->body;
}

// The object's ETag as s3rver computed it: the MD5 of a single-part object.
std::string object_etag(int port, const std::string& bucket, const std::string& key) {
  httplib::Client s3("127.0.0.1", port);
  const auto answer = s3.Head(("/" + bucket + "/" + key).c_str());
  if (!answer || answer->status != 200) return "no object " + key;
  std::string etag = answer->get_header_value("ETag");
  etag.erase(std::remove(etag.begin(), etag.end(), '"'), etag.end());
  return etag;
}

// Actor 6's manifest in the studio's format: 23 images (the first 19 synced to its images
// bucket, 4 only local), models V6 and V7 in its models bucket (V7 validated), and blocks the
// product does not own.
std::string studio_manifest(const std::string& name,
                            const std::map<std::string, std::string>& md5s) {
  const std::string images = "https://story-boards-assets.s3.us-west-1.amazonaws.com/";
  const std::string models = "https://models-bucket.s3.us-west-1.amazonaws.com/";
  const std::string accelerated = "https://models-bucket.s3-accelerate.amazonaws.com/";
  const std::string local_prefix = "data/actors/" + name + "/training_data/";
  const std::string image_prefix = images + "system_actors/training_data/" + name + "/";
  const std::string model_prefix = models + "actor_maker_user/custom-actors/models/";
  const std::string accelerated_prefix = accelerated + "actor_maker_user/custom-actors/models/";
  json training = json::array();
  int i = 0;
  for (const auto& [file, md5] : md5s) {
    const bool synced = ++i <= 19;
    training.push_back({{"filename", file},
                        {"local_path", local_prefix + file},
                        {"size_bytes", 40'000 + i},
                        {"md5_hash", md5},
                        {"modified_date", "2025-03-0" + std::to_string(1 + i % 9) + "T10:00:00"},
                        {"s3_url", synced ? json(image_prefix + file) : json(nullptr)},
                        {"status", synced ? "synced" : "local_only"}});
  }
  json loras = json::array();
  for (int n : {6, 7}) {
    const std::string file = "actor_6_V" + std::to_string(n) + ".safetensors";
    json model = {{"filename", file},
                  {"version", "V" + std::to_string(n)},
                  {"s3_url", model_prefix + file},
                  {"s3_accelerated_url", accelerated_prefix + file},
                  {"size_bytes", 171'969'512},
                  {"md5_hash", "5d41402abc4b2a76b9719d911017c592-19"},
                  {"last_modified", "2025-0" + std::to_string(n - 2) + "-12T08:30:00+00:00"},
                  {"created_date", "2025-0" + std::to_string(n - 2) + "-12T08:00:00"},
                  {"format", "safetensors"}};
    if (n == 7) model["good"] = true;
    loras.push_back(std::move(model));
  }
  json manifest = {{"character_id", "0006"},
                   {"character_name", name},
                   {"metadata", {{"created", "2024-11-02"}, {"source", "actor_maker"}}},
                   {"training_data", training},
                   {"statistics",
                    {{"training_images_count", 23},
                     {"training_synced_count", 19},
                     {"training_local_only_count", 4},
                     {"base_images_count", 1}}},
                   {"custom_lora_models", loras},
                   {"training_data_good", true},
                   {"base_images", json::array({{{"filename", "base.png"}}})},
                   {"scene_images", json::array()},
                   {"lora_model", {{"filename", "actor_6.safetensors"}}},
                   {"poster_frames", json::object()}};
  return manifest.dump(2) + "\n";
}

// The studio's history before it adopted the product: actor 6 with 23 local images, 19 of them
// in its images bucket under the key layout, and manifests for actors 6 and 7 (6 with models V6
// and V7, V7 validated; 7 with nothing to import).
class StudioHistoryTest : public StudioTest {
 protected:
  void SetUp() override {
    StudioTest::SetUp();
    start();
    ws_.write("actor-trainer.toml", testing::slurp(ws_.path() / "actor-trainer.toml") +
                                        "[s3]\nkey_layout = \"system_actors/training_data/{actor}/"
                                        "{file}\"\n");
    name_ = actor(6).name;
    const fs::path folder = ws_.path() / "data/actors" / name_ / "training_data";
    fs::remove_all(folder);
    for (int i = 101; i <= 123; ++i) {
      testing::write_image(folder / ("img_" + std::to_string(i) + ".jpg"), 640, 640, i);
    }
    const CliResult scan = product_->cli("--json data scan 6", bucket_);
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    std::map<std::string, std::string> md5s;
    const json scanned = json::parse(scan.out);
    for (const json& f : scanned["files"]) {
      md5s[f["name"].get<std::string>()] = f["md5"].get<std::string>();
    }
    ASSERT_EQ(md5s.size(), 23u);
    int put = 0;
    for (const auto& [file, md5] : md5s) {
      if (++put > 19) break;
      put_object(product_->s3_port(), "story-boards-assets",
                 "system_actors/training_data/" + name_ + "/" + file,
                 testing::slurp(folder / file));
    }
    ws_.write("data/actor_manifests/0006_manifest.json", studio_manifest(name_, md5s));
    ws_.write("data/actor_manifests/0007_manifest.json",
              "{\"character_id\": \"0007\", \"character_name\": \"" + actor(7).name +
                  "\", \"training_data\": []}\n");
    registry_before_ = testing::slurp(ws_.path() / "actors.json");
  }

  // `versions --json` of actor 6, by version name.
  std::map<std::string, json> versions_of() {
    std::map<std::string, json> by_name;
    for (const json& v : json::parse(product_->cli("--json versions 6").out)) {
      by_name[v["name"].get<std::string>()] = v;
    }
    return by_name;
  }

  void import() {
    const CliResult imported = product_->cli("--json import", bucket_);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    ASSERT_EQ(json::parse(imported.out)["applied"], json({{"versions_imported", 2},
                                                          {"training_data_recorded", 1},
                                                          {"validated_models_recorded", 1}}));
  }

  void import_and_sync() {
    import();
    const CliResult sync = product_->cli("--json data sync 6", bucket_);
    ASSERT_EQ(sync.exit_code, 0) << sync.err;
  }

  const std::map<std::string, std::string> bucket_ = {{"S3_BUCKET", "story-boards-assets"}};
  std::string name_;
  std::string registry_before_;
};

TEST_F(StudioHistoryTest, TheImportDryRunSaysWhatWouldHappenAndChangesNothing) {
  const CliResult dry = product_->cli("--json import --dry-run", bucket_);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const json plan = json::parse(dry.out);
  EXPECT_EQ(plan["dry_run"], true);
  EXPECT_EQ(plan["manifests"], 2);
  EXPECT_EQ(plan["changing"], 1);
  EXPECT_EQ(plan["applied"], nullptr);
  EXPECT_EQ(plan["actors"][0]["actor_id"], "6");
  EXPECT_EQ(plan["actors"][0]["training_data_good"], true);
  EXPECT_EQ(plan["actors"][1]["changes"], false) << plan["actors"][1].dump();
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json"), registry_before_);
  EXPECT_TRUE(versions_of().empty());
}

TEST_F(StudioHistoryTest, TheImportKeepsTheStudiosModelsAsVersions) {
  import();
  std::map<std::string, json> versions = versions_of();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions["V7"]["imported"], true);
  EXPECT_EQ(versions["V7"]["status"], "completed");
  EXPECT_EQ(versions["V7"]["good"], true);
  EXPECT_EQ(versions["V7"]["parameters"], nullptr);
  EXPECT_EQ(versions["V7"]["lora_url"],
            "https://models-bucket.s3.us-west-1.amazonaws.com/actor_maker_user/custom-actors/"
            "models/actor_6_V7.safetensors");
  EXPECT_EQ(versions["V6"]["imported"], true);
  EXPECT_EQ(versions["V6"]["good"], false);
}

TEST_F(StudioHistoryTest, TheImportWritesOnlyTheFieldsItOwnsOfTheActorItImported) {
  import();
  const json before = json::parse(registry_before_);
  const json after = json::parse(testing::slurp(ws_.path() / "actors.json"));
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (before[i]["id"] != 6) {
      EXPECT_EQ(after[i], before[i]) << "actor " << before[i]["id"] << " was changed";
      continue;
    }
    json rest = after[i];
    EXPECT_EQ(rest["validated_lora_model"]["version_name"], "V7") << rest.dump();
    EXPECT_EQ(rest["validated_lora_model"]["lora_url"],
              "https://models-bucket.s3.us-west-1.amazonaws.com/actor_maker_user/custom-actors/"
              "models/actor_6_V7.safetensors");
    EXPECT_EQ(rest["good"], true);
    EXPECT_EQ(rest["training_data"]["count"], 19);
    EXPECT_EQ(rest["training_data"]["s3_urls"][0],
              "s3://story-boards-assets/system_actors/training_data/" + name_ + "/img_101.jpg");
    for (const char* ours : {"validated_lora_model", "good", "training_data"}) {
      rest.erase(ours);
    }
    json kept = before[i];
    kept.erase("good");
    EXPECT_EQ(rest, kept) << "fields the product does not own changed";
  }
}

TEST_F(StudioHistoryTest, ASecondImportChangesNothing) {
  import();
  const std::string registry_imported = testing::slurp(ws_.path() / "actors.json");
  const CliResult again = product_->cli("--json import", bucket_);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["changing"], 0) << again.out;
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json"), registry_imported);
  EXPECT_EQ(versions_of().size(), 2u);
}

TEST_F(StudioHistoryTest, SyncAfterTheImportUploadsOnlyTheImagesS3DoesNotHold) {
  import();
  const CliResult sync = product_->cli("--json data sync 6", bucket_);
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_EQ(json::parse(sync.out)["uploads"].size(), 4u) << sync.out;
}

TEST_F(StudioHistoryTest, AModelAlreadyInTheModelsBucketIsNeverOverwritten) {
  import_and_sync();
  const std::string v8 = "actor_maker_user/custom-actors/models/actor_6_V8.safetensors";
  put_object(product_->s3_port(), "models-bucket", v8, "not ours");
  const CliResult refused = product_->cli("train 6", bucket_);
  EXPECT_EQ(refused.exit_code, 5) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("the model actor_6_V8 already exists at s3://models-bucket/" + v8),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(product_->emulator_stats().value("run", 0), 0);
  EXPECT_EQ(versions_of().size(), 2u);
}

TEST_F(StudioHistoryTest, TheNextTrainingContinuesTheStudiosNumbering) {
  import_and_sync();
  const CliResult trained = product_->cli("--json train 6", bucket_);
  ASSERT_EQ(trained.exit_code, 0) << trained.out << trained.err;
  const json v = json::parse(trained.out);
  EXPECT_EQ(v["name"], "V8") << v.dump();
  EXPECT_EQ(v["model_name"], "actor_6_V8");
  EXPECT_EQ(v["image_count"], 23);
  EXPECT_EQ(product_->emulator_stats().value("run", 0), 1);
}

TEST_F(StudioTest, TheImportRouteRunsDryFirstAndRefusesBadInputWithNothingChanged) {
  start();
  const std::map<std::string, std::string> md5s = {
      {"img_1.jpg", "c4ca4238a0b923820dcc509a6f75849b"},
      {"img_2.jpg", "c81e728d9d4c2f636f067f89cc14862c"},
      {"img_3.jpg", "eccbc87e4b5ce2fe28308fd9f2a7baa3"}};
  ws_.write("data/actor_manifests/0006_manifest.json", studio_manifest(actor(6).name, md5s));
  product_->start_serve();
  const std::string registry = testing::slurp(ws_.path() / "actors.json");
  const HttpAnswer dry = product_->post("/api/import");
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.doc["dry_run"], true);
  EXPECT_EQ(dry.doc["changing"], 1);
  for (const auto& [body, status] : std::vector<std::pair<std::string, int>>{
           {R"({"dry_run": "no"})", 422},
           {R"({"folder": 7})", 422},
           {R"({"dry_run": false, "folder": "../elsewhere"})", 422},
           {R"({"dry_run": false, "folder": "data/none"})", 404},
           {"[1]", 400}}) {
    const HttpAnswer refused = product_->post("/api/import", body);
    EXPECT_EQ(refused.status, status) << body << " → " << refused.body;
  }
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json"), registry);
  EXPECT_TRUE(product_->get("/api/actors/6/training-versions").doc["items"].empty());
  const HttpAnswer applied = product_->post("/api/import", R"({"dry_run": false})");
  ASSERT_EQ(applied.status, 200) << applied.body;
  EXPECT_EQ(applied.doc["applied"]["versions_imported"], 2);
  const json items = product_->get("/api/actors/6/training-versions").doc["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["name"], "V7");
  EXPECT_EQ(items[0]["imported"], true);
  EXPECT_EQ(items[0]["cost_usd"], nullptr);
  // Imported parameters are unknown, so the comparison is refused rather than made up.
  const HttpAnswer compared =
      product_->get("/api/training-versions/compare?left=" + items[0]["id"].dump() +
                    "&right=" + items[1]["id"].dump());
  EXPECT_EQ(compared.status, 409) << compared.body;
}

// An actor whose images the studio kept only in S3 after its migration: six objects under its
// key prefix, recorded by its manifest and imported.
class S3OnlyActorTest : public StudioTest {
 protected:
  void SetUp() override {
    StudioTest::SetUp();
    start();
    for (const testing::StudioActor& a : studio_.actors) {
      if (!a.has_folder && a.images == 0) {
        remote_ = &a;
        break;
      }
    }
    ASSERT_NE(remote_, nullptr);
    id_ = std::to_string(remote_->id);
    ASSERT_FALSE(fs::exists(ws_.path() / "data/actors" / remote_->name));
    prefix_ = "system_actors/training_data/" + remote_->name + "/";
    const std::string url_prefix =
        "https://story-boards-assets.s3.us-west-1.amazonaws.com/" + prefix_;
    json training = json::array();
    for (int i = 1; i <= 6; ++i) {
      const std::string file = "face_" + std::to_string(i) + ".jpg";
      const fs::path made = logs_.path() / file;
      testing::write_image(made, 640, 640, 200 + i);
      put(file, testing::slurp(made));
      training.push_back({{"filename", file},
                          {"local_path", nullptr},
                          {"s3_url", url_prefix + file},
                          {"status", "synced"}});
    }
    char manifest_name[32];
    std::snprintf(manifest_name, sizeof manifest_name, "%04d_manifest.json", remote_->id);
    ws_.write(
        std::string("data/actor_manifests/") + manifest_name,
        json(
            {{"character_id", id_}, {"character_name", remote_->name}, {"training_data", training}})
            .dump());
    ASSERT_EQ(product_->cli("import", bucket_).exit_code, 0);
  }

  void put(const std::string& file, const std::string& bytes) {
    put_object(product_->s3_port(), "story-boards-assets", prefix_ + file, bytes);
  }

  json scan() { return json::parse(product_->cli("--json data scan " + id_).out); }

  const std::map<std::string, std::string> bucket_ = {{"S3_BUCKET", "story-boards-assets"}};
  const testing::StudioActor* remote_ = nullptr;
  std::string id_;
  std::string prefix_;
};

TEST_F(S3OnlyActorTest, IsShownSyncedFromS3AndListedAsHavingData) {
  const json shown = json::parse(product_->cli("--json actors show " + id_).out);
  EXPECT_EQ(shown["training_data"]["location"], "s3") << shown.dump();
  EXPECT_EQ(shown["training_data"]["state"], "synced");
  EXPECT_EQ(shown["training_data"]["count"], 6);
  const json listed =
      json::parse(product_->cli("--json actors list --has-data --search " + remote_->name).out);
  EXPECT_EQ(listed["total"], 1) << listed.dump();
}

TEST_F(S3OnlyActorTest, ItsObjectsAreCheckedFromTheirContent) {
  const json scanned = scan();
  EXPECT_EQ(scanned["location"], "s3");
  EXPECT_EQ(scanned["sync"], "synced");
  EXPECT_EQ(scanned["count"], 6);
  EXPECT_EQ(scanned["errors"], 0) << scanned.dump();
  EXPECT_EQ(scanned["s3_checked"], "s3://story-boards-assets/" + prefix_) << scanned.dump();
  ASSERT_EQ(scanned["files"].size(), 6u) << scanned.dump();
  for (const json& f : scanned["files"]) {
    EXPECT_EQ(f["status"], "image") << f.dump();
    EXPECT_EQ(f["format"], "jpeg");
    EXPECT_EQ(f["width"], 640);
    EXPECT_EQ(f["height"], 640);
    EXPECT_EQ(f["md5"], object_etag(product_->s3_port(), "story-boards-assets",
                                    prefix_ + f["name"].get<std::string>()));
    EXPECT_EQ(f["s3_url"], "s3://story-boards-assets/" + prefix_ + f["name"].get<std::string>());
  }
  EXPECT_GT(scanned["bytes"].get<int>(), 0);
}

TEST_F(S3OnlyActorTest, AnObjectReplacedByDamagedBytesIsLeftOutAndTheTrainingRefused) {
  const std::string good_2 = testing::slurp(logs_.path() / "face_2.jpg");
  put("face_2.jpg", good_2.substr(0, good_2.size() / 2));
  const json damaged = scan();
  EXPECT_EQ(damaged["sync"], "out_of_sync") << damaged.dump();
  EXPECT_EQ(damaged["count"], 5);
  EXPECT_EQ(damaged["excluded"], json::array({"face_2.jpg"}));
  const CliResult refused = product_->cli("train " + id_, bucket_);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("1 of the 6 recorded S3 objects cannot be used (face_2.jpg: "
                             "truncated"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(product_->emulator_stats().value("run", 0), 0);
  put("face_2.jpg", good_2);
  EXPECT_EQ(scan()["sync"], "synced");
}

TEST_F(S3OnlyActorTest, AMissingObjectIsNamedAndNothingIsSent) {
  delete_object(product_->s3_port(), "story-boards-assets", prefix_ + "face_3.jpg");
  const CliResult missing = product_->cli("train " + id_, bucket_);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("(face_3.jpg: missing in S3)"), std::string::npos) << missing.err;
  EXPECT_EQ(product_->emulator_stats().value("run", 0), 0);
}

TEST_F(S3OnlyActorTest, TrainsFromTheRecordedObjects) {
  const CliResult trained = product_->cli("--json train " + id_, bucket_);
  ASSERT_EQ(trained.exit_code, 0) << trained.out << trained.err;
  const json v = json::parse(trained.out);
  EXPECT_EQ(v["image_count"], 6);
  EXPECT_EQ(v["name"], "V1");
  EXPECT_EQ(product_->emulator_stats().value("run", 0), 1);
}

// An actor with no folder and nothing recorded, whose five images (with a notes file and an
// older sub-folder) the studio keeps in S3 under the key layout.
class KeyLayoutTest : public StudioTest {
 protected:
  void SetUp() override {
    StudioTest::SetUp();
    start();
    ws_.write("actor-trainer.toml", testing::slurp(ws_.path() / "actor-trainer.toml") +
                                        "[s3]\nkey_layout = \"system_actors/training_data/{actor}/"
                                        "{file}\"\n");
    for (const testing::StudioActor& a : studio_.actors) {
      if (!a.has_folder && a.images == 0) remote_ = &a;
    }
    ASSERT_NE(remote_, nullptr);
    id_ = std::to_string(remote_->id);
    prefix_ = "system_actors/training_data/" + remote_->name + "/";
    folder_ = ws_.path() / "data/actors" / remote_->name / "training_data";
    for (int i = 1; i <= 5; ++i) {
      const fs::path made = logs_.path() / ("shot_" + std::to_string(i) + ".jpg");
      testing::write_image(made, 768, 768, 300 + i);
      put_object(product_->s3_port(), "story-boards-assets", prefix_ + made.filename().string(),
                 testing::slurp(made));
    }
    put_object(product_->s3_port(), "story-boards-assets", prefix_ + "readme.md", "notes");
    put_object(product_->s3_port(), "story-boards-assets", prefix_ + "old/shot_9.jpg", "elsewhere");
  }

  json run(const std::string& command) {
    const CliResult done = product_->cli("--json " + command + " " + id_, bucket_);
    EXPECT_EQ(done.exit_code, 0) << command << ": " << done.out << done.err;
    return done.exit_code == 0 ? json::parse(done.out) : json::object();
  }

  const std::map<std::string, std::string> bucket_ = {{"S3_BUCKET", "story-boards-assets"}};
  const testing::StudioActor* remote_ = nullptr;
  std::string id_;
  std::string prefix_;
  fs::path folder_;
};

TEST_F(KeyLayoutTest, ScanFindsTheImagesButTrainingWaitsUntilTheyAreRecorded) {
  const std::string registry_before = testing::slurp(ws_.path() / "actors.json");
  const json scanned = run("data scan");
  EXPECT_EQ(scanned["location"], "s3");
  EXPECT_EQ(scanned["sync"], "not_synced");
  EXPECT_EQ(scanned["count"], 5);
  EXPECT_EQ(scanned["ignored"], json::array({"readme.md"}));
  EXPECT_EQ(scanned["s3_checked"], "s3://story-boards-assets/" + prefix_);
  const CliResult unrecorded = product_->cli("train " + id_, bucket_);
  EXPECT_NE(unrecorded.exit_code, 0);
  EXPECT_NE(unrecorded.err.find("5 usable images found in S3"), std::string::npos)
      << unrecorded.err;
  EXPECT_NE(unrecorded.err.find("not recorded in actors.json"), std::string::npos);
  EXPECT_EQ(product_->emulator_stats().value("run", 0), 0);
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json"), registry_before);
}

TEST_F(KeyLayoutTest, SyncRecordsWhatS3HoldsAndUploadsNothing) {
  const json synced = run("data sync");
  EXPECT_EQ(synced["uploads"].size(), 0u);
  EXPECT_EQ(synced["count"], 5);
  EXPECT_TRUE(synced["marked_synced"].get<bool>());
  const json shown = run("actors show");
  EXPECT_EQ(shown["training_data"]["state"], "synced") << shown.dump();
  EXPECT_EQ(shown["training_data"]["location"], "s3");
  EXPECT_EQ(shown["training_data"]["count"], 5);
}

TEST_F(KeyLayoutTest, PullWritesNothingDryThenBringsTheImagesIntoASyncedFolder) {
  run("data sync");
  const json dry = run("data pull --dry-run");
  EXPECT_EQ(dry["pulled"].size(), 5u) << dry.dump();
  EXPECT_FALSE(fs::exists(folder_));
  const std::string registry_synced = testing::slurp(ws_.path() / "actors.json");
  const json pulled = run("data pull");
  EXPECT_EQ(pulled["pulled"].size(), 5u);
  EXPECT_TRUE(pulled["recorded"].get<bool>());
  for (int i = 1; i <= 5; ++i) {
    const std::string name = "shot_" + std::to_string(i) + ".jpg";
    EXPECT_EQ(testing::slurp(folder_ / name), testing::slurp(logs_.path() / name)) << name;
  }
  EXPECT_EQ(testing::slurp(ws_.path() / "actors.json"), registry_synced);
  const json local = run("data scan");
  EXPECT_EQ(local["location"], "local") << local.dump();
  EXPECT_EQ(local["sync"], "synced");
  EXPECT_EQ(local["count"], 5);
}

TEST_F(KeyLayoutTest, ASecondPullKeepsALocalEditAndNamesIt) {
  run("data sync");
  run("data pull");
  const json again = run("data pull");
  EXPECT_EQ(again["pulled"].size(), 0u);
  EXPECT_EQ(again["unchanged"], 5);
  testing::write_image(folder_ / "shot_2.jpg", 768, 768, 999);
  const std::string edited = testing::slurp(folder_ / "shot_2.jpg");
  const json kept = run("data pull");
  EXPECT_EQ(kept["kept"], json::array({"shot_2.jpg"})) << kept.dump();
  EXPECT_EQ(testing::slurp(folder_ / "shot_2.jpg"), edited);
  EXPECT_EQ(run("data scan")["sync"], "out_of_sync");
}

TEST_F(KeyLayoutTest, PullWithoutS3SaysSo) {
  const CliResult no_s3 = product_->cli("data pull " + id_, {{"S3_BUCKET", ""}});
  EXPECT_NE(no_s3.exit_code, 0);
  EXPECT_NE(no_s3.err.find("S3 is not configured"), std::string::npos) << no_s3.err;
}
}  // namespace
}  // namespace atr
