#include "core/data_sync.h"

#include <algorithm>
#include <map>
#include <set>

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
  std::string prefix = layout.substr(0, file);
  for (std::size_t at = prefix.find("{actor}"); at != std::string::npos;
       at = prefix.find("{actor}")) {
    prefix.replace(at, 7, actor.name);
  }
  return prefix;
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

Result<SyncReport> sync_actor(const Actor& actor, TrainingDataScanner& scanner, ObjectStore& store,
                              ActorRegistry& registry, const DataCheckLimits& limits,
                              const std::string& key_layout, const SyncOptions& options,
                              const SyncProgress& progress) {
  const std::string what = "sync " + actor.label();
  auto tell = [&](const std::string& stage, std::size_t done, std::size_t total) {
    if (progress) progress(stage, done, total);
  };
  Result<std::string> prefix = key_prefix(key_layout, actor);
  if (!prefix) return prefix.error().with_context(what);
  Result<TrainingDataReport> scan =
      inspect_actor_data(actor, scanner, &store, key_layout, limits,
                         [&](std::size_t done, std::size_t total) { tell("scan", done, total); });
  if (!scan) return scan.error().with_context(what);
  if (scan->usable_count == 0 && !options.delete_orphans) {
    return Error{ErrorCode::FailedPrecondition, what + ": " + explain_sync_state(actor, *scan)};
  }
  if (scan->s3_only && !scan->s3_listed.empty()) {
    return record_s3_only(actor, *scan, registry, scanner, options);
  }
  tell("list", 0, 1);
  Result<std::vector<StoredObject>> remote = store.list(*prefix);
  if (!remote) return remote.error().with_context(what);
  tell("list", 1, 1);
  SyncReport report = plan_sync(actor, *scan, *remote, *prefix, store);
  if (options.delete_orphans) {
    report.deletions = report.orphans;
    report.orphans.clear();
  }
  if (options.dry_run) return report;

  std::size_t uploaded = 0;
  tell("upload", 0, report.uploads.size());
  const std::vector<Status> outcomes =
      store.put_all(report.uploads, std::max(1, options.concurrency),
                    [&](const PutItem& /*item*/, const Status& /*outcome*/) {
                      tell("upload", ++uploaded, report.uploads.size());
                    });
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i]) {
      report.failed.push_back(report.uploads[i].key + ": " + outcomes[i].error().message);
    }
  }
  for (std::size_t i = 0; i < report.deletions.size(); ++i) {
    if (Status removed = store.remove(report.deletions[i]); !removed) {
      report.failed.push_back(report.deletions[i] + ": " + removed.error().message);
    }
    tell("delete", i + 1, report.deletions.size());
  }
  if (!report.failed.empty() || scan->usable_count == 0) return report;

  TrainingDataRecord record;
  record.s3_urls = report.s3_urls;
  record.local_path = scan->folder;
  record.count = static_cast<int>(report.s3_urls.size());
  record.synced = true;
  SyncReport::Pending pending;
  pending.folder = scan->folder;
  if (actor.training_data != record) {  // a no-op re-sync leaves actors.json untouched
    ActorPatch patch;
    patch.actor_ref = actor.key();
    patch.training_data = record;
    pending.patch = std::move(patch);
  }
  // Every local image is in S3 now, so its MD5 is what "synced" means from here on.
  std::map<std::string, std::string> before;
  for (const ScannedFile& file : scan->files) {
    if (file.status != FileStatus::Image) continue;
    pending.md5s.emplace(file.name, file.md5);
    if (!file.synced_md5.empty()) before.emplace(file.name, file.synced_md5);
  }
  pending.md5s_changed = pending.md5s != before;
  report.pending = std::move(pending);
  if (options.defer_record) return report;
  tell("record", 0, 1);
  if (Status committed = commit_syncs({&report}, registry, scanner); !committed) {
    return committed.error().with_context(what);
  }
  tell("record", 1, 1);
  return report;
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
  std::vector<SyncOutcome> outcomes;
  for (const Actor& actor : catalog.actors()) {
    if (actor.name.empty()) continue;
    const DataSummary data = data_summary(actor, scanner, limits);
    if (data.usable == 0 && data.excluded == 0 && !(options.delete_orphans && data.recorded > 0)) {
      continue;  // nothing to sync
    }
    Result<SyncReport> report =
        sync_actor(actor, scanner, store, registry, limits, key_layout, options,
                   [&](const std::string& stage, std::size_t done, std::size_t total) {
                     if (progress) progress(actor, stage, done, total);
                   });
    SyncOutcome outcome{actor.key(), actor.label(), std::nullopt, std::nullopt};
    if (report) {
      outcome.report = std::move(report).value();
    } else {
      outcome.error = report.error();
    }
    outcomes.push_back(std::move(outcome));
  }
  std::vector<SyncReport*> pending;
  for (SyncOutcome& o : outcomes) {
    if (o.report && o.report->pending) pending.push_back(&*o.report);
  }
  if (!pending.empty()) {
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
