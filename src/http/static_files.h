#pragma once
// The built web UI: files through cpp-httplib's own mount point and MIME table, the page's
// client-side routes answered with index.html, and a plain page when no UI is built.

#include <filesystem>

#include "base/result.h"
#include "core/thumbnails.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace atr {

/// Serves the files of `ui_dir` at "/" when it holds a built UI (index.html): Vite's
/// content-hashed assets/ cached for a year, everything else revalidated each time.
void mount_ui(httplib::Server& server, const std::filesystem::path& ui_dir);

/// A GET that no route and no file answered: 404 under /api/ and for a missing asset;
/// otherwise index.html (the page's own routes), or a plain page saying no UI is built.
void answer_ui_fallback(const std::filesystem::path& ui_dir, const httplib::Request& req,
                        httplib::Response& res);

/// A thumbnail file with its ETag (304 when the client has it) and a short private cache.
void send_thumbnail(const httplib::Request& req, httplib::Response& res,
                    const Result<Thumbnail>& thumb);

}  // namespace atr
