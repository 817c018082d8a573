#include "app/config.h"

#include <sstream>

#include <gtest/gtest.h>

#include "app/preview_files.h"
#include "support/fakes.h"
#include "support/temp_dir.h"

namespace atr {
namespace {

TEST(DotenvTest, ParsesTheUsualForms) {
  Result<std::map<std::string, std::string>> env =
      parse_dotenv("# comment\n\nexport A=1\nB = \"two words\"\nC='x#y'\nD=plain # note\nE=\n");
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ((*env)["A"], "1");
  EXPECT_EQ((*env)["B"], "two words");
  EXPECT_EQ((*env)["C"], "x#y");
  EXPECT_EQ((*env)["D"], "plain");
  EXPECT_EQ((*env)["E"], "");
  Result<std::map<std::string, std::string>> bad = parse_dotenv("A=1\nnot a line\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos);
  Result<std::map<std::string, std::string>> commented = parse_dotenv("Q=\"a b\" # note\n");
  ASSERT_TRUE(commented) << commented.error().message;
  EXPECT_EQ((*commented)["Q"], "a b");
}

TEST(DotenvTest, AQuoteThatDoesNotCloseIsRefusedWithItsLine) {
  for (const char* text :
       {"A=1\nKEY=\"unterminated\n", "A=1\nKEY='half\n", "A=1\nKEY=\"\n", "A=1\nKEY=\"a\" b\n"}) {
    SCOPED_TRACE(text);
    Result<std::map<std::string, std::string>> bad = parse_dotenv(text);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(bad.error().message.find(".env line 2: the value of KEY"), std::string::npos)
        << bad.error().message;
  }
}

TEST(ConfigTest, DefaultsWithoutAnyFile) {
  testing::TempDir ws;
  Result<Config> config = load_config(ws.path(), {});
  ASSERT_TRUE(config) << config.error().message;
  const Settings& s = config->settings;
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.default_endpoint, "default");
  EXPECT_DOUBLE_EQ(s.endpoints[0].seconds_per_step, 1.5);
  EXPECT_DOUBLE_EQ(s.endpoints[0].overhead_seconds, 120.0);
  EXPECT_EQ(s.runpod_base_url, "https://api.runpod.ai/v2");
  EXPECT_FALSE(s.has_runpod_api_key);
  EXPECT_FALSE(s.public_webhook_base_url);
  EXPECT_EQ(s.identity.mode, "custom-actors");
  EXPECT_FALSE(s.presigned_urls);
  EXPECT_EQ(s.presigned_url_expiry_seconds, 86400);
  EXPECT_EQ(s.tracking.job_ttl_seconds, 6 * 3600);
  EXPECT_EQ(s.tracking.unknown_submission_timeout_seconds, 0);  // the ttl + 10 min
}

TEST(ConfigTest, PresignedUrlsAreTurnedOnInTheS3Table) {
  testing::TempDir ws;
  ws.write("actor-trainer.toml",
           "[s3]\npresigned_urls = true\npresigned_url_expiry_seconds = 3600\n");
  Result<Config> config = load_config(ws.path(), {});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->settings.presigned_urls);
  EXPECT_EQ(config->settings.presigned_url_expiry_seconds, 3600);
}

TEST(ConfigTest, TheLoraPatternMustBeAnS3UrlWithTheModelName) {
  testing::TempDir ws;
  ws.write("actor-trainer.toml",
           "[training]\nlora_url_pattern = "
           "\"https://models-bucket.s3.us-west-1.amazonaws.com/loras/{model}.safetensors\"\n");
  Result<Config> config = load_config(ws.path(), {});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->settings.lora_url_pattern,
            "https://models-bucket.s3.us-west-1.amazonaws.com/loras/{model}.safetensors");
  for (const char* bad : {"s3://models-bucket/loras/final.safetensors", "/tmp/{model}"}) {
    ws.write("actor-trainer.toml", std::string("[training]\nlora_url_pattern = \"") + bad + "\"\n");
    Result<Config> refused = load_config(ws.path(), {});
    ASSERT_FALSE(refused) << bad;
    EXPECT_NE(refused.error().message.find("training.lora_url_pattern"), std::string::npos)
        << refused.error().message;
  }
}

