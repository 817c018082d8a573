#include "core/training_data.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <iterator>
#include <numeric>
#include <set>
#include <sstream>

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

std::string_view to_string(CheckLevel level) {
  switch (level) {
    case CheckLevel::Off: return "off";
    case CheckLevel::Warning: return "warning";
    case CheckLevel::Error: return "error";
  }
  return "off";
}

std::optional<CheckLevel> parse_check_level(std::string_view text) {
  for (CheckLevel level : {CheckLevel::Off, CheckLevel::Warning, CheckLevel::Error}) {
    if (to_string(level) == text) return level;
  }
  return std::nullopt;
}

std::vector<FaceBox> counted_faces(const ImageQuality& quality, const QualityLimits& limits) {
  std::vector<FaceBox> out;
  std::copy_if(quality.faces.begin(), quality.faces.end(), std::back_inserter(out),
               [&](const FaceBox& f) { return f.confidence >= limits.face_confidence; });
  return out;
}

const FaceBox& main_face(const std::vector<FaceBox>& faces) {
  return *std::max_element(faces.begin(), faces.end(), [](const FaceBox& a, const FaceBox& b) {
    return a.width * a.height < b.width * b.height;
  });
}

double face_share(const ImageQuality& quality, const FaceBox& face) {
  const int short_side = std::min(quality.width, quality.height);
  return short_side > 0 ? static_cast<double>(face.width) / short_side : 0;
}

