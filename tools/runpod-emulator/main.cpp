// runpod-emulator: the RunPod serverless queue API (see README.md beside this file) over
// real HTTP for tests and the demo. Jobs move IN_QUEUE → IN_PROGRESS (with progress outputs)
// → COMPLETED or FAILED on a real-time schedule; webhooks are sent with RunPod's retry rule;
// fault switches (failures, 429s, 5xx HTML pages, dropped or duplicated webhooks, held /run
// answers, expiry) can be set at start or changed at run time through /_emulator/config.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <vips/vips.h>

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

struct Faults {
  int queue_ms = 500;            // time in IN_QUEUE
  int run_ms = 3000;             // time in IN_PROGRESS
  double fail_rate = 0;          // fraction of jobs that end FAILED
  double status_429_rate = 0;    // fraction of status/cancel calls answered 429
  double status_5xx_rate = 0;    // fraction answered 502 with an HTML page
  double webhook_drop_rate = 0;  // fraction of webhooks never sent
  double webhook_duplicate_rate = 0;
  int webhook_delay_ms = 0;  // extra delay before the first webhook attempt
  int webhook_retry_delay_ms = 10'000;
  bool webhook_strip_suffix = false;  // send the job id without its "-u1" suffix
  int run_delay_ms = 0;               // hold the /run answer this long (the job exists already)
  int retention_ms = 30 * 60'000;     // terminal jobs are forgotten (404) after this
  int preview_run_ms = 1500;          // time a preview job runs in IN_PROGRESS
  // A preview job with this seed ends COMPLETED with the worker's own error instead of images.
  long long preview_broken_seed = -1;
  // "studio", "comfyui" (the public worker's output) or "url" (the studio form with image URLs
  // served by the emulator at /_emulator/images/<job>.png)
  std::string preview_format = "studio";
  int preview_image_failures = 0;  // this many image downloads are answered 503 first
};

// to_json/from_json; keys missing from a document keep the defaults of a new Faults.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Faults, queue_ms, run_ms, fail_rate,
                                                status_429_rate, status_5xx_rate, webhook_drop_rate,
                                                webhook_duplicate_rate, webhook_delay_ms,
                                                webhook_retry_delay_ms, webhook_strip_suffix,
                                                run_delay_ms, retention_ms, preview_run_ms,
                                                preview_broken_seed, preview_format,
                                                preview_image_failures)

struct Job {
  std::string id;
  json input;
  std::string webhook;
  Clock::time_point created;  // submission: the ttl counts from here
  Clock::time_point queued;   // entered IN_QUEUE (again, after a /retry)
  Clock::time_point picked;
  Clock::time_point finished;
  std::string status = "IN_QUEUE";
  bool fails = false;
  long long total_steps = 1000;
  std::string model_name = "model";
  int queue_ms = 0;
  int run_ms = 0;
  long long ttl_ms = 24LL * 3600 * 1000;  // policy.ttl: deleted this long after submission
  bool preview = false;                   // an inference job (input.model_urls), not a training
  json preview_output;                    // rendered once, at the first look after completion
};

// What a preview job asks for, read from its ComfyUI graph the way a worker runs it.
struct PreviewAsk {
  std::string model_id;
  std::string prompt;
  long long seed = 0;
  int width = 1024;
  int height = 1024;
};

PreviewAsk preview_ask(const json& input) {
  PreviewAsk ask;
  if (input.contains("model_urls") && input["model_urls"].is_array() &&
      !input["model_urls"].empty() && input["model_urls"][0].is_object()) {
    ask.model_id = input["model_urls"][0].value("id", "");
  }
  const json workflow = input.value("workflow", json::object());
  if (!workflow.is_object()) return ask;
  for (const auto& [id, node] : workflow.items()) {
    if (!node.is_object() || !node.contains("inputs") || !node["inputs"].is_object()) continue;
    const std::string type = node.value("class_type", "");
    const json& in = node["inputs"];
    if (type == "CLIPTextEncode" && in.contains("text") && in["text"].is_string()) {
      ask.prompt = in["text"].get<std::string>();
    } else if (type == "RandomNoise" && in.contains("noise_seed") &&
               in["noise_seed"].is_number_integer()) {
      ask.seed = in["noise_seed"].get<long long>();
    } else if (type == "EmptySD3LatentImage") {
      if (in.contains("width") && in["width"].is_number_integer()) ask.width = in["width"];
      if (in.contains("height") && in["height"].is_number_integer()) ask.height = in["height"];
    }
  }
  ask.width = std::clamp(ask.width, 64, 1024);
  ask.height = std::clamp(ask.height, 64, 1024);
  return ask;
}

