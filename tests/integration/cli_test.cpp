// Runs the real actor-trainer binary on generated workspaces and checks what a user or a
// script sees: output, JSON shapes and exit codes.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "support/images.h"
#include "support/photos.h"
#include "support/registry_gen.h"
#include "support/temp_dir.h"
#include "support/workspace_builder.h"

namespace atr {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string synced = testing::synced_actor(
        ws_.path(), R"("0006")", "0006_european_20_female", 3,
        R"("sex": "female", "ethnicity": "european", "age": "20", "description": "Warm smile")");
    ws_.write("actors.json", "[\n  " + synced + R"(,
  {"id": 7, "name": "0007_asian_31_female", "sex": "female", "ethnicity": "asian", "age": 31, "description": "Glasses"},
  {"id": "0012", "name": "0012_african_44_male", "sex": "male", "ethnicity": "african", "age": "44",
   "description": "Grey temples", "good": true,
   "validated_lora_model": {"version_id": "j", "version_name": "V2", "lora_url": "https://l", "marked_at": "t"}}
]
)");
  }

  CliRun run(const std::string& args, const std::string& env = "") const {
    const fs::path out = scratch_.path() / "out";
    const fs::path err = scratch_.path() / "err";
    const std::string command = "env -u RUNPOD_API_KEY -u PUBLIC_WEBHOOK_BASE_URL " + env + " " +
                                ATR_BINARY + " -w '" + ws_.path().string() + "' " + args + " >'" +
                                out.string() + "' 2>'" + err.string() + "' </dev/null";
    const int status = std::system(command.c_str());
    CliRun result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = testing::slurp(out);
    result.err = testing::slurp(err);
    return result;
  }

  json run_json(const std::string& args, int expected_exit = 0) const {
    CliRun r = run("--json " + args);
    EXPECT_EQ(r.exit_code, expected_exit) << args << "\n" << r.out << r.err;
    return json::parse(r.out);
  }

  testing::TempDir ws_;
  testing::TempDir scratch_;
};

TEST_F(CliTest, ActorsListJsonHasTheApiShape) {
  const json list = run_json("actors list");
  EXPECT_EQ(list["total"], 3);
  ASSERT_EQ(list["items"].size(), 3u);
  EXPECT_EQ(list["items"][0]["id"], "0006");
  // One key type everywhere: the id as text; the file's own value beside it, untouched.
  EXPECT_EQ(list["items"][1]["id"], "7");
  EXPECT_EQ(list["items"][1]["registry_id"], 7);
  EXPECT_EQ(list["items"][0]["registry_id"], "0006");
  EXPECT_EQ(list["items"][0]["training_data"],
            json({{"count", 3},
                  {"excluded", 0},
                  {"ignored", 0},
                  {"recorded", 3},
                  {"synced", true},
                  {"state", "synced"},
                  {"location", "local"},
                  {"faces", {{"one", 0}, {"none", 0}, {"several", 0}}},
                  {"quality_findings", 0}}));
  EXPECT_EQ(list["facets"]["sex"]["female"], 2);
  EXPECT_EQ(list["facets"]["has_model"], 1);
}

TEST_F(CliTest, ActorsListSearchesAndFilters) {
  EXPECT_EQ(run_json("actors list --search 'WARM smile'")["total"], 1);
  EXPECT_EQ(run_json("actors list --sex female --ethnicity asian")["items"][0]["name"],
            "0007_asian_31_female");
  EXPECT_EQ(run_json("actors list --sex male --sex female")["total"], 3);
  EXPECT_EQ(run_json("actors list --has-data")["total"], 1);
  EXPECT_EQ(run_json("actors list --without-model")["total"], 2);
  EXPECT_EQ(run_json("actors list --limit 1 --offset 1")["items"][0]["name"],
            "0007_asian_31_female");
  CliRun table = run("actors list");
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("0012_african_44_male"), std::string::npos);
  EXPECT_NE(table.out.find("showing 1-3 of 3"), std::string::npos);
  EXPECT_EQ(run("actors list --has-data --without-data").exit_code, 2);
  EXPECT_EQ(run("actors list --sex female asian").exit_code, 2);  // one value per --sex
}

