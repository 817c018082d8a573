#include <iostream>

#include "api/api_json.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace atr::cli {

int run_import(Context& context, const Options& o) {
  if (context.importer == nullptr) {
    return report_error(Error{ErrorCode::Internal, "import is not available here"}, o.json);
  }
  Result<ImportRun> run = context.importer->run(o.manifests, o.dry_run);
  if (!run) return report_error(run.error(), o.json);
  if (o.json) {
    print_json(import_run_to_json(*run));
    return kExitOk;
  }
  for (const ActorImport& a : run->plan.actors) {
    std::cout << a.manifest;
    if (!a.actor.empty()) std::cout << " → actor " << a.actor << " (" << a.actor_name << ")";
    if (a.training_data_good) {
      std::cout << "; the studio judged its data " << (*a.training_data_good ? "good" : "not good");
    }
    std::cout << "\n";
    for (const ImportStep& step : a.steps) {
      std::cout << (step.applies ? (run->dry_run ? "  would record " : "  recorded ")
                                 : "  left out     ")
                << step.what << (step.why.empty() ? "" : ": " + step.why) << "\n";
    }
  }
  const int changing = run->plan.changing();
  std::cout << "\n"
            << run->plan.actors.size() << " manifests in " << run->folder << ", " << changing
            << " with something to record";
  if (run->dry_run) {
    std::cout << "; nothing was changed (dry run). Run without --dry-run to import.\n";
  } else if (run->outcome) {
    std::cout << ": " << run->outcome->versions_imported << " versions imported, "
              << run->outcome->blocks_recorded << " training_data blocks and "
              << run->outcome->validated_recorded << " validated models recorded.\n";
  }
  return kExitOk;
}

}  // namespace atr::cli