// A deterministic PNG for a preview: a diagonal gradient in colours drawn from the model, the
// prompt and the seed, with those printed on it (without the text when no font renders).
std::string render_preview_png(const PreviewAsk& ask) {
  const size_t h =
      std::hash<std::string>{}(ask.model_id + "|" + ask.prompt + "|" + std::to_string(ask.seed));
  auto channel = [&](int shift) { return static_cast<double>((h >> shift) & 0xff); };
  const double from[3] = {channel(0), channel(8), channel(16)};
  const double to[3] = {channel(24), channel(32), channel(40)};
  VipsImage* base = vips_image_new();
  VipsImage** t = reinterpret_cast<VipsImage**>(vips_object_local_array(VIPS_OBJECT(base), 12));
  std::string png;
  const double span = static_cast<double>(ask.width + ask.height);
  double scale[3];
  for (int i = 0; i < 3; ++i) {
    scale[i] = (to[i] - from[i]) * 2.0 / span;
  }
  if (vips_xyz(&t[0], ask.width, ask.height, nullptr) == 0 &&
      vips_bandmean(t[0], &t[1], nullptr) == 0 &&
      vips_linear(t[1], &t[2], scale, const_cast<double*>(from), 3, nullptr) == 0 &&
      vips_cast_uchar(t[2], &t[3], nullptr) == 0) {
    VipsImage* out = t[3];
    const std::string label =
        ask.model_id + "\nseed " + std::to_string(ask.seed) + "\n" + ask.prompt.substr(0, 60);
    char* escaped = g_markup_escape_text(label.c_str(), -1);
    if (vips_text(&t[4], escaped, "width", ask.width - 40, "dpi", 160, nullptr) == 0 &&
        vips_embed(t[4], &t[5], 20, 20, ask.width, ask.height, nullptr) == 0 &&
        vips_black(&t[6], ask.width, ask.height, "bands", 3, nullptr) == 0 &&
        vips_linear1(t[6], &t[7], 1.0, 255.0, nullptr) == 0 &&
        vips_ifthenelse(t[5], t[7], out, &t[8], "blend", TRUE, nullptr) == 0 &&
        vips_cast_uchar(t[8], &t[9], nullptr) == 0) {
      out = t[9];
    } else {
      vips_error_clear();
    }
    g_free(escaped);
    void* buffer = nullptr;
    size_t length = 0;
    if (vips_pngsave_buffer(out, &buffer, &length, "compression", 1, nullptr) == 0) {
      png.assign(static_cast<const char*>(buffer), length);
      g_free(buffer);
    }
  }
  g_object_unref(base);
  return png;
}

std::string base64_of(const std::string& bytes) {
  gchar* text = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  std::string out(text);
  g_free(text);
  return out;
}

struct Delivery {
  Clock::time_point due;
  std::string url;
  std::string body;
  std::string job_id;
  int attempt = 1;
};

class Emulator {
 public:
  Emulator(std::string endpoint, std::string preview_endpoint, std::string key, Faults faults,
           unsigned seed)
      : endpoint_(std::move(endpoint)),
        preview_endpoint_(std::move(preview_endpoint)),
        key_(std::move(key)),
        faults_(std::move(faults)),
        rng_(seed),
        call_rng_(seed + 1) {}

  void set_base_url(std::string url) { base_url_ = std::move(url); }

