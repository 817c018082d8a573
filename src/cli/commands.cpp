#include "cli/commands.h"

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace atr::cli {
namespace {

void add_actor_argument(CLI::App& command, Options& o) {
  command.add_option("ACTOR", o.actor, "actor id in any form (6, 0006) or full name")->required();
}

// An option given once per value (--sex a --sex b). One value per occurrence, so that a
// following positional such as the actor is never taken as another value.
void add_repeatable(CLI::App& command, const std::string& name, std::vector<std::string>& values,
                    const std::string& description) {
  command.add_option(name, values, description)->expected(1)->allow_extra_args(false)->take_all();
}

void add_list_options(CLI::App& command, Options& o) {
  command.add_option("-s,--search", o.search,
                     "words that must all occur in the name, id or description (any case)");
  add_repeatable(command, "--sex", o.sex, "keep this sex; repeat for several");
  add_repeatable(command, "--ethnicity", o.ethnicity, "keep this ethnicity; repeat for several");
  command.add_flag("--has-data", o.has_data, "only actors with training data");
  command.add_flag("--without-data", o.without_data, "only actors without training data");
  command.add_flag("--has-model", o.has_model, "only actors with a validated model");
  command.add_flag("--without-model", o.without_model, "only actors without a validated model");
  command.add_option("--limit", o.limit, "show at most N actors (0: all)")->capture_default_str();
  command.add_option("--offset", o.offset, "skip the first N matches")->capture_default_str();
}

void add_plan_options(CLI::App& command, Options& o) {
  add_actor_argument(command, o);
  command.add_option("--endpoint", o.endpoint,
                     "endpoint to estimate for (default: the configured default)");
}

void add_train_options(CLI::App& command, Options& o) {
  add_plan_options(command, o);
  add_repeatable(command, "--param", o.params,
                 "override a parameter, e.g. --param learning_rate=0.0003; repeat for several");
  command
      .add_flag("--dry-run", o.dry_run,
                "print the exact /run request and send nothing (the webhook token is shown as "
                "<webhook-token>)")
      ->required();
}

// Every subcommand, on one screen.
constexpr Command kCommands[] = {
    {"actors list", "list and search actors with facet counts", &add_list_options,
     &run_actors_list},
    {"actors show", "show one actor's record", &add_actor_argument, &run_actors_show},
    {"data scan", "scan an actor's training images and run the quality checks", &add_actor_argument,
     &run_data_scan},
    {"plan", "show defaults, auto-adjusted parameters, validation and estimates", &add_plan_options,
     &run_plan},
    {"train", "build the RunPod training request for an actor (--dry-run)", &add_train_options,
     &run_train},
};

}  // namespace

std::span<const Command> commands() {
  return kCommands;
}

std::string_view group_summary(std::string_view group) {
  if (group == "actors") return "list, search and show the actors of the registry";
  if (group == "data") return "inspect actors' training images";
  return "";
}

}  // namespace atr::cli
