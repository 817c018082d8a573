#include <chrono>
#include <cmath>
#include <iostream>
#include <thread>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"

namespace atr::cli {
namespace {

constexpr int kConsoleLines = 1000;

std::string when(const std::optional<UnixMs>& at) {
  return at ? format_utc_timestamp(*at) : std::string("-");
}

std::string duration_of(const Version& v) {
  const std::optional<double> seconds = run_seconds(v);
  return seconds ? format_duration_seconds(std::llround(*seconds)) : "-";
}

std::string status_text(const Version& v) {
  std::string out(to_string(v.status));
  if (v.status == VersionStatus::Training && v.progress && v.progress->percent) {
    out += " " + format_decimal(*v.progress->percent, 0) + "%";
  }
  if (v.submit_state == SubmitState::Unknown && v.job_id.empty()) out += " (submission unknown)";
  if (!v.stall_note.empty()) out += " (stalled)";
  return out;
}

std::string progress_line(const TrainingProgress& p) {
  std::string out = p.stage.empty() ? "training" : p.stage;
  if (p.step && p.total_steps) {
    out += " step " + std::to_string(*p.step) + "/" + std::to_string(*p.total_steps);
  }
  if (p.percent) out += " (" + format_decimal(*p.percent, 1) + "%)";
  if (p.loss) out += " loss " + format_decimal(*p.loss, 4);
  if (p.eta_seconds) out += ", about " + format_duration_seconds(*p.eta_seconds) + " left";
  return out;
}

void print_line(const LogLine& line) {
  std::cout << format_utc_timestamp(line.at) << " " << to_string(line.kind) << "  " << line.text
            << "\n";
}

void print_version(const Version& v) {
  std::cout << v.actor_id << " " << v.name << " (version id " << v.id << ")\n"
            << "  status      " << status_text(v) << "\n"
            << "  model       " << v.model_name << " on endpoint " << v.endpoint_name << "\n"
            << "  request id  " << v.request_id << "\n"
            << "  RunPod job  " << (v.job_id.empty() ? "-" : v.job_id) << "\n"
            << "  created     " << format_utc_timestamp(v.created_at) << "\n"
            << "  finished    " << when(v.finished_at) << "\n"
            << "  images      " << v.image_count << "\n"
            << "  duration    " << duration_of(v) << "\n"
            << "  cost        " << (v.cost ? cost_text(*v.cost) : "-") << "\n";
  if (v.progress) std::cout << "  progress    " << progress_line(*v.progress) << "\n";
  if (!v.lora_url.empty()) std::cout << "  LoRA        " << v.lora_url << "\n";
  if (v.model_size_bytes) {
    std::cout << "  model size  "
              << format_bytes(static_cast<unsigned long long>(*v.model_size_bytes)) << "\n";
  }
  if (!v.error.empty()) std::cout << "  error       " << v.error << "\n";
  if (!v.stall_note.empty()) std::cout << "  stalled     " << v.stall_note << "\n";
  if (!v.description.empty()) std::cout << "  description " << v.description << "\n";
  if (v.good) std::cout << "  good        yes (the actor's validated model)\n";
}

// Without a running `serve`, nobody else asks RunPod; commands that show a live version do.
Result<Version> current(Context& context, const Version& v) {
  if (is_final(v.status) || (context.serve_running && context.serve_running())) return v;
  Result<Version> checked = context.trainings.check(v.id, Retries::WithBackoff);
  if (!checked) {
    std::cerr << "note: " << checked.error().message << "; showing the stored state\n";
    return v;
  }
  return checked;
}

int show(Context& context, const Options& o, const Version& v) {
  Result<std::vector<LogLine>> lines = context.store.logs(v.id, 0, kConsoleLines);
  if (!lines) return report_error(lines.error(), o.json);
  if (o.json) {
    nlohmann::ordered_json out = version_to_json(v);
    nlohmann::ordered_json& console = out["console"];
    console = nlohmann::ordered_json::array();
    for (const LogLine& line : *lines) {
      console.push_back(log_line_to_json(line));
    }
    print_json(out);
    return kExitOk;
  }
  print_version(v);
  std::cout << "console:\n";
  for (const LogLine& line : *lines) {
    print_line(line);
  }
  return kExitOk;
}

}  // namespace

Result<Version> find_version(const Context& context, const std::string& ref) {
  if (is_digits(ref) && !ref.empty() && ref.size() < 18) {
    return context.store.get(std::stoll(ref));
  }
  const size_t slash = ref.rfind('/');
  if (slash == std::string::npos) {
    return Error{ErrorCode::InvalidArgument,
                 "version '" + ref + "': expected a version id or ACTOR/Vn (e.g. 6/V3)"};
  }
  Result<FoundActor> actor = find_actor(context, ref.substr(0, slash));
  if (!actor) return actor.error();
  Result<std::vector<Version>> versions = context.store.list_for_actor(actor.value().actor->key());
  if (!versions) return versions.error();
  const std::string name = ref.substr(slash + 1);
  for (const Version& v : *versions) {
    if (iequals(v.name, name)) return v;
  }
  return Error{ErrorCode::NotFound,
               "actor " + actor.value().actor->label() + " has no version " + name};
}

int run_versions(Context& context, const Options& o) {
  Result<FoundActor> found = find_actor(context, o.actor);
  if (!found) return report_error(found.error(), o.json);
  Result<std::vector<Version>> versions = context.store.list_for_actor(found->actor->key());
  if (!versions) return report_error(versions.error(), o.json);
  if (o.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const Version& v : *versions) {
      out.push_back(version_to_json(v));
    }
    print_json(out);
    return kExitOk;
  }
  if (versions->empty()) {
    std::cout << "no versions of " << found->actor->label() << " yet\n";
    return kExitOk;
  }
  Table table({"ID", "VERSION", "STATUS", "CREATED", "IMAGES", "DURATION", "COST", "GOOD", "LORA"});
  double total = 0.0;
  for (const Version& v : *versions) {
    if (v.cost) total += *v.cost;
    // An imported version was trained before this product: no cost to show, none to total.
    table.add_row({std::to_string(v.id), v.name,
                   v.imported ? status_text(v) + " (imported)" : status_text(v),
                   format_utc_timestamp(v.created_at), std::to_string(v.image_count),
                   duration_of(v), v.cost ? cost_text(*v.cost) : "-", v.good ? "yes" : "",
                   v.lora_url.empty() ? "-" : v.lora_url});
  }
  table.set_max_width(8, 60);
  double previews = 0.0;
  if (context.previews != nullptr) {
    Result<double> cost = context.previews->cost_of_actor(found->actor->key());
    if (!cost) return report_error(cost.error(), o.json);
    previews = *cost;
  }
  std::cout << table.render() << "total cost " << cost_text(total + previews);
  if (previews > 0) {
    std::cout << " (trainings " << cost_text(total) << " + previews " << cost_text(previews) << ")";
  }
  std::cout << "\n";
  return kExitOk;
}

