#include <iostream>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"

namespace atr::cli {

Result<FoundActor> find_actor(const Context& context, const std::string& ref) {
  std::shared_ptr<const ActorCatalog> catalog = context.registry.catalog();
  Result<const Actor*> actor = catalog->find(ref);
  if (!actor) return actor.error();
  return FoundActor{std::move(catalog), *actor};
}

Result<TrainingDataReport> scan_with_progress(Context& context, const Actor& actor, bool json) {
  ProgressBar bar("scanning " + actor.label(), !json);
  return inspect_training_data(
      actor, context.scanner, context.settings.limits,
      [&bar](std::size_t done, std::size_t total) { bar.update(done, total); });
}

int run_data_scan(Context& context, const Options& o) {
  Result<FoundActor> found = find_actor(context, o.actor);
  if (!found) return report_error(found.error(), o.json);
  const Actor& actor = *found->actor;
  Result<TrainingDataReport> report = scan_with_progress(context, actor, o.json);
  if (!report) return report_error(report.error(), o.json);
  if (o.json) {
    print_json(training_data_to_json(actor, *report));
    return kExitOk;
  }
  Table table({"FILE", "FORMAT", "SIZE", "BYTES", "CAPTION", "MD5", "STATUS"});
  table.set_max_width(0, 48);
  for (const ScannedFile& f : report->files) {
    table.add_row({f.name, f.format.empty() ? "-" : f.format,
                   f.width > 0 ? std::to_string(f.width) + "x" + std::to_string(f.height) : "-",
                   format_bytes(f.bytes), f.has_caption ? "yes" : "no",
                   f.md5.empty() ? "-" : f.md5.substr(0, 12), std::string(to_string(f.status))});
  }
  std::cout << "training data of " << actor.label() << " (" << actor.name << ") in "
            << report->folder << "\n\n";
  if (!report->files.empty()) std::cout << table.render() << "\n";
  std::vector<std::string> formats;
  for (const auto& [format, count] : report->formats) {
    formats.push_back(format + " " + std::to_string(count));
  }
  std::cout << report->usable_count << " usable images, " << format_bytes(report->usable_bytes)
            << (formats.empty() ? "" : " (" + join(formats, ", ") + ")") << ", " << report->captions
            << " with captions; sync state: " << to_string(report->sync) << "\n";
  for (const Finding& f : report->findings) {
    std::cout << (f.severity == Severity::Error ? "error:   " : "warning: ")
              << (f.file.empty() ? "" : f.file + ": ") << f.message << "\n";
  }
  std::cout << report->error_count() << " errors, " << report->warning_count() << " warnings\n";
  return kExitOk;
}

}  // namespace atr::cli
