#include <chrono>
#include <iostream>
#include <thread>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"
#include "core/data_sync.h"
#include "core/s3_data.h"
#include "core/training_request.h"

namespace atr::cli {
namespace {

// The token is a secret that lives in the state store; a dry run shows where it goes only.
constexpr std::string_view kWebhookTokenPlaceholder = "<webhook-token>";

Result<TrainingParameters> parameters_for(const Actor& actor, const Settings& settings,
                                          const std::vector<std::string>& overrides) {
  std::vector<ParameterOverride> pairs;
  pairs.reserve(overrides.size());
  for (const std::string& item : overrides) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return Error{ErrorCode::InvalidArgument, "--param " + item + ": expected name=value"};
    }
    pairs.emplace_back(std::string(trim(item.substr(0, eq))), item.substr(eq + 1));
  }
  Result<TrainingParameters> params = planned_parameters(actor, settings.policy, pairs);
  if (!params) return params.error().with_context("--param");
  return params;
}

// The recorded block can be stale: refuse when the local images no longer match it.
Status check_local_data(Context& context, const Actor& actor, bool json) {
  ProgressBar bar("scanning " + actor.label(), !json);
  return require_synced_data(
      actor, context.scanner, context.objects, context.settings.s3_key_layout,
      context.settings.limits,
      [&bar](std::size_t done, std::size_t total) { bar.update(done, total); });
}

int dry_run(Context& context, const Options& o, const Actor& actor, const EndpointProfile& endpoint,
            const TrainingParameters& params) {
  std::optional<std::string> webhook;
  if (context.settings.public_webhook_base_url) {
    webhook = *context.settings.public_webhook_base_url + "/api/training-webhook/" +
              std::string(kWebhookTokenPlaceholder);
  }
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(context.clock.now().time_since_epoch())
          .count();
  Result<std::vector<Version>> existing = context.store.list_for_actor(actor.key());
  if (!existing) return report_error(existing.error(), o.json);
  std::vector<std::string> names;
  for (const Version& v : *existing) {
    names.push_back(v.name);
  }
  Result<TrainingRequest> request = prepare_training_request(
      actor, params, context.settings.identity, next_version_number(names), now_ms, webhook);
  if (!request) return report_error(request.error(), o.json);
  if (Status data = check_local_data(context, actor, o.json); !data) {
    return report_error(data.error(), o.json);
  }
  Result<std::string> body = context.backend.render_request(*request);
  if (!body) return report_error(body.error(), o.json);

  Result<Estimate> est = context.trainings.estimate_for(request->parameters, endpoint.name);
  if (!est) return report_error(est.error(), o.json);
  if (o.json) {
    nlohmann::ordered_json out;
    out["dry_run"] = true;
    out["version_name"] = request->version_name;
    out["model_name"] = request->model_name;
    out["request_id"] = request->request_id;
    out["estimate"] = estimate_to_json(*est);
    out["request"] = nlohmann::ordered_json::parse(*body);
    print_json(out);
    return kExitOk;
  }
  std::cout << *body << "\n";
  std::cerr << "dry run: nothing was sent. " << request->model_name << " on endpoint '"
            << est->endpoint << "', about "
            << format_duration_seconds(static_cast<long long>(est->duration_seconds)) << ", $"
            << format_decimal(est->cost, 2)
            << (webhook ? ""
                        : "; no public webhook URL configured, the job would be tracked by polling")
            << "\n";
  return kExitOk;
}

Result<CreatedVersion> start_one(Context& context, const Options& o, const Actor& actor) {
  Result<TrainingParameters> params = parameters_for(actor, context.settings, o.params);
  if (!params) return params.error();
  if (Status data = check_local_data(context, actor, true); !data) return data.error();
  // The deep check: the recorded objects must really be in S3 (when we can look).
  if (context.objects != nullptr && !o.no_deep_check) {
    if (Status there = check_remote_objects(actor, *context.objects); !there) {
      return there.error();
    }
  }
  TrainingOrder order;
  order.endpoint = o.endpoint;
  order.parameters = *params;
  order.description = o.description;
  order.idempotency_key = o.idempotency_key;
  order.force = o.force;
  return context.trainings.start(actor, order);
}