TEST(ConfigTest, EnvironmentBeatsDotenvBeatsToml) {
  testing::TempDir ws;
  ws.write("actor-trainer.toml", R"(
[runpod]
base_url = "http://toml.invalid/v2"
default_endpoint = "h100"
[[runpod.endpoints]]
name = "a100"
price_per_second = 0.00076
[[runpod.endpoints]]
name = "h100"
id = "from-toml"
price_per_second = 0.00116
seconds_per_step = 0.9
[webhook]
public_base_url = "https://toml.example.com"
[training]
tenant_id = "studio"
)");
  ws.write(".env",
           "RUNPOD_BASE_URL=http://dotenv.invalid/v2\nMODEL_TRAINING_RUNPOD_API_KEY=dotenv-key\n"
           "PUBLIC_WEBHOOK_BASE_URL=https://dotenv.example.com/\n");
  Result<Config> config =
      load_config(ws.path(), {{"RUNPOD_BASE_URL", "http://env.invalid/v2/"},
                              {"MODEL_TRAINING_RUNPOD_ENDPOINT_ID", "env-endpoint"}});
  ASSERT_TRUE(config) << config.error().message;
  const Settings& s = config->settings;
  EXPECT_EQ(s.runpod_base_url, "http://env.invalid/v2");
  EXPECT_EQ(*s.public_webhook_base_url, "https://dotenv.example.com");
  EXPECT_TRUE(s.has_runpod_api_key);
  EXPECT_EQ(config->secrets.runpod_api_key.reveal(), "dotenv-key");
  EXPECT_EQ(s.endpoint("h100")->endpoint_id, "env-endpoint");
  EXPECT_EQ(s.endpoint("")->name, "h100");
  EXPECT_DOUBLE_EQ(s.endpoint("h100")->seconds_per_step, 0.9);
  EXPECT_EQ(s.identity.tenant_id, "studio");
  EXPECT_EQ(s.identity.user_id, "actor_maker_user");
}

TEST(ConfigTest, SecretsPrintRedacted) {
  testing::TempDir ws;
  Result<Config> config = load_config(ws.path(), {{"RUNPOD_API_KEY", "rp_live_123"}});
  ASSERT_TRUE(config);
  std::ostringstream out;
  out << config->secrets.runpod_api_key << config->secrets.aws_secret_access_key;
  EXPECT_EQ(out.str(), "<redacted><unset>");
}

TEST(ConfigTest, AutoAdjustPolicyCanBeReplaced) {
  testing::TempDir ws;
  ws.write("actor-trainer.toml", R"(
[auto_adjust]
steps_per_image = 80
max_steps = 5000
[[auto_adjust.tiers]]
min_images = 1
max_images = 19
repeats = 14
learning_rate = 0.00035
[[auto_adjust.tiers]]
min_images = 20
repeats_at_min = 10
repeats_at_max = 10
learning_rate = 0.00045
)");
  Result<Config> config = load_config(ws.path(), {});
  ASSERT_TRUE(config) << config.error().message;
  const AutoAdjustPolicy& policy = config->settings.policy;
  ASSERT_EQ(policy.tiers.size(), 2u);
  Result<TrainingParameters> p = auto_adjust(TrainingParameters{}, 30, policy);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->num_repeats, 10);
  EXPECT_DOUBLE_EQ(p->learning_rate, 0.00045);
  EXPECT_EQ(p->max_train_steps, 2400);
}