TEST_F(CliTest, ActorsShowFindsEveryIdForm) {
  for (const char* ref : {"7", "0007", "0007_asian_31_female"}) {
    EXPECT_EQ(run_json(std::string("actors show ") + ref)["name"], "0007_asian_31_female") << ref;
  }
  const json missing = run_json("actors show 99", 3);
  EXPECT_EQ(missing["error"]["code"], "not_found");
  CliRun human = run("actors show 99");
  EXPECT_EQ(human.exit_code, 3);
  EXPECT_NE(human.err.find("no actor '99'"), std::string::npos);
}

TEST_F(CliTest, DataScanReportsFilesAndChecks) {
  ws_.write("data/actors/0006_european_20_female/training_data/notes.bmp", "x");
  const json scan = run_json("data scan 6");
  EXPECT_EQ(scan["count"], 3);
  EXPECT_EQ(scan["sync"], "synced");
  EXPECT_EQ(scan["errors"], 1);
  ASSERT_EQ(scan["files"].size(), 4u);
  EXPECT_EQ(scan["files"][0]["width"], 640);
  EXPECT_EQ(scan["files"][0]["md5"].get<std::string>().size(), 32u);
  bool few = false;
  for (const json& f : scan["findings"]) {
    few = few || f["code"] == "too_few_images";
  }
  EXPECT_TRUE(few);
}

TEST_F(CliTest, PlanAutoAdjustsFromTheLocalImages) {
  const json plan = run_json("plan 0006");
  EXPECT_EQ(plan["image_count"], 3);
  EXPECT_EQ(plan["parameters"]["num_repeats"], 15);
  EXPECT_EQ(plan["parameters"]["learning_rate"], 0.0003);
  EXPECT_EQ(plan["parameters"]["max_train_steps"], 1000);
  EXPECT_EQ(plan["parameters"]["lr_warmup_steps"], 100);
  EXPECT_EQ(plan["defaults"]["max_train_steps"], 2000);
  EXPECT_TRUE(plan["validation"].empty());
  EXPECT_DOUBLE_EQ(plan["estimate"]["duration_seconds"].get<double>(), 120 + 1000 * 1.5);
  const json none = run_json("plan 7", 4);
  EXPECT_NE(none["error"]["message"].get<std::string>().find("no usable training images"),
            std::string::npos);
  const json unknown = run_json("plan 6 --endpoint b200", 4);
  EXPECT_EQ(unknown["error"]["code"], "invalid_argument");
  EXPECT_EQ(unknown["error"]["field"], "endpoint");
}

TEST_F(CliTest, TrainDryRunPrintsTheExactRequest) {
  const json dry =
      run_json("train 0006 --dry-run --param network_dim=16 --param network_alpha=16", 0);
  EXPECT_EQ(dry["model_name"], "actor_0006_V1");
  const json& request = dry["request"];
  EXPECT_FALSE(request.contains("webhook"));  // no public URL: polling only
  EXPECT_EQ(request["input"]["training_data"]["s3_urls"].size(), 3u);
  EXPECT_EQ(request["input"]["training_config"]["max_train_steps"], 1000);
  EXPECT_EQ(request["input"]["training_config"]["request_id"].get<std::string>().rfind("0006_", 0),
            0u);
  EXPECT_EQ(request["input"]["workflow"]["5"]["inputs"]["network_dim"], 16);

  CliRun with_hook = run("train 6 --dry-run", "PUBLIC_WEBHOOK_BASE_URL=https://hooks.example.com/");
  ASSERT_EQ(with_hook.exit_code, 0) << with_hook.err;
  EXPECT_EQ(json::parse(with_hook.out)["webhook"],
            "https://hooks.example.com/api/training-webhook/<webhook-token>");
  EXPECT_NE(with_hook.err.find("dry run: nothing was sent"), std::string::npos);
}

