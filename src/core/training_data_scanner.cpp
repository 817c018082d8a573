#include "core/training_data_scanner.h"

namespace atr {

Result<TrainingDataReport> inspect_training_data(const Actor& actor, TrainingDataScanner& scanner,
                                                 const DataCheckLimits& limits,
                                                 const ProgressFn& progress, ScanDepth depth) {
  Result<std::string> folder = training_folder(actor);
  if (!folder) return folder.error().with_context("scan " + actor.label());
  Result<std::vector<ScannedFile>> files = scanner.scan(*folder, progress, depth);
  if (!files && files.error().code != ErrorCode::NotFound) {
    return files.error().with_context("scan " + actor.label());
  }
  std::vector<ScannedFile> found = files ? std::move(files).value() : std::vector<ScannedFile>{};
  return check_training_data(*folder, std::move(found), actor.training_data, limits);
}

DataSummary data_summary(const Actor& actor, TrainingDataScanner& scanner,
                         const DataCheckLimits& limits, bool folder_absent) {
  if (folder_absent) {
    // What inspect_training_data makes of a folder that does not exist: no files.
    Result<std::string> folder = training_folder(actor);
    if (folder) {
      return summarize(check_training_data(*folder, {}, actor.training_data, limits),
                       actor.training_data);
    }
  }
  Result<TrainingDataReport> report =
      inspect_training_data(actor, scanner, limits, {}, ScanDepth::Files);
  if (!report) return summarize(TrainingDataReport{}, actor.training_data);
  return summarize(*report, actor.training_data);
}

}  // namespace atr

namespace atr {

std::vector<bool> absent_training_folders(const ActorList& actors, TrainingDataScanner& scanner) {
  std::vector<std::string> folders;
  folders.reserve(actors.size());
  for (const Actor& actor : actors) {
    Result<std::string> folder = training_folder(actor);
    folders.push_back(folder ? std::move(folder).value() : std::string());
  }
  return scanner.absent(folders);
}

}  // namespace atr
