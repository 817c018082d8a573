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

void add_sync_options(CLI::App& command, Options& o) {
  command.add_option("ACTOR", o.actor, "actor id in any form (6, 0006) or full name");
  command.add_flag("--all", o.all, "sync every actor that has local training images");
  command.add_flag("--delete", o.delete_orphans,
                   "delete remote objects under the actor's prefix that have no local file");
  command.add_option("--concurrency", o.sync_concurrency, "uploads in parallel")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  command.add_flag("--dry-run", o.dry_run,
                   "show what would be uploaded and deleted; change nothing");
}

void add_check_options(CLI::App& command, Options& o) {
  command.add_option("ACTOR", o.actor, "actor id in any form (6, 0006) or full name");
  command.add_flag("--all", o.all,
                   "check every actor with a training folder (measures every image not "
                   "measured before: about 0.05 s each)");
}

void add_pull_options(CLI::App& command, Options& o) {
  add_actor_argument(command, o);
  command.add_flag("--dry-run", o.dry_run, "show what would be downloaded; change nothing");
}

void add_plan_options(CLI::App& command, Options& o) {
  add_actor_argument(command, o);
  command.add_option("--endpoint", o.endpoint,
                     "endpoint to estimate for (default: the configured default)");
}

void add_train_options(CLI::App& command, Options& o) {
  command.add_option("ACTOR", o.actor, "actor id in any form (6, 0006) or full name");
  command.add_option("--endpoint", o.endpoint,
                     "endpoint to train on (default: the configured default)");
  add_repeatable(command, "--param", o.params,
                 "override a parameter, e.g. --param learning_rate=0.0003; repeat for several");
  command.add_option("--description", o.description, "a note kept with the version");
  command.add_option("--idempotency-key", o.idempotency_key,
                     "a repeat with the same key returns the first version and sends nothing");
  command.add_flag("--force", o.force, "start even though the actor has an active training");
  command.add_flag("--no-deep-check", o.no_deep_check,
                   "skip checking (HEAD) that every recorded S3 object exists before sending");
  command.add_flag("--dry-run", o.dry_run,
                   "print the exact /run request and send nothing (the webhook token is shown "
                   "as <webhook-token>)");
  command.add_flag("--eligible", o.eligible,
                   "train every actor with synced data and no validated model, in a queue");
  command.add_option("--max", o.max, "with --eligible: at most N actors (0: all)");
  command
      .add_option("--concurrency", o.concurrency,
                  "with --eligible: at most N trainings active at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  add_repeatable(command, "--exclude", o.exclude,
                 "with --eligible: leave this actor out of the plan; repeat for several");
}

void add_rerun_options(CLI::App& command, Options& o) {
  command.add_option("VERSION", o.version, "version id (see `versions`) or ACTOR/Vn, e.g. 6/V3")
      ->required();
  command.add_option("--endpoint", o.endpoint, "endpoint to train on (default: the version's)");
  add_repeatable(command, "--param", o.params,
                 "change a parameter of the version's, e.g. --param learning_rate=0.0003");
  command.add_option("--description", o.description,
                     "a note kept with the new version (default: \"re-run of Vn\")");
  command.add_option("--idempotency-key", o.idempotency_key,
                     "a repeat with the same key returns the first new version");
  command.add_flag("--dry-run", o.dry_run, "show the parameters it would train with; send nothing");
}

void add_retry_options(CLI::App& command, Options& o) {
  command.add_option("VERSION", o.version, "version id (see `versions`) or ACTOR/Vn, e.g. 6/V3")
      ->required();
  command.add_option("--idempotency-key", o.idempotency_key,
                     "a repeat with the same key changes nothing");
}

void add_stats_options(CLI::App& command, Options& o) {
  command.add_option("--since", o.since,
                     "count trainings started from this date (2026-11-01) or RFC 3339 time");
}