TEST_F(CliTest, TrainRefusesWhatCannotTrain) {
  EXPECT_EQ(run_json("train 7 --dry-run", 4)["error"]["code"], "failed_precondition");
  EXPECT_EQ(run_json("train 6 --dry-run --param learning_rate=0.5", 4)["error"]["code"],
            "invalid_argument");
  EXPECT_EQ(run_json("train 6 --dry-run --param lerning_rate=1", 4)["error"]["code"],
            "invalid_argument");
  // A local file added after the sync makes the recorded S3 copy stale.
  testing::write_image(ws_.path() / "data/actors/0006_european_20_female/training_data/new.jpg",
                       640, 640, 9);
  const json stale = run_json("train 6 --dry-run", 4);
  const std::string why = stale["error"]["message"];
  EXPECT_NE(why.find("the local images changed since the last sync"), std::string::npos) << why;
  EXPECT_NE(why.find("data sync 0006"), std::string::npos) << why;
  EXPECT_EQ(why.find("out_of_sync"), std::string::npos) << "no raw state names: " << why;
  EXPECT_EQ(run_json("train 6", 4)["error"]["message"],
            "train 0006: " + why.substr(why.find(": ") + 2));
  // Without RunPod credentials a training explains what is missing and stores nothing.
  fs::remove(ws_.path() / "data/actors/0006_european_20_female/training_data/new.jpg");
  EXPECT_NE(run_json("train 6", 4)["error"]["message"].get<std::string>().find(
                "the RunPod API key is not set: set RUNPOD_API_KEY"),
            std::string::npos);
  EXPECT_EQ(run_json("versions 6", 0).size(), 0u);
}

TEST_F(CliTest, BadWorkspacesAndFilesFailClearly) {
  ws_.write("actors.json", "[\n  {\"id\": 1,,}\n]\n");
  const json malformed = run_json("actors list", 4);
  EXPECT_NE(malformed["error"]["message"].get<std::string>().find("line 2, column 12"),
            std::string::npos)
      << malformed.dump();
  fs::remove(ws_.path() / "actors.json");
  const CliRun missing = run("actors list");
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("has no actors.json"), std::string::npos);
  EXPECT_EQ(run("frobnicate").exit_code, 2);
  EXPECT_EQ(run("--help").exit_code, 0);
}

TEST_F(CliTest, BrokenWorkflowFailsTrainingOnly) {
  ws_.write("actor-trainer.toml", "[training]\nworkflow = \"mine\"\n");
  ws_.write("workflows/mine.json", R"({"1": {"class_type": "X", "inputs": {}}})");
  EXPECT_EQ(run("actors list").exit_code, 0);
  EXPECT_EQ(run("plan 6").exit_code, 0);
  const json no_table = run_json("train 6 --dry-run", 3);
  EXPECT_NE(no_table["error"]["message"].get<std::string>().find("no binding table"),
            std::string::npos);
  ws_.write("workflows/mine.bindings.json", R"({"bindings": [{"parameter": "learning_rate",
      "targets": [{"class_type": "InitFluxLoRATraining", "input": "learning_rate"}]}]})");
  const json unmatched = run_json("train 6 --dry-run", 4);
  EXPECT_NE(unmatched["error"]["message"].get<std::string>().find("matches no node"),
            std::string::npos);
}

TEST_F(CliTest, EscapingLocalPathIsRefused) {
  ws_.write(
      "actors.json",
      R"([{"id": "1", "name": "evil", "training_data": {"local_path": "../../etc", "count": 1}}])");
  const json scan = run_json("data scan 1", 4);
  EXPECT_NE(scan["error"]["message"].get<std::string>().find("leaves the workspace"),
            std::string::npos);
}

TEST_F(CliTest, TheExampleWorkspaceWorks) {
  const std::string example = std::string(ATR_SOURCE_DIR) + "/examples/workspace";
  const std::string base = std::string(ATR_BINARY) + " --json -w '" + example + "' ";
  EXPECT_EQ(std::system((base + "actors list >/dev/null").c_str()), 0);
  EXPECT_EQ(std::system((base + "train 0006 --dry-run >/dev/null").c_str()), 0);
}

