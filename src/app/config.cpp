#include "app/config.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <system_error>

#include <toml++/toml.h>

#include "base/files.h"
#include "base/strings.h"
#include "core/trainings.h"

extern char** environ;  // NOLINT: the POSIX environment, declared by no header in C++

namespace atr {
namespace fs = std::filesystem;

namespace {

constexpr const char* kTomlName = "actor-trainer.toml";

Error toml_error(const std::string& key, const std::string& why) {
  return Error{ErrorCode::InvalidArgument, std::string(kTomlName) + ": " + key + ": " + why};
}

Status check_keys(const toml::table& table, const std::string& where,
                  const std::set<std::string>& known) {
  for (const auto& [key, node] : table) {
    if (known.count(std::string(key.str())) == 0) {
      return toml_error(
          where.empty() ? std::string(key.str()) : where + "." + std::string(key.str()),
          "unknown key (known: " + join({known.begin(), known.end()}, ", ") + ")");
    }
  }
  return Ok{};
}

// Reads an optional value of type T at `key` in `table` into `out`; a wrong type is an error.
template <typename T>
Status read(const toml::table& table, const std::string& where, const char* key, T& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Ok{};
  if constexpr (std::is_same_v<T, double>) {
    if (std::optional<double> v = node->value<double>()) {
      out = *v;
      return Ok{};
    }
    return toml_error(where + "." + key, "expected a number");
  } else if constexpr (std::is_same_v<T, int>) {
    // Only a TOML integer: value<int64_t>() would also convert a float such as 5e82, which
    // no int64 holds (undefined behaviour, found by fuzz_config).
    if (const toml::value<int64_t>* v = node->as_integer();
        v != nullptr && v->get() >= INT32_MIN && v->get() <= INT32_MAX) {
      out = static_cast<int>(v->get());
      return Ok{};
    }
    return toml_error(where + "." + key, "expected a whole number");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (std::optional<bool> v = node->value<bool>()) {
      out = *v;
      return Ok{};
    }
    return toml_error(where + "." + key, "expected true or false");
  } else {
    if (std::optional<std::string> v = node->value<std::string>()) {
      out = *v;
      return Ok{};
    }
    return toml_error(where + "." + key, "expected a string");
  }
}

const toml::table* subtable(const toml::table& root, const char* key) {
  const toml::node* node = root.get(key);
  return node != nullptr ? node->as_table() : nullptr;
}

Status read_endpoints(const toml::table& runpod, Settings& s) {
  const toml::node* node = runpod.get("endpoints");
  if (node == nullptr) return Ok{};
  const toml::array* list = node->as_array();
  if (list == nullptr) {
    return toml_error("runpod.endpoints", "expected [[runpod.endpoints]] tables");
  }
  s.endpoints.clear();
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::table* t = (*list)[i].as_table();
    const std::string where = "runpod.endpoints[" + std::to_string(i) + "]";
    if (t == nullptr) return toml_error(where, "expected a table");
    Status keys = check_keys(
        *t, where,
        {"name", "id", "gpu", "price_per_second", "seconds_per_step", "overhead_seconds", "role"});
    if (!keys) return keys;
    EndpointProfile e;
    e.name.clear();
    std::string role = "training";
    for (Status st : {read(*t, where, "role", role), read(*t, where, "name", e.name),
                      read(*t, where, "id", e.endpoint_id), read(*t, where, "gpu", e.gpu),
                      read(*t, where, "price_per_second", e.price_per_second),
                      read(*t, where, "seconds_per_step", e.seconds_per_step),
                      read(*t, where, "overhead_seconds", e.overhead_seconds)}) {
      if (!st) return st;
    }
    if (e.name.empty()) return toml_error(where + ".name", "is required");
    // Bounds far beyond any GPU's figures, so a typo cannot turn estimates into infinities.
    if (!(e.price_per_second >= 0.0 && e.price_per_second <= 1.0) ||
        !(e.seconds_per_step >= 0.001 && e.seconds_per_step <= 3600.0) ||
        !(e.overhead_seconds >= 0.0 && e.overhead_seconds <= 86400.0)) {
      return toml_error(where,
                        "price_per_second must be between 0 and 1 (dollars a second), "
                        "seconds_per_step between 0.001 and 3600, overhead_seconds between 0 "
                        "and 86400");
    }
    if (role == "preview") {
      // The endpoint that renders preview images; [runpod.preview] may add to it.
      s.preview.endpoint.name = e.name;
      s.preview.endpoint.endpoint_id = e.endpoint_id;
      s.preview.endpoint.gpu = e.gpu;
      s.preview.endpoint.price_per_second = e.price_per_second;
    } else if (role == "training") {
      s.endpoints.push_back(std::move(e));
    } else {
      return toml_error(where + ".role",
                        "is \"training\" (the default) or \"preview\", not \"" + role + "\"");
    }
  }
  if (s.endpoints.empty()) {
    return toml_error("runpod.endpoints", "lists no training endpoint (role = \"training\")");
  }
  return Ok{};
}

// [runpod.preview]: the endpoint that renders preview images, the prompt set and the seeds.
Status read_preview(const toml::table& runpod, PreviewSettings& p) {
  const toml::node* node = runpod.get("preview");
  if (node == nullptr) return Ok{};
  const std::string where = "runpod.preview";
  const toml::table* t = node->as_table();
  if (t == nullptr) return toml_error(where, "expected a [runpod.preview] table");
  Status keys = check_keys(*t, where,
                           {"endpoint_id", "gpu", "price_per_second", "prompts", "seeds", "width",
                            "height", "lora_strength", "automatic", "workflow", "s3_key_layout"});
  if (!keys) return keys;
  for (Status st :
       {read(*t, where, "endpoint_id", p.endpoint.endpoint_id),
        read(*t, where, "gpu", p.endpoint.gpu),
        read(*t, where, "price_per_second", p.endpoint.price_per_second),
        read(*t, where, "width", p.width), read(*t, where, "height", p.height),
        read(*t, where, "lora_strength", p.lora_strength),
        read(*t, where, "automatic", p.automatic), read(*t, where, "workflow", p.workflow),
        read(*t, where, "s3_key_layout", p.s3_key_layout)}) {
    if (!st) return st;
  }
  if (!(p.endpoint.price_per_second >= 0.0 && p.endpoint.price_per_second <= 1.0) || p.width < 64 ||
      p.width > 4096 || p.height < 64 || p.height > 4096 ||
      !(p.lora_strength >= -4.0 && p.lora_strength <= 4.0)) {
    return toml_error(where,
                      "price_per_second must be between 0 and 1, width and height between 64 "
                      "and 4096, lora_strength between -4 and 4");
  }
  if (!p.s3_key_layout.empty() && p.s3_key_layout.find("{file}") == std::string::npos) {
    return toml_error(where + ".s3_key_layout",
                      "must contain {file} (e.g. \"previews/{actor}/{version}/{file}\")");
  }
  if (const toml::node* seeds = t->get("seeds")) {
    const toml::array* list = seeds->as_array();
    if (list == nullptr || list->empty() || list->size() > 16) {
      return toml_error(where + ".seeds", "expected a list of 1 to 16 whole numbers");
    }
    p.seeds.clear();
    for (const toml::node& seed : *list) {
      const toml::value<int64_t>* v = seed.as_integer();
      if (v == nullptr || v->get() < 0) {
        return toml_error(where + ".seeds", "each seed must be a whole number ≥ 0");
      }
      if (std::find(p.seeds.begin(), p.seeds.end(), v->get()) == p.seeds.end()) {
        p.seeds.push_back(v->get());
      }
    }
  }
  if (const toml::node* prompts = t->get("prompts")) {
    const toml::array* list = prompts->as_array();
    if (list == nullptr || list->empty() || list->size() > 16) {
      return toml_error(where + ".prompts",
                        "expected 1 to 16 [[runpod.preview.prompts]] tables with label and text");
    }
    p.prompts.clear();
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string pw = where + ".prompts[" + std::to_string(i) + "]";
      const toml::table* pt = (*list)[i].as_table();
      if (pt == nullptr) return toml_error(pw, "expected a table with label and text");
      Status k = check_keys(*pt, pw, {"label", "text"});
      if (!k) return k;
      PreviewPrompt prompt;
      for (Status st : {read(*pt, pw, "label", prompt.label), read(*pt, pw, "text", prompt.text)}) {
        if (!st) return st;
      }
      if (prompt.label.empty() || prompt.text.empty()) {
        return toml_error(pw, "label and text are required");
      }
      p.prompts.push_back(std::move(prompt));
    }
  }
  return Ok{};
}

