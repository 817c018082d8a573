// The data routes: an actor's training data (files and findings), one image's thumbnail, a
// background sync to S3, and the import of a studio's history.
#include <httplib.h>

#include "api/request_body.h"
#include "base/strings.h"
#include "core/s3_data.h"
#include "http/api_context.h"
#include "http/problem.h"
#include "http/request_args.h"
#include "http/static_files.h"

namespace atr {
namespace {

using nlohmann::ordered_json;
using Req = httplib::Request;
using Res = httplib::Response;

bool is_image_name(std::string_view name) {
  const std::string ext = extension_lower(name);
  return ext == "jpg" || ext == "jpeg" || ext == "png" || ext == "webp";
}

// Runs a sync of `actor` on the background threads; its progress and outcome are "sync" events.
void run_sync(ApiContext& c, const Actor& actor, const SyncOptions& options) {
  auto publish = [&](ordered_json doc) {
    doc["actor_id"] = actor.key();
    c.s.events.publish("sync", actor.key(), 0, json_text(doc));
  };
  Result<SyncReport> report = sync_actor(
      actor, c.s.scanner, *c.s.objects, c.s.registry, c.s.settings.limits,
      c.s.settings.s3_key_layout, options,
      [&](const std::string& stage, std::size_t done, std::size_t total) {
        publish({{"state", "running"}, {"stage", stage}, {"done", done}, {"total", total}});
      });
  // What the list says changes now, before the page hears the outcome and asks again.
  c.s.data.forget(actor.key());
  if (report) {
    ordered_json doc = sync_report_to_json(*report);
    doc["state"] = report->marked_synced || options.dry_run ? "done" : "incomplete";
    publish(std::move(doc));
  } else {
    publish({{"state", "failed"}, {"error", error_to_json(report.error())["error"]}});
  }
  std::lock_guard done(c.syncs_mutex);
  c.syncing.erase(actor.key());
}

}  // namespace

void get_training_data(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  const Actor& a = *found->actor;
  Result<TrainingDataReport> report = inspect_actor_data(
      a, c.s.scanner, c.s.objects, c.s.settings.s3_key_layout, c.s.settings.limits, {});
  if (!report) return send_error(res, report.error());
  // This scan measured the images; the list's summary (which reads measures, never takes
  // them) is taken again so its faces and findings agree with this report.
  c.s.data.forget(a.key());
  ordered_json doc = training_data_to_json(a, *report);
  for (ordered_json& file : doc["files"]) {
    // The thumbnail route reads the local folder; an object only in S3 has none to show.
    file["thumbnail_url"] = file.contains("s3_url")
                                ? ordered_json(nullptr)
                                : ordered_json("/api/actors/" + actor_ref(a) + "/training-data/" +
                                               percent_encode(file["name"].get<std::string>()));
  }
  send_json(res, 200, doc);
}

void get_training_image(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  const std::string file = req.matches[2];
  if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos ||
      file.find('\\') != std::string::npos || file.find('\0') != std::string::npos) {
    return send_error(res, Error{ErrorCode::InvalidArgument, "bad file name"});
  }
  if (!is_image_name(file)) {
    return send_error(res, Error{ErrorCode::NotFound, "no training image " + file});
  }
  Result<ThumbnailSize> size = thumbnail_size_of(req);
  if (!size) return send_error(res, size.error());
  Result<std::string> folder = training_folder(*found->actor);
  if (!folder) return send_error(res, folder.error());
  send_thumbnail(req, res, c.s.thumbnails.thumbnail(*folder + "/" + file, *size));
}

void start_sync(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error());
  SyncOptions options;
  Result<std::optional<bool>> remove = flag_member(*body, "delete");
  if (!remove) return send_error(res, remove.error());
  Result<std::optional<bool>> dry_run = flag_member(*body, "dry_run");
  if (!dry_run) return send_error(res, dry_run.error());
  options.delete_orphans = remove->value_or(false);
  options.dry_run = dry_run->value_or(false);
  if (c.s.objects == nullptr) {
    return send_error(res, Error{ErrorCode::FailedPrecondition,
                                 "S3 is not configured (S3_BUCKET, AWS_ACCESS_KEY_ID, "
                                 "AWS_SECRET_ACCESS_KEY; S3_ENDPOINT_URL for an S3-compatible "
                                 "store)"});
  }
  const Actor actor = *found->actor;
  {
    std::lock_guard lock(c.syncs_mutex);
    if (!c.syncing.insert(actor.key()).second) {
      return send_error(res,
                        Error{ErrorCode::Conflict, "a sync of " + actor.label() + " is running"});
    }
  }
  // The sync runs after the answer, on the bounded background threads (a sync past the limit
  // starts when one ends).
  c.background.run([&c, actor, options] { run_sync(c, actor, options); });
  send_json(res, 202, {{"actor_id", actor.key()}, {"state", "running"}});
}

void import_history(ApiContext& c, const Req& req, Res& res) {
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error());
  // The page shows the plan first; applying is asked for explicitly.
  Result<std::optional<bool>> dry_run = flag_member(*body, "dry_run");
  if (!dry_run) return send_error(res, dry_run.error());
  Result<std::string> folder = string_member(*body, "folder");
  if (!folder) return send_error(res, folder.error());
  Result<ImportRun> run = c.s.importer.run(*folder, dry_run->value_or(true));
  if (!run) return send_error(res, run.error().about("folder"));
  send_json(res, 200, import_run_to_json(*run));
}

}  // namespace atr