void print_started(const CreatedVersion& created) {
  const Version& v = created.version;
  std::cout << (created.created ? "started " : "already started (same idempotency key): ")
            << v.actor_id << " " << v.name << " (version id " << v.id
            << "): " << to_string(v.status);
  if (!v.job_id.empty()) std::cout << ", RunPod job " << v.job_id;
  std::cout << "\n";
  if (v.submit_state == SubmitState::Unknown) {
    std::cout << "RunPod did not answer /run; the version is kept and resolved by the webhook "
                 "(it is never sent twice)\n";
  }
  if (v.status == VersionStatus::Failed) std::cout << "error: " << v.error << "\n";
  std::cout << "follow it with: actor-trainer watch " << v.id << "\n";
}

// Trains every eligible actor, keeping at most `concurrency` trainings active at once.
int run_eligible(Context& context, const Options& o) {
  std::shared_ptr<const ActorCatalog> catalog = context.registry.catalog();
  std::vector<const Actor*> queue;
  for (const Actor& actor : catalog->actors()) {
    if (actor.training_data && actor.training_data->synced && actor.training_data->count > 0 &&
        !actor.has_validated_model()) {
      queue.push_back(&actor);
    }
  }
  if (o.max > 0 && queue.size() > static_cast<size_t>(o.max)) {
    queue.resize(static_cast<size_t>(o.max));
  }
  std::cerr << "train --eligible: " << queue.size() << " actors, at most " << o.concurrency
            << " at once\n";
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::vector<std::int64_t> active;
  int failures = 0;
  size_t next = 0;
  while (next < queue.size() || !active.empty()) {
    // Drop finished trainings, checking RunPod ourselves when no server tracks them.
    const bool tracked = context.serve_running && context.serve_running();
    std::erase_if(active, [&](std::int64_t id) {
      Result<Version> v =
          tracked ? context.store.get(id) : context.trainings.check(id, Retries::WithBackoff);
      return !v || is_final(v->status);
    });
    while (next < queue.size() && active.size() < static_cast<size_t>(o.concurrency)) {
      const Actor& actor = *queue[next++];
      Result<CreatedVersion> started = start_one(context, o, actor);
      if (!started) {
        ++failures;
        std::cerr << "skipped " << actor.label() << ": " << started.error().message << "\n";
        results.push_back(
            {{"actor_id", actor.key()}, {"error", error_to_json(started.error())["error"]}});
        continue;
      }
      if (!o.json) print_started(*started);
      results.push_back(version_to_json(started->version));
      if (!is_final(started->version.status)) active.push_back(started->version.id);
    }
    if (next >= queue.size()) break;  // all submitted; serve or `watch` follows them
    if (!active.empty()) std::this_thread::sleep_for(std::chrono::seconds(5));
  }
  if (o.json) print_json(results);
  return failures == 0 ? kExitOk : kExitOther;
}

}  // namespace

int run_train(Context& context, const Options& o) {
  if (o.eligible) {
    if (!o.actor.empty() || o.dry_run) {
      return report_error(
          Error{ErrorCode::InvalidArgument, "train --eligible takes no ACTOR and no --dry-run"},
          o.json);
    }
    return run_eligible(context, o);
  }
  if (o.actor.empty()) {
    return report_error(Error{ErrorCode::InvalidArgument, "train: give an ACTOR or --eligible"},
                        o.json);
  }
  Result<FoundActor> found = find_actor(context, o.actor);
  if (!found) return report_error(found.error(), o.json);
  const Actor& actor = *found->actor;
  Result<EndpointProfile> endpoint = context.settings.endpoint(o.endpoint);
  if (!endpoint) return report_error(endpoint.error(), o.json);
  if (o.dry_run) {
    Result<TrainingParameters> params = parameters_for(actor, context.settings, o.params);
    if (!params) return report_error(params.error(), o.json);
    return dry_run(context, o, actor, *endpoint, *params);
  }
  Result<CreatedVersion> started = start_one(context, o, actor);
  if (!started) return report_error(started.error(), o.json);
  if (o.json) {
    nlohmann::ordered_json out = version_to_json(started->version);
    out["created"] = started->created;
    print_json(out);
  } else {
    print_started(*started);
  }
  return started->version.status == VersionStatus::Failed ? kExitOther : kExitOk;
}

int run_serve(Context& context, const Options& o) {
  return context.serve(o);
}

}  // namespace atr::cli
