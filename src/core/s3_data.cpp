#include "core/s3_data.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/strings.h"
#include "core/data_sync.h"

namespace atr {
namespace {

bool is_candidate_image(const std::string& name) {
  static const std::set<std::string> kImages = {"jpg", "jpeg", "png", "webp"};
  return kImages.count(extension_lower(name)) != 0;
}

// The folder part of a key: "a/b/c.jpg" → "a/b/".
std::string folder_of(const std::string& key) {
  const std::size_t slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash + 1);
}

std::string listing_url(const S3Location& at) {
  return "s3://" + at.bucket + "/" + at.key;
}

Result<RemoteImages> recorded_images(const Actor& actor, ObjectStore& store) {
  RemoteImages out;
  out.recorded = true;
  // One listing per (bucket, folder): an actor's images usually share one folder.
  std::map<std::pair<std::string, std::string>, std::vector<S3Location>> by_folder;
  for (const std::string& url : actor.training_data->s3_urls) {
    std::optional<S3Location> at = parse_s3_url(url);
    if (!at) {
      // Not ours to read (a CDN or other host): the record alone says what trains.
      return Error{ErrorCode::FailedPrecondition, url + " is not an S3 URL"};
    }
    by_folder[{at->bucket, folder_of(at->key)}].push_back(*at);
  }
  std::vector<std::string> listed;
  for (const auto& [place, wanted] : by_folder) {
    const S3Location folder{place.first, place.second, wanted.front().region};
    Result<std::vector<StoredObject>> objects = store.list_at(folder);
    if (!objects) return objects.error().with_context("list " + listing_url(folder));
    listed.push_back(listing_url(folder));
    std::map<std::string, const StoredObject*> by_key;
    for (const StoredObject& o : *objects) {
      by_key.emplace(o.key, &o);
    }
    for (const S3Location& at : wanted) {
      auto found = by_key.find(at.key);
      if (found == by_key.end()) {
        out.missing.push_back(at.url());
      } else {
        out.images.push_back({at, *found->second});
      }
    }
  }
  out.listed = join(listed, ", ");
  return out;
}

Result<RemoteImages> discovered_images(const Actor& actor, ObjectStore& store,
                                       const std::string& key_layout) {
  Result<std::string> prefix = key_prefix(key_layout, actor);
  if (!prefix) return prefix.error();
  std::optional<S3Location> at = parse_s3_url(store.url_of(*prefix));
  if (!at) return Error{ErrorCode::Internal, "not an S3 URL: " + store.url_of(*prefix)};
  Result<std::vector<StoredObject>> objects = store.list_at(*at);
  if (!objects) return objects.error().with_context("list " + listing_url(*at));
  RemoteImages out;
  out.listed = listing_url(*at);
  for (const StoredObject& o : *objects) {
    const std::string name = o.key.substr(std::min(o.key.size(), prefix->size()));
    // Only the prefix's own files: deeper keys belong to another layout level, and captions
    // and hidden files are not training images.
    if (name.empty() || name.find('/') != std::string::npos || name.front() == '.' ||
        extension_lower(name) == "txt") {
      continue;
    }
    if (!is_candidate_image(name)) {
      out.ignored.push_back(name);
      continue;
    }
    out.images.push_back({S3Location{at->bucket, o.key, at->region}, o});
  }
  return out;
}

void sort_by_name(RemoteImages& remote) {
  std::sort(remote.images.begin(), remote.images.end(),
            [](const RemoteImages::Image& a, const RemoteImages::Image& b) {
              return a.at.file_name() < b.at.file_name();
            });
  std::sort(remote.ignored.begin(), remote.ignored.end());
}

}  // namespace

Result<RemoteImages> find_remote_images(const Actor& actor, ObjectStore& store,
                                        const std::string& key_layout) {
  Result<RemoteImages> remote = actor.training_data && !actor.training_data->s3_urls.empty()
                                    ? recorded_images(actor, store)
                                    : discovered_images(actor, store, key_layout);
  if (!remote) return remote.error().with_context("find the S3 images of " + actor.label());
  sort_by_name(*remote);
  return remote;
}