void add_serve_options(CLI::App& command, Options& o) {
  command.add_option("--host", o.host, "address of the API and web UI (keep it on loopback)")
      ->capture_default_str();
  command.add_option("--port", o.port, "port of the API and web UI (0: any)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  command
      .add_option("--auth-token", o.auth_token,
                  "require 'Authorization: Bearer TOKEN' on the API (or set "
                  "ACTOR_TRAINER_AUTH_TOKEN, which keeps it out of the process list)")
      ->envname("ACTOR_TRAINER_AUTH_TOKEN");
  command.add_flag("--insecure-no-auth", o.insecure_no_auth,
                   "listen off loopback without --auth-token: anyone who reaches the port can "
                   "start paid trainings (refused without this flag)");
  add_repeatable(command, "--allow-origin", o.allow_origins,
                 "another origin (http://host:port) that may use the API; repeat for several");
  command.add_option("--ui-dir", o.ui_dir, "folder of the built web UI (default: web/dist)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  command.add_option("--heartbeat-seconds", o.heartbeat_seconds, "SSE heartbeat interval")
      ->capture_default_str()
      ->check(CLI::Range(1, 300));
  command.add_flag("--ngrok", o.ngrok,
                   "start the ngrok tunnel to the webhook listener at start-up");
  command.add_option("--webhook-host", o.webhook_host, "address of the webhook listener")
      ->capture_default_str();
  command.add_option("--webhook-port", o.webhook_port, "port of the webhook listener (0: any)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
}

void add_import_options(CLI::App& command, Options& o) {
  command.add_option("--manifests", o.manifests,
                     "folder of the per-actor manifests (default: data/actor_manifests)");
  command.add_flag("--dry-run", o.dry_run,
                   "show per actor what would be recorded and what is left out; change nothing");
}
void add_no_options(CLI::App& /*command*/, Options& /*o*/) {}

void add_version_argument(CLI::App& command, Options& o) {
  command.add_option("VERSION", o.version, "version id (see `versions`) or ACTOR/Vn, e.g. 6/V3")
      ->required();
}

void add_watch_options(CLI::App& command, Options& o) {
  add_version_argument(command, o);
  command.add_flag("--once", o.once, "print the current state and console once, then return");
}

void add_mark_good_options(CLI::App& command, Options& o) {
  add_actor_argument(command, o);
  command.add_option("VERSION", o.version, "the version to mark: Vn or a version id");
  command.add_flag("--clear", o.clear, "remove the actor's validated model instead");
}

void add_compare_options(CLI::App& command, Options& o) {
  command.add_option("LEFT", o.version, "version id or ACTOR/Vn")->required();
  command.add_option("RIGHT", o.other_version, "version id or ACTOR/Vn")->required();
}

void add_previews_start_options(CLI::App& command, Options& o) {
  add_version_argument(command, o);
  command.add_flag("--wait", o.wait, "wait until every preview has finished (or failed)");
  command.add_option("--wait-seconds", o.wait_seconds, "give up waiting after this long")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
}

void add_previews_sheet_options(CLI::App& command, Options& o) {
  add_version_argument(command, o);
  command.add_option("OTHER", o.other_version, "a second version, laid out beside the first");
  command.add_option("-o,--out", o.out, "the PNG to write")->default_str("contact-sheet.png");
}

void add_previews_abort_options(CLI::App& command, Options& o) {
  command.add_option("PREVIEW", o.preview_id, "preview id (the ID column of `previews list`)")
      ->required()
      ->check(CLI::PositiveNumber);
}

// Every subcommand, on one screen.
constexpr Command kCommands[] = {
    {"actors list", "list and search actors with facet counts", &add_list_options,
     &run_actors_list},
    {"actors show", "show one actor's record", &add_actor_argument, &run_actors_show},
    {"data scan", "scan an actor's training images and run the quality checks", &add_actor_argument,
     &run_data_scan},
    {"data check",
     "summarise the data checks (faces, blur, exposure, near-duplicates) of an actor or --all",
     &add_check_options, &run_data_check},
    {"data sync", "upload an actor's training images to S3 and record them (or --all)",
     &add_sync_options, &run_data_sync},
    {"data pull",
     "download an actor's S3 images into its training folder (never overwrites a local file)",
     &add_pull_options, &run_data_pull},
    {"plan", "show defaults, auto-adjusted parameters, validation and estimates", &add_plan_options,
     &run_plan},
    {"train",
     "start a training of an actor on RunPod (or --dry-run; --eligible [--dry-run]: every "
     "eligible actor, with the plan's price)",
     &add_train_options, &run_train},
    {"serve", "run the API, web UI, live events, webhook listener and poller", &add_serve_options,
     &run_serve},
    {"doctor", "check configuration, RunPod /health, S3 settings and webhook reachability",
     &add_no_options, &run_doctor},
    {"versions", "list an actor's training versions", &add_actor_argument, &run_versions},
    {"status", "show one version with its console", &add_version_argument, &run_status},
    {"watch", "follow a version live: progress bar and console", &add_watch_options, &run_watch},
    {"abort", "cancel a version's job on RunPod", &add_version_argument, &run_abort},
    {"refresh", "ask RunPod for a version's status now", &add_version_argument, &run_refresh},
    {"retry", "run a failed or timed-out version's job again on RunPod (same job, same input)",
     &add_retry_options, &run_retry},
    {"rerun", "train a version's actor again as a new version with the same parameters",
     &add_rerun_options, &run_rerun},
    {"stats", "spend, success rate, durations and speeds over the history (and the budget)",
     &add_stats_options, &run_stats},
    {"mark-good", "record a version as the actor's validated model (or --clear it)",
     &add_mark_good_options, &run_mark_good},
    {"import", "import the studio's manifests: data records, earlier LoRA versions, the good one",
     &add_import_options, &run_import},
    {"compare", "compare two versions' parameters side by side", &add_compare_options,
     &run_compare},
    {"previews start",
     "render a version's preview images (every prompt × seed) on the preview endpoint",
     &add_previews_start_options, &run_previews_start},
    {"previews list", "list a version's previews with their image files", &add_version_argument,
     &run_previews_list},
    {"previews sheet", "write a contact sheet PNG of one version, or of two side by side",
     &add_previews_sheet_options, &run_previews_sheet},
    {"previews abort", "cancel one preview's job on RunPod", &add_previews_abort_options,
     &run_previews_abort},
};

}  // namespace

std::span<const Command> commands() {
  return kCommands;
}

std::string_view group_summary(std::string_view group) {
  if (group == "actors") return "list, search and show the actors of the registry";
  if (group == "data") return "inspect actors' training images and sync them to S3";
  if (group == "previews") return "preview images of versions: same prompts, same seeds";
  return "";
}

}  // namespace atr::cli