  void routes(httplib::Server& s) {
    const std::string base = "/v2/([^/]+)";
    s.Post(base + "/run", [this](const auto& req, auto& res) { run(req, res); });
    // RunPod accepts GET and POST for /status.
    s.Get(base + "/status/([^/]+)", [this](const auto& req, auto& res) { status(req, res); });
    s.Post(base + "/status/([^/]+)", [this](const auto& req, auto& res) { status(req, res); });
    s.Post(base + "/cancel/([^/]+)", [this](const auto& req, auto& res) { cancel(req, res); });
    s.Post(base + "/retry/([^/]+)", [this](const auto& req, auto& res) { retry(req, res); });
    s.Get(base + "/health", [this](const auto& req, auto& res) { health(req, res); });
    s.Get("/_emulator/stats", [this](const auto&, auto& res) { reply(res, 200, stats()); });
    s.Get(R"(/_emulator/images/([^/]+)\.png)", [this](const auto& req, auto& res) {
      std::lock_guard lock(mutex_);
      ++counts_["image_downloads"];
      if (faults_.preview_image_failures > 0) {
        --faults_.preview_image_failures;
        return reply(res, 503, {{"error", "image store unavailable"}});
      }
      auto it = images_.find(req.matches[1].str());
      if (it == images_.end()) return reply(res, 404, {{"error", "no such image"}});
      res.set_content(it->second, "image/png");
    });
    s.Get("/_emulator/config", [this](const auto&, auto& res) {
      std::lock_guard lock(mutex_);
      reply(res, 200, faults_);
    });
    s.Post("/_emulator/config", [this](const auto& req, auto& res) {
      const json patch = json::parse(req.body, nullptr, false);
      if (!patch.is_object()) return reply(res, 400, {{"error", "expected a JSON object"}});
      std::lock_guard lock(mutex_);
      // A patch: keys it leaves out keep their current values.
      json merged = faults_;
      merged.update(patch);
      faults_ = merged.get<Faults>();
      reply(res, 200, faults_);
    });
    s.Post("/_emulator/jobs/([^/]+)/expire", [this](const auto& req, auto& res) {
      std::lock_guard lock(mutex_);
      const bool erased = jobs_.erase(req.matches[1].str()) > 0;
      reply(res, erased ? 200 : 404, {{"expired", erased}});
    });
  }

  // Advances jobs, sends due webhooks, forgets expired jobs. Runs on its own thread.
  void tick_forever(const std::atomic<bool>& stop) {
    while (!stop) {
      std::vector<Delivery> due;
      {
        std::lock_guard lock(mutex_);
        advance(Clock::now());
        const auto now = Clock::now();
        for (auto it = deliveries_.begin(); it != deliveries_.end();) {
          if (it->due <= now) {
            due.push_back(*it);
            it = deliveries_.erase(it);
          } else {
            ++it;
          }
        }
      }
      for (Delivery& d : due) {
        deliver(d);
      }
      std::this_thread::sleep_for(Ms(20));
    }
  }

 private:
  static void reply(httplib::Response& res, int code, const json& body) {
    res.status = code;
    res.set_content(body.dump(), "application/json");
  }

  bool authorized(const httplib::Request& req, httplib::Response& res) {
    if (req.matches[1].str() != endpoint_ && req.matches[1].str() != preview_endpoint_) {
      reply(res, 404, {{"error", "endpoint not found"}});
      return false;
    }
    const std::string auth = req.get_header_value("Authorization");
    if (auth != "Bearer " + key_ && auth != key_) {
      reply(res, 401, {{"error", "unauthorized"}});
      return false;
    }
    return true;
  }

  double roll() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  // Status and cancel faults draw from their own generator, so with a fixed seed the n-th call
  // gets the same answer on every run, whatever the job timings.
  double roll_call() { return std::uniform_real_distribution<double>(0.0, 1.0)(call_rng_); }

  std::string new_id() {
    std::uniform_int_distribution<int> hex(0, 15);
    std::string id;
    for (int i = 0; i < 32; ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
      id += "0123456789abcdef"[i == 12 ? 4 : hex(rng_)];
    }
    return id + "-u1";
  }

  // A status/cancel call may be refused by a fault switch: 429, or a 502 HTML page.
  bool injected_fault(httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (roll_call() < faults_.status_429_rate) {
      ++counts_["injected_429"];
      reply(res, 429, {{"error", "rate limit exceeded"}});
      return true;
    }
    if (roll_call() < faults_.status_5xx_rate) {
      ++counts_["injected_5xx"];
      res.status = 502;
      res.set_content(
          "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
          "text/html");
      return true;
    }
    return false;
  }

  // A training's loss at `step`: a decaying curve with deterministic noise, as a real
  // trainer's per-step loss looks.
  static double loss_at(long long step, long long total) {
    const double x = static_cast<double>(step) / static_cast<double>(std::max(total, 1LL));
    const double noise = static_cast<double>(std::hash<long long>{}(step * 7919) % 1000) / 1000.0;
    return 0.08 + 0.3 * std::exp(-3.5 * x) + 0.03 * (noise - 0.5);
  }

