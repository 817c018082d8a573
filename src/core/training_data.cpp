#include "core/training_data.h"

#include <algorithm>
#include <set>

#include "base/strings.h"

namespace atr {

std::string_view to_string(FileStatus status) {
  switch (status) {
    case FileStatus::Image: return "image";
    case FileStatus::Ignored: return "ignored";
    case FileStatus::Unsupported: return "unsupported";
    case FileStatus::Unreadable: return "unreadable";
    case FileStatus::Corrupt: return "corrupt";
    case FileStatus::OutsideWorkspace: return "outside_workspace";
  }
  return "unreadable";
}

std::optional<FileStatus> parse_file_status(std::string_view text) {
  for (FileStatus status :
       {FileStatus::Image, FileStatus::Ignored, FileStatus::Unsupported, FileStatus::Unreadable,
        FileStatus::Corrupt, FileStatus::OutsideWorkspace}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
  }
  return "error";
}

std::string_view to_string(SyncState state) {
  switch (state) {
    case SyncState::Synced: return "synced";
    case SyncState::OutOfSync: return "out_of_sync";
    case SyncState::NotSynced: return "not_synced";
    case SyncState::NoData: return "no_data";
  }
  return "no_data";
}

std::string_view describe(SyncState state) {
  switch (state) {
    case SyncState::Synced: return "synced";
    case SyncState::OutOfSync: return "out of sync";
    case SyncState::NotSynced: return "not synced";
    case SyncState::NoData: return "no data";
  }
  return "no data";
}

int TrainingDataReport::error_count() const {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [](const Finding& f) {
    return f.severity == Severity::Error;
  }));
}

int TrainingDataReport::warning_count() const {
  return static_cast<int>(findings.size()) - error_count();
}

SyncState compute_sync_state(const std::optional<TrainingDataRecord>& record,
                             const std::vector<std::string>& usable_names, bool content_changed) {
  if (usable_names.empty()) return SyncState::NoData;
  if (!record || !record->synced || record->s3_urls.empty()) return SyncState::NotSynced;
  std::set<std::string> remote;
  for (const std::string& url : record->s3_urls) {
    size_t slash = url.rfind('/');
    remote.insert(slash == std::string::npos ? url : url.substr(slash + 1));
  }
  const std::set<std::string> local(usable_names.begin(), usable_names.end());
  return remote == local && !content_changed ? SyncState::Synced : SyncState::OutOfSync;
}

TrainingDataReport check_training_data(std::string folder, std::vector<ScannedFile> files,
                                       const std::optional<TrainingDataRecord>& record,
                                       const DataCheckLimits& limits) {
  TrainingDataReport report;
  report.folder = std::move(folder);
  std::sort(files.begin(), files.end(),
            [](const ScannedFile& a, const ScannedFile& b) { return a.name < b.name; });

  std::vector<Finding> errors;
  std::vector<Finding> warnings;
  std::map<std::string, std::vector<std::string>> by_md5;
  std::vector<std::string> usable_names;
  bool content_changed = false;
  constexpr std::string_view kLeftOut = "; left out of sync and training";
  auto exclude = [&](const ScannedFile& file, const char* code, const std::string& why) {
    errors.push_back({Severity::Error, code, file.name, why + std::string(kLeftOut)});
    report.excluded.push_back(file.name);
  };
  for (const ScannedFile& file : files) {
    switch (file.status) {
      case FileStatus::Image: break;
      case FileStatus::Ignored: report.ignored.push_back(file.name); continue;
      case FileStatus::Unsupported:
        exclude(file, "unsupported_format",
                "not a format we train on (jpg, jpeg, png, webp): " + file.detail);
        continue;
      case FileStatus::Unreadable:
        exclude(file, "unreadable", "cannot be read: " + file.detail);
        continue;
      case FileStatus::Corrupt: exclude(file, "corrupt", "is damaged: " + file.detail); continue;
      case FileStatus::OutsideWorkspace:
        exclude(file, "outside_workspace", "is a link to a file outside the workspace");
        continue;
    }
    ++report.usable_count;
    report.usable_bytes += file.bytes;
    ++report.formats[file.format];
    if (file.has_caption) ++report.captions;
    usable_names.push_back(file.name);
    if (!file.synced_md5.empty() && file.synced_md5 != file.md5) content_changed = true;
    by_md5[file.md5].push_back(file.name);
    const int short_side = std::min(file.width, file.height);
    if (short_side < limits.min_short_side) {
      warnings.push_back({Severity::Warning, "small_image", file.name,
                          std::to_string(file.width) + "x" + std::to_string(file.height) +
                              ": short side below " + std::to_string(limits.min_short_side) +
                              " px"});
    }
  }
  for (const auto& [md5, names] : by_md5) {
    if (md5.empty() || names.size() < 2) continue;
    for (size_t i = 1; i < names.size(); ++i) {
      warnings.push_back({Severity::Warning, "duplicate", names[i],
                          "same content as " + names.front() + " (md5 " + md5 + ")"});
    }
  }
  report.s3_only = usable_names.empty() && report.excluded.empty() && record && record->synced &&
                   !record->s3_urls.empty();
  if (report.s3_only) report.s3_count = static_cast<int>(record->s3_urls.size());
  const int n = report.training_images();
  if (n == 0) {
    errors.push_back({Severity::Error, "no_images", "",
                      report.excluded.empty() ? std::string("no usable training images")
                                              : "no usable training images: all " +
                                                    std::to_string(report.excluded.size()) +
                                                    " image files are left out"});
  } else if (n < limits.min_images) {
    warnings.push_back({Severity::Warning, "too_few_images", "",
                        std::to_string(n) + " images; at least " +
                            std::to_string(limits.min_images) +
                            " are recommended for a face LoRA"});
  } else if (n > limits.max_images) {
    warnings.push_back({Severity::Warning, "too_many_images", "",
                        std::to_string(n) + " images; more than " +
                            std::to_string(limits.max_images) +
                            " rarely helps and slows training"});
  }
  report.findings = std::move(errors);
  report.findings.insert(report.findings.end(), warnings.begin(), warnings.end());
  report.sync = report.s3_only ? SyncState::Synced
                               : compute_sync_state(record, usable_names, content_changed);
  report.files = std::move(files);
  return report;
}