TEST(ConfigTest, MistakesInTheTomlFileAreNamed) {
  struct Row {
    const char* toml;
    const char* says;
  };
  const Row rows[] = {
      {"[runpod]\nendpont = 1\n", "runpod.endpont: unknown key"},
      {"[runpod\n", "line 1"},
      {"[[runpod.endpoints]]\nname = \"a\"\nprice_per_second = \"cheap\"\n", "expected a number"},
      {"[[runpod.endpoints]]\nprice_per_second = 1.0\n", "name: is required"},
      {"[runpod]\ndefault_endpoint = \"b200\"\n", "no endpoint 'b200'"},
      {"[[auto_adjust.tiers]]\nmin_images = 2\nrepeats = 3\nlearning_rate = 0.1\n",
       "contiguous from 1"},
      {"[colors]\n", "colors: unknown key"},
      {"[s3]\npresigned_urls = \"yes\"\n", "expected true or false"},
      {"[s3]\npresigned_url_expiry_seconds = 604801\n", "seven days"},
      {"[s3]\npresigned_url_expiry_seconds = 10\n", "between 60 and 604800"},
      {"[checks]\nmin_images = -5\n", "min_images must be at least 1"},
      {"[checks]\nmin_short_side = 0\n", "min_short_side and min_images must be at least 1"},
      {"[checks]\nmin_images = 10\nmax_images = 5\n", "max_images at least min_images"},
      {"[checks]\nmin_images = 1e400\n", "line 2"},
      {"[checks]\nmin_images = 99999999999999999999\n", "line 2"},
      {"[checks]\nmin_images = 9999999999\n", "expected a whole number"},
      // A float where an integer belongs: toml++'s value<int64_t>() converted it (UB; fuzz_config).
      {"[checks]\nmax_images = 5e82\n", "expected a whole number"},
      {"[checks]\nmax_images = 5.0\n", "expected a whole number"},
      {"[checks]\nno_face = \"fatal\"\n", "checks.no_face: is \"error\", \"warning\" or \"off\""},
      {"[checks]\nblury = \"off\"\n", "checks.blury: unknown key"},
      {"[checks]\nmin_face_share = 1.5\n", "shares from 0 to 1"},
      {"[checks]\nmin_brightness = 200\nmax_brightness = 100\n", "the first below the second"},
      {"[checks]\nmin_sharpness = -1.0\n", "min_sharpness at least 0"},
      {"[checks]\nnear_duplicate_bits = 65\n", "from 0 to 64, not 65"},
      {"[checks]\nimage_quality = \"yes\"\n", "expected true or false"},
      {"[[runpod.endpoints]]\nname = \"a\"\nprice_per_second = 1e308\nseconds_per_step = 1e-320\n",
       "price_per_second"},
      {"[runpod]\njob_ttl_seconds = 5\n", "within RunPod's 10 s"},
      {"[runpod]\njob_ttl_seconds = 604801\n", "within RunPod's 10 s"},
      {"[runpod]\nunknown_submission_timeout_seconds = 3600\n",
       "must be at least job_ttl_seconds (21600)"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.toml);
    testing::TempDir ws;
    ws.write("actor-trainer.toml", row.toml);
    Result<Config> config = load_config(ws.path(), {});
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(config.error().message.find(row.says), std::string::npos) << config.error().message;
  }
}

TEST(ConfigTest, TheChecksTableSetsTheImageQualityThresholdsAndLevels) {
  testing::TempDir ws;
  ws.write("actor-trainer.toml",
           "[checks]\nface_confidence = 0.6\nmin_face_share = 0.2\nmin_sharpness = 40\n"
           "near_duplicate_bits = 4\nno_face = \"warning\"\nnear_duplicate = \"error\"\n"
           "exposure = \"off\"\n");
  Result<Config> config = load_config(ws.path(), {});
  ASSERT_TRUE(config) << config.error().message;
  const QualityLimits& q = config->settings.limits.quality;
  EXPECT_TRUE(q.enabled);
  EXPECT_DOUBLE_EQ(q.face_confidence, 0.6);
  EXPECT_DOUBLE_EQ(q.min_face_share, 0.2);
  EXPECT_DOUBLE_EQ(q.min_sharpness, 40);
  EXPECT_EQ(q.near_duplicate_bits, 4);
  EXPECT_EQ(q.no_face, CheckLevel::Warning);
  EXPECT_EQ(q.near_duplicate, CheckLevel::Error);
  EXPECT_EQ(q.exposure, CheckLevel::Off);
  EXPECT_EQ(q.several_faces, CheckLevel::Warning);  // untouched: the default

  // The environment switches the checks off (or on) over the file; anything else is refused.
  Result<Config> off = load_config(ws.path(), {{"IMAGE_QUALITY_CHECKS", "off"}});
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->settings.limits.quality.enabled);
  ws.write("actor-trainer.toml", "[checks]\nimage_quality = false\n");
  Result<Config> on = load_config(ws.path(), {{"IMAGE_QUALITY_CHECKS", "on"}});
  ASSERT_TRUE(on);
  EXPECT_TRUE(on->settings.limits.quality.enabled);
  Result<Config> bad = load_config(ws.path(), {{"IMAGE_QUALITY_CHECKS", "maybe"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("IMAGE_QUALITY_CHECKS is \"on\" or \"off\""),
            std::string::npos);
}

TEST(ConfigTest, TheBudgetTableSetsCapsForEveryJobAndPerEndpoint) {
  testing::TempDir ws;
  ws.write("actor-trainer.toml",
           "[[runpod.endpoints]]\nname = \"a100\"\n[[runpod.endpoints]]\nname = \"h100\"\n"
           "[budget]\nday = 20\nmonth = 45.5\n[budget.endpoints.h100]\ntotal = 100\n");
  Result<Config> config = load_config(ws.path(), {});
  ASSERT_TRUE(config) << config.error().message;
  const BudgetSettings& b = config->settings.budget;
  EXPECT_EQ(b.all.day, 20.0);
  EXPECT_EQ(b.all.month, 45.5);
  EXPECT_FALSE(b.all.total);
  ASSERT_EQ(b.per_endpoint.size(), 1U);
  EXPECT_EQ(b.per_endpoint.at("h100").total, 100.0);
  // Without a [budget] table nothing is capped.
  ws.write("actor-trainer.toml", "");
  Result<Config> none = load_config(ws.path(), {});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->settings.budget.all.any());
  // Mistakes are named.
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"[budget]\nmonth = -1\n", "budget.month: is a cap in dollars from 0"},
           {"[budget]\nweek = 5\n", "budget.week: unknown key"},
           {"[budget]\nday = \"ten\"\n", "budget.day: expected a number"},
           {"[budget.endpoints.t4]\nday = 1\n", "no endpoint profile is named 't4'"},
           {"[budget.endpoints.default]\nhour = 1\n", "budget.endpoints.default.hour: unknown"}}) {
    SCOPED_TRACE(text);
    ws.write("actor-trainer.toml", text);
    Result<Config> bad = load_config(ws.path(), {});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find(expected), std::string::npos) << bad.error().message;
  }
}

