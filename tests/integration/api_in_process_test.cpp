// The HTTP API in this process: the workspace is opened as `serve` opens it, and the API side
// of `serve` (ApiHost: event hub, live publisher, tunnel, thumbnails, data summaries, routes)
// listens on a free loopback port. No child process, no RunPod, no S3: the read routes and the
// page's files, answered over real HTTP.
#include <memory>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "app/api_host.h"
#include "app/workspace.h"
#include "support/http_answer.h"
#include "support/images.h"
#include "support/temp_dir.h"
#include "support/workspace_builder.h"

namespace atr {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using Answer = testing::HttpAnswer;

class ApiInProcessTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::write_api_workspace(dir_.path()); }

  // Opens the workspace and starts the API on a free port, serving `ui_dir` (none: no UI).
  void start(const fs::path& ui_dir = {}) {
    host_.reset();
    workspace_.reset();
    Result<std::unique_ptr<Workspace>> opened = open_workspace(dir_.path());
    ASSERT_TRUE(opened) << opened.error().message;
    workspace_ = std::move(opened).value();
    host_ = std::make_unique<ApiHost>(*workspace_, *workspace_->metrics);
    ApiOptions options;
    options.port = 0;
    options.ui_dir = ui_dir;
    const Status started = host_->start(options, 0);
    ASSERT_TRUE(started) << started.error().message;
  }

  Answer get(const std::string& path) {
    httplib::Client client("127.0.0.1", host_->port());
    Answer a = testing::answer_of("GET", path, client.Get(path));
    if (a.status == 0) ADD_FAILURE() << "no answer to GET " << path << ": " << a.error;
    return a;
  }

  testing::TempDir dir_;
  std::unique_ptr<Workspace> workspace_;
  std::unique_ptr<ApiHost> host_;  // after workspace_: stops before the workspace closes
};

TEST_F(ApiInProcessTest, ActorsSearchFiltersFacetsAndPages) {
  start();
  const Answer all = get("/api/actors");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.doc["total"], 4);
  const json& first = all.doc["items"][0];
  for (const char* key :
       {"id", "registry_id", "name", "sex", "ethnicity", "age", "description", "poster_url",
        "training_data", "good", "validated_lora_model", "latest_version"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_EQ(first["poster_url"], "/api/actors/0006/poster");
  EXPECT_EQ(first["training_data"], json({{"count", 3},
                                          {"excluded", 0},
                                          {"ignored", 0},
                                          {"recorded", 3},
                                          {"synced", true},
                                          {"state", "synced"},
                                          {"location", "local"},
                                          {"faces", {{"one", 0}, {"none", 0}, {"several", 0}}},
                                          {"quality_findings", 0}}));
  EXPECT_EQ(all.doc["items"][2]["id"], "10");
  EXPECT_EQ(all.doc["items"][2]["registry_id"], 10);
  EXPECT_EQ(all.doc["items"][2]["training_data"]["state"], "no_data");
  EXPECT_EQ(all.doc["items"][3]["training_data"],
            json({{"count", 1},
                  {"excluded", 0},
                  {"ignored", 0},
                  {"recorded", 0},
                  {"synced", false},
                  {"state", "not_synced"},
                  {"location", "local"},
                  {"faces", {{"one", 0}, {"none", 0}, {"several", 0}}},
                  {"quality_findings", 0}}));
  EXPECT_EQ(all.doc["facets"]["sex"]["female"], 3);

  const Answer female = get("/api/actors?q=CALM%20eyes&sex=female&limit=1&offset=1");
  ASSERT_EQ(female.status, 200);
  EXPECT_EQ(female.doc["total"], 2);
  ASSERT_EQ(female.doc["items"].size(), 1u);
  EXPECT_EQ(female.doc["items"][0]["id"], "0008");
  // Facets count what the other filters leave: the text matches no male actor.
  EXPECT_FALSE(female.doc["facets"]["sex"].contains("male"));
  EXPECT_EQ(female.doc["facets"]["sex"]["female"], 2);

  EXPECT_EQ(get("/api/actors?ethnicity=african,asian").doc["total"], 2);
  // Local images count as data although actors.json records none for 0011.
  EXPECT_EQ(get("/api/actors?has_data=true").doc["total"], 3);
  EXPECT_EQ(get("/api/actors?has_model=true").doc["total"], 0);

  const Answer bad_limit = get("/api/actors?limit=many");
  EXPECT_EQ(bad_limit.status, 422);  // a named input: 422 with its field
  EXPECT_EQ(bad_limit.doc["error"]["field"], "limit");
  const Answer bad_flag = get("/api/actors?has_data=maybe");
  EXPECT_EQ(bad_flag.status, 422);
  EXPECT_EQ(bad_flag.doc["error"]["field"], "has_data");
}

TEST_F(ApiInProcessTest, OneActorByAnyReference) {
  start();
  EXPECT_EQ(get("/api/actors/6").doc["name"], "0006_european_20_female");
  EXPECT_EQ(get("/api/actors/0006_european_20_female").doc["id"], "0006");
  const Answer missing = get("/api/actors/999");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.doc["error"]["code"], "not_found");
}

TEST_F(ApiInProcessTest, ServesTheBuiltUiWithAnSpaFallbackOrAPlainPage) {
  start();
  const Answer plain = get("/");
  EXPECT_EQ(plain.status, 200);
  EXPECT_NE(plain.body.find("web UI is not built"), std::string::npos);

  dir_.write("ui/index.html", "<!doctype html><title>Actor Trainer UI</title>");
  dir_.write("ui/assets/app-1234.js", "console.log('ui')");
  start(dir_.path() / "ui");
  EXPECT_NE(get("/").body.find("Actor Trainer UI"), std::string::npos);
  const Answer route = get("/actors/6/versions");
  EXPECT_NE(route.body.find("Actor Trainer UI"), std::string::npos);
  EXPECT_EQ(route.header("Cache-Control"), "no-cache");
  const Answer js = get("/assets/app-1234.js");
  EXPECT_EQ(js.body, "console.log('ui')");
  EXPECT_NE(js.header("Content-Type").find("javascript"), std::string::npos);
  EXPECT_NE(js.header("Cache-Control").find("immutable"), std::string::npos);
  EXPECT_EQ(get("/assets/missing.js").status, 404);
}

}  // namespace
}  // namespace atr