// A check's level: "error", "warning" or "off".
Status read_level(const toml::table& t, const char* key, CheckLevel& out) {
  std::string text(to_string(out));
  Status st = read(t, "checks", key, text);
  if (!st) return st;
  std::optional<CheckLevel> level = parse_check_level(text);
  if (!level) {
    return toml_error(std::string("checks.") + key,
                      "is \"error\", \"warning\" or \"off\", not \"" + text + "\"");
  }
  out = *level;
  return Ok{};
}

// One set of caps (`day`, `month`, `total`, dollars) at `where`.
Status read_caps(const toml::table& t, const std::string& where, BudgetCaps& caps,
                 const std::set<std::string>& also_known) {
  std::set<std::string> known = also_known;
  known.insert({"day", "month", "total"});
  if (Status k = check_keys(t, where, known); !k) return k;
  for (const char* key : {"day", "month", "total"}) {
    if (t.get(key) == nullptr) continue;
    double cap = 0;
    if (Status st = read(t, where, key, cap); !st) return st;
    if (!(cap >= 0.0 && cap <= 1e9)) {
      return toml_error(where + "." + key,
                        "is a cap in dollars from 0 to 1000000000, not " + format_decimal(cap, 4));
    }
    (std::string_view(key) == "day"     ? caps.day
     : std::string_view(key) == "month" ? caps.month
                                        : caps.total) = cap;
  }
  return Ok{};
}