TEST(ConfigTest, ThePreviewTableSetsTheEndpointPromptsAndSeeds) {
  testing::TempDir ws;
  ws.write("actor-trainer.toml",
           "[runpod.preview]\nendpoint_id = \"ep-img\"\nprice_per_second = 0.0004\n"
           "seeds = [5, 6, 5]\nwidth = 768\nautomatic = false\n"
           "[[runpod.preview.prompts]]\nlabel = \"studio\"\ntext = \"{trigger}, studio\"\n");
  Result<Config> config = load_config(ws.path(), {});
  ASSERT_TRUE(config) << config.error().message;
  const PreviewSettings& p = config->settings.preview;
  EXPECT_TRUE(p.enabled());
  EXPECT_EQ(p.endpoint.endpoint_id, "ep-img");
  EXPECT_DOUBLE_EQ(p.endpoint.price_per_second, 0.0004);
  EXPECT_EQ(p.seeds, (std::vector<std::int64_t>{5, 6}));  // a repeated seed once
  EXPECT_EQ(p.width, 768);
  EXPECT_EQ(p.height, 1024);
  EXPECT_FALSE(p.automatic);
  ASSERT_EQ(p.prompts.size(), 1U);
  EXPECT_EQ(p.prompts[0].label, "studio");
  // The environment names the endpoint too; without either, nothing is previewed.
  Result<Config> from_env =
      load_config(testing::TempDir().path(), {{"PREVIEW_RUNPOD_ENDPOINT_ID", "ep-env"}});
  ASSERT_TRUE(from_env) << from_env.error().message;
  EXPECT_EQ(from_env->settings.preview.endpoint.endpoint_id, "ep-env");
  EXPECT_FALSE(load_config(testing::TempDir().path(), {})->settings.preview.enabled());
}

TEST(ConfigTest, AnEndpointWithThePreviewRoleIsThePreviewEndpoint) {
  testing::TempDir ws;
  ws.write("actor-trainer.toml",
           "[runpod]\ndefault_endpoint = \"a100\"\n"
           "[[runpod.endpoints]]\nname = \"a100\"\nid = \"ep-train\"\n"
           "[[runpod.endpoints]]\nname = \"renders\"\nrole = \"preview\"\nid = \"ep-img\"\n"
           "gpu = \"L4\"\nprice_per_second = 0.0002\n");
  Result<Config> config = load_config(ws.path(), {});
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->settings.endpoints.size(), 1U);  // not a training endpoint
  const EndpointProfile& p = config->settings.preview.endpoint;
  EXPECT_EQ(p.name, "renders");
  EXPECT_EQ(p.endpoint_id, "ep-img");
  EXPECT_DOUBLE_EQ(p.price_per_second, 0.0002);
  EXPECT_TRUE(config->settings.preview.enabled());
  for (const std::string& bad :
       {std::string("role = \"inference\""), std::string("role = \"preview\"")}) {
    testing::TempDir other;
    other.write("actor-trainer.toml", "[[runpod.endpoints]]\nname = \"x\"\n" + bad + "\n");
    Result<Config> refused = load_config(other.path(), {});
    ASSERT_FALSE(refused) << bad;  // an unknown role; no training endpoint left
    EXPECT_NE(refused.error().message.find("runpod.endpoints"), std::string::npos)
        << refused.error().message;
  }
}

