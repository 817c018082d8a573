// The preview routes: a version's loss curve, its preview images (list, start), one image,
// and the abort of one preview job.
#include <httplib.h>

#include "http/api_context.h"
#include "http/problem.h"
#include "http/request_args.h"
#include "http/static_files.h"

namespace atr {
namespace {

using Req = httplib::Request;
using Res = httplib::Response;

Result<std::int64_t> id_of(const Req& req, const char* what) {
  return path_id(req, what);
}

Status previews_available(const ApiContext& c) {
  if (c.s.previews == nullptr || c.s.preview_store == nullptr) {
    return Error{ErrorCode::Unavailable, "previews are not available in this server"};
  }
  return Ok{};
}

}  // namespace

void get_curve(ApiContext& c, const Req& req, Res& res) {
  Result<std::int64_t> id = id_of(req, "version");
  if (!id) return send_error(res, id.error());
  Result<Version> v = c.s.store.get(*id);
  if (!v) return send_error(res, v.error());
  send_json(res, 200, curve_to_json(*v));
}

void list_previews(ApiContext& c, const Req& req, Res& res) {
  if (Status ok = previews_available(c); !ok) return send_error(res, ok.error());
  Result<std::int64_t> id = id_of(req, "version");
  if (!id) return send_error(res, id.error());
  Result<std::vector<Preview>> previews = c.s.previews->of_version(*id);
  if (!previews) return send_error(res, previews.error());
  send_json(res, 200, preview_list_to_json(*previews));
}

void start_previews(ApiContext& c, const Req& req, Res& res) {
  if (Status ok = previews_available(c); !ok) return send_error(res, ok.error());
  Result<std::int64_t> id = id_of(req, "version");
  if (!id) return send_error(res, id.error());
  // Idempotent by version × prompt × seed: a repeat sends nothing new.
  Result<std::vector<Preview>> started = c.s.previews->start(*id);
  if (!started) return send_error(res, started.error());
  send_json(res, 202, preview_list_to_json(*started));
}

void get_preview_image(ApiContext& c, const Req& req, Res& res) {
  if (Status ok = previews_available(c); !ok) return send_error(res, ok.error());
  Result<std::int64_t> id = id_of(req, "preview");
  if (!id) return send_error(res, id.error());
  const std::optional<std::int64_t> n = parse_id(req.matches[2]);
  Result<Preview> preview = c.s.preview_store->get_preview(*id);
  if (!preview) return send_error(res, preview.error());
  if (!n || *n >= static_cast<std::int64_t>(preview->images.size())) {
    return send_error(
        res, Error{ErrorCode::NotFound, "preview " + std::to_string(*id) + " has no image " +
                                            std::string(req.matches[2])});
  }
  Result<ThumbnailSize> size = thumbnail_size_of(req);
  if (!size) return send_error(res, size.error());
  send_thumbnail(req, res,
                 c.s.thumbnails.thumbnail(preview->images[static_cast<size_t>(*n)], *size));
}

void abort_preview(ApiContext& c, const Req& req, Res& res) {
  if (Status ok = previews_available(c); !ok) return send_error(res, ok.error());
  Result<std::int64_t> id = id_of(req, "preview");
  if (!id) return send_error(res, id.error());
  Result<Preview> aborted = c.s.previews->abort(*id);
  if (!aborted) return send_error(res, aborted.error());
  send_json(res, 200, preview_to_json(*aborted));
}

}  // namespace atr