int run_status(Context& context, const Options& o) {
  Result<Version> v = find_version(context, o.version);
  if (!v) return report_error(v.error(), o.json);
  Result<Version> now = current(context, *v);
  if (!now) return report_error(now.error(), o.json);
  return show(context, o, *now);
}

int run_refresh(Context& context, const Options& o) {
  Result<Version> v = find_version(context, o.version);
  if (!v) return report_error(v.error(), o.json);
  Result<Version> checked = context.trainings.check(v->id, Retries::WithBackoff);
  if (!checked) return report_error(checked.error(), o.json);
  return show(context, o, *checked);
}

int run_abort(Context& context, const Options& o) {
  Result<Version> v = find_version(context, o.version);
  if (!v) return report_error(v.error(), o.json);
  Result<Version> aborted = context.trainings.abort(v->id);
  if (!aborted) return report_error(aborted.error(), o.json);
  if (o.json) {
    print_json(version_to_json(*aborted));
  } else {
    std::cout << aborted->actor_id << " " << aborted->name << ": " << status_text(*aborted) << "\n";
  }
  return kExitOk;
}

int run_watch(Context& context, const Options& o) {
  Result<Version> v = find_version(context, o.version);
  if (!v) return report_error(v.error(), o.json);
  if (o.once) return run_status(context, o);
  using namespace std::chrono_literals;
  constexpr auto kCheckEvery = 5s;
  std::int64_t seen = 0;
  auto last_check = std::chrono::steady_clock::now() - kCheckEvery;
  ProgressBar bar(v->actor_id + " " + v->name, !o.json);
  Version now = *v;
  while (true) {
    if (std::chrono::steady_clock::now() - last_check >= kCheckEvery) {
      Result<Version> fresh = current(context, now);
      if (fresh) now = *fresh;
      last_check = std::chrono::steady_clock::now();
    } else if (Result<Version> stored = context.store.get(now.id); stored) {
      now = *stored;
    }
    Result<std::vector<LogLine>> lines = context.store.logs(now.id, seen, kConsoleLines);
    if (lines) {
      for (const LogLine& line : *lines) {
        if (o.json) {
          std::cout << log_line_to_json(line).dump() << "\n";
        } else {
          print_line(line);
        }
        seen = line.seq;
      }
      std::cout.flush();
    }
    if (now.progress && now.progress->step && now.progress->total_steps) {
      bar.update(static_cast<size_t>(*now.progress->step),
                 static_cast<size_t>(*now.progress->total_steps));
    }
    if (is_final(now.status)) break;
    std::this_thread::sleep_for(1s);
  }
  if (o.json) {
    std::cout << version_to_json(now).dump() << "\n";
  } else {
    std::cout << now.actor_id << " " << now.name << " " << status_text(now)
              << (now.lora_url.empty() ? "" : ": " + now.lora_url) << "\n";
  }
  return now.status == VersionStatus::Completed ? kExitOk : kExitOther;
}

