#include <chrono>
#include <iostream>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"
#include "core/training_request.h"

namespace atr::cli {
namespace {

// The token is a secret that lives in the state store; a dry run shows where it goes only.
constexpr std::string_view kWebhookTokenPlaceholder = "<webhook-token>";

Result<TrainingParameters> parameters_for(const Actor& actor, const Settings& settings,
                                          const std::vector<std::string>& overrides) {
  TrainingParameters params = default_parameters(actor);
  // The images that will be trained on are the synced ones, so their count drives auto-adjust.
  if (actor.has_training_data()) {
    Result<TrainingParameters> adjusted =
        auto_adjust(params, actor.training_data->count, settings.policy);
    if (!adjusted) return adjusted.error();
    params = std::move(adjusted).value();
  }
  for (const std::string& item : overrides) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return Error{ErrorCode::InvalidArgument, "--param " + item + ": expected name=value"};
    }
    Status set = set_parameter(params, std::string(trim(item.substr(0, eq))), item.substr(eq + 1));
    if (!set) return set.error().with_context("--param");
  }
  return params;
}

}  // namespace

int run_train(Context& context, const Options& o) {
  Result<FoundActor> found = find_actor(context, o.actor);
  if (!found) return report_error(found.error(), o.json);
  const Actor& actor = *found->actor;
  Result<EndpointProfile> endpoint = context.settings.endpoint(o.endpoint);
  if (!endpoint) return report_error(endpoint.error(), o.json);
  Result<TrainingParameters> params = parameters_for(actor, context.settings, o.params);
  if (!params) return report_error(params.error(), o.json);

  std::optional<std::string> webhook;
  if (context.settings.public_webhook_base_url) {
    webhook = *context.settings.public_webhook_base_url + "/api/training-webhook/" +
              std::string(kWebhookTokenPlaceholder);
  }
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(context.clock.now().time_since_epoch())
          .count();
  // Versions are numbered from the state store, which the training lifecycle adds; until then
  // a dry run always shows the first version.
  Result<TrainingRequest> request = prepare_training_request(
      actor, *params, context.settings.identity, next_version_number({}), now_ms, webhook);
  if (!request) return report_error(request.error(), o.json);

  // The recorded block can be stale: refuse when the local images no longer match it.
  Result<TrainingDataReport> report = scan_with_progress(context, actor, o.json);
  if (!report) return report_error(report.error(), o.json);
  if (report->sync != SyncState::Synced) {
    return report_error(Error{ErrorCode::FailedPrecondition,
                              "train " + actor.label() + ": local training data is " +
                                  std::string(to_string(report->sync)) +
                                  " with the recorded S3 copy; sync the actor's images first"},
                        o.json);
  }
  Result<std::string> body = context.backend.render_request(*request);
  if (!body) return report_error(body.error(), o.json);

  const Estimate est = estimate(request->parameters, *endpoint, std::nullopt);
  if (o.json) {
    nlohmann::ordered_json out;
    out["dry_run"] = true;
    out["version_name"] = request->version_name;
    out["model_name"] = request->model_name;
    out["request_id"] = request->request_id;
    out["estimate"] = estimate_to_json(est);
    out["request"] = nlohmann::ordered_json::parse(*body);
    print_json(out);
    return kExitOk;
  }
  std::cout << *body << "\n";
  std::cerr << "dry run: nothing was sent. " << request->model_name << " on endpoint '"
            << est.endpoint << "', about "
            << format_duration_seconds(static_cast<long long>(est.duration_seconds)) << ", $"
            << format_decimal(est.cost, 2)
            << (webhook ? ""
                        : "; no public webhook URL configured, the job would be tracked by polling")
            << "\n";
  return kExitOk;
}

}  // namespace atr::cli