Status read_budget(const toml::table& t, Settings& s) {
  if (Status st = read_caps(t, "budget", s.budget.all, {"endpoints"}); !st) return st;
  const toml::node* node = t.get("endpoints");
  if (node == nullptr) return Ok{};
  const toml::table* endpoints = node->as_table();
  if (endpoints == nullptr) {
    return toml_error("budget.endpoints", "expected [budget.endpoints.<name>] tables");
  }
  for (const auto& [key, value] : *endpoints) {
    const std::string name(key.str());
    const std::string where = "budget.endpoints." + name;
    const toml::table* caps = value.as_table();
    if (caps == nullptr) return toml_error(where, "expected a table of day, month, total");
    // Without [[runpod.endpoints]] the one profile is "default" (added after reading).
    const bool known = name == s.preview.endpoint.name ||
                       (s.endpoints.empty() && name == "default") ||
                       std::any_of(s.endpoints.begin(), s.endpoints.end(),
                                   [&](const EndpointProfile& e) { return e.name == name; });
    if (!known) return toml_error(where, "no endpoint profile is named '" + name + "'");
    if (Status st = read_caps(*caps, where, s.budget.per_endpoint[name], {}); !st) return st;
  }
  return Ok{};
}

Status read_checks(const toml::table& t, DataCheckLimits& limits) {
  Status k =
      check_keys(t, "checks",
                 {"min_short_side", "min_images", "max_images", "image_quality", "face_confidence",
                  "min_face_share", "min_sharpness", "min_brightness", "max_brightness",
                  "max_clipped_share", "near_duplicate_bits", "no_face", "several_faces",
                  "small_face", "face_at_border", "blurry", "exposure", "near_duplicate"});
  if (!k) return k;
  QualityLimits& q = limits.quality;
  for (Status st :
       {read(t, "checks", "min_short_side", limits.min_short_side),
        read(t, "checks", "min_images", limits.min_images),
        read(t, "checks", "max_images", limits.max_images),
        read(t, "checks", "image_quality", q.enabled),
        read(t, "checks", "face_confidence", q.face_confidence),
        read(t, "checks", "min_face_share", q.min_face_share),
        read(t, "checks", "min_sharpness", q.min_sharpness),
        read(t, "checks", "min_brightness", q.min_brightness),
        read(t, "checks", "max_brightness", q.max_brightness),
        read(t, "checks", "max_clipped_share", q.max_clipped_share),
        read(t, "checks", "near_duplicate_bits", q.near_duplicate_bits),
        read_level(t, "no_face", q.no_face), read_level(t, "several_faces", q.several_faces),
        read_level(t, "small_face", q.small_face),
        read_level(t, "face_at_border", q.face_at_border), read_level(t, "blurry", q.blurry),
        read_level(t, "exposure", q.exposure), read_level(t, "near_duplicate", q.near_duplicate)}) {
    if (!st) return st;
  }
  if (limits.min_short_side < 1 || limits.min_images < 1 || limits.max_images < limits.min_images) {
    return toml_error("checks",
                      "min_short_side and min_images must be at least 1, and "
                      "max_images at least min_images (read " +
                          std::to_string(limits.min_short_side) + ", " +
                          std::to_string(limits.min_images) + ", " +
                          std::to_string(limits.max_images) + ")");
  }
  auto share = [](double v) { return std::isfinite(v) && v >= 0 && v <= 1; };
  auto level = [](double v) { return std::isfinite(v) && v >= 0 && v <= 255; };
  if (!share(q.min_face_share) || !share(q.max_clipped_share)) {
    return toml_error("checks", "min_face_share and max_clipped_share are shares from 0 to 1");
  }
  if (!level(q.min_brightness) || !level(q.max_brightness) ||
      q.min_brightness >= q.max_brightness) {
    return toml_error("checks",
                      "min_brightness and max_brightness are grey levels from 0 to 255, the "
                      "first below the second");
  }
  if (!std::isfinite(q.face_confidence) || !std::isfinite(q.min_sharpness) || q.min_sharpness < 0) {
    return toml_error("checks",
                      "face_confidence and min_sharpness must be finite numbers, "
                      "min_sharpness at least 0");
  }
  if (q.near_duplicate_bits < 0 || q.near_duplicate_bits > 64) {
    return toml_error("checks.near_duplicate_bits", "is a number of bits from 0 to 64, not " +
                                                        std::to_string(q.near_duplicate_bits));
  }
  return Ok{};
}