TEST(ConfigTest, BadPreviewSettingsAreRefusedNamingTheKey) {
  for (const std::string& bad :
       {std::string("seeds = []"), std::string("seeds = [-1]"), std::string("width = 10"),
        std::string("price_per_second = 5.0"), std::string("colour = \"red\""),
        std::string("[[runpod.preview.prompts]]\nlabel = \"x\"")}) {
    testing::TempDir ws;
    ws.write("actor-trainer.toml", "[runpod.preview]\n" + bad + "\n");
    Result<Config> config = load_config(ws.path(), {});
    ASSERT_FALSE(config) << bad;
    EXPECT_NE(config.error().message.find("runpod.preview"), std::string::npos)
        << bad << ": " << config.error().message;
  }
}

TEST(PreviewFilesTest, ImagesAreDecodedCheckedAndWrittenUnderTheVersionPromptAndSeed) {
  testing::TempDir ws;
  PreviewFiles files(ws.path(), nullptr, nullptr);
  Preview p;
  p.version_id = 12;
  p.prompt_index = 2;
  p.seed = 98765;
  // A 1×1 PNG.
  const std::string png =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJg"
      "gg==";
  Result<PreviewImages::Saved> saved =
      files.save(p, {ReportedImage{ReportedImage::Kind::Base64, png, "a.png"}});
  ASSERT_TRUE(saved) << saved.error().message;
  ASSERT_EQ(saved->files.size(), 1U);
  EXPECT_EQ(saved->files[0], ".actor-trainer/previews/v12/p2-s98765-1.png");
  EXPECT_TRUE(saved->s3_urls.empty());
  Result<std::string> back = decode_base64(png);
  ASSERT_TRUE(back);
  EXPECT_EQ(testing::slurp(ws.path() / saved->files[0]), *back);
  // Not an image, not base64: refused, and nothing is written for that preview.
  p.seed = 1;
  Result<PreviewImages::Saved> text =
      files.save(p, {ReportedImage{ReportedImage::Kind::Base64, png, ""},
                     ReportedImage{ReportedImage::Kind::Base64, "aGVsbG8gd29ybGQh", ""}});
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("image 2 of 2 is not a readable image"), std::string::npos)
      << text.error().message;
  EXPECT_FALSE(std::filesystem::exists(ws.path() / ".actor-trainer/previews/v12/p2-s1-1.png"));
  EXPECT_FALSE(decode_base64("abc"));
  EXPECT_FALSE(decode_base64("ab!="));
  // An s3:// image without a bucket says so.
  Result<PreviewImages::Saved> s3 =
      files.save(p, {ReportedImage{ReportedImage::Kind::Url, "s3://previews-bucket/k.png", ""}});
  ASSERT_FALSE(s3);
  EXPECT_NE(s3.error().message.find("no bucket"), std::string::npos) << s3.error().message;
}

TEST(PreviewFilesTest, WithAKeyLayoutTheImagesAreUploadedTooAndAFailedUploadSaysSo) {
  testing::TempDir ws;
  testing::FakeBucket bucket;
  PreviewFiles files(ws.path(), nullptr, &bucket, "previews/{actor}/{version}/{file}");
  Preview p;
  p.actor_id = "38";
  p.version_name = "V2";
  p.version_id = 4;
  p.prompt_index = 1;
  p.seed = 7;
  const std::string png =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJg"
      "gg==";
  Result<PreviewImages::Saved> saved =
      files.save(p, {ReportedImage{ReportedImage::Kind::Base64, png, ""}});
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_EQ(saved->s3_urls, (std::vector<std::string>{"s3://b/previews/38/V2/p1-s7-1.png"}));
  ASSERT_EQ(bucket.puts.size(), 1U);
  EXPECT_EQ(bucket.puts[0], (std::vector<std::string>{"previews/38/V2/p1-s7-1.png"}));
  bucket.failing_puts.insert("previews/38/V2/p1-s7-1.png");
  Result<PreviewImages::Saved> refused =
      files.save(p, {ReportedImage{ReportedImage::Kind::Base64, png, ""}});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("uploading the preview images failed"), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace atr
