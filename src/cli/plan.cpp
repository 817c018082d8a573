#include <iostream>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"

namespace atr::cli {
namespace {

std::string cell(const nlohmann::ordered_json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

int run_plan(Context& context, const Options& o) {
  Result<FoundActor> found = find_actor(context, o.actor);
  if (!found) return report_error(found.error(), o.json);
  const Actor& actor = *found->actor;
  Result<EndpointProfile> endpoint = context.settings.endpoint(o.endpoint);
  if (!endpoint) return report_error(endpoint.error(), o.json);
  Result<TrainingDataReport> report = scan_with_progress(context, actor, o.json);
  if (!report) return report_error(report.error(), o.json);
  Result<std::optional<double>> speed = context.trainings.learned_speed(endpoint->name);
  if (!speed) return report_error(speed.error(), o.json);
  Result<TrainingPlan> plan =
      plan_training(actor, report->training_images(), context.settings.policy, *endpoint, *speed);
  if (!plan) return report_error(plan.error(), o.json);
  if (o.json) {
    print_json(plan_to_json(*plan));
    return kExitOk;
  }
  const nlohmann::ordered_json defaults = parameters_to_json(plan->defaults);
  const nlohmann::ordered_json planned = parameters_to_json(plan->parameters);
  Table table({"PARAMETER", "DEFAULT", "PLANNED", ""});
  for (const auto& [name, value] : planned.items()) {
    const bool changed = defaults[name] != value;
    table.add_row({name, cell(defaults[name]), cell(value), changed ? "auto-adjusted" : ""});
  }
  std::cout << "plan for " << actor.label() << " (" << actor.name << "): " << plan->image_count
            << " usable images, sync state " << to_string(report->sync) << "\n\n"
            << table.render() << "\n";
  if (plan->validation.empty()) {
    std::cout << "validation: ok\n";
  } else {
    for (const FieldError& e : plan->validation) {
      std::cout << "invalid: " << e.field << " " << e.message << "\n";
    }
  }
  const Estimate& est = plan->estimate;
  std::cout << "estimate on endpoint '" << est.endpoint
            << "': " << format_duration_seconds(static_cast<long long>(est.duration_seconds))
            << " (" << format_decimal(est.seconds_per_step, 3) << " s/step, "
            << est.seconds_per_step_source << "), cost $" << format_decimal(est.cost, 2) << "\n";
  return kExitOk;
}

}  // namespace atr::cli
