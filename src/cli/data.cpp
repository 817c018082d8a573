#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <optional>
#include <vector>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"
#include "core/s3_data.h"

namespace atr::cli {

Result<FoundActor> find_actor(const Context& context, const std::string& ref) {
  std::shared_ptr<const ActorCatalog> catalog = context.registry.catalog();
  Result<const Actor*> actor = catalog->find(ref);
  if (!actor) return actor.error();
  return FoundActor{std::move(catalog), *actor};
}

Result<TrainingDataReport> scan_with_progress(Context& context, const Actor& actor, bool json) {
  ProgressBar bar("scanning " + actor.label(), !json);
  return inspect_actor_data(actor, context.scanner, context.objects, context.settings.s3_key_layout,
                            context.settings.limits, [&bar](std::size_t done, std::size_t total) {
                              bar.update(done, total);
                            });
}

namespace {

// The quality columns of `data scan`: faces counted, the main face's share of the short side,
// sharpness, mean level (of the face when one was measured).
std::vector<std::string> quality_cells(const ImageQuality& q, const DataCheckLimits& limits) {
  const std::vector<FaceBox> faces = counted_faces(q, limits.quality);
  // The share the small_face check judges, rounded as its message rounds it.
  const std::string face =
      faces.empty() ? std::string("-")
                    : std::to_string(std::lround(100 * face_share(q, main_face(faces)))) + "%";
  return {std::to_string(faces.size()), face,
          std::to_string(static_cast<long>(std::lround(q.sharpness))),
          std::to_string(static_cast<long>(std::lround(q.brightness))) +
              (q.exposure_of_face ? " face" : "")};
}

}  // namespace

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
  Table table({"FILE", "FORMAT", "SIZE", "BYTES", "CAPTION", "MD5", "FACES", "FACE", "SHARP",
               "LEVEL", "STATUS"});
  table.set_max_width(0, 48);
  const bool measured = report->quality_checked;
  for (const ScannedFile& f : report->files) {
    std::vector<std::string> row = {
        f.name,
        f.format.empty() ? "-" : f.format,
        f.width > 0 ? std::to_string(f.width) + "x" + std::to_string(f.height) : "-",
        format_bytes(f.bytes),
        f.has_caption ? "yes" : "no",
        f.md5.empty() ? "-" : f.md5.substr(0, 12)};
    const std::vector<std::string> q = measured && f.quality
                                           ? quality_cells(*f.quality, context.settings.limits)
                                           : std::vector<std::string>(4, "-");
    row.insert(row.end(), q.begin(), q.end());
    row.emplace_back(to_string(f.status));
    table.add_row(row);
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
            << " with captions; " << report->excluded.size() << " left out, "
            << report->ignored.size()
            << " other files ignored; sync state: " << describe(report->sync) << "\n";
  if (report->s3_only && report->s3_listed.empty()) {
    std::cout << "no local copy: the " << report->s3_count
              << " images recorded in training_data live only in S3, and a training uses them\n";
  } else if (report->s3_only) {
    std::cout << "no local copy: the images were read from S3 (" << report->s3_listed
              << "); `data pull " << actor.key() << "` brings them into " << report->folder << "\n";
  }
  if (std::string why = explain_sync_state(actor, *report); !why.empty()) {
    std::cout << why << "\n";
  }
  if (!report->ignored.empty()) std::cout << "ignored: " << join(report->ignored, ", ") << "\n";
  if (const std::string faces = describe_faces(*report); !faces.empty()) {
    std::cout << faces << "\n";
  }
  for (const std::vector<std::string>& group : report->near_duplicate_groups) {
    std::cout << "near-duplicates: " << join(group, " = ") << "\n";
  }
  for (const Finding& f : report->findings) {
    std::cout << (f.severity == Severity::Error ? "error:   " : "warning: ")
              << (f.file.empty() ? "" : f.file + ": ") << f.message << "\n";
  }
  std::cout << report->error_count() << " errors, " << report->warning_count() << " warnings\n";
  return kExitOk;
}

int run_data_check(Context& context, const Options& o) {
  if (o.all == !o.actor.empty()) {
    return report_error(Error{ErrorCode::InvalidArgument, "data check: give an ACTOR or --all"},
                        o.json);
  }
  std::shared_ptr<const ActorCatalog> catalog = context.registry.catalog();
  std::vector<const Actor*> actors;
  if (o.all) {
    const std::vector<bool> absent = absent_training_folders(catalog->actors(), context.scanner);
    for (const Actor& actor : catalog->actors()) {
      // An actor without a folder has nothing local to check; one whose data lives only in S3
      // is read by `data scan ACTOR`, object by object.
      if (!absent[actor.position]) actors.push_back(&actor);
    }
  } else {
    Result<const Actor*> actor = catalog->find(o.actor);
    if (!actor) return report_error(actor.error(), o.json);
    actors.push_back(*actor);
  }
  Table table({"ACTOR", "NAME", "USABLE", "LEFT OUT", "FACES 1/0/2+", "BLURRED", "EXPOSURE",
               "NEAR-DUP", "ERRORS", "WARNINGS"});
  table.set_max_width(1, 32);
  nlohmann::ordered_json lines = nlohmann::ordered_json::array();
  int images = 0;
  int left_out = 0;
  int one = 0;
  int none = 0;
  int several = 0;
  int errors = 0;
  int warnings = 0;
  int with_findings = 0;
  std::map<std::string, int> by_code;
  std::vector<std::string> failed;
  {
    ProgressBar bar("data check", !o.json);
    std::size_t done = 0;
    for (const Actor* actor : actors) {
      bar.update(done++, actors.size(), "actors");
      Result<TrainingDataReport> report = inspect_training_data(
          *actor, context.scanner, context.settings.limits, {}, ScanDepth::Quality);
      if (!report) {
        failed.push_back(actor->label() + ": " + report.error().message);
        continue;
      }
      const TrainingDataReport& r = *report;
      if (r.files.empty()) continue;  // a folder without files
      lines.push_back(data_check_to_json(*actor, r));
      std::map<std::string, int> codes = findings_by_code(r);
      for (const auto& [code, n] : codes) {
        by_code[code] += n;
      }
      images += r.usable_count;
      left_out += static_cast<int>(r.excluded.size());
      one += r.faces_one;
      none += r.faces_none;
      several += r.faces_several;
      errors += r.error_count();
      warnings += r.warning_count();
      if (!r.findings.empty()) ++with_findings;
      table.add_row(
          {actor->key(), actor->name, std::to_string(r.usable_count),
           std::to_string(r.excluded.size()),
           std::to_string(r.faces_one) + "/" + std::to_string(r.faces_none) + "/" +
               std::to_string(r.faces_several),
           std::to_string(codes["blurry"]),
           std::to_string(codes["too_dark"] + codes["too_bright"] + codes["clipped_highlights"]),
           std::to_string(r.near_duplicate_groups.size()), std::to_string(r.error_count()),
           std::to_string(r.warning_count())});
    }
    bar.update(done, actors.size(), "actors");
  }
  if (o.json) {
    nlohmann::ordered_json doc;
    doc["actors"] = lines;
    doc["totals"] = {{"actors", lines.size()},
                     {"actors_with_findings", with_findings},
                     {"usable", images},
                     {"excluded", left_out},
                     {"faces", {{"one", one}, {"none", none}, {"several", several}}},
                     {"findings", by_code},
                     {"errors", errors},
                     {"warnings", warnings}};
    doc["failed"] = failed;
    print_json(doc);
  } else {
    if (!lines.empty()) std::cout << table.render() << "\n";
    std::cout << lines.size() << " actors with training images checked: " << images
              << " usable images, " << left_out << " left out";
    if (const std::string faces = describe_faces(one, none, several); !faces.empty()) {
      std::cout << "; " << faces;
    }
    std::cout << "\n"
              << errors << " errors, " << warnings << " warnings in " << with_findings << " actors";
    std::vector<std::string> codes;
    codes.reserve(by_code.size());
    for (const auto& [code, n] : by_code) {
      codes.push_back(code + " " + std::to_string(n));
    }
    if (!codes.empty()) std::cout << " (" << join(codes, ", ") << ")";
    std::cout << "\n";
    for (const std::string& f : failed) {
      std::cout << "failed: " << f << "\n";
    }
  }
  return failed.empty() ? kExitOk : kExitOther;
}

namespace {

void print_sync(const SyncReport& r, bool dry_run) {
  std::cout << r.actor_id << ": " << (dry_run ? "would upload " : "uploaded ") << r.uploads.size()
            << " (" << format_bytes(static_cast<unsigned long long>(r.upload_bytes)) << "), "
            << r.unchanged << " unchanged, " << (dry_run ? "would delete " : "deleted ")
            << r.deletions.size();
  if (!r.orphans.empty()) {
    std::cout << ", " << r.orphans.size() << " remote files without a local one kept (--delete)";
  }
  std::cout << (r.marked_synced
                    ? "; recorded as synced (" + std::to_string(r.s3_urls.size()) + " images)"
                    : "")
            << "\n";
  for (const std::string& excluded : r.excluded) {
    std::cout << "  left out: " << excluded << "\n";
  }
  if (!r.ignored.empty()) std::cout << "  ignored (not images): " << join(r.ignored, ", ") << "\n";
  for (const std::string& failed : r.failed) {
    std::cout << "  failed: " << failed << "\n";
  }
  if (!dry_run && !r.marked_synced) {
    std::cout << "  not recorded as synced: the uploads above failed; run the sync again\n";
  }
}

Error s3_not_configured(const std::string& command) {
  return Error{ErrorCode::FailedPrecondition,
               command +
                   ": S3 is not configured (set S3_BUCKET, AWS_ACCESS_KEY_ID and "
                   "AWS_SECRET_ACCESS_KEY; S3_ENDPOINT_URL for an S3-compatible store)"};
}

}  // namespace

int run_data_sync(Context& context, const Options& o) {
  if (context.objects == nullptr) {
    return report_error(s3_not_configured("data sync"), o.json);
  }
  if (o.all == !o.actor.empty()) {
    return report_error(Error{ErrorCode::InvalidArgument, "data sync: give an ACTOR or --all"},
                        o.json);
  }
  SyncOptions options;
  options.delete_orphans = o.delete_orphans;
  options.dry_run = o.dry_run;
  options.concurrency = o.sync_concurrency;
  std::shared_ptr<const ActorCatalog> catalog = context.registry.catalog();
  if (!o.all) {
    Result<const Actor*> actor = catalog->find(o.actor);
    if (!actor) return report_error(actor.error(), o.json);
    Result<SyncReport> report = Error{ErrorCode::Internal, "not run"};
    {
      ProgressBar bar("sync " + (*actor)->label(), !o.json);
      report = sync_actor(**actor, context.scanner, *context.objects, context.registry,
                          context.settings.limits, context.settings.s3_key_layout, options,
                          [&bar](const std::string& stage, std::size_t step, std::size_t total) {
                            if (stage == "upload" || stage == "scan") {
                              bar.update(step, total, stage);
                            }
                          });
    }
    if (!report) return report_error(report.error(), o.json);
    if (o.json) {
      print_json(sync_report_to_json(*report));
    } else {
      print_sync(*report, o.dry_run);
    }
    return o.dry_run || report->marked_synced ? kExitOk : kExitOther;
  }
  // One bar over the whole run: actors scanned, prefixes listed, then files and bytes sent.
  std::optional<ProgressBar> bar;
  bar.emplace("sync --all", !o.json);
  Result<std::vector<SyncOutcome>> outcomes = sync_all(
      *catalog, context.scanner, *context.objects, context.registry, context.settings.limits,
      context.settings.s3_key_layout, options, [&bar](const SyncAllStatus& s) {
        if (s.stage == "scan") {
          bar->update(s.scanned, s.actors, "scan: actors");
        } else if (s.stage == "list") {
          bar->update(s.listed, s.to_list, "list: prefixes");
        } else if (s.stage == "upload") {
          bar->update(s.files_done, s.files_total,
                      "upload: " + format_bytes(static_cast<unsigned long long>(s.bytes_done)) +
                          " of " + format_bytes(static_cast<unsigned long long>(s.bytes_total)) +
                          ", files");
        }
      });
  bar.reset();
  if (!outcomes) return report_error(outcomes.error(), o.json);
  // In registry order: a failed actor's entry sits where the actor is.
  bool all_ok = true;
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const SyncOutcome& outcome : *outcomes) {
    if (outcome.error) {
      all_ok = false;
      results.push_back(
          {{"actor_id", outcome.actor_id}, {"error", error_to_json(*outcome.error)["error"]}});
      if (!o.json) std::cout << outcome.label << ": " << outcome.error->message << "\n";
      continue;
    }
    all_ok = all_ok && (o.dry_run || outcome.report->marked_synced);
    results.push_back(sync_report_to_json(*outcome.report));
    if (!o.json) print_sync(*outcome.report, o.dry_run);
  }
  if (o.json) print_json(results);
  return all_ok ? kExitOk : kExitOther;
}