Status read_policy(const toml::table& t, AutoAdjustPolicy& policy) {
  const std::string where = "auto_adjust";
  Status keys = check_keys(
      t, where, {"steps_per_image", "min_steps", "max_steps", "warmup_fraction", "tiers"});
  if (!keys) return keys;
  for (Status st : {read(t, where, "steps_per_image", policy.steps_per_image),
                    read(t, where, "min_steps", policy.min_steps),
                    read(t, where, "max_steps", policy.max_steps),
                    read(t, where, "warmup_fraction", policy.warmup_fraction)}) {
    if (!st) return st;
  }
  if (const toml::node* node = t.get("tiers")) {
    const toml::array* list = node->as_array();
    if (list == nullptr) {
      return toml_error("auto_adjust.tiers", "expected [[auto_adjust.tiers]] tables");
    }
    policy.tiers.clear();
    for (size_t i = 0; i < list->size(); ++i) {
      const toml::table* tier_table = (*list)[i].as_table();
      const std::string tw = "auto_adjust.tiers[" + std::to_string(i) + "]";
      if (tier_table == nullptr) return toml_error(tw, "expected a table");
      Status tier_keys = check_keys(*tier_table, tw,
                                    {"min_images", "max_images", "repeats", "repeats_at_min",
                                     "repeats_at_max", "learning_rate"});
      if (!tier_keys) return tier_keys;
      AutoAdjustTier tier;
      int repeats = 0;
      int max_images = 0;
      for (Status st : {read(*tier_table, tw, "min_images", tier.min_images),
                        read(*tier_table, tw, "max_images", max_images),
                        read(*tier_table, tw, "repeats", repeats),
                        read(*tier_table, tw, "repeats_at_min", tier.repeats_at_min),
                        read(*tier_table, tw, "repeats_at_max", tier.repeats_at_max),
                        read(*tier_table, tw, "learning_rate", tier.learning_rate)}) {
        if (!st) return st;
      }
      if (tier_table->contains("max_images")) tier.max_images = max_images;
      if (repeats > 0) tier.repeats_at_min = tier.repeats_at_max = repeats;
      policy.tiers.push_back(tier);
    }
  }
  Status valid = check_policy(policy);
  if (!valid) {
    return Error{ErrorCode::InvalidArgument, std::string(kTomlName) + ": " + valid.error().message};
  }
  return Ok{};
}

}  // namespace