  // The worker's output for a finished preview job, in the configured format.
  json preview_result(const Job& j) {
    const PreviewAsk ask = preview_ask(j.input);
    if (ask.seed == faults_.preview_broken_seed) {
      return {{"status", "error"}, {"error", "LoRA " + ask.model_id + " could not be applied"}};
    }
    const std::string png = render_preview_png(ask);
    if (faults_.preview_format == "url") {
      images_[j.id] = png;
      return {
          {"output", {{"images", json::array({base_url_ + "/_emulator/images/" + j.id + ".png"})}}},
          {"status", "success"}};
    }
    const std::string image = base64_of(png);
    if (faults_.preview_format == "comfyui") {
      return {{"images",
               json::array(
                   {{{"filename", "ComfyUI_00001_.png"}, {"type", "base64"}, {"data", image}}})}};
    }
    return {
        {"output",
         {{"images", json::array({image})},
          {"model_info",
           {{"model_ids", json::array({ask.model_id})},
            {"model_paths", {{ask.model_id, "/runpod-volume/models/loras/" + ask.model_id}}}}}}},
        {"status", "success"}};
  }

  json job_json(const Job& j, Clock::time_point now, bool for_webhook) const {
    json out{{"id", for_webhook && faults_.webhook_strip_suffix ? j.id.substr(0, 36) : j.id},
             {"status", j.status}};
    if (j.status == "IN_QUEUE") return out;
    out["delayTime"] = j.queue_ms;
    out["workerId"] = "emu-worker-1";
    const auto ran =
        std::chrono::duration_cast<Ms>((j.status == "IN_PROGRESS" ? now : j.finished) - j.picked)
            .count();
    out["executionTime"] = ran;
    const std::string& model = j.model_name;
    if (j.status == "IN_PROGRESS" && j.preview) {
      out["output"] = {{"stage", "sampling"}};
    } else if (j.status == "IN_PROGRESS") {
      const long long step =
          std::min<long long>(j.total_steps, j.run_ms > 0 ? j.total_steps * ran / j.run_ms : 0);
      out["output"] = {{"stage", "training"},
                       {"step", step},
                       {"total_steps", j.total_steps},
                       {"loss", loss_at(step, j.total_steps)}};
    } else if (j.status == "COMPLETED" && j.preview) {
      out["output"] = j.preview_output;
    } else if (j.status == "COMPLETED") {
      const std::string url = "https://models.emulator.invalid/loras/" + model + ".safetensors";
      out["output"] = {{"loraUrl", url},
                       {"model_info", {{"download_url", url}, {"size_bytes", 171966464}}},
                       {"message", "training finished"}};
    } else if (j.status == "FAILED") {
      out["error"] = json{
          {"error_type", "RuntimeError"},
          {"error_message", "CUDA out of memory while training " + model},
          {"error_traceback", "Traceback (most recent call last): ..."},
          {"hostname", "emu"},
          {"worker_id", "emu-worker-1"},
          {"runpod_version",
           "1.12.0"}}.dump();
    }
    if (for_webhook) {
      out["input"] = j.input;
      out["webhook"] = j.webhook;
    }
    return out;
  }

