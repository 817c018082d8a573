// `previews start`, `previews list`, `previews sheet`: preview images of versions.
#include <chrono>
#include <iostream>
#include <thread>

#include "api/api_json.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"

namespace atr::cli {
namespace {

Status previews_here(const Context& context) {
  if (context.previews == nullptr) {
    return Error{ErrorCode::Unavailable, "previews are not available in this build"};
  }
  return Ok{};
}

// Without a running `serve`, nobody else follows the jobs: each unfinished one is checked.
std::vector<Preview> current(Context& context, std::vector<Preview> previews) {
  if (context.serve_running && context.serve_running()) return previews;
  for (Preview& p : previews) {
    if (is_final(p.status)) continue;
    Result<Preview> checked = context.previews->check(p.id, Retries::WithBackoff);
    if (checked) {
      p = std::move(checked).value();
    } else {
      std::cerr << "note: " << checked.error().message << "; showing the stored state\n";
    }
  }
  return previews;
}

void print_previews(const Version& v, const std::vector<Preview>& previews) {
  Table table({"ID", "PROMPT", "SEED", "STATUS", "COST", "IMAGES / ERROR"});
  double cost = 0;
  for (const Preview& p : previews) {
    cost += p.cost.value_or(0.0);
    std::string result;
    for (const std::string& image : p.images) {
      result += (result.empty() ? "" : " ") + image;
    }
    if (!p.error.empty()) result = p.error;
    table.add_row({std::to_string(p.id), p.prompt_label, std::to_string(p.seed),
                   std::string(to_string(p.status)), p.cost ? cost_text(*p.cost) : "-", result});
  }
  std::cout << v.actor_id << " " << v.name << ": " << previews.size() << " previews, "
            << cost_text(cost) << "\n"
            << table.render();
}

bool all_final(const std::vector<Preview>& previews) {
  for (const Preview& p : previews) {
    if (!is_final(p.status)) return false;
  }
  return true;
}

}  // namespace

int run_previews_start(Context& context, const Options& o) {
  if (Status ok = previews_here(context); !ok) return report_error(ok.error(), o.json);
  Result<Version> v = find_version(context, o.version);
  if (!v) return report_error(v.error(), o.json);
  Result<std::vector<Preview>> started = context.previews->start(v->id);
  if (!started) return report_error(started.error(), o.json);
  std::vector<Preview> previews = std::move(started).value();
  if (o.wait) {
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.wait_seconds);
    while (!all_final(previews) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(2s);
      if (context.serve_running && context.serve_running()) {
        Result<std::vector<Preview>> stored = context.previews->of_version(v->id);
        if (stored) previews = std::move(stored).value();
      } else {
        previews = current(context, std::move(previews));
      }
    }
  }
  if (o.json) {
    print_json(preview_list_to_json(previews));
  } else {
    print_previews(*v, previews);
  }
  if (o.wait && !all_final(previews)) {
    std::cerr << "previews: not all finished within " << o.wait_seconds << " s\n";
    return kExitOther;
  }
  return kExitOk;
}

int run_previews_list(Context& context, const Options& o) {
  if (Status ok = previews_here(context); !ok) return report_error(ok.error(), o.json);
  Result<Version> v = find_version(context, o.version);
  if (!v) return report_error(v.error(), o.json);
  Result<std::vector<Preview>> stored = context.previews->of_version(v->id);
  if (!stored) return report_error(stored.error(), o.json);
  const std::vector<Preview> previews = current(context, std::move(stored).value());
  if (o.json) {
    print_json(preview_list_to_json(previews));
  } else {
    print_previews(*v, previews);
  }
  return kExitOk;
}

int run_previews_sheet(Context& context, const Options& o) {
  if (Status ok = previews_here(context); !ok) return report_error(ok.error(), o.json);
  if (!context.sheets) {
    return report_error(Error{ErrorCode::Unavailable, "no contact sheet writer"}, o.json);
  }
  std::vector<std::vector<Preview>> columns;
  std::vector<std::string> titles;
  for (const std::string& ref : {o.version, o.other_version}) {
    if (ref.empty()) continue;
    Result<Version> v = find_version(context, ref);
    if (!v) return report_error(v.error(), o.json);
    Result<std::vector<Preview>> previews = context.previews->of_version(v->id);
    if (!previews) return report_error(previews.error(), o.json);
    if (previews->empty()) {
      return report_error(Error{ErrorCode::FailedPrecondition,
                                v->actor_id + " " + v->name +
                                    " has no previews yet: run `previews start " + ref + "`"},
                          o.json);
    }
    columns.push_back(std::move(previews).value());
    titles.push_back(v->actor_id + " " + v->name);
  }
  const std::string out = o.out.empty() ? "contact-sheet.png" : o.out;
  if (Status written = context.sheets(contact_sheet(columns, titles), out); !written) {
    return report_error(written.error(), o.json);
  }
  if (o.json) {
    print_json({{"written", out}, {"columns", titles}});
  } else {
    std::cout << "wrote " << out << " (" << titles.size() << " version"
              << (titles.size() == 1 ? "" : "s") << ")\n";
  }
  return kExitOk;
}

int run_previews_abort(Context& context, const Options& o) {
  if (Status ok = previews_here(context); !ok) return report_error(ok.error(), o.json);
  Result<Preview> aborted = context.previews->abort(o.preview_id);
  if (!aborted) return report_error(aborted.error(), o.json);
  if (o.json) {
    print_json(preview_to_json(*aborted));
  } else {
    std::cout << aborted->actor_id << " " << aborted->version_name << " preview " << aborted->id
              << " (" << aborted->prompt_label << ", seed " << aborted->seed
              << "): " << to_string(aborted->status) << "\n";
  }
  return kExitOk;
}

}  // namespace atr::cli