Status parse_toml_settings(std::string_view text, const std::string& source, Settings& s) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
    return Error{ErrorCode::InvalidArgument,
                 std::string(kTomlName) + ": " + where.str() + ": " + std::string(e.description())};
  }
  Status keys = check_keys(
      root, "", {"runpod", "training", "auto_adjust", "checks", "s3", "webhook", "budget"});
  if (!keys) return keys;
  if (const toml::table* t = subtable(root, "runpod")) {
    Status k = check_keys(
        *t, "runpod",
        {"base_url", "default_endpoint", "endpoints", "preview", "poll_requests_per_second",
         "poll_queued_seconds", "poll_training_seconds", "stall_seconds", "job_ttl_seconds",
         "unknown_submission_timeout_seconds", "request_timeout_seconds"});
    if (!k) return k;
    TrackingSettings& tr = s.tracking;
    for (Status st : {read(*t, "runpod", "base_url", s.runpod_base_url),
                      read(*t, "runpod", "default_endpoint", s.default_endpoint),
                      read_endpoints(*t, s), read_preview(*t, s.preview),
                      read(*t, "runpod", "poll_requests_per_second", tr.poll_requests_per_second),
                      read(*t, "runpod", "poll_queued_seconds", tr.poll_queued_seconds),
                      read(*t, "runpod", "poll_training_seconds", tr.poll_training_seconds),
                      read(*t, "runpod", "stall_seconds", tr.stall_seconds),
                      read(*t, "runpod", "job_ttl_seconds", tr.job_ttl_seconds),
                      read(*t, "runpod", "unknown_submission_timeout_seconds",
                           tr.unknown_submission_timeout_seconds),
                      read(*t, "runpod", "request_timeout_seconds", tr.request_timeout_seconds)}) {
      if (!st) return st;
    }
    if (!(tr.poll_requests_per_second > 0 && tr.poll_requests_per_second <= 1000) ||
        tr.poll_queued_seconds < 1 || tr.poll_training_seconds < 1 ||
        tr.request_timeout_seconds < 1 || tr.stall_seconds < 60) {
      return toml_error("runpod",
                        "poll and timeout settings must be positive (poll_requests_per_second "
                        "at most 1000, stall_seconds at least 60)");
    }
    if (tr.job_ttl_seconds < kRunpodMinTtlMs / 1000 ||
        tr.job_ttl_seconds > kRunpodMaxTtlMs / 1000) {
      return toml_error("runpod", "job_ttl_seconds must be within RunPod's 10 s … 7 days (10 … " +
                                      std::to_string(kRunpodMaxTtlMs / 1000) + "), not " +
                                      std::to_string(tr.job_ttl_seconds));
    }
    if (tr.unknown_submission_timeout_seconds != 0 &&
        tr.unknown_submission_timeout_seconds < tr.job_ttl_seconds) {
      return toml_error(
          "runpod",
          "unknown_submission_timeout_seconds (" +
              std::to_string(tr.unknown_submission_timeout_seconds) +
              ") must be at least job_ttl_seconds (" + std::to_string(tr.job_ttl_seconds) +
              "): until then RunPod may still run the job, and a new training of the actor could "
              "pay twice; leave it out to wait for the ttl + 10 min");
    }
  }
  if (const toml::table* t = subtable(root, "training")) {
    Status k = check_keys(*t, "training",
                          {"mode", "user_id", "tenant_id", "workflow", "lora_url_pattern"});
    if (!k) return k;
    for (Status st : {read(*t, "training", "mode", s.identity.mode),
                      read(*t, "training", "user_id", s.identity.user_id),
                      read(*t, "training", "tenant_id", s.identity.tenant_id),
                      read(*t, "training", "workflow", s.workflow),
                      read(*t, "training", "lora_url_pattern", s.lora_url_pattern)}) {
      if (!st) return st;
    }
    if (!s.lora_url_pattern.empty() && !lora_location_of(s.lora_url_pattern, "actor_1_V1")) {
      return toml_error("training.lora_url_pattern",
                        "give an S3 URL with {model} for the model name, e.g. "
                        "\"s3://models/loras/{model}.safetensors\"");
    }
  }
  if (const toml::table* t = subtable(root, "auto_adjust")) {
    Status st = read_policy(*t, s.policy);
    if (!st) return st;
  }
  if (const toml::table* t = subtable(root, "checks")) {
    Status st = read_checks(*t, s.limits);
    if (!st) return st;
  }
  if (const toml::table* t = subtable(root, "budget")) {
    Status st = read_budget(*t, s);
    if (!st) return st;
  }
  if (const toml::table* t = subtable(root, "s3")) {
    Status k = check_keys(*t, "s3",
                          {"bucket", "key_layout", "endpoint_url", "region", "presigned_urls",
                           "presigned_url_expiry_seconds"});
    if (!k) return k;
    for (Status st :
         {read(*t, "s3", "bucket", s.s3_bucket), read(*t, "s3", "key_layout", s.s3_key_layout),
          read(*t, "s3", "endpoint_url", s.s3_endpoint_url), read(*t, "s3", "region", s.s3_region),
          read(*t, "s3", "presigned_urls", s.presigned_urls),
          read(*t, "s3", "presigned_url_expiry_seconds", s.presigned_url_expiry_seconds)}) {
      if (!st) return st;
    }
    // SigV4 presigned URLs live at most seven days.
    constexpr int kMaxExpiry = 7 * 24 * 3600;
    if (s.presigned_url_expiry_seconds < 60 || s.presigned_url_expiry_seconds > kMaxExpiry) {
      return toml_error("s3.presigned_url_expiry_seconds",
                        "must be between 60 and 604800 (seven days, the SigV4 limit)");
    }
  }
  if (const toml::table* t = subtable(root, "webhook")) {
    Status k = check_keys(*t, "webhook", {"public_base_url", "ngrok_api_url"});
    if (!k) return k;
    std::string url;
    Status st = read(*t, "webhook", "public_base_url", url);
    if (!st) return st;
    if (!url.empty()) s.public_webhook_base_url = url;
    if (Status api = read(*t, "webhook", "ngrok_api_url", s.ngrok_api_url); !api) return api;
  }
  return Ok{};
}