Result<TrainingDataReport> inspect_actor_data(const Actor& actor, TrainingDataScanner& scanner,
                                              ObjectStore* store, const std::string& key_layout,
                                              const DataCheckLimits& limits,
                                              const ProgressFn& progress) {
  Result<TrainingDataReport> local = inspect_training_data(actor, scanner, limits, progress);
  if (!local || store == nullptr || local->usable_count > 0 || !local->excluded.empty()) {
    return local;
  }
  Result<RemoteImages> remote = find_remote_images(actor, *store, key_layout);
  if (!remote) {
    // An actor without a name usable in a key has no layout prefix to look under.
    if (remote.error().code == ErrorCode::InvalidArgument) return local;
    // The folder's answer stands (for an S3-only actor, the recorded block; the deep check
    // before a training HEADs its objects), and the report says S3 could not be read.
    local->findings.push_back({Severity::Warning, "s3_unchecked", "",
                               "the S3 objects could not be checked: " + remote.error().message});
    return local;
  }
  if (remote->images.empty() && remote->missing.empty()) return local;

  std::vector<ScannedFile> files;
  const std::size_t total = remote->images.size();
  std::size_t done = 0;
  for (const RemoteImages::Image& image : remote->images) {
    ScannedFile file = scanner.scan_object(image.at.file_name(), image.object,
                                           [&] { return store->get_at(image.at); });
    file.s3_url = image.at.url();
    // A recorded object is the synced content by definition.
    if (remote->recorded) file.synced_md5 = file.md5;
    files.push_back(std::move(file));
    if (progress) progress(++done, total);
  }
  for (const std::string& url : remote->missing) {
    ScannedFile file;
    const std::optional<S3Location> at = parse_s3_url(url);
    file.name = at ? at->file_name() : url;
    file.status = FileStatus::Unreadable;
    file.detail = "missing in S3";
    file.s3_url = url;
    files.push_back(std::move(file));
  }
  for (const std::string& name : remote->ignored) {
    ScannedFile file;
    file.name = name;
    file.status = FileStatus::Ignored;
    file.detail = "not an image (." + extension_lower(name) + ")";
    files.push_back(std::move(file));
  }
  TrainingDataReport report =
      check_training_data(local->folder, std::move(files), actor.training_data, limits);
  report.s3_only = true;
  report.s3_count = report.usable_count;
  report.s3_listed = remote->listed;
  return report;
}

Status require_synced_data(const Actor& actor, TrainingDataScanner& scanner, ObjectStore* store,
                           const std::string& key_layout, const DataCheckLimits& limits,
                           const ProgressFn& progress) {
  Result<TrainingDataReport> report =
      inspect_actor_data(actor, scanner, store, key_layout, limits, progress);
  if (!report) return report.error();
  if (report->sync != SyncState::Synced) {
    return Error{ErrorCode::FailedPrecondition,
                 "train " + actor.label() + ": " + explain_sync_state(actor, *report)};
  }
  return Ok{};
}

Result<PullReport> pull_actor(const Actor& actor, TrainingDataScanner& scanner, ObjectStore& store,
                              const std::string& key_layout, bool dry_run,
                              const ProgressFn& progress) {
  const std::string what = "pull " + actor.label();
  Result<RemoteImages> remote = find_remote_images(actor, store, key_layout);
  if (!remote) return remote.error().with_context(what);
  if (remote->images.empty()) {
    return Error{ErrorCode::FailedPrecondition,
                 what + ": no images in S3 (" +
                     (remote->missing.empty()
                          ? "nothing under " + remote->listed
                          : std::to_string(remote->missing.size()) + " recorded, all missing") +
                     ")"};
  }
  Result<TrainingDataReport> local =
      inspect_training_data(actor, scanner, {}, {}, ScanDepth::Files);
  if (!local) return local.error().with_context(what);
  std::map<std::string, const ScannedFile*> here;
  for (const ScannedFile& file : local->files) {
    here.emplace(file.name, &file);
  }
  PullReport report;
  report.actor_id = actor.key();
  report.folder = local->folder;
  report.missing = remote->missing;
  std::map<std::string, std::string> synced;  // name → the object's content as we know it
  std::size_t done = 0;
  for (const RemoteImages::Image& image : remote->images) {
    const std::string name = image.at.file_name();
    const std::string etag = to_lower(image.object.etag);
    if (auto there = here.find(name); there != here.end()) {
      const ScannedFile& file = *there->second;
      if (is_md5_hex(etag) && file.md5 == etag) {
        ++report.unchanged;
        synced.emplace(name, etag);
      } else {
        // Never overwrite a local edit. Recording the object's ETag (an MD5, or a multipart
        // ETag no file's MD5 equals) makes the folder scan as changed until it is synced.
        report.kept.push_back(name);
        synced.emplace(name, etag);
      }
    } else if (dry_run) {
      report.pulled.push_back(name);
      report.pulled_bytes += image.object.size;
    } else {
      Result<std::string> md5 = store.download_at(image.at, etag, local->folder + "/" + name);
      if (md5) {
        report.pulled.push_back(name);
        report.pulled_bytes += image.object.size;
        synced.emplace(name, *md5);
      } else {
        report.failed.push_back(name + ": " + md5.error().message);
      }
    }
    if (progress) progress(++done, remote->images.size());
  }
  if (dry_run || !report.failed.empty()) return report;
  if (Status kept = scanner.record_synced(local->folder, synced); !kept) {
    return kept.error().with_context(what);
  }
  report.recorded = true;
  return report;
}

}  // namespace atr
