#include "core/data_sync.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include "base/strings.h"
#include "core/s3_data.h"

namespace atr {

Result<std::string> key_prefix(const std::string& layout, const Actor& actor) {
  const std::size_t file = layout.find("{file}");
  if (file == std::string::npos || file + 6 != layout.size()) {
    return Error{ErrorCode::InvalidArgument, "S3 key layout '" + layout + "' must end with {file}"};
  }
  if (actor.name.empty() || actor.name.find('/') != std::string::npos || actor.name == "." ||
      actor.name == "..") {
    return Error{ErrorCode::InvalidArgument,
                 "actor " + actor.label() + " has no name usable in an S3 key"};
  }
  return replace_all(layout.substr(0, file), "{actor}", actor.name);
}

SyncReport plan_sync(const Actor& actor, const TrainingDataReport& scan,
                     const std::vector<StoredObject>& remote, const std::string& prefix,
                     const ObjectStore& store) {
  SyncReport plan;
  plan.actor_id = actor.key();
  plan.prefix = prefix;
  std::map<std::string, std::string> file_errors;
  for (const Finding& f : scan.findings) {
    if (f.severity == Severity::Error && !f.file.empty()) file_errors.emplace(f.file, f.message);
  }
  std::map<std::string, const StoredObject*> by_key;
  for (const StoredObject& o : remote) {
    by_key[o.key] = &o;
  }
  std::set<std::string> local_keys;
  for (const ScannedFile& file : scan.files) {
    if (file.status == FileStatus::Ignored) {
      plan.ignored.push_back(file.name);
      continue;
    }
    if (auto error = file_errors.find(file.name); error != file_errors.end()) {
      plan.excluded.push_back(file.name + ": " + error->second);
      continue;
    }
    if (file.status != FileStatus::Image) {
      plan.excluded.push_back(file.name + ": " + std::string(to_string(file.status)));
      continue;
    }
    const std::string key = prefix + file.name;
    local_keys.insert(key);
    plan.s3_urls.push_back(store.url_of(key));
    auto there = by_key.find(key);
    if (there != by_key.end() && to_lower(there->second->etag) == to_lower(file.md5) &&
        static_cast<std::uint64_t>(there->second->size) == file.bytes) {
      ++plan.unchanged;
      continue;
    }
    plan.uploads.push_back(
        {key, scan.folder + "/" + file.name, file.md5, static_cast<std::int64_t>(file.bytes)});
    plan.upload_bytes += static_cast<std::int64_t>(file.bytes);
  }
  for (const StoredObject& o : remote) {
    if (local_keys.count(o.key) == 0) plan.orphans.push_back(o.key);
  }
  std::sort(plan.s3_urls.begin(), plan.s3_urls.end());
  return plan;
}

namespace {

// An actor whose images live only in S3 has nothing to upload: its sync records the usable
// objects, those found under the layout or the recorded ones less any missing or unusable.
Result<SyncReport> record_s3_only(const Actor& actor, const TrainingDataReport& scan,
                                  ActorRegistry& registry, TrainingDataScanner& scanner,
                                  const SyncOptions& options) {
  SyncReport report;
  report.actor_id = actor.key();
  report.prefix = scan.s3_listed;
  std::set<std::string> excluded(scan.excluded.begin(), scan.excluded.end());
  std::map<std::string, std::string> why;
  for (const Finding& f : scan.findings) {
    if (f.severity == Severity::Error && !f.file.empty()) why.emplace(f.file, f.message);
  }
  for (const ScannedFile& file : scan.files) {
    if (file.status == FileStatus::Ignored) {
      report.ignored.push_back(file.name);
    } else if (excluded.count(file.name) != 0) {
      report.excluded.push_back(file.name + ": " + why[file.name]);
    } else {
      report.s3_urls.push_back(file.s3_url);
      ++report.unchanged;
    }
  }
  std::sort(report.s3_urls.begin(), report.s3_urls.end());
  if (options.dry_run) return report;
  TrainingDataRecord record;
  record.s3_urls = report.s3_urls;
  record.local_path = actor.training_data && !actor.training_data->local_path.empty()
                          ? actor.training_data->local_path
                          : scan.folder;
  record.count = static_cast<int>(report.s3_urls.size());
  record.synced = true;
  SyncReport::Pending pending;
  pending.folder = scan.folder;  // no local file: no MD5 to record
  if (actor.training_data != record) {
    pending.patch = ActorPatch{actor.key(), record, std::nullopt, std::nullopt};
  }
  report.pending = std::move(pending);
  if (options.defer_record) return report;
  if (Status committed = commit_syncs({&report}, registry, scanner); !committed) {
    return committed.error().with_context("sync " + actor.label());
  }
  return report;
}

}  // namespace

namespace {

// One actor's sync between its stages: scanned, then listed and planned, then transferred.
struct Staged {
  const Actor* actor = nullptr;
  std::string what;    ///< "sync <actor>", the context of its errors
  std::string prefix;  ///< its key prefix
  TrainingDataReport scan;
  SyncReport report;
  bool done = false;  ///< an S3-only actor: its report is final after the scan
};

// Scans the actor's data: FailedPrecondition without a usable image (unless orphans are to be
// deleted); an actor whose images are only in S3 is recorded from them here and is done.
Result<Staged> scan_stage(const Actor& actor, TrainingDataScanner& scanner, ObjectStore& store,
                          ActorRegistry& registry, const DataCheckLimits& limits,
                          const std::string& key_layout, const SyncOptions& options,
                          const SyncProgress& tell) {
  Staged staged;
  staged.actor = &actor;
  staged.what = "sync " + actor.label();
  Result<std::string> prefix = key_prefix(key_layout, actor);
  if (!prefix) return prefix.error().with_context(staged.what);
  staged.prefix = std::move(prefix).value();
  Result<TrainingDataReport> scan = inspect_actor_data(actor, scanner, &store, key_layout, limits,
                                                       [&](std::size_t done, std::size_t total) {
                                                         if (tell) tell("scan", done, total);
                                                       });
  if (!scan) return scan.error().with_context(staged.what);
  staged.scan = std::move(scan).value();
  if (staged.scan.usable_count == 0 && !options.delete_orphans) {
    return Error{ErrorCode::FailedPrecondition,
                 staged.what + ": " + explain_sync_state(actor, staged.scan)};
  }
  if (staged.scan.s3_only && !staged.scan.s3_listed.empty()) {
    Result<SyncReport> report = record_s3_only(actor, staged.scan, registry, scanner, options);
    if (!report) return report.error();
    staged.report = std::move(report).value();
    staged.done = true;
  }
  return staged;
}

// Plans the actor's transfers from the listing of its prefix.
Status plan_stage(Staged& staged, const Result<std::vector<StoredObject>>& remote,
                  const ObjectStore& store, const SyncOptions& options) {
  if (!remote) return remote.error().with_context(staged.what);
  staged.report = plan_sync(*staged.actor, staged.scan, *remote, staged.prefix, store);
  if (options.delete_orphans) {
    staged.report.deletions = staged.report.orphans;
    staged.report.orphans.clear();
  }
  return Ok{};
}

// After the uploads (whose failures are in report.failed): deletes the orphans when asked and,
// when everything is in S3, sets what is left to record.
void finish_stage(Staged& staged, ObjectStore& store, const SyncProgress& tell) {
  SyncReport& report = staged.report;
  for (std::size_t i = 0; i < report.deletions.size(); ++i) {
    if (Status removed = store.remove(report.deletions[i]); !removed) {
      report.failed.push_back(report.deletions[i] + ": " + removed.error().message);
    }
    if (tell) tell("delete", i + 1, report.deletions.size());
  }
  if (!report.failed.empty() || staged.scan.usable_count == 0) return;
  TrainingDataRecord record;
  record.s3_urls = report.s3_urls;
  record.local_path = staged.scan.folder;
  record.count = static_cast<int>(report.s3_urls.size());
  record.synced = true;
  SyncReport::Pending pending;
  pending.folder = staged.scan.folder;
  const Actor& actor = *staged.actor;
  if (actor.training_data != record) {  // a no-op re-sync leaves actors.json untouched
    ActorPatch patch;
    patch.actor_ref = actor.key();
    patch.training_data = record;
    pending.patch = std::move(patch);
  }
  // Every local image is in S3 now, so its MD5 is what "synced" means from here on.
  std::map<std::string, std::string> before;
  for (const ScannedFile& file : staged.scan.files) {
    if (file.status != FileStatus::Image) continue;
    pending.md5s.emplace(file.name, file.md5);
    if (!file.synced_md5.empty()) before.emplace(file.name, file.synced_md5);
  }
  pending.md5s_changed = pending.md5s != before;
  report.pending = std::move(pending);
}

}  // namespace

Result<SyncReport> sync_actor(const Actor& actor, TrainingDataScanner& scanner, ObjectStore& store,
                              ActorRegistry& registry, const DataCheckLimits& limits,
                              const std::string& key_layout, const SyncOptions& options,
                              const SyncProgress& progress) {
  auto tell = [&](const std::string& stage, std::size_t done, std::size_t total) {
    if (progress) progress(stage, done, total);
  };
  Result<Staged> staged =
      scan_stage(actor, scanner, store, registry, limits, key_layout, options, tell);
  if (!staged) return staged.error();
  if (staged->done) return std::move(staged->report);
  tell("list", 0, 1);
  if (Status planned = plan_stage(*staged, store.list(staged->prefix), store, options); !planned) {
    return planned.error();
  }
  tell("list", 1, 1);
  SyncReport& report = staged->report;
  if (options.dry_run) return std::move(report);

  std::size_t uploaded = 0;
  tell("upload", 0, report.uploads.size());
  {
    // `done` is heard one call at a time.
    std::unique_ptr<ObjectStore::Uploads> run = store.start_uploads(
        std::max(1, options.concurrency), [&](const PutItem& item, const Status& sent) {
          if (!sent) report.failed.push_back(item.key + ": " + sent.error().message);
          tell("upload", ++uploaded, report.uploads.size());
        });
    run->add(report.uploads);
    run->finish();
  }
  std::sort(report.failed.begin(), report.failed.end());  // as they ended: put in key order
  finish_stage(*staged, store, tell);
  if (!report.pending || options.defer_record) return std::move(report);
  tell("record", 0, 1);
  if (Status committed = commit_syncs({&report}, registry, scanner); !committed) {
    return committed.error().with_context(staged->what);
  }
  tell("record", 1, 1);
  return std::move(report);
}

Status commit_syncs(const std::vector<SyncReport*>& reports, ActorRegistry& registry,
                    TrainingDataScanner& scanner) {
  std::vector<ActorPatch> patches;
  for (const SyncReport* r : reports) {
    if (r->pending && r->pending->patch) patches.push_back(*r->pending->patch);
  }
  if (!patches.empty()) {
    if (Status written = registry.update(patches); !written) {
      return written.error().with_context("record the training_data block");
    }
  }
  for (SyncReport* r : reports) {
    if (!r->pending) continue;
    if (r->pending->md5s_changed) {
      if (Status kept = scanner.record_synced(r->pending->folder, r->pending->md5s); !kept) {
        return kept.error().with_context("record the synced digests of " + r->actor_id);
      }
    }
    r->marked_synced = true;
    r->pending.reset();
  }
  return Ok{};
}

Result<std::vector<SyncOutcome>> sync_all(const ActorCatalog& catalog, TrainingDataScanner& scanner,
                                          ObjectStore& store, ActorRegistry& registry,
                                          const DataCheckLimits& limits,
                                          const std::string& key_layout, SyncOptions options,
                                          const SyncAllProgress& progress) {
  options.defer_record = true;  // every block in one write, below
  // Progress comes from this thread (scan, plan) and from the upload workers.
  std::mutex status_mutex;
  SyncAllStatus status;
  auto tell = [&](const std::string& stage, const std::function<void(SyncAllStatus&)>& change) {
    std::lock_guard lock(status_mutex);
    if (change) change(status);
    if (!stage.empty()) status.stage = stage;
    if (progress) progress(status);
  };
  // 1. Which actors: those whose folder holds image files (a local look, no S3 request).
  std::vector<const Actor*> candidates;
  const std::vector<bool> absent = absent_training_folders(catalog.actors(), scanner);
  for (const Actor& actor : catalog.actors()) {
    if (actor.name.empty()) continue;
    const DataSummary data = data_summary(actor, scanner, limits, absent[actor.position]);
    if (data.usable == 0 && data.excluded == 0 && !(options.delete_orphans && data.recorded > 0)) {
      continue;  // nothing to sync
    }
    candidates.push_back(&actor);
  }
  status.actors = candidates.size();

  // 2. Their prefixes are listed together, `concurrency` at a time: each listing costs a round
  // trip, so they go out at once, not one per actor.
  std::vector<std::string> prefixes;
  std::vector<std::optional<std::size_t>> listing_of(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (Result<std::string> prefix = key_prefix(key_layout, *candidates[i]); prefix) {
      listing_of[i] = prefixes.size();
      prefixes.push_back(std::move(prefix).value());
    }
  }
  status.to_list = prefixes.size();
  tell("list", {});
  const std::vector<Result<std::vector<StoredObject>>> listings =
      store.list_each(prefixes, std::max(1, options.concurrency));
  tell("list", [](SyncAllStatus& s) { s.listed = s.to_list; });

  // 3. Each actor is scanned (the scan memory makes an unchanged file cost a stat) and planned,
  // and its uploads join one upload run that started with the first of them: the server is
  // kept busy while the later actors are read and hashed, and a small actor does not leave
  // the connections idle.
  std::mutex owners_mutex;
  std::unordered_map<std::string, std::size_t> owner_of;  // upload key → its actor
  std::vector<std::vector<std::string>> failures(candidates.size());
  std::unique_ptr<ObjectStore::Uploads> uploads;
  if (!options.dry_run) {
    uploads = store.start_uploads(
        std::max(1, options.concurrency), [&](const PutItem& item, const Status& sent) {
          std::size_t owner = 0;
          {
            std::lock_guard lock(owners_mutex);
            owner = owner_of.at(item.key);
          }
          tell("", [&](SyncAllStatus& s) {
            ++s.files_done;
            s.bytes_done += item.size;
            if (!sent) failures[owner].push_back(item.key + ": " + sent.error().message);
          });
        });
  }
  std::vector<SyncOutcome> outcomes;
  std::vector<std::optional<Staged>> staged(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Actor& actor = *candidates[i];
    outcomes.push_back(SyncOutcome{actor.key(), actor.label(), std::nullopt, std::nullopt});
    Result<Staged> scanned =
        scan_stage(actor, scanner, store, registry, limits, key_layout, options, {});
    tell("scan", [&](SyncAllStatus& s) { s.scanned = i + 1; });
    if (!scanned) {
      outcomes[i].error = scanned.error();
      continue;
    }
    if (scanned->done) {
      outcomes[i].report = std::move(scanned->report);
      continue;
    }
    staged[i] = std::move(scanned).value();
    ATR_CHECK(listing_of[i].has_value(), "a scanned actor has a prefix");
    if (Status planned = plan_stage(*staged[i], listings[*listing_of[i]], store, options);
        !planned) {
      outcomes[i].error = planned.error();
      staged[i].reset();
      continue;
    }
    if (!uploads) continue;
    const std::vector<PutItem>& items = staged[i]->report.uploads;
    {
      std::lock_guard lock(owners_mutex);
      for (const PutItem& item : items) {
        owner_of[item.key] = i;
      }
    }
    tell("", [&](SyncAllStatus& s) {
      s.files_total += items.size();
      for (const PutItem& item : items) {
        s.bytes_total += item.size;
      }
    });
    uploads->add(items);
  }
  if (uploads) {
    tell("upload", {});
    uploads->finish();
  }
  for (std::size_t i = 0; i < staged.size(); ++i) {
    if (!staged[i]) continue;
    std::sort(failures[i].begin(), failures[i].end());  // as they ended: put in key order
    for (std::string& failure : failures[i]) {
      staged[i]->report.failed.push_back(std::move(failure));
    }
    if (!options.dry_run) finish_stage(*staged[i], store, {});
    outcomes[i].report = std::move(staged[i]->report);
  }
  // 5. One registry write for every finished actor.
  std::vector<SyncReport*> pending;
  for (SyncOutcome& o : outcomes) {
    if (o.report && o.report->pending) pending.push_back(&*o.report);
  }
  if (!pending.empty()) {
    tell("record", {});
    if (Status committed = commit_syncs(pending, registry, scanner); !committed) {
      return committed.error().with_context("data sync --all");
    }
  }
  return outcomes;
}

Result<std::vector<std::string>> presign_urls(const ObjectStore& store,
                                              const std::vector<std::string>& s3_urls,
                                              std::chrono::seconds expires) {
  const std::string bucket_url = store.url_of("");
  std::vector<std::string> out;
  out.reserve(s3_urls.size());
  for (const std::string& url : s3_urls) {
    if (!url.starts_with(bucket_url)) {
      std::string message = "cannot presign " + url;
      message += ": it is not in the configured bucket (" + bucket_url + ")";
      return Error{ErrorCode::FailedPrecondition, message};
    }
    out.push_back(store.presigned_get(url.substr(bucket_url.size()), expires));
  }
  return out;
}

Status check_remote_objects(const Actor& actor, ObjectStore& store, std::size_t limit,
                            std::size_t* checked) {
  if (checked != nullptr) *checked = 0;
  if (!actor.training_data) return Ok{};
  const std::string bucket_url = store.url_of("");
  std::vector<std::string> missing;
  std::size_t heads = 0;
  for (const std::string& url : actor.training_data->s3_urls) {
    if (!url.starts_with(bucket_url)) continue;  // another bucket: not ours to check
    if (limit != 0 && heads == limit) break;
    ++heads;
    Result<StoredObject> object = store.head(url.substr(bucket_url.size()));
    if (!object && object.error().code == ErrorCode::NotFound) {
      missing.push_back(url);
    } else if (!object) {
      return object.error().with_context("check the S3 objects of " + actor.label());
    }
  }
  if (checked != nullptr) *checked = heads;
  if (missing.empty()) return Ok{};
  std::string list = join(
      std::vector<std::string>(
          missing.begin(),
          missing.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(missing.size(), 5))),
      ", ");
  if (missing.size() > 5) list += ", ...";
  return Error{ErrorCode::FailedPrecondition,
               actor.label() + ": " + std::to_string(missing.size()) + " of " +
                   std::to_string(heads) + " training images are missing in S3 (" + list +
                   "); run data sync again"};
}

}  // namespace atr
