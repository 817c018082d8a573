// actor-trainer: the command line. Parses flags, opens the workspace, runs one command.

#include <iostream>
#include <map>

#include <CLI/CLI.hpp>

#include "app/ngrok_tunnel.h"
#include "app/serve.h"
#include "app/workspace.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "images/vips_contact_sheet.h"

namespace {

constexpr const char* kFooter = R"(Exit codes: 0 ok, 1 other failure, 2 usage, 3 not found,
4 invalid input or refused, 5 conflict (the registry changed under us).

Configuration: environment variables, then <workspace>/.env, then
<workspace>/actor-trainer.toml (see docs/configuration.md).)";

// Finds the subcommand CLI11 parsed, following nested groups ("actors" -> "list").
std::string parsed_path(const CLI::App& app) {
  std::string path;
  const CLI::App* level = &app;
  while (true) {
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : level->get_subcommands()) {
      if (sub->parsed()) next = sub;
    }
    if (next == nullptr) return path;
    path += path.empty() ? next->get_name() : " " + next->get_name();
    level = next;
  }
}

int run_main(int argc, char** argv) {
  using atr::cli::Options;
  Options options;
  CLI::App app{"actor-trainer: train identity LoRA models of a studio's actors on RunPod"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("actor-trainer ") + ATR_VERSION);
  app.require_subcommand(1);
  app.add_option("-w,--workspace", options.workspace, "workspace folder holding actors.json")
      ->capture_default_str();
  app.add_flag("--json", options.json, "print JSON documents (the HTTP API's shapes) for scripts");

  std::map<std::string, CLI::App*> groups;
  for (const atr::cli::Command& command : atr::cli::commands()) {
    CLI::App* parent = &app;
    std::vector<std::string> words = atr::split(command.path, ' ');
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      auto [it, added] = groups.emplace(words[i], nullptr);
      if (added) {
        it->second =
            parent->add_subcommand(words[i], std::string(atr::cli::group_summary(words[i])));
        it->second->require_subcommand(1);
        it->second->fallthrough();  // --workspace and --json may follow the command words
      }
      parent = it->second;
    }
    CLI::App* sub = parent->add_subcommand(words.back(), std::string(command.summary));
    sub->fallthrough();
    command.add_options(*sub, options);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : atr::cli::kExitUsage;
  }

  const std::string path = parsed_path(app);
  for (const atr::cli::Command& command : atr::cli::commands()) {
    if (command.path != path) continue;
    atr::Result<std::unique_ptr<atr::Workspace>> ws = atr::open_workspace(options.workspace);
    if (!ws) return atr::cli::report_error(ws.error(), options.json);
    atr::Workspace& w = **ws;
    atr::cli::Context context{w.root,
                              *w.registry,
                              *w.scanner,
                              *w.backend,
                              w.clock,
                              w.config.settings,
                              *w.store,
                              *w.trainings,
                              w.objects.get(),
                              [&w](const Options& o) {
                                atr::ServeOptions serve;
                                serve.host = o.host;
                                serve.port = o.port;
                                serve.webhook_host = o.webhook_host;
                                serve.webhook_port = o.webhook_port;
                                serve.auth_token = o.auth_token;
                                serve.insecure_no_auth = o.insecure_no_auth;
                                serve.allow_origins = o.allow_origins;
                                serve.ui_dir = o.ui_dir;
                                serve.heartbeat_seconds = o.heartbeat_seconds;
                                serve.start_tunnel = o.ngrok;
                                return atr::run_serve(w, serve);
                              },
                              [&w] { return atr::serve_is_running(w.root); },
                              [] { return atr::NgrokTunnel::find_binary(); },
                              w.importer.get(),
                              w.previews.get(),
                              [&w](const atr::ContactSheet& sheet, const std::string& out) {
                                return atr::VipsSheetWriter(w.root).write(sheet, out);
                              },
                              w.batches.get()};
    const int code = command.run(context, options);
    // The registry's last snapshot is left to the operating system at exit (what compilers do
    // with -disable-free): freeing 100,000 actors one by one would keep the user waiting
    // ~40 ms after the answer is printed. Everything else closes as usual.
    static const auto* const kKept =
        new std::shared_ptr<const atr::ActorCatalog>(w.registry->catalog());
    (void)kKept;
    return code;
  }
  std::cerr << "actor-trainer: unknown command '" << path << "'\n";
  return atr::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // Our code reports failures as values; an exception here comes from a library and is a bug.
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "actor-trainer: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "actor-trainer: internal error\n";
  }
  return atr::cli::kExitOther;
}