namespace {

Status read_toml(const fs::path& file, Settings& s) {
  Result<std::string> text = read_file(file);
  if (!text) {
    if (text.error().code == ErrorCode::NotFound) return Ok{};
    return text.error();
  }
  return parse_toml_settings(*text, file.string(), s);
}

std::string strip_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_dotenv(std::string_view text) {
  std::map<std::string, std::string> values;
  const std::vector<std::string> lines = split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, 7) == "export ") line = trim(line.substr(7));
    const size_t eq = line.find('=');
    const std::string key(trim(line.substr(0, eq == std::string_view::npos ? 0 : eq)));
    if (eq == std::string_view::npos || key.empty() ||
        key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
            std::string::npos) {
      return Error{ErrorCode::InvalidArgument,
                   ".env line " + std::to_string(i + 1) + ": expected KEY=VALUE"};
    }
    std::string_view value = trim(line.substr(eq + 1));
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      // A quoted value ends at its closing quote; only a comment may follow.
      const size_t close = value.find(value.front(), 1);
      const std::string_view after =
          close == std::string_view::npos ? std::string_view{} : trim(value.substr(close + 1));
      if (close == std::string_view::npos || (!after.empty() && after.front() != '#')) {
        return Error{
            ErrorCode::InvalidArgument,
            ".env line " + std::to_string(i + 1) + ": the value of " + key +
                (close == std::string_view::npos ? " opens a quote that does not close on its line"
                                                 : " has text after its closing quote")};
      }
      value = value.substr(1, close - 1);
    } else if (size_t hash = value.find(" #"); hash != std::string_view::npos) {
      value = trim(value.substr(0, hash));  // an inline comment after an unquoted value
    }
    values[key] = std::string(value);
  }
  return values;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view item(*entry);
    const size_t eq = item.find('=');
    if (eq != std::string_view::npos) env.emplace(item.substr(0, eq), item.substr(eq + 1));
  }
  return env;
}