  void finish(Job& j, const std::string& status, Clock::time_point now) {
    j.status = status;
    j.finished = now;
    if (j.preview && status == "COMPLETED") j.preview_output = preview_result(j);
    // RunPod sends webhooks for COMPLETED and FAILED (CANCELLED is undocumented: not sent).
    if (j.webhook.empty() || status == "CANCELLED") return;
    if (roll() < faults_.webhook_drop_rate) {
      ++counts_["webhooks_dropped"];
      return;
    }
    const int copies = roll() < faults_.webhook_duplicate_rate ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      deliveries_.push_back(Delivery{now + Ms(faults_.webhook_delay_ms), j.webhook,
                                     job_json(j, now, true).dump(), j.id, 1});
    }
  }

  void advance(Clock::time_point now) {
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      Job& j = it->second;
      if (j.status == "IN_QUEUE" && now >= j.queued + Ms(j.queue_ms)) {
        j.status = "IN_PROGRESS";
        j.picked = j.queued + Ms(j.queue_ms);
      }
      if (j.status == "IN_PROGRESS" && now >= j.picked + Ms(j.run_ms)) {
        finish(j, j.fails ? "FAILED" : "COMPLETED", now);
      }
      const bool terminal = j.status != "IN_QUEUE" && j.status != "IN_PROGRESS";
      // RunPod: at its ttl a job is deleted in any state, even while it runs.
      if ((terminal && now >= j.finished + Ms(faults_.retention_ms)) ||
          now >= j.created + Ms(j.ttl_ms)) {
        it = jobs_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void deliver(Delivery d) {
    int code = 0;
    std::string failure;
    // The URL is scheme://host:port/path; the emulator serves tests on plain http.
    const size_t scheme = d.url.find("://");
    const size_t path = d.url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme == std::string::npos || path == std::string::npos) {
      failure = "bad webhook URL";
    } else {
      httplib::Client client(d.url.substr(0, path));
      client.set_connection_timeout(2, 0);
      client.set_read_timeout(10, 0);
      auto res = client.Post(d.url.substr(path).c_str(), d.body, "application/json");
      if (res) {
        code = res->status;
      } else {
        failure = httplib::to_string(res.error());
      }
    }
    std::lock_guard lock(mutex_);
    webhook_log_.push_back({{"job_id", d.job_id},
                            {"attempt", d.attempt},
                            {"status", code},
                            {"failure", failure},
                            {"path_tail", d.url.substr(d.url.rfind('/') + 1).size()}});
    ++counts_["webhook_attempts"];
    // RunPod: success is HTTP 200; otherwise up to 2 more attempts, 10 s apart.
    if (code != 200 && d.attempt < 3) {
      d.attempt += 1;
      d.due = Clock::now() + Ms(faults_.webhook_retry_delay_ms);
      deliveries_.push_back(d);
    }
  }

  void run(const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("input")) {
      return reply(res, 400, {{"error", "body must be a JSON object with \"input\""}});
    }
    Job j;
    if (body.contains("policy")) {
      const json& policy = body["policy"];
      if (!policy.is_object() || (policy.contains("ttl") && !policy["ttl"].is_number_integer())) {
        return reply(res, 400, {{"error", "policy must be an object, policy.ttl an integer"}});
      }
      j.ttl_ms = policy.value("ttl", j.ttl_ms);
      constexpr long long kMinTtl = 10'000;
      constexpr long long kMaxTtl = 7LL * 24 * 3600 * 1000;
      if (j.ttl_ms < kMinTtl || j.ttl_ms > kMaxTtl) {
        return reply(res, 400, {{"error", "policy.ttl must be 10000 … 604800000 ms"}});
      }
    }
    int hold = 0;
    {
      std::lock_guard lock(mutex_);
      ++counts_["run"];
      j.id = new_id();
      j.input = body["input"];
      j.webhook = body.value("webhook", std::string());
      if (!j.webhook.empty()) webhook_urls_.push_back(j.webhook);
      last_policy_ = body.value("policy", json());
      if (j.input.is_object()) {
        last_training_data_ = j.input.value("training_data", json());
        last_training_config_ = j.input.value("training_config", json());
      }
      j.created = Clock::now();
      j.queued = j.created;
      j.fails = roll() < faults_.fail_rate;
      j.queue_ms = faults_.queue_ms;
      j.run_ms = faults_.run_ms;
      j.preview = j.input.is_object() && j.input.contains("model_urls");
      if (j.preview) {
        j.run_ms = faults_.preview_run_ms;
        j.total_steps = 0;
        ++counts_["preview_run"];
        preview_asks_.push_back(preview_ask(j.input).seed);
      }
      if (j.input.is_object() && j.input.contains("training_config") &&
          j.input["training_config"].is_object()) {
        const json& config = j.input["training_config"];
        j.total_steps = config.value("max_train_steps", 1000LL);
        j.model_name = config.value("model_name", j.model_name);
        run_requests_.push_back(config.value("request_id", std::string()));
      }
      jobs_[j.id] = j;
      hold = faults_.run_delay_ms;
    }
    // The job exists before the answer: a client that times out now has a job it cannot name.
    if (hold > 0) std::this_thread::sleep_for(Ms(hold));
    reply(res, 200, {{"id", j.id}, {"status", "IN_QUEUE"}});
  }

  void status(const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res) || injected_fault(res)) return;
    std::lock_guard lock(mutex_);
    ++counts_["status"];
    advance(Clock::now());
    auto it = jobs_.find(req.matches[2].str());
    if (it == jobs_.end()) return reply(res, 404, {{"error", "job not found"}});
    reply(res, 200, job_json(it->second, Clock::now(), false));
  }

  void cancel(const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res) || injected_fault(res)) return;
    std::lock_guard lock(mutex_);
    ++counts_["cancel"];
    const auto now = Clock::now();
    advance(now);
    auto it = jobs_.find(req.matches[2].str());
    if (it == jobs_.end()) return reply(res, 404, {{"error", "job not found"}});
    Job& j = it->second;
    if (j.status == "IN_QUEUE" || j.status == "IN_PROGRESS") finish(j, "CANCELLED", now);
    reply(res, 200, {{"id", j.id}, {"status", j.status}});
  }

  // RunPod: only a FAILED or TIMED_OUT job it still holds goes back to IN_QUEUE, with the same
  // id and input and its output cleared; anything else is refused (400 here: RunPod's answer
  // for that case is undocumented).
  void retry(const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res) || injected_fault(res)) return;
    std::lock_guard lock(mutex_);
    ++counts_["retry"];
    const auto now = Clock::now();
    advance(now);
    auto it = jobs_.find(req.matches[2].str());
    if (it == jobs_.end()) return reply(res, 404, {{"error", "job not found"}});
    Job& j = it->second;
    if (j.status != "FAILED" && j.status != "TIMED_OUT") {
      return reply(res, 400,
                   {{"error", "job " + j.id + " is " + j.status +
                                  "; only FAILED or "
                                  "TIMED_OUT jobs can be retried"}});
    }
    ++retried_;
    j.status = "IN_QUEUE";
    j.queued = now;
    j.fails = roll() < faults_.fail_rate;
    j.queue_ms = faults_.queue_ms;
    j.run_ms = j.preview ? faults_.preview_run_ms : faults_.run_ms;
    j.preview_output = json();
    reply(res, 200, {{"id", j.id}, {"status", "IN_QUEUE"}});
  }

  void health(const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard lock(mutex_);
    int queued = 0;
    int running = 0;
    int completed = 0;
    int failed = 0;
    for (const auto& [id, j] : jobs_) {
      queued += j.status == "IN_QUEUE";
      running += j.status == "IN_PROGRESS";
      completed += j.status == "COMPLETED";
      failed += j.status == "FAILED";
    }
    reply(res, 200,
          {{"jobs",
            {{"completed", completed},
             {"failed", failed},
             {"inProgress", running},
             {"inQueue", queued},
             {"retried", retried_}}},
           {"workers",
            {{"idle", 1},
             {"initializing", 0},
             {"ready", 1},
             {"running", running},
             {"throttled", 0},
             {"unhealthy", 0}}}});
  }

  json stats() {
    std::lock_guard lock(mutex_);
    json out = counts_;
    out["jobs"] = jobs_.size();
    out["run_request_ids"] = run_requests_;
    out["webhook_urls"] = webhook_urls_;
    out["last_training_data"] = last_training_data_;
    out["last_training_config"] = last_training_config_;
    out["last_policy"] = last_policy_;
    out["webhooks"] = webhook_log_;
    out["preview_seeds"] = preview_asks_;
    return out;
  }

  std::string base_url_;                       // "http://127.0.0.1:<port>", for image URLs
  std::map<std::string, std::string> images_;  // job id → PNG, for --preview-format url
  std::string endpoint_;
  std::string preview_endpoint_;
  std::string key_;
  std::mutex mutex_;
  Faults faults_;
  std::mt19937 rng_;
  std::mt19937 call_rng_;
  std::map<std::string, Job> jobs_;
  std::deque<Delivery> deliveries_;
  std::map<std::string, long long> counts_;
  long long retried_ = 0;  // jobs /retry took back (health jobs.retried)
  std::vector<std::string> run_requests_;
  std::vector<std::string> webhook_urls_;
  json last_training_data_;    // input.training_data of the latest /run
  json last_training_config_;  // input.training_config of the latest /run
  json last_policy_;           // policy of the latest /run
  json webhook_log_ = json::array();
  std::vector<long long> preview_asks_;  // the seed of every preview /run, in order
};

}  // namespace

