#include "http/static_files.h"

#include <httplib.h>

#include "base/files.h"
#include "http/problem.h"

namespace atr {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNoUiPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Actor Trainer</title>
<style>body{background:#111;color:#ddd;font:16px system-ui,sans-serif;margin:3em}
code,a{color:#8cf}</style></head><body>
<h1>Actor Trainer</h1>
<p>The API is running, but the web UI is not built here (it is looked for in
<code>web/dist</code>; start <code>serve --ui-dir DIR</code> to serve a built one).</p>
<p>API: <a href="/api/health">/api/health</a>, <a href="/api/actors">/api/actors</a>,
document: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
)";

bool has_ui(const fs::path& ui_dir) {
  std::error_code ec;
  return !ui_dir.empty() && fs::is_regular_file(ui_dir / "index.html", ec);
}

}  // namespace

void mount_ui(httplib::Server& server, const fs::path& ui_dir) {
  if (!has_ui(ui_dir)) return;
  // The library's table lacks the charset and source maps.
  server.set_file_extension_and_mimetype_mapping("html", "text/html; charset=utf-8");
  server.set_file_extension_and_mimetype_mapping("js", "text/javascript; charset=utf-8");
  server.set_file_extension_and_mimetype_mapping("css", "text/css; charset=utf-8");
  server.set_file_extension_and_mimetype_mapping("txt", "text/plain; charset=utf-8");
  server.set_file_extension_and_mimetype_mapping("map", "application/json");
  server.set_mount_point("/", ui_dir.string());
  server.set_file_request_handler([](const httplib::Request& req, httplib::Response& res) {
    // Vite names built assets by content hash; index.html must be looked at every time.
    res.set_header("Cache-Control", req.path.starts_with("/assets/")
                                        ? "public, max-age=31536000, immutable"
                                        : "no-cache");
  });
}

void answer_ui_fallback(const fs::path& ui_dir, const httplib::Request& req,
                        httplib::Response& res) {
  if (req.path.starts_with("/api/") || req.path == "/api" || req.path.starts_with("/assets/")) {
    send_error(res, Error{ErrorCode::NotFound, "no route GET " + req.path});
    return;
  }
  if (!has_ui(ui_dir)) {
    res.set_content(kNoUiPage, "text/html; charset=utf-8");
    return;
  }
  Result<std::string> page = read_file(ui_dir / "index.html");
  if (!page) {
    send_error(res, page.error());
    return;
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_content(std::move(page).value(), "text/html; charset=utf-8");
}

void send_thumbnail(const httplib::Request& req, httplib::Response& res,
                    const Result<Thumbnail>& thumb) {
  if (!thumb) return send_error(res, thumb.error());
  res.set_header("ETag", thumb->etag);
  res.set_header("Cache-Control", "private, max-age=300");
  if (req.get_header_value("If-None-Match") == thumb->etag) {
    res.status = 304;
    return;
  }
  Result<std::string> bytes = read_file(thumb->path);
  if (!bytes) return send_error(res, bytes.error());
  res.set_content(std::move(bytes).value(), thumb->content_type);
}

}  // namespace atr