bool is_image_quality_code(std::string_view code) {
  static constexpr std::array<std::string_view, 9> kCodes = {
      "no_face",  "several_faces", "small_face",         "face_at_border", "blurry",
      "too_dark", "too_bright",    "clipped_highlights", "near_duplicate"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

int hash_distance(std::uint64_t a, std::uint64_t b) {
  return std::popcount(a ^ b);
}

namespace {

std::string percent(double share) {
  return std::to_string(std::lround(share * 100)) + "%";
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

// The edges of the image a face box reaches or passes, for people ("left and top").
std::string edges_cut(const FaceBox& face, int width, int height) {
  std::vector<std::string> edges;
  if (face.x <= 0) edges.emplace_back("left");
  if (face.x + face.width >= width) edges.emplace_back("right");
  if (face.y <= 0) edges.emplace_back("top");
  if (face.y + face.height >= height) edges.emplace_back("bottom");
  return join(edges, " and ");
}

// The findings of the image-quality checks about one image (not near-duplicates, which need
// the whole set), at their configured level; Off checks give none.
std::vector<Finding> image_quality_findings(const ScannedFile& file, const QualityLimits& limits) {
  std::vector<Finding> out;
  const ImageQuality& q = *file.quality;
  auto add = [&](CheckLevel level, const char* code, std::string message) {
    if (level == CheckLevel::Off) return;
    out.push_back({level == CheckLevel::Error ? Severity::Error : Severity::Warning, code,
                   file.name, std::move(message)});
  };
  const std::vector<FaceBox> faces = counted_faces(q, limits);
  if (faces.empty()) {
    add(limits.no_face, "no_face",
        "no face found (detector score below " + fixed(limits.face_confidence, 2) + ")");
  } else {
    if (faces.size() > 1) {
      add(limits.several_faces, "several_faces",
          std::to_string(faces.size()) + " faces: a training image should show the actor alone");
    }
    const FaceBox& main = main_face(faces);
    const double share = face_share(q, main);
    if (share < limits.min_face_share) {
      add(limits.small_face, "small_face",
          "the face is " + std::to_string(main.width) + " px wide, " + percent(share) +
              " of the short side (below " + percent(limits.min_face_share) +
              " it shows little of the identity)");
    }
    if (const std::string edges = edges_cut(main, q.width, q.height); !edges.empty()) {
      add(limits.face_at_border, "face_at_border", "the face is cut by the " + edges + " edge");
    }
  }
  if (q.sharpness < limits.min_sharpness) {
    add(limits.blurry, "blurry",
        "looks blurred (sharpness " + fixed(q.sharpness, 0) + ", below " +
            fixed(limits.min_sharpness, 0) + ")");
  }
  const std::string what = q.exposure_of_face ? "the face" : "the image";
  if (q.brightness < limits.min_brightness) {
    add(limits.exposure, "too_dark",
        what + " is too dark (mean level " + fixed(q.brightness, 0) + " of 255, below " +
            fixed(limits.min_brightness, 0) + ")");
  } else if (q.brightness > limits.max_brightness) {
    add(limits.exposure, "too_bright",
        what + " is too bright (mean level " + fixed(q.brightness, 0) + " of 255, above " +
            fixed(limits.max_brightness, 0) + ")");
  }
  if (q.clipped_share > limits.max_clipped_share) {
    add(limits.exposure, "clipped_highlights",
        percent(q.clipped_share) + " of " + what + " is clipped white (above " +
            percent(limits.max_clipped_share) + ")");
  }
  return out;
}

// Groups of images whose difference hashes are within `bits` of each other (linked through
// any member), leaving out pairs with the same content (those are exact duplicates). Each
// group starts with the image to keep (the most pixels, then the fewest findings of its own
// in `own_findings`, then the sharpest), the rest by name; groups in the order of their first
// name. `files` sorted by name.
std::vector<std::vector<std::size_t>> near_duplicate_groups(
    const std::vector<const ScannedFile*>& files, const std::vector<int>& own_findings, int bits) {
  std::vector<std::size_t> parent(files.size());
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  auto root = [&](std::size_t i) {
    while (parent[i] != i) {
      i = parent[i] = parent[parent[i]];
    }
    return i;
  };
  for (std::size_t i = 0; i < files.size(); ++i) {
    for (std::size_t j = i + 1; j < files.size(); ++j) {
      if (files[i]->md5 == files[j]->md5 ||
          hash_distance(files[i]->quality->dhash, files[j]->quality->dhash) > bits) {
        continue;
      }
      parent[root(j)] = root(i);
    }
  }
  std::map<std::size_t, std::vector<std::size_t>> by_root;
  for (std::size_t i = 0; i < files.size(); ++i) {
    by_root[root(i)].push_back(i);
  }
  std::vector<std::vector<std::size_t>> groups;
  for (auto& [r, members] : by_root) {
    if (members.size() < 2) continue;
    auto best = std::max_element(members.begin(), members.end(), [&](std::size_t a, std::size_t b) {
      const ImageQuality& qa = *files[a]->quality;
      const ImageQuality& qb = *files[b]->quality;
      const long pa = static_cast<long>(qa.width) * qa.height;
      const long pb = static_cast<long>(qb.width) * qb.height;
      if (pa != pb) return pa < pb;
      if (own_findings[a] != own_findings[b]) return own_findings[a] > own_findings[b];
      if (qa.sharpness != qb.sharpness) return qa.sharpness < qb.sharpness;
      return a > b;  // equal: the first name wins
    });
    std::rotate(members.begin(), best, best + 1);
    groups.push_back(std::move(members));
  }
  std::sort(groups.begin(), groups.end(), [&](const auto& a, const auto& b) {
    return files[a.front()]->name < files[b.front()]->name;
  });
  return groups;
}

}  // namespace

TrainingDataReport check_training_data(std::string folder, std::vector<ScannedFile> files,
                                       const std::optional<TrainingDataRecord>& record,
                                       const DataCheckLimits& limits) {
  TrainingDataReport report;
  report.folder = std::move(folder);
  std::sort(files.begin(), files.end(),
            [](const ScannedFile& a, const ScannedFile& b) { return a.name < b.name; });

  std::vector<Finding> errors;
  std::vector<Finding> warnings;
  auto file_finding = [&](Finding f) {
    (f.severity == Severity::Error ? errors : warnings).push_back(std::move(f));
  };
  constexpr std::string_view kLeftOut = "; left out of sync and training";
  auto exclude = [&](const ScannedFile& file, const char* code, const std::string& why) {
    errors.push_back({Severity::Error, code, file.name, why + std::string(kLeftOut)});
    report.excluded.push_back(file.name);
  };

  // First the files' own verdicts: status, then the image-quality checks; an error excludes.
  const QualityLimits& ql = limits.quality;
  report.quality_checked = ql.enabled;
  report.face_confidence = ql.face_confidence;
  std::vector<const ScannedFile*> kept;  // images that are usable so far
  std::vector<const ScannedFile*> analysed;
  std::vector<int> own_findings;  // of each analysed image
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
    if (ql.enabled && file.quality) {
      const std::size_t faces = counted_faces(*file.quality, ql).size();
      ++(faces == 0 ? report.faces_none : faces == 1 ? report.faces_one : report.faces_several);
      bool left_out = false;
      std::vector<Finding> found = image_quality_findings(file, ql);
      const int count = static_cast<int>(found.size());
      for (Finding& f : found) {
        if (f.severity == Severity::Error) {
          f.message += kLeftOut;
          left_out = true;
        }
        file_finding(std::move(f));
      }
      if (left_out) {
        report.excluded.push_back(file.name);  // once, however many errors it has
        continue;
      }
      analysed.push_back(&file);
      own_findings.push_back(count);
    }
    kept.push_back(&file);
  }
  if (ql.enabled && ql.near_duplicate != CheckLevel::Off) {
    std::set<const ScannedFile*> repeated;  // left out as a near-duplicate of another image
    for (const std::vector<std::size_t>& group :
         near_duplicate_groups(analysed, own_findings, ql.near_duplicate_bits)) {
      std::vector<std::string> names;
      names.reserve(group.size());
      for (std::size_t i : group) {
        names.push_back(analysed[i]->name);
      }
      for (std::size_t k = 1; k < group.size(); ++k) {
        const ScannedFile& file = *analysed[group[k]];
        Finding f{ql.near_duplicate == CheckLevel::Error ? Severity::Error : Severity::Warning,
                  "near_duplicate", file.name,
                  "the same photo as " + names.front() +
                      " at another size, crop or compression (difference hash within " +
                      std::to_string(hash_distance(file.quality->dhash,
                                                   analysed[group.front()]->quality->dhash)) +
                      " bits)"};
        if (f.severity == Severity::Error) {
          f.message += kLeftOut;
          report.excluded.push_back(file.name);
          repeated.insert(&file);
        }
        file_finding(std::move(f));
      }
      report.near_duplicate_groups.push_back(std::move(names));
    }
    std::erase_if(kept, [&](const ScannedFile* f) { return repeated.contains(f); });
  }
  std::sort(report.excluded.begin(), report.excluded.end());

  std::map<std::string, std::vector<std::string>> by_md5;
  std::vector<std::string> usable_names;
  bool content_changed = false;
  for (const ScannedFile* file : kept) {
    ++report.usable_count;
    report.usable_bytes += file->bytes;
    ++report.formats[file->format];
    if (file->has_caption) ++report.captions;
    usable_names.push_back(file->name);
    if (!file->synced_md5.empty() && file->synced_md5 != file->md5) content_changed = true;
    by_md5[file->md5].push_back(file->name);
    const int short_side = std::min(file->width, file->height);
    if (short_side < limits.min_short_side) {
      warnings.push_back({Severity::Warning, "small_image", file->name,
                          std::to_string(file->width) + "x" + std::to_string(file->height) +
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

std::map<std::string, int> findings_by_code(const TrainingDataReport& report) {
  std::map<std::string, int> by_code;
  for (const Finding& f : report.findings) {
    ++by_code[f.code];
  }
  return by_code;
}

std::string describe_faces(int one, int none, int several) {
  std::vector<std::string> parts;
  if (one > 0) parts.push_back(std::to_string(one) + " one face");
  if (none > 0) parts.push_back(std::to_string(none) + " none");
  if (several > 0) parts.push_back(std::to_string(several) + " several");
  return parts.empty() ? std::string() : "faces: " + join(parts, " · ");
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
  summary.faces_one = report.faces_one;
  summary.faces_none = report.faces_none;
  summary.faces_several = report.faces_several;
  summary.quality_findings = static_cast<int>(
      std::count_if(report.findings.begin(), report.findings.end(),
                    [](const Finding& f) { return is_image_quality_code(f.code); }));
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
