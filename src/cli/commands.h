#pragma once

#include <span>
#include <string_view>

#include "cli/context.h"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}  // namespace CLI

namespace atr::cli {

/// One subcommand: its path ("actors list"), a one-line summary for --help, the options it
/// adds, and what it runs. The table in commands.cpp lists every command on one screen.
struct Command {
  std::string_view path;
  std::string_view summary;
  void (*add_options)(CLI::App& command, Options& options);
  int (*run)(Context& context, const Options& options);
};

/// Every subcommand of `actor-trainer` except `help`.
std::span<const Command> commands();
/// One line for --help about a group of commands ("actors", "data").
std::string_view group_summary(std::string_view group);

// The commands, one file per area (actors.cpp, data.cpp, plan.cpp, train.cpp).
int run_actors_list(Context& context, const Options& options);
int run_actors_show(Context& context, const Options& options);
int run_data_scan(Context& context, const Options& options);
int run_plan(Context& context, const Options& options);
int run_train(Context& context, const Options& options);
int run_serve(Context& context, const Options& options);
int run_versions(Context& context, const Options& options);
int run_status(Context& context, const Options& options);
int run_watch(Context& context, const Options& options);
int run_abort(Context& context, const Options& options);
int run_refresh(Context& context, const Options& options);
int run_mark_good(Context& context, const Options& options);
int run_compare(Context& context, const Options& options);
int run_doctor(Context& context, const Options& options);
int run_data_check(Context& context, const Options& options);
int run_data_sync(Context& context, const Options& options);
int run_data_pull(Context& context, const Options& options);
int run_import(Context& context, const Options& options);
int run_previews_start(Context& context, const Options& options);
int run_previews_list(Context& context, const Options& options);
int run_previews_sheet(Context& context, const Options& options);
int run_previews_abort(Context& context, const Options& options);
int run_retry(Context& context, const Options& options);
int run_rerun(Context& context, const Options& options);
int run_stats(Context& context, const Options& options);

}  // namespace atr::cli