int run_mark_good(Context& context, const Options& o) {
  Result<FoundActor> found = find_actor(context, o.actor);
  if (!found) return report_error(found.error(), o.json);
  const Actor& actor = *found->actor;
  if (o.clear) {
    if (!o.version.empty()) {
      return report_error(Error{ErrorCode::InvalidArgument, "mark-good --clear takes no VERSION"},
                          o.json);
    }
    if (Status cleared = context.trainings.clear_good(actor); !cleared) {
      return report_error(cleared.error(), o.json);
    }
    if (o.json) {
      print_json({{"actor_id", actor.key()}, {"validated_lora_model", nullptr}, {"good", false}});
    } else {
      std::cout << "cleared the validated model of " << actor.label() << "\n";
    }
    return kExitOk;
  }
  if (o.version.empty()) {
    return report_error(Error{ErrorCode::InvalidArgument, "mark-good: give a VERSION or --clear"},
                        o.json);
  }
  const std::string ref = is_digits(o.version) ? o.version : actor.key() + "/" + o.version;
  Result<Version> v = find_version(context, ref);
  if (!v) return report_error(v.error(), o.json);
  if (v->actor_id != actor.key()) {
    return report_error(
        Error{ErrorCode::InvalidArgument, "version " + o.version + " belongs to actor " +
                                              v->actor_id + ", not " + actor.label()},
        o.json);
  }
  Result<Version> marked = context.trainings.mark_good(v->id);
  if (!marked) return report_error(marked.error(), o.json);
  if (o.json) {
    print_json(version_to_json(*marked));
  } else {
    std::cout << actor.label() << ": " << marked->name << " is the validated model ("
              << marked->lora_url << ")\n";
  }
  return kExitOk;
}

int run_compare(Context& context, const Options& o) {
  Result<Version> left = find_version(context, o.version);
  if (!left) return report_error(left.error(), o.json);
  Result<Version> right = find_version(context, o.other_version);
  if (!right) return report_error(right.error(), o.json);
  Result<std::vector<ParameterDiff>> compared = compare_versions(*left, *right);
  if (!compared) return report_error(compared.error(), o.json);
  const std::vector<ParameterDiff>& rows = *compared;
  if (o.json) {
    print_json(comparison_to_json(*left, *right, rows));
    return kExitOk;
  }
  Table table(
      {"PARAMETER", left->actor_id + " " + left->name, right->actor_id + " " + right->name, ""});
  for (const ParameterDiff& row : rows) {
    table.add_row({row.name, row.left, row.right, row.differs ? "<- differs" : ""});
  }
  std::cout << table.render();
  return kExitOk;
}

}  // namespace atr::cli
