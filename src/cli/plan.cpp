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
  Result<PlanAnswer> answer = Error{ErrorCode::Internal, "not run"};
  {
    ProgressBar bar("scanning " + actor.label(), !o.json);
    answer = context.trainings.plan(
        actor, o.endpoint, {},
        [&bar](std::size_t done, std::size_t total) { bar.update(done, total); });
  }
  if (!answer) return report_error(answer.error(), o.json);
  if (answer->plan.image_count == 0) {
    // Nothing to adjust to: say why, as before a plan existed for an empty folder.
    return report_error(
        Error{ErrorCode::InvalidArgument,
              "plan " + actor.label() + ": " + explain_sync_state(actor, answer->data)},
        o.json);
  }
  const TrainingPlan* plan = &answer->plan;
  const TrainingDataReport* report = &answer->data;
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