int run_data_pull(Context& context, const Options& o) {
  if (context.objects == nullptr) {
    return report_error(s3_not_configured("data pull"), o.json);
  }
  Result<FoundActor> found = find_actor(context, o.actor);
  if (!found) return report_error(found.error(), o.json);
  const Actor& actor = *found->actor;
  Result<PullReport> report = Error{ErrorCode::Internal, "not run"};
  {
    ProgressBar bar("pull " + actor.label(), !o.json);
    report = pull_actor(actor, context.scanner, *context.objects, context.settings.s3_key_layout,
                        o.dry_run,
                        [&bar](std::size_t done, std::size_t total) { bar.update(done, total); });
  }
  if (!report) return report_error(report.error(), o.json);
  const PullReport& r = *report;
  if (o.json) {
    print_json(pull_report_to_json(r));
  } else {
    std::cout << r.actor_id << ": " << (o.dry_run ? "would download " : "downloaded ")
              << r.pulled.size() << " ("
              << format_bytes(static_cast<unsigned long long>(r.pulled_bytes)) << ") into "
              << r.folder << ", " << r.unchanged << " already there";
    if (r.recorded) std::cout << "; recorded as the synced content";
    std::cout << "\n";
    if (!r.kept.empty()) {
      std::cout << "  kept (the local file differs from S3, not overwritten): "
                << join(r.kept, ", ") << "\n";
    }
    for (const std::string& missing : r.missing) {
      std::cout << "  missing in S3: " << missing << "\n";
    }
    for (const std::string& failed : r.failed) {
      std::cout << "  failed: " << failed << "\n";
    }
  }
  return r.failed.empty() ? kExitOk : kExitOther;
}

}  // namespace atr::cli
