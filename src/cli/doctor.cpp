#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/data_sync.h"

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

Check check_s3(Context& context) {
  const Settings& s = context.settings;
  if (context.objects == nullptr) {
    return {"s3", Verdict::Warning,
            "not configured (S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): training data "
            "cannot be synced from here"};
  }
  // A HEAD of a key that does not exist: 404 proves the bucket and the credentials work.
  Result<StoredObject> probe = context.objects->head(".actor-trainer-doctor-probe");
  if (!probe && probe.error().code != ErrorCode::NotFound) {
    return {"s3", Verdict::Failed, "bucket " + s.s3_bucket + ": " + probe.error().message};
  }
  // The deep check: the objects behind every recorded s3_url (bounded).
  constexpr std::size_t kMaxHeads = 500;
  std::size_t heads = 0;
  int actors = 0;
  for (const Actor& actor : context.registry.catalog()->actors()) {
    if (!actor.training_data || !actor.training_data->synced || heads >= kMaxHeads) continue;
    std::size_t checked = 0;
    Status there = check_remote_objects(actor, *context.objects, kMaxHeads - heads, &checked);
    heads += checked;
    ++actors;
    if (!there) return {"s3", Verdict::Failed, there.error().message};
  }
  return {"s3", Verdict::Ok,
          "bucket " + s.s3_bucket + " reachable; " + std::to_string(heads) +
              " recorded objects of " + std::to_string(actors) + " synced actors present" +
              (heads >= kMaxHeads ? " (checked the first " + std::to_string(kMaxHeads) + ")" : "")};
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
  checks.push_back(check_s3(context));
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