// The image-quality checks through the binary, on real photographs (support/photos.h): the
// studio's shape (a numeric id, no training_data block) and a text id beside it.
class DataQualityTest : public CliTest {
 protected:
  void SetUp() override {
    ws_.write("actors.json", R"([
  {"id": 7, "name": "0007_studio_photos", "sex": "female"},
  {"id": "0008", "name": "0008_two_photos", "sex": "female"},
  {"id": 9, "name": "0009_no_folder", "sex": "male"}
]
)");
    const fs::path seven = ws_.path() / "data/actors/0007_studio_photos/training_data";
    cases_ = testing::write_photo_cases(seven);
    ws_.write("data/actors/0007_studio_photos/training_data/notes.md", "shot list\n");
    const fs::path eight = ws_.path() / "data/actors/0008_two_photos/training_data";
    fs::create_directories(eight);
    fs::copy_file(seven / "portrait.png", eight / "portrait.png");
    fs::copy_file(seven / "no_person.png", eight / "no_person.png");
  }

  json scan(const std::string& actor, const std::string& env = kOn) const {
    CliRun r = run("--json data scan " + actor, env);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return json::parse(r.out);
  }
  static const json& file(const json& report, const std::string& name) {
    for (const json& f : report["files"]) {
      if (f["name"] == name) return f;
    }
    ADD_FAILURE() << "no file " << name;
    return report;
  }

  static constexpr const char* kOn = "IMAGE_QUALITY_CHECKS=on";
  std::vector<testing::PhotoCase> cases_;
};

TEST_F(DataQualityTest, ScanMeasuresEveryImageAndLeavesOutThoseWithoutAFace) {
  const json r = scan("7");
  EXPECT_TRUE(r["quality_checked"]);
  // no_person.png (a cup) and overexposed.png (the face washed out) have no face: left out.
  EXPECT_EQ(r["excluded"], json({"no_person.png", "overexposed.png"}));
  EXPECT_EQ(r["count"], 7);
  EXPECT_EQ(r["faces"], json({{"one", 6}, {"none", 2}, {"several", 1}}));
  EXPECT_EQ(r["faces_summary"], "faces: 6 one face · 2 none · 1 several");
  // Every planted case gives its finding (the near-duplicates come on top: every copy of the
  // portrait repeats it).
  for (const testing::PhotoCase& c : cases_) {
    std::set<std::string> codes;
    for (const json& check : file(r, c.file)["checks"]) {
      codes.insert(check["code"]);
    }
    for (const std::string& code : c.codes) {
      EXPECT_TRUE(codes.count(code)) << c.file << " lacks " << code;
    }
    if (c.file == "portrait.png") {
      // The clean portrait is the one its copies repeat: nothing about it.
      EXPECT_TRUE(codes.empty()) << c.file;
    }
  }
  // The face box, in the image's pixels, for the page to draw.
  const json& portrait = file(r, "portrait.png")["quality"];
  ASSERT_EQ(portrait["faces"].size(), 1U);
  EXPECT_NEAR(portrait["faces"][0]["x"].get<int>(), 179, 8);
  EXPECT_NEAR(portrait["faces"][0]["width"].get<int>(), 88, 10);
  EXPECT_EQ(portrait["width"], 512);
  EXPECT_EQ(portrait["exposure_of"], "face");
  EXPECT_TRUE(file(r, "notes.md")["quality"].is_null());
  // One group: the portrait and its copies (resized, blurred, darkened); the portrait first,
  // as the largest and sharpest of them.
  ASSERT_EQ(r["near_duplicate_groups"].size(), 1U);
  const json& group = r["near_duplicate_groups"][0];
  EXPECT_EQ(group[0], "portrait.png");
  EXPECT_NE(std::find(group.begin(), group.end(), "blurred.png"), group.end());
  EXPECT_NE(std::find(group.begin(), group.end(), "portrait_resized.jpg"), group.end());

  // The text form has the columns and the faces line.
  const CliRun text = run("data scan 0007", kOn);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("FACES"), std::string::npos);
  EXPECT_NE(text.out.find("SHARP"), std::string::npos);
  EXPECT_NE(text.out.find("faces: 6 one face · 2 none · 1 several"), std::string::npos);
  EXPECT_NE(text.out.find("near-duplicates: portrait.png = "), std::string::npos);
  EXPECT_NE(text.out.find("error:   no_person.png: no face found"), std::string::npos);
}