static int run(int argc, char** argv) {
  CLI::App app{"runpod-emulator: RunPod serverless queue API for tests and the demo"};
  // A later flag overrides an earlier one, so scripts can add to a default command line.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  std::string host = "127.0.0.1";
  int port = 0;
  std::string endpoint = "emulator-endpoint";
  std::string preview_endpoint = "emulator-preview";
  std::string key = "emulator-key";
  unsigned seed = 0;
  Faults f;
  app.add_option("--host", host, "address to listen on")->capture_default_str();
  app.add_option("--port", port, "port (0: any free port; printed on start)")
      ->capture_default_str();
  app.add_option("--endpoint", endpoint, "the endpoint id it serves")->capture_default_str();
  app.add_option("--preview-endpoint", preview_endpoint,
                 "the endpoint id of the preview (image) worker it also serves")
      ->capture_default_str();
  app.add_option("--preview-run-ms", f.preview_run_ms, "time a preview job runs")
      ->capture_default_str();
  app.add_option("--preview-broken-seed", f.preview_broken_seed,
                 "a preview job with this seed ends with the worker's error instead of images");
  app.add_option("--preview-format", f.preview_format,
                 "output of preview jobs: studio (the studio's worker), comfyui (the public "
                 "ComfyUI worker) or url (studio form, images as URLs served here)")
      ->capture_default_str();
  app.add_option("--preview-image-failures", f.preview_image_failures,
                 "answer this many image downloads (--preview-format url) with 503 first");
  app.add_option("--api-key", key, "the API key it accepts (Bearer)")->capture_default_str();
  app.add_option("--seed", seed, "random seed for job ids and fault switches (0: random)");
  app.add_option("--queue-ms", f.queue_ms, "time a job waits in IN_QUEUE")->capture_default_str();
  app.add_option("--run-ms", f.run_ms, "time a job runs in IN_PROGRESS")->capture_default_str();
  app.add_option("--fail-rate", f.fail_rate, "fraction of jobs that fail")->capture_default_str();
  app.add_option("--status-429-rate", f.status_429_rate,
                 "fraction of status/cancel calls answered 429");
  app.add_option("--status-5xx-rate", f.status_5xx_rate, "fraction answered 502 with an HTML page");
  app.add_option("--webhook-drop-rate", f.webhook_drop_rate, "fraction of webhooks never sent");
  app.add_option("--webhook-duplicate-rate", f.webhook_duplicate_rate, "fraction sent twice");
  app.add_option("--webhook-delay-ms", f.webhook_delay_ms,
                 "delay before the first webhook attempt");
  app.add_option("--webhook-retry-delay-ms", f.webhook_retry_delay_ms, "delay between attempts")
      ->capture_default_str();
  app.add_flag("--webhook-strip-suffix", f.webhook_strip_suffix,
               "webhook ids without the -u1 suffix");
  app.add_option("--run-delay-ms", f.run_delay_ms, "hold each /run answer this long");
  app.add_option("--retention-ms", f.retention_ms, "forget finished jobs after this (404)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (VIPS_INIT("runpod-emulator") != 0) {
    std::cerr << "runpod-emulator: libvips does not start\n";
    return 1;
  }
  Emulator emulator(endpoint, preview_endpoint, key, f, seed != 0 ? seed : std::random_device{}());
  httplib::Server server;
  emulator.routes(server);
  const int bound = port == 0 ? server.bind_to_any_port(host.c_str())
                              : (server.bind_to_port(host.c_str(), port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "runpod-emulator: cannot listen on " << host << ":" << port << "\n";
    return 1;
  }
  emulator.set_base_url("http://" + host + ":" + std::to_string(bound));
  std::atomic<bool> stop{false};
  std::thread ticker([&] { emulator.tick_forever(stop); });
  std::thread listener([&] { server.listen_after_bind(); });
  std::cout << "runpod-emulator listening on http://" << host << ":" << bound << "/v2 (endpoint "
            << endpoint << ")" << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  stop = true;
  server.stop();
  listener.join();
  ticker.join();
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "runpod-emulator: " << e.what() << "\n";
    return 1;
  }
}