DataSummary summarize(const TrainingDataReport& report,
                      const std::optional<TrainingDataRecord>& record) {
  DataSummary summary;
  summary.state = report.sync;
  summary.usable = report.usable_count;
  summary.excluded = static_cast<int>(report.excluded.size());
  summary.ignored = static_cast<int>(report.ignored.size());
  summary.usable_bytes = report.usable_bytes;
  summary.s3_only = report.s3_only;
  if (record) {
    summary.recorded = record->count;
    summary.recorded_synced = record->synced;
  }
  return summary;
}

std::string explain_sync_state(const Actor& actor, const TrainingDataReport& report) {
  const std::string sync_hint =
      ": run `actor-trainer data sync " + actor.key() + "` or press Sync now in the page";
  const std::string images =
      std::to_string(report.usable_count) + " usable image" + (report.usable_count == 1 ? "" : "s");
  if (report.s3_only && !report.s3_listed.empty()) {
    switch (report.sync) {
      case SyncState::Synced: return {};
      case SyncState::NotSynced:
        return std::to_string(report.usable_count) + " usable image" +
               (report.usable_count == 1 ? "" : "s") + " found in S3 (" + report.s3_listed +
               ") are not recorded in actors.json yet: run `actor-trainer data sync " +
               actor.key() + "` or press Sync now in the page to record them";
      case SyncState::OutOfSync:
      case SyncState::NoData: {
        std::vector<std::string> why;
        for (const ScannedFile& file : report.files) {
          if (std::find(report.excluded.begin(), report.excluded.end(), file.name) !=
              report.excluded.end()) {
            why.push_back(file.name + ": " + file.detail);
          }
        }
        return std::to_string(report.excluded.size()) + " of the " +
               std::to_string(report.excluded.size() +
                              static_cast<std::size_t>(report.usable_count)) +
               " recorded S3 objects cannot be used (" + join(why, "; ") +
               "): run `actor-trainer data sync " + actor.key() +
               "` to record only the usable ones, or put them back";
      }
    }
  }
  switch (report.sync) {
    case SyncState::Synced: return {};
    case SyncState::NoData:
      return "no usable training images in " + report.folder +
             (report.excluded.empty() ? std::string()
                                      : " (" + std::to_string(report.excluded.size()) +
                                            " left out: " + join(report.excluded, ", ") + ")");
    case SyncState::NotSynced:
      return images + " in " + report.folder + " are not synced to S3 yet" + sync_hint;
    case SyncState::OutOfSync:
      return "the local images changed since the last sync (" + images + " now; " +
             "the registry records a different set or content)" + sync_hint;
  }
  return {};
}

}  // namespace atr
