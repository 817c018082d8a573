#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace atr::cli {
namespace {

enum class Verdict { Ok, Warning, Failed };

struct Check {
  std::string name;
  Verdict verdict = Verdict::Ok;
  std::string detail;
};

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Ok: return "ok";
    case Verdict::Warning: return "warning";
    case Verdict::Failed: return "failed";
  }
  return "failed";
}

Check check_runpod(Context& context) {
  Check c{"runpod", Verdict::Ok, ""};
  const Settings& s = context.settings;
  Result<EndpointProfile> endpoint = s.endpoint("");
  if (!s.has_runpod_api_key) {
    return {c.name, Verdict::Failed, "RUNPOD_API_KEY is not set (environment or .env)"};
  }
  if (!endpoint || endpoint->endpoint_id.empty()) {
    return {c.name, Verdict::Failed,
            "the default endpoint has no RunPod id (MODEL_TRAINING_RUNPOD_ENDPOINT_ID)"};
  }
  Result<BackendHealth> health = context.backend.health(endpoint->endpoint_id);
  if (!health) return {c.name, Verdict::Failed, "/health: " + health.error().message};
  c.detail =
      "endpoint '" + endpoint->name + "' answers /health: " +
      std::to_string(health->workers_idle + health->workers_running + health->workers_ready) +
      " workers ready or running, " + std::to_string(health->jobs_in_queue) + " jobs queued, " +
      std::to_string(health->jobs_in_progress) + " in progress";
  if (health->workers_throttled > 0 || health->workers_unhealthy > 0) {
    c.verdict = Verdict::Warning;
    c.detail += "; throttled " + std::to_string(health->workers_throttled) + ", unhealthy " +
                std::to_string(health->workers_unhealthy);
  }
  return c;
}

Check check_s3(const Settings& s) {
  if (s.s3_bucket.empty() || !s.has_s3_credentials) {
    return {"s3", Verdict::Warning,
            "not configured (S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): training data "
            "cannot be synced from here"};
  }
  return {"s3", Verdict::Warning,
          "bucket " + s.s3_bucket +
              " configured; access not checked (this build has no S3 client yet)"};
}

Check check_webhook(Context& context) {
  const Settings& s = context.settings;
  if (s.public_webhook_base_url) {
    return {"webhook", Verdict::Ok, "public base URL " + *s.public_webhook_base_url};
  }
  const std::string ngrok = context.ngrok_binary ? context.ngrok_binary() : "";
  if (!ngrok.empty() && s.has_ngrok_authtoken) {
    return {"webhook", Verdict::Ok,
            "ngrok tunnel available (" + ngrok + "); start it from the UI or `serve --ngrok`"};
  }
  return {"webhook", Verdict::Warning,
          std::string("no PUBLIC_WEBHOOK_BASE_URL and no ngrok tunnel (") +
              (ngrok.empty() ? "ngrok not on PATH" : "NGROK_AUTHTOKEN not set") +
              "): jobs are tracked by polling only"};
}

}  // namespace

int run_doctor(Context& context, const Options& o) {
  std::vector<Check> checks;
  const Settings& s = context.settings;
  checks.push_back({"configuration", Verdict::Ok,
                    std::to_string(s.endpoints.size()) + " endpoint(s), default '" +
                        s.default_endpoint + "', workflow " + s.workflow});
  checks.push_back(
      {"registry", Verdict::Ok,
       std::to_string(context.registry.catalog()->actors().size()) + " actors in actors.json"});
  checks.push_back(check_runpod(context));
  checks.push_back(check_s3(s));
  checks.push_back(check_webhook(context));
  const bool serving = context.serve_running && context.serve_running();
  checks.push_back({"serve", serving ? Verdict::Ok : Verdict::Warning,
                    serving ? "running on this workspace"
                            : "not running: trainings are not tracked until it runs"});

  bool failed = false;
  nlohmann::ordered_json doc = nlohmann::ordered_json::array();
  Table table({"CHECK", "RESULT", "DETAIL"});
  for (const Check& c : checks) {
    failed = failed || c.verdict == Verdict::Failed;
    doc.push_back({{"check", c.name}, {"result", to_string(c.verdict)}, {"detail", c.detail}});
    table.add_row({c.name, std::string(to_string(c.verdict)), c.detail});
  }
  if (o.json) {
    print_json(doc);
  } else {
    std::cout << table.render();
  }
  return failed ? kExitOther : kExitOk;
}

}  // namespace atr::cli