Result<Config> load_config(const fs::path& workspace,
                           const std::map<std::string, std::string>& environment) {
  Config config;
  Settings& s = config.settings;
  Status toml = read_toml(workspace / kTomlName, s);
  if (!toml) return toml.error();
  if (s.endpoints.empty()) {
    // The documented A100 80 GB flex price (USD/s, RunPod pricing table of 2026-06); set your
    // own in actor-trainer.toml.
    s.endpoints.push_back(EndpointProfile{.name = "default",
                                          .endpoint_id = "",
                                          .gpu = "A100 80GB",
                                          .price_per_second = 0.00076,
                                          .seconds_per_step = 1.5,
                                          .overhead_seconds = 120.0});
  }
  if (s.default_endpoint.empty()) s.default_endpoint = s.endpoints.front().name;
  Result<EndpointProfile> chosen = s.endpoint(s.default_endpoint);
  if (!chosen) {
    return Error{ErrorCode::InvalidArgument,
                 std::string(kTomlName) + ": runpod.default_endpoint: " + chosen.error().message};
  }

  std::map<std::string, std::string> dotenv;
  if (Result<std::string> text = read_file(workspace / ".env")) {
    Result<std::map<std::string, std::string>> parsed = parse_dotenv(*text);
    if (!parsed) return parsed.error();
    dotenv = std::move(parsed).value();
  }
  // The environment wins over .env, which wins over the TOML file.
  auto lookup = [&](const char* key) -> std::optional<std::string> {
    if (auto it = environment.find(key); it != environment.end() && !it->second.empty()) {
      return it->second;
    }
    if (auto it = dotenv.find(key); it != dotenv.end() && !it->second.empty()) return it->second;
    return std::nullopt;
  };
  if (auto v = lookup("RUNPOD_API_KEY")) {
    config.secrets.runpod_api_key = Secret(*v);
  } else if (auto legacy = lookup("MODEL_TRAINING_RUNPOD_API_KEY")) {
    config.secrets.runpod_api_key = Secret(*legacy);
  }
  s.has_runpod_api_key = !config.secrets.runpod_api_key.empty();
  if (auto v = lookup("MODEL_TRAINING_RUNPOD_ENDPOINT_ID")) {
    for (EndpointProfile& e : s.endpoints) {
      if (e.name == s.default_endpoint) e.endpoint_id = *v;
    }
  }
  if (auto v = lookup("PREVIEW_RUNPOD_ENDPOINT_ID")) s.preview.endpoint.endpoint_id = *v;
  if (auto v = lookup("RUNPOD_BASE_URL")) s.runpod_base_url = *v;
  s.runpod_base_url = strip_trailing_slash(s.runpod_base_url);
  if (auto v = lookup("AWS_ACCESS_KEY_ID")) config.secrets.aws_access_key_id = Secret(*v);
  if (auto v = lookup("AWS_SECRET_ACCESS_KEY")) config.secrets.aws_secret_access_key = Secret(*v);
  if (auto v = lookup("S3_BUCKET")) s.s3_bucket = *v;
  if (auto v = lookup("S3_ENDPOINT_URL")) s.s3_endpoint_url = *v;
  if (auto v = lookup("AWS_REGION")) s.s3_region = *v;
  s.has_s3_credentials =
      !config.secrets.aws_access_key_id.empty() && !config.secrets.aws_secret_access_key.empty();
  if (auto v = lookup("NGROK_AUTHTOKEN")) config.secrets.ngrok_authtoken = Secret(*v);
  if (auto v = lookup("PUBLIC_WEBHOOK_BASE_URL")) s.public_webhook_base_url = *v;
  if (auto v = lookup("NGROK_AGENT_API_URL")) s.ngrok_api_url = *v;
  if (auto v = lookup("IMAGE_QUALITY_CHECKS")) {
    if (*v != "on" && *v != "off") {
      return Error{ErrorCode::InvalidArgument,
                   "IMAGE_QUALITY_CHECKS is \"on\" or \"off\", not \"" + *v + "\""};
    }
    s.limits.quality.enabled = *v == "on";
  }
  s.ngrok_api_url = strip_trailing_slash(s.ngrok_api_url);
  s.has_ngrok_authtoken = !config.secrets.ngrok_authtoken.empty();
  if (s.public_webhook_base_url) {
    s.public_webhook_base_url = strip_trailing_slash(*s.public_webhook_base_url);
  }
  return config;
}

}  // namespace atr