TEST_F(DataQualityTest, ThePlanCountsTheUsableImagesOnly) {
  CliRun r = run("--json plan 7", kOn);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // 9 photographs, 2 without a face: the parameters are adjusted to 7.
  EXPECT_EQ(json::parse(r.out)["image_count"], 7);
  r = run("--json plan 7", "IMAGE_QUALITY_CHECKS=off");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["image_count"], 9);
}

TEST_F(DataQualityTest, TheListShowsWhatTheLastFullScanMeasured) {
  // The list reads headers only: before any full scan it knows no faces.
  json list = run_json("actors list", 0);
  EXPECT_EQ(list["items"][0]["training_data"]["quality_findings"], 0);
  EXPECT_EQ(list["items"][0]["training_data"]["count"], 9);
  // A file younger than the scanner's racy window (2 s: its stamp could still change unseen)
  // is measured but not remembered; the list shows remembered measures, so the photographs
  // must be older than that first.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  scan("7");
  CliRun r = run("--json actors list", kOn);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  list = json::parse(r.out);
  const json& seven = list["items"][0]["training_data"];
  EXPECT_EQ(seven["count"], 7);
  EXPECT_EQ(seven["excluded"], 2);
  EXPECT_EQ(seven["faces"], json({{"one", 6}, {"none", 2}, {"several", 1}}));
  EXPECT_GT(seven["quality_findings"].get<int>(), 8);
}

TEST_F(DataQualityTest, CheckAllSummarisesTheRegistry) {
  CliRun r = run("--json data check --all", kOn);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json doc = json::parse(r.out);
  ASSERT_EQ(doc["actors"].size(), 2U);  // 9 has no folder
  EXPECT_EQ(doc["actors"][0]["id"], "7");
  EXPECT_EQ(doc["actors"][1]["id"], "0008");
  EXPECT_EQ(doc["actors"][1]["findings"], json({{"no_face", 1}, {"too_few_images", 1}}));
  EXPECT_EQ(doc["totals"]["usable"], 8);
  EXPECT_EQ(doc["totals"]["excluded"], 3);
  EXPECT_EQ(doc["totals"]["faces"], json({{"one", 7}, {"none", 3}, {"several", 1}}));
  EXPECT_EQ(doc["totals"]["findings"]["no_face"], 3);
  EXPECT_EQ(doc["totals"]["actors_with_findings"], 2);

  const CliRun text = run("data check --all", kOn);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("2 actors with training images checked: 8 usable images, 3 left out; "
                          "faces: 7 one face · 3 none · 1 several"),
            std::string::npos)
      << text.out;
  // Neither an actor nor --all, or both: a usage error, nothing checked.
  EXPECT_NE(run("data check", kOn).exit_code, 0);
  EXPECT_NE(run("data check 7 --all", kOn).exit_code, 0);
}

TEST_F(DataQualityTest, ChecksAreConfiguredInTheCheckSection) {
  ws_.write("actor-trainer.toml", "[checks]\nno_face = \"warning\"\nnear_duplicate = \"off\"\n");
  json r = scan("8");
  EXPECT_TRUE(r["excluded"].empty());
  EXPECT_EQ(r["count"], 2);
  EXPECT_EQ(r["findings"][0]["severity"], "warning");
  EXPECT_EQ(r["findings"][0]["code"], "no_face");

  ws_.write("actor-trainer.toml", "[checks]\nimage_quality = false\n");
  r = scan("7", "-u IMAGE_QUALITY_CHECKS");
  EXPECT_FALSE(r["quality_checked"]);
  EXPECT_EQ(r["count"], 9);
  EXPECT_TRUE(r["near_duplicate_groups"].empty());

  // A wrong level is refused, naming the key and the values it takes.
  ws_.write("actor-trainer.toml", "[checks]\nblurry = \"fatal\"\n");
  CliRun bad = run("data scan 7", kOn);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("checks.blurry: is \"error\", \"warning\" or \"off\", not \"fatal\""),
            std::string::npos)
      << bad.err;
  ws_.write("actor-trainer.toml", "");
  EXPECT_NE(run("data scan 7", "IMAGE_QUALITY_CHECKS=maybe").exit_code, 0);
}

}  // namespace
}  // namespace atr
