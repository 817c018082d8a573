#include "http/api_server.h"

#include <algorithm>
#include <regex>
#include <utility>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "api/api_json.h"
#include "api/request_body.h"
#include "base/files.h"
#include "base/paths.h"
#include "base/strings.h"
#include "core/s3_data.h"
#include "http/listener.h"
#include "http/openapi_document.h"
#include "http/problem.h"

namespace atr {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using Req = httplib::Request;
using Res = httplib::Response;

constexpr std::string_view kTokenCookie = "atr_token";
constexpr const char* kJson = "application/json";
constexpr std::size_t kMaxListLimit = 1000;
constexpr int kMaxLogLimit = 5000;
constexpr auto kDiskFactsTtl = std::chrono::seconds(30);

// 422 with every invalid parameter named; the first one is `field`.
void send_invalid_fields(Res& res, const std::vector<FieldError>& problems) {
  std::vector<std::string> parts;
  parts.reserve(problems.size());
  for (const FieldError& p : problems) {
    parts.push_back(p.field + ": " + p.message);
  }
  ordered_json doc =
      problem_to_json("invalid_argument", "invalid parameters: " + join(parts, "; "),
                      problems.empty() ? "" : "parameters." + problems.front().field);
  doc["error"]["fields"] = validation_to_json(problems);
  send_json(res, 422, doc);
}

// The request body as a JSON object ({} when empty).
Result<nlohmann::json> body_object(const Req& req) {
  return parse_body_object(req.body);
}

// The value of cookie `name` (percent-decoded), or "" when the request has none.
std::string cookie_of(const httplib::Request& req, std::string_view name) {
  for (const std::string& part : split(req.get_header_value("Cookie"), ';')) {
    const std::string_view pair = trim(part);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return httplib::detail::decode_url(std::string(pair.substr(eq + 1)), false);
    }
  }
  return {};
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char other = b.empty() ? '\0' : b[i % b.size()];
    diff |= static_cast<unsigned char>(static_cast<unsigned char>(a[i]) ^
                                       static_cast<unsigned char>(other));
  }
  return diff == 0;
}

// "scheme://host[:port]" of a URL, lowercased.
std::string origin_of(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const std::size_t end = url.find_first_of("/?#", scheme + 3);
  return to_lower(url.substr(0, end));
}

std::optional<std::int64_t> parse_id(const std::string& text) {
  if (text.empty() || text.size() > 18 || !is_digits(text)) return std::nullopt;
  return std::stoll(text);
}

// A non-negative whole number from the query, or `fallback` when absent.
Result<std::size_t> query_count(const Req& req, const char* name, std::size_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  if (text.empty() || text.size() > 9 || !is_digits(text)) {
    return Error{ErrorCode::InvalidArgument,
                 std::string(name) + ": '" + text + "' is not a whole number"};
  }
  return static_cast<std::size_t>(std::stoul(text));
}

Result<std::optional<bool>> query_flag(const Req& req, const char* name) {
  if (!req.has_param(name)) return std::optional<bool>{};
  const std::string text = to_lower(req.get_param_value(name));
  if (text == "true" || text == "1") return std::optional<bool>{true};
  if (text == "false" || text == "0") return std::optional<bool>{false};
  return Error{ErrorCode::InvalidArgument,
               std::string(name) + ": '" + text + "' is not true or false"};
}

// Every value of a repeatable, comma-separable query parameter ("sex=female,male&sex=x").
std::vector<std::string> query_list(const Req& req, const char* name) {
  std::vector<std::string> out;
  const std::size_t n = req.get_param_value_count(name);
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::string& part : split(req.get_param_value(name, i), ',')) {
      if (!is_blank(part)) out.emplace_back(trim(part));
    }
  }
  return out;
}

bool is_image_name(std::string_view name) {
  const std::string ext = extension_lower(name);
  return ext == "jpg" || ext == "jpeg" || ext == "png" || ext == "webp";
}

std::string mime_of(const fs::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"txt", "text/plain; charset=utf-8"},
      {"map", "application/json"}};
  const auto it = kTypes.find(extension_lower(file.filename().string()));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

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

}  // namespace

struct ApiServer::Route {
  const char* method;
  const char* path;  // as in the OpenAPI document
  Handler handler;
};

// Answers of GET /api/actors, kept while neither the registry, a version nor a data summary
// changed, and never longer than a data summary lives (a folder may change without us).
struct ApiServer::ListCache {
  struct Entry {
    std::shared_ptr<const ActorCatalog> catalog;
    std::uint64_t generation = 0;
    std::uint64_t data_generation = 0;
    std::chrono::steady_clock::time_point at;
    std::string body;
  };
  static constexpr std::size_t kMaxEntries = 256;
  std::mutex mutex;
  std::map<std::string, Entry> entries;
};

// Which actors have a local poster file, looked at once per `kDiskFactsTtl`, so a listing of
// 50 actors does not look for 150 files on every request.
struct ApiServer::PosterFiles {
  struct Facts {
    std::string poster;  ///< workspace-relative poster file, or empty
    std::chrono::steady_clock::time_point at;
  };
  std::mutex mutex;
  std::map<std::string, Facts> by_name;
};

const std::vector<ApiServer::Route>& ApiServer::table() {
  // Every route of the API on one screen. Paths use the OpenAPI document's {placeholders};
  // {vid} is a number, the others one path segment.
  static const std::vector<Route> kRoutes = {
      {"GET", "/api/health", &ApiServer::health},
      {"GET", "/api/openapi.json", &ApiServer::openapi},
      {"GET", "/api/settings", &ApiServer::settings},
      {"GET", "/api/actors", &ApiServer::list_actors},
      {"GET", "/api/actors/{id}", &ApiServer::get_actor},
      {"GET", "/api/actors/{id}/poster", &ApiServer::poster},
      {"GET", "/api/actors/{id}/training-data", &ApiServer::training_data},
      {"GET", "/api/actors/{id}/training-data/{file}", &ApiServer::training_image},
      {"POST", "/api/actors/{id}/sync", &ApiServer::sync},
      {"GET", "/api/actors/{id}/training-plan", &ApiServer::get_plan},
      {"POST", "/api/actors/{id}/training-plan", &ApiServer::post_plan},
      {"GET", "/api/actors/{id}/training-versions", &ApiServer::list_versions},
      {"POST", "/api/actors/{id}/training-versions", &ApiServer::start_training},
      {"POST", "/api/actors/{id}/mark-good", &ApiServer::mark_good},
      {"DELETE", "/api/actors/{id}/mark-good", &ApiServer::clear_good},
      {"GET", "/api/training-versions/compare", &ApiServer::compare},
      {"GET", "/api/training-versions/{vid}", &ApiServer::get_version},
      {"GET", "/api/training-versions/{vid}/logs", &ApiServer::version_logs},
      {"POST", "/api/training-versions/{vid}/abort", &ApiServer::abort_version},
      {"POST", "/api/training-versions/{vid}/refresh", &ApiServer::refresh_version},
      {"POST", "/api/import", &ApiServer::import_history},
      {"GET", "/api/events", &ApiServer::events},
      {"GET", "/api/tunnel", &ApiServer::tunnel_status},
      {"POST", "/api/tunnel/start", &ApiServer::tunnel_start},
      {"POST", "/api/tunnel/stop", &ApiServer::tunnel_stop},
      {"GET", "/metrics", &ApiServer::metrics},
  };
  return kRoutes;
}

std::vector<RouteInfo> ApiServer::routes() {
  std::vector<RouteInfo> out;
  out.reserve(table().size());
  for (const Route& r : table()) {
    out.push_back({r.method, r.path});
  }
  return out;
}

std::string_view ApiServer::openapi_document() {
  return kOpenApiDocument;
}

ApiServer::ApiServer(ApiServices services, ApiOptions options)
    : s_(std::move(services)),
      options_(std::move(options)),
      list_cache_(std::make_unique<ListCache>()),
      posters_(std::make_unique<PosterFiles>()) {
  Result<std::vector<Version>> latest = s_.store.latest_per_actor();
  if (latest) {
    for (const Version& v : *latest) {
      latest_[v.actor_id] = {v.name, v.status};
    }
  }
}

ApiServer::~ApiServer() {
  stop();
}

void ApiServer::version_changed(const Version& version) {
  {
    std::lock_guard lock(latest_mutex_);
    auto& slot = latest_[version.actor_id];
    // Only the newest number counts; an older version's change leaves the column alone.
    const std::string newest = slot.first;
    const int newest_number = newest.size() > 1 && newest.size() < 10 && is_digits(newest.substr(1))
                                  ? std::stoi(newest.substr(1))
                                  : 0;
    if (version.number >= newest_number) slot = {version.name, version.status};
  }
  generation_.fetch_add(1);
}

Status ApiServer::start() {
  server_ = std::make_unique<httplib::Server>();
  httplib::Server& svr = *server_;
  const auto connections = static_cast<std::size_t>(std::max(options_.max_connections, 8));
  svr.new_task_queue = [connections] { return new ConnectionThreads(connections); };
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_max_count(1000);
  svr.set_keep_alive_timeout(2);
  svr.set_payload_max_length(options_.body_limit);
  svr.set_pre_routing_handler([this](const Req& req, Res& res) {
    offer_gzip_only(req);
    return admit(req, res) ? httplib::Server::HandlerResponse::Unhandled
                           : httplib::Server::HandlerResponse::Handled;
  });
  for (const Route& route : table()) {
    std::string pattern = std::regex_replace(route.path, std::regex(R"(\{vid\})"), R"((\d+))");
    pattern = std::regex_replace(pattern, std::regex(R"(\{[a-z]+\})"), "([^/]+)");
    pattern = std::regex_replace(pattern, std::regex(R"(\.)"), R"(\.)");
    const std::string label = std::string(route.method) + " " + route.path;
    auto handler = [this, h = route.handler, label](const Req& req, Res& res) {
      res.status = 200;  // what httplib sends when a handler sets no status
      (this->*h)(req, res);
      s_.metrics.add("atr_http_requests_total", "HTTP requests answered, by route and status",
                     {{"route", label}, {"code", std::to_string(res.status)}});
    };
    const std::string method = route.method;
    if (method == "GET") svr.Get(pattern, handler);
    if (method == "POST") svr.Post(pattern, handler);
    if (method == "DELETE") svr.Delete(pattern, handler);
  }
  svr.Get(".*", [this](const Req& req, Res& res) { serve_ui(req, res); });
  svr.set_error_handler([this](const Req& req, Res& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      send_problem(res, 413, "payload_too_large",
                   "request body is larger than " + std::to_string(options_.body_limit) + " bytes");
    } else if (res.status == 404 || res.status == 405) {
      send_problem(res, 404, "not_found", "no route " + req.method + " " + req.path);
    } else if (res.status == 400) {
      send_problem(res, 400, "bad_request",
                   "malformed HTTP request (a POST needs a Content-Length, even 0)");
    } else {
      send_problem(res, res.status, "http_error", "HTTP " + std::to_string(res.status));
    }
    s_.metrics.add("atr_http_requests_total", "HTTP requests answered, by route and status",
                   {{"route", "other"}, {"code", std::to_string(res.status)}});
  });
  svr.set_exception_handler([](const Req&, Res& res, const std::exception_ptr& error) {
    std::string what = "unexpected failure";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    }
    send_problem(res, 500, "internal", "internal error: " + what);
  });

  const ListenerSocket listener(svr);
  port_ = options_.port == 0
              ? svr.bind_to_any_port(options_.host)
              : (svr.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ > 0 && !listener.deepen_backlog()) port_ = -1;
  if (port_ <= 0) {
    server_.reset();
    return Error{ErrorCode::Unavailable, "API: cannot listen on " + options_.host + ":" +
                                             std::to_string(options_.port) +
                                             " (in use, or not an address of this machine)"};
  }
  const std::string port = std::to_string(port_);
  std::vector<std::string> hosts = {options_.host, "127.0.0.1", "localhost", "[::1]"};
  for (const std::string& h : hosts) {
    own_hosts_.push_back(to_lower(h) + ":" + port);
    own_origins_.push_back("http://" + to_lower(h) + ":" + port);
  }
  for (const std::string& o : options_.extra_origins) {
    const std::string origin = origin_of(o);
    if (origin.empty()) continue;
    own_origins_.push_back(origin);
    own_hosts_.push_back(origin.substr(origin.find("://") + 3));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Bounded wait for the listener loop, so a request right after start() is answered.
  for (int i = 0; i < 500 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Ok{};
}

void ApiServer::stop() {
  if (!server_) return;
  s_.events.close();  // SSE streams end, so their threads are free for the shutdown
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  background_->wait_idle();  // a running sync finishes its uploads and its registry write
}

// Debian's cpp-httplib 0.11 compresses with Brotli whenever a client accepts it, at Brotli's
// slowest quality: 0.9 s for the page's 250 KB script and 0.25 s for a page of 200 actors,
// against 3–30 ms with gzip. Browsers always accept both, so "br" is taken out of the request's
// Accept-Encoding before the library decides. The Request object is httplib's own non-const
// local, handed to handlers as const; changing it here is the one place we do so.
void ApiServer::offer_gzip_only(const Req& req) {
  auto& headers = const_cast<Req&>(req).headers;  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  auto range = headers.equal_range("Accept-Encoding");
  for (auto it = range.first; it != range.second; ++it) {
    std::vector<std::string> kept;
    for (const std::string& token : split(it->second, ',')) {
      const std::string_view name = trim(std::string_view(token).substr(0, token.find(';')));
      if (to_lower(name) != "br") kept.emplace_back(trim(token));
    }
    it->second = join(kept, ", ");
  }
}

// The checks of PRODUCT.md §4, before any route runs; false means `res` holds the refusal.
bool ApiServer::admit(const Req& req, Res& res) {
  const bool admitted = check_request(req, res);
  if (!admitted) {
    s_.metrics.add("atr_http_requests_total", "HTTP requests answered, by route and status",
                   {{"route", "refused"}, {"code", std::to_string(res.status)}});
  }
  return admitted;
}

bool ApiServer::check_request(const Req& req, Res& res) {
  // HTTP/1.1 requires a Host header; without one the DNS-rebinding check below cannot run.
  if (!req.has_header("Host")) {
    send_problem(res, 400, "invalid_argument", "the request has no Host header");
    return false;
  }
  const std::string host = to_lower(req.get_header_value("Host"));
  if (std::find(own_hosts_.begin(), own_hosts_.end(), host) == own_hosts_.end()) {
    send_problem(res, 403, "forbidden",
                 "Host '" + host + "' is not this server; add it with --allow-origin");
    return false;
  }
  const bool protected_path = req.path.starts_with("/api/") || req.path == "/metrics";
  const bool changes_state = req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS";
  if (!options_.auth_token.empty() && protected_path) {
    const std::string given = req.get_header_value("Authorization");
    const std::string expected = "Bearer " + options_.auth_token.reveal();
    // Reads may also carry the token as the `atr_token` cookie the page sets, since an
    // EventSource or an <img> cannot send headers. Changes always need the header.
    const bool cookie_ok = !changes_state && equal_constant_time(cookie_of(req, kTokenCookie),
                                                                 options_.auth_token.reveal());
    if (!cookie_ok && !equal_constant_time(given, expected)) {
      res.set_header("WWW-Authenticate", "Bearer");
      send_problem(res, 401, "unauthorized", "this server needs 'Authorization: Bearer <token>'");
      return false;
    }
  }
  if (changes_state) {
    std::string origin = req.get_header_value("Origin");
    const bool has_origin = req.has_header("Origin");
    if (!has_origin && req.has_header("Referer")) {
      origin = origin_of(req.get_header_value("Referer"));
    }
    if (has_origin || req.has_header("Referer")) {
      if (std::find(own_origins_.begin(), own_origins_.end(), to_lower(origin)) ==
          own_origins_.end()) {
        send_problem(res, 403, "forbidden",
                     "cross-origin request refused: '" + origin + "' is not this server");
        return false;
      }
    } else if (req.get_header_value(kClientHeader).empty()) {
      send_problem(res, 403, "forbidden",
                   std::string("a request without Origin or Referer must carry the ") +
                       kClientHeader + " header");
      return false;
    }
    const std::uint64_t length = req.get_header_value<std::uint64_t>("Content-Length");
    if (length > options_.body_limit) {
      send_problem(res, 413, "payload_too_large",
                   "request body is larger than " + std::to_string(options_.body_limit) + " bytes");
      return false;
    }
  }
  if (!changes_state && req.method != "GET" && req.method != "HEAD") {
    send_problem(res, 404, "not_found", "no route " + req.method + " " + req.path);
    return false;
  }
  return true;
}

void ApiServer::serve_ui(const Req& req, Res& res) {
  if (req.path.starts_with("/api/") || req.path == "/api") {
    send_problem(res, 404, "not_found", "no route GET " + req.path);
    return;
  }
  std::error_code ec;
  const bool have_ui =
      !options_.ui_dir.empty() && fs::is_regular_file(options_.ui_dir / "index.html", ec);
  if (!have_ui) {
    res.set_content(kNoUiPage, "text/html; charset=utf-8");
    return;
  }
  fs::path file = options_.ui_dir / "index.html";
  const std::string relative = req.path.size() > 1 ? req.path.substr(1) : "";
  if (!relative.empty()) {
    Result<fs::path> wanted = confine(options_.ui_dir, relative);
    if (!wanted) {
      send_problem(res, 400, "invalid_argument", "bad path: " + wanted.error().message);
      return;
    }
    if (fs::is_regular_file(*wanted, ec) && resolves_within(options_.ui_dir, *wanted)) {
      file = *wanted;
    } else if (relative.starts_with("assets/")) {
      send_problem(res, 404, "not_found", "no file " + req.path);
      return;
    }
  }
  Result<std::string> bytes = read_file(file);
  if (!bytes) {
    send_error(res, bytes.error());
    return;
  }
  // Vite names built assets by content hash; index.html must be looked at every time.
  res.set_header("Cache-Control", file.parent_path().filename() == "assets"
                                      ? "public, max-age=31536000, immutable"
                                      : "no-cache");
  res.set_content(std::move(bytes).value(), mime_of(file));
}

// ---- helpers shared by the handlers ----------------------------------------------------------

namespace {

struct Found {
  std::shared_ptr<const ActorCatalog> catalog;
  const Actor* actor = nullptr;
};

Result<Found> find_actor(ActorRegistry& registry, const std::string& ref) {
  std::shared_ptr<const ActorCatalog> catalog = registry.catalog();
  Result<const Actor*> actor = catalog->find(ref);
  if (!actor) return actor.error();
  return Found{std::move(catalog), *actor};
}

// The actor's local poster file (workspace-relative), or empty.
std::string local_poster(const std::filesystem::path& workspace, const Actor& actor) {
  std::error_code ec;
  for (const char* ext : {"webp", "png", "jpg"}) {
    std::string rel = "data/actors/" + actor.name + "/poster." + ext;
    Result<fs::path> path = confine(workspace, rel);
    if (path && fs::is_regular_file(*path, ec)) return rel;
  }
  return {};
}

std::string actor_ref(const Actor& actor) {
  return percent_encode(actor.key());
}

void send_file_validated(const Req& req, Res& res, const Result<Thumbnail>& thumb) {
  if (!thumb) {
    send_error(res, thumb.error());
    return;
  }
  res.set_header("ETag", thumb->etag);
  res.set_header("Cache-Control", "private, max-age=300");
  if (req.get_header_value("If-None-Match") == thumb->etag) {
    res.status = 304;
    return;
  }
  Result<std::string> bytes = read_file(thumb->path);
  if (!bytes) {
    send_error(res, bytes.error());
    return;
  }
  res.set_content(std::move(bytes).value(), thumb->content_type);
}

Result<ThumbnailSize> size_param(const Req& req) {
  if (!req.has_param("size")) return ThumbnailSize::Medium;
  std::optional<ThumbnailSize> size = parse_thumbnail_size(req.get_param_value("size"));
  if (!size) {
    return Error{ErrorCode::InvalidArgument, "size: use small, medium or large"};
  }
  return *size;
}

}  // namespace

std::string ApiServer::now_text() const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return format_utc_timestamp(ms);
}

// ---- handlers ----------------------------------------------------------------------------------

void ApiServer::health(const Req& /*req*/, Res& res) {
  ordered_json doc;
  doc["status"] = "ok";
  doc["time"] = now_text();
  doc["actors"] = s_.registry.catalog()->actors().size();
  Result<std::vector<Version>> active = s_.store.list_unfinished();
  doc["active_versions"] = active ? ordered_json(active->size()) : ordered_json(nullptr);
  doc["webhook"] = s_.webhook_reachability().first;
  // A broken actors.json: the last good copy is served, but writes to it are refused.
  const Status registry = s_.registry.read_state();
  doc["registry"] = registry ? ordered_json{{"ok", true}}
                             : ordered_json{{"ok", false},
                                            {"error", registry.error().message},
                                            {"serving", "the last good copy"}};
  if (!registry) doc["status"] = "degraded";
  send_json(res, active && registry ? 200 : 503, doc);
}

void ApiServer::openapi(const Req& /*req*/, Res& res) {
  res.set_content(std::string(kOpenApiDocument), kJson);
}

void ApiServer::settings(const Req& /*req*/, Res& res) {
  const Settings& st = s_.settings;
  ordered_json doc;
  doc["endpoints"] = ordered_json::array();
  for (const EndpointProfile& e : st.endpoints) {
    doc["endpoints"].push_back({{"name", e.name},
                                {"gpu", e.gpu},
                                {"price_per_second", e.price_per_second},
                                {"seconds_per_step", e.seconds_per_step},
                                {"configured", !e.endpoint_id.empty()},
                                {"default", e.name == st.default_endpoint}});
  }
  doc["runpod_configured"] = st.has_runpod_api_key;
  // The page shows a "demo" banner unless trainings go to RunPod's own API.
  doc["runpod_base_url"] = st.runpod_base_url;
  doc["runpod_official"] = st.runpod_base_url == kRunpodApiBaseUrl;
  doc["s3_bucket_configured"] = !st.s3_bucket.empty();
  doc["parameters"] = parameter_table_to_json();
  const auto [mode, base] = s_.webhook_reachability();
  doc["webhook"] = {{"mode", mode},
                    {"base_url", base.empty() ? ordered_json() : ordered_json(base)}};
  send_json(res, 200, doc);
}

void ApiServer::list_actors(const Req& req, Res& res) {
  ActorQuery query;
  query.text = req.get_param_value("q");
  query.sex = query_list(req, "sex");
  query.ethnicity = query_list(req, "ethnicity");
  for (const char* name : {"has_data", "has_model"}) {
    Result<std::optional<bool>> flag = query_flag(req, name);
    if (!flag) return send_error(res, flag.error(), name);
    (std::string_view(name) == "has_data" ? query.has_data : query.has_model) = *flag;
  }
  Result<std::size_t> limit = query_count(req, "limit", 50);
  if (!limit) return send_error(res, limit.error(), "limit");
  if (*limit == 0 || *limit > kMaxListLimit) {
    return send_error(
        res,
        Error{ErrorCode::InvalidArgument, "limit: must be 1 to " + std::to_string(kMaxListLimit)},
        "limit");
  }
  Result<std::size_t> offset = query_count(req, "offset", 0);
  if (!offset) return send_error(res, offset.error(), "offset");
  query.limit = *limit;
  query.offset = *offset;

  std::string key =
      query.text + '\x1f' + join(query.sex, ",") + '\x1f' + join(query.ethnicity, ",") + '\x1f';
  key += query.has_data ? (*query.has_data ? "1" : "0") : "-";
  key += query.has_model ? (*query.has_model ? "1" : "0") : "-";
  key += '\x1f' + std::to_string(query.limit) + '\x1f' + std::to_string(query.offset);

  std::shared_ptr<const ActorCatalog> catalog = s_.registry.catalog();
  const std::uint64_t generation = generation_.load();
  const std::uint64_t data_generation = s_.data.generation();
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(list_cache_->mutex);
    auto it = list_cache_->entries.find(key);
    if (it != list_cache_->entries.end() && it->second.catalog == catalog &&
        it->second.generation == generation && it->second.data_generation == data_generation &&
        now - it->second.at < kDiskFactsTtl) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(it->second.body, kJson);
      return;
    }
  }
  const ActorSearchResult found =
      catalog->search(query, [this](const Actor& a) { return s_.data.of(a).has_data(); });
  std::string body = json_text(
      actor_list_to_json(*catalog, found, [this](const Actor& a) { return actor_view(a); }));
  {
    std::lock_guard lock(list_cache_->mutex);
    if (list_cache_->entries.size() >= ListCache::kMaxEntries) list_cache_->entries.clear();
    list_cache_->entries[key] = {catalog, generation, data_generation, now, body};
  }
  res.set_header("Cache-Control", "no-store");
  res.set_content(body, kJson);
}

// What the list and the detail add to an actor's record: where its poster is, its data
// summary and its newest version. One function, so both say the same.
ActorView ApiServer::actor_view(const Actor& a) {
  ActorView view;
  const auto now = std::chrono::steady_clock::now();
  std::optional<std::string> poster;
  {
    std::lock_guard lock(posters_->mutex);
    auto it = posters_->by_name.find(a.name);
    if (it != posters_->by_name.end() && now - it->second.at < kDiskFactsTtl) {
      poster = it->second.poster;
    }
  }
  if (!poster) {
    poster = local_poster(s_.workspace, a);
    std::lock_guard lock(posters_->mutex);
    posters_->by_name[a.name] = {*poster, now};
  }
  if (!poster->empty() || !a.poster_url.empty()) {
    view.poster_url = "/api/actors/" + actor_ref(a) + "/poster";
  }
  view.data = s_.data.of(a);
  std::lock_guard lock(latest_mutex_);
  if (auto it = latest_.find(a.key()); it != latest_.end()) view.latest_version = it->second;
  return view;
}

void ApiServer::get_actor(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  send_json(res, 200, actor_to_json(*found->actor, actor_view(*found->actor)));
}

void ApiServer::poster(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<ThumbnailSize> size = size_param(req);
  if (!size) return send_error(res, size.error(), "size");
  const Actor& a = *found->actor;
  if (std::string rel = local_poster(s_.workspace, a); !rel.empty()) {
    return send_file_validated(req, res, s_.thumbnails.thumbnail(rel, *size));
  }
  // A remote poster is the browser's to load: redirect, never proxy.
  if (a.poster_url.starts_with("https://") || a.poster_url.starts_with("http://")) {
    res.set_redirect(a.poster_url, 302);
    return;
  }
  send_problem(res, 404, "not_found", "actor " + a.label() + " has no poster");
}

void ApiServer::training_data(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  const Actor& a = *found->actor;
  Result<TrainingDataReport> report = inspect_actor_data(
      a, s_.scanner, s_.objects, s_.settings.s3_key_layout, s_.settings.limits, {});
  if (!report) return send_error(res, report.error());
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

void ApiServer::training_image(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  const std::string file = req.matches[2];
  if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos ||
      file.find('\\') != std::string::npos || file.find('\0') != std::string::npos) {
    return send_problem(res, 400, "invalid_argument", "bad file name", "file");
  }
  if (!is_image_name(file)) {
    return send_problem(res, 404, "not_found", "no training image " + file);
  }
  Result<ThumbnailSize> size = size_param(req);
  if (!size) return send_error(res, size.error(), "size");
  Result<std::string> folder = training_folder(*found->actor);
  if (!folder) return send_error(res, folder.error());
  send_file_validated(req, res, s_.thumbnails.thumbnail(*folder + "/" + file, *size));
}

void ApiServer::sync(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error(), "body");
  SyncOptions options;
  for (const char* name : {"delete", "dry_run"}) {
    if (!body->contains(name) || (*body)[name].is_null()) continue;
    if (!(*body)[name].is_boolean()) {
      return send_problem(res, 400, "invalid_argument",
                          std::string(name) + " must be true or false", name);
    }
    (std::string_view(name) == "delete" ? options.delete_orphans : options.dry_run) =
        (*body)[name].get<bool>();
  }
  if (s_.objects == nullptr) {
    return send_problem(res, 409, "failed_precondition",
                        "S3 is not configured (S3_BUCKET, AWS_ACCESS_KEY_ID, "
                        "AWS_SECRET_ACCESS_KEY; S3_ENDPOINT_URL for an S3-compatible store)");
  }
  const Actor actor = *found->actor;
  {
    std::lock_guard lock(syncs_mutex_);
    if (!syncing_.insert(actor.key()).second) {
      return send_problem(res, 409, "conflict", "a sync of " + actor.label() + " is running");
    }
    // The sync runs after the answer, on the bounded background threads (a sync past the
    // limit starts when one ends); its progress and outcome arrive as "sync" events.
    background_->run([this, actor, options] {
      auto publish = [&](nlohmann::ordered_json doc) {
        doc["actor_id"] = actor.key();
        s_.events.publish("sync", actor.key(), 0, json_text(doc));
      };
      Result<SyncReport> report = sync_actor(
          actor, s_.scanner, *s_.objects, s_.registry, s_.settings.limits,
          s_.settings.s3_key_layout, options,
          [&](const std::string& stage, std::size_t done, std::size_t total) {
            publish({{"state", "running"}, {"stage", stage}, {"done", done}, {"total", total}});
          });
      // What the list says changes now, before the page hears the outcome and asks again.
      s_.data.forget(actor.key());
      generation_.fetch_add(1);
      if (report) {
        nlohmann::ordered_json doc = sync_report_to_json(*report);
        doc["state"] = report->marked_synced || options.dry_run ? "done" : "incomplete";
        publish(std::move(doc));
      } else {
        publish({{"state", "failed"}, {"error", error_to_json(report.error())["error"]}});
      }
      std::lock_guard done(syncs_mutex_);
      syncing_.erase(actor.key());
    });
  }
  send_json(res, 202, {{"actor_id", actor.key()}, {"state", "running"}});
}

namespace {

// The plan of `actor` on `endpoint` from a fresh scan, with what the scan found. With no usable
// image the plan holds the defaults, and the "data" blocker says why nothing can start.
struct PlanAnswer {
  TrainingPlan plan;
  TrainingDataReport data;
};

Result<PlanAnswer> plan_for(ApiServices& s, const Actor& actor, const EndpointProfile& endpoint) {
  Result<TrainingDataReport> report = inspect_actor_data(
      actor, s.scanner, s.objects, s.settings.s3_key_layout, s.settings.limits, {});
  if (!report) return report.error();
  Result<std::optional<double>> speed = s.trainings.learned_speed(endpoint.name);
  if (!speed) return speed.error();
  if (report->training_images() == 0) {
    TrainingPlan plan;
    plan.defaults = default_parameters(actor);
    plan.parameters = plan.defaults;
    plan.validation = validate(plan.parameters);
    plan.estimate = estimate(plan.parameters, endpoint, *speed);
    return PlanAnswer{std::move(plan), std::move(report).value()};
  }
  Result<TrainingPlan> plan =
      plan_training(actor, report->training_images(), s.settings.policy, endpoint, *speed);
  if (!plan) return Error{ErrorCode::InvalidArgument, plan.error().message};
  return PlanAnswer{std::move(plan).value(), std::move(report).value()};
}

// The plan with the sync state and every reason a training cannot start now.
void send_plan(ApiServices& s, Res& res, const Actor& actor, const TrainingPlan& plan,
               const EndpointProfile& endpoint, const TrainingDataReport& data) {
  Result<std::vector<Blocker>> blockers = s.trainings.blockers(actor, endpoint.name, data);
  if (!blockers) return send_error(res, blockers.error());
  ordered_json doc = plan_to_json(plan);
  doc["sync"] = to_string(data.sync);
  doc["blockers"] = blockers_to_json(*blockers);
  send_json(res, 200, doc);
}

}  // namespace

void ApiServer::get_plan(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<EndpointProfile> endpoint = s_.settings.endpoint(req.get_param_value("endpoint"));
  if (!endpoint) {
    return send_problem(res, 422, "invalid_argument", endpoint.error().message, "endpoint");
  }
  Result<PlanAnswer> answer = plan_for(s_, *found->actor, *endpoint);
  if (!answer) {
    return answer.error().code == ErrorCode::InvalidArgument
               ? send_problem(res, 422, "invalid_argument", answer.error().message)
               : send_error(res, answer.error());
  }
  send_plan(s_, res, *found->actor, answer->plan, *endpoint, answer->data);
}

void ApiServer::post_plan(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error(), "body");
  Result<std::string> endpoint_name = string_member(*body, "endpoint");
  if (!endpoint_name) return send_error(res, endpoint_name.error(), "endpoint");
  Result<EndpointProfile> endpoint = s_.settings.endpoint(*endpoint_name);
  if (!endpoint) {
    return send_problem(res, 422, "invalid_argument", endpoint.error().message, "endpoint");
  }
  Result<PlanAnswer> answer = plan_for(s_, *found->actor, *endpoint);
  if (!answer) {
    return answer.error().code == ErrorCode::InvalidArgument
               ? send_problem(res, 422, "invalid_argument", answer.error().message)
               : send_error(res, answer.error());
  }
  TrainingPlan& changed = answer->plan;
  std::string field;
  if (Status applied = apply_parameters(*body, changed.parameters, field); !applied) {
    return send_problem(res, 422, "invalid_argument", applied.error().message, field);
  }
  changed.validation = validate(changed.parameters);
  Result<Estimate> est = s_.trainings.estimate_for(changed.parameters, endpoint->name);
  if (!est) return send_error(res, est.error());
  changed.estimate = *est;
  send_plan(s_, res, *found->actor, changed, *endpoint, answer->data);
}

void ApiServer::list_versions(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<std::vector<Version>> versions = s_.store.list_for_actor(found->actor->key());
  if (!versions) return send_error(res, versions.error());
  ordered_json doc;
  doc["items"] = ordered_json::array();
  double total = 0;
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
    doc["items"].push_back(version_to_json(*it));
    total += it->cost.value_or(0.0);
  }
  doc["total_cost_usd"] = total;
  send_json(res, 200, doc);
}

void ApiServer::start_training(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  const Actor& actor = *found->actor;
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error(), "body");
  TrainingOrder order;
  for (const char* name : {"endpoint", "description"}) {
    Result<std::string> value = string_member(*body, name);
    if (!value) return send_error(res, value.error(), name);
    (std::string_view(name) == "endpoint" ? order.endpoint : order.description) = *value;
  }
  if (body->contains("force") && !(*body)["force"].is_null()) {
    if (!(*body)["force"].is_boolean()) {
      return send_problem(res, 400, "invalid_argument", "force must be true or false", "force");
    }
    order.force = (*body)["force"].get<bool>();
  }
  order.idempotency_key = req.get_header_value("Idempotency-Key");
  if (order.idempotency_key.size() > 200) {
    return send_problem(res, 400, "invalid_argument", "Idempotency-Key is longer than 200",
                        "Idempotency-Key");
  }
  if (Result<EndpointProfile> e = s_.settings.endpoint(order.endpoint); !e) {
    return send_problem(res, 422, "invalid_argument", e.error().message, "endpoint");
  }
  // The same parameters `train` uses: defaults auto-adjusted to the synced count, then the body's.
  Result<TrainingParameters> params = planned_parameters(actor, s_.settings.policy, {});
  if (!params) return send_error(res, params.error());
  std::string field;
  if (Status applied = apply_parameters(*body, *params, field); !applied) {
    return send_problem(res, 422, "invalid_argument", applied.error().message, field);
  }
  if (std::vector<FieldError> problems = validate(*params); !problems.empty()) {
    return send_invalid_fields(res, problems);
  }
  order.parameters = *params;
  if (Status data = require_synced_data(actor, s_.scanner, s_.objects, s_.settings.s3_key_layout,
                                        s_.settings.limits, {});
      !data) {
    return send_error(res, data.error());
  }
  if (s_.objects != nullptr) {
    if (Status there = check_remote_objects(actor, *s_.objects); !there) {
      return send_error(res, there.error());
    }
  }
  Result<CreatedVersion> started = s_.trainings.start(actor, order);
  if (!started) return send_error(res, started.error());
  version_changed(started->version);
  ordered_json doc = version_to_json(started->version);
  doc["created"] = started->created;
  send_json(res, started->created ? 202 : 200, doc);
}

void ApiServer::mark_good(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error(), "body");
  std::optional<std::int64_t> id;
  if (body->contains("version_id")) {
    const nlohmann::json& v = (*body)["version_id"];
    if (v.is_number_integer()) id = v.get<std::int64_t>();
    if (v.is_string()) id = parse_id(v.get<std::string>());
  }
  if (!id || *id <= 0) {
    return send_problem(res, 400, "invalid_argument", "version_id: give the version's id",
                        "version_id");
  }
  Result<Version> version = s_.store.get(*id);
  if (!version) return send_error(res, version.error(), "version_id");
  if (version->actor_id != found->actor->key()) {
    return send_problem(res, 422, "invalid_argument",
                        "version " + std::to_string(*id) + " belongs to actor " +
                            version->actor_id + ", not " + found->actor->label(),
                        "version_id");
  }
  Result<Version> marked = s_.trainings.mark_good(*id);
  if (!marked) return send_error(res, marked.error(), "version_id");
  send_json(res, 200, version_to_json(*marked));
}

void ApiServer::import_history(const Req& req, Res& res) {
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error(), "body");
  bool dry_run = true;  // the page shows the plan first; applying is asked for explicitly
  if (auto it = body->find("dry_run"); it != body->end()) {
    if (!it->is_boolean()) {
      return send_problem(res, 422, "invalid_argument", "dry_run: give true or false", "dry_run");
    }
    dry_run = it->get<bool>();
  }
  std::string folder;
  if (auto it = body->find("folder"); it != body->end()) {
    if (!it->is_string()) {
      return send_problem(res, 422, "invalid_argument", "folder: give a workspace-relative folder",
                          "folder");
    }
    folder = it->get<std::string>();
  }
  Result<ImportRun> run = s_.importer.run(folder, dry_run);
  if (!run) return send_error(res, run.error(), "folder");
  send_json(res, 200, import_run_to_json(*run));
}

void ApiServer::clear_good(const Req& req, Res& res) {
  Result<Found> found = find_actor(s_.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  if (Status cleared = s_.trainings.clear_good(*found->actor); !cleared) {
    return send_error(res, cleared.error());
  }
  Result<Found> again = find_actor(s_.registry, req.matches[1]);
  if (!again) return send_error(res, again.error());
  send_json(res, 200, actor_to_json(*again->actor, actor_view(*again->actor)));
}

namespace {

// Runs `act` on the version the path names and answers with the version it returns.
void answer_with_version(const Req& req, Res& res,
                         const std::function<Result<Version>(std::int64_t)>& act) {
  std::optional<std::int64_t> id = parse_id(req.matches[1]);
  if (!id) return send_problem(res, 404, "not_found", "no version " + std::string(req.matches[1]));
  Result<Version> v = act(*id);
  if (!v) return send_error(res, v.error());
  send_json(res, 200, version_to_json(*v));
}

}  // namespace

void ApiServer::get_version(const Req& req, Res& res) {
  answer_with_version(req, res, [this](std::int64_t id) { return s_.store.get(id); });
}

void ApiServer::version_logs(const Req& req, Res& res) {
  std::optional<std::int64_t> id = parse_id(req.matches[1]);
  if (!id) return send_problem(res, 404, "not_found", "no version " + std::string(req.matches[1]));
  Result<Version> v = s_.store.get(*id);
  if (!v) return send_error(res, v.error());
  Result<std::size_t> after = query_count(req, "after", 0);
  if (!after) return send_error(res, after.error(), "after");
  Result<std::size_t> limit = query_count(req, "limit", 1000);
  if (!limit) return send_error(res, limit.error(), "limit");
  const int capped = static_cast<int>(std::min<std::size_t>(*limit, kMaxLogLimit));
  Result<std::vector<LogLine>> lines =
      s_.store.logs(*id, static_cast<std::int64_t>(*after), capped);
  if (!lines) return send_error(res, lines.error());
  ordered_json doc;
  doc["items"] = ordered_json::array();
  std::int64_t last = static_cast<std::int64_t>(*after);
  for (const LogLine& line : *lines) {
    doc["items"].push_back(log_line_to_json(line));
    last = line.seq;
  }
  doc["next_after"] = last;
  send_json(res, 200, doc);
}

void ApiServer::abort_version(const Req& req, Res& res) {
  answer_with_version(req, res, [this](std::int64_t id) { return s_.trainings.abort(id); });
}

void ApiServer::refresh_version(const Req& req, Res& res) {
  answer_with_version(
      req, res, [this](std::int64_t id) { return s_.trainings.check(id, Retries::WithBackoff); });
}

void ApiServer::compare(const Req& req, Res& res) {
  std::optional<Version> sides[2];
  const char* names[2] = {"left", "right"};
  for (int i = 0; i < 2; ++i) {
    std::optional<std::int64_t> id = parse_id(req.get_param_value(names[i]));
    if (!id) {
      return send_problem(res, 400, "invalid_argument",
                          std::string(names[i]) + ": give a version id", names[i]);
    }
    Result<Version> v = s_.store.get(*id);
    if (!v) return send_error(res, v.error(), names[i]);
    sides[i] = std::move(v).value();
  }
  Result<std::vector<ParameterDiff>> rows = compare_versions(*sides[0], *sides[1]);
  if (!rows) return send_error(res, rows.error());
  send_json(res, 200, comparison_to_json(*sides[0], *sides[1], *rows));
}

void ApiServer::events(const Req& req, Res& res) {
  std::string actor_id;
  if (req.has_param("actor")) {
    Result<Found> found = find_actor(s_.registry, req.get_param_value("actor"));
    if (!found) return send_error(res, found.error(), "actor");
    actor_id = found->actor->key();
  }
  std::int64_t version_id = 0;
  if (req.has_param("version")) {
    std::optional<std::int64_t> id = parse_id(req.get_param_value("version"));
    if (!id) return send_problem(res, 400, "invalid_argument", "version: give an id", "version");
    version_id = *id;
  }
  struct Stream {
    std::uint64_t cursor = 0;
    bool started = false;
    bool reset = false;
    std::chrono::steady_clock::time_point last_write;
  };
  auto stream = std::make_shared<Stream>();
  stream->cursor = s_.events.last_id();
  std::string resume = req.get_header_value("Last-Event-ID");
  if (resume.empty()) resume = req.get_param_value("last_event_id");
  if (!resume.empty()) {
    std::optional<std::int64_t> id = parse_id(resume);
    if (id && s_.events.can_resume_after(static_cast<std::uint64_t>(*id))) {
      stream->cursor = static_cast<std::uint64_t>(*id);
    } else {
      stream->reset = true;
    }
  }
  sse_clients_.fetch_add(1);
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Accel-Buffering", "no");
  const auto heartbeat = options_.heartbeat;
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, stream, actor_id, version_id, heartbeat](size_t /*offset*/, httplib::DataSink& sink) {
        std::string out;
        constexpr const char* kReset =
            "event: reset\ndata: {\"reason\":\"events were missed; reload the state\"}\n\n";
        if (!stream->started) {
          stream->started = true;
          out = "retry: 2000\n: connected\n\n";
          if (stream->reset) out += kReset;
        } else {
          EventHub::Batch batch = s_.events.wait_after(stream->cursor, heartbeat);
          if (batch.closed && batch.events.empty()) {
            sink.done();
            return true;
          }
          if (batch.gap) out += kReset;
          for (const auto& e : batch.events) {
            stream->cursor = e->id;
            if (!actor_id.empty() && e->actor_id != actor_id) continue;
            if (version_id != 0 && e->version_id != version_id) continue;
            out += "id: " + std::to_string(e->id) + "\nevent: " + e->type + "\ndata: " + e->data +
                   "\n\n";
          }
          if (out.empty()) {
            if (std::chrono::steady_clock::now() - stream->last_write < heartbeat) return true;
            out = ": heartbeat\n\n";
          }
        }
        stream->last_write = std::chrono::steady_clock::now();
        return sink.write(out.data(), out.size());
      },
      [this](bool /*success*/) { sse_clients_.fetch_sub(1); });
}

void ApiServer::tunnel_status(const Req& /*req*/, Res& res) {
  const TunnelStatus t = s_.tunnel.status();
  const auto [mode, base] = s_.webhook_reachability();
  ordered_json doc;
  doc["mode"] = mode;
  doc["webhook_base_url"] = base.empty() ? ordered_json() : ordered_json(base);
  doc["ngrok"] = {
      {"state", to_string(t.state)},
      {"public_url", t.public_url.empty() ? ordered_json() : ordered_json(t.public_url)},
      {"message", t.message},
      {"binary_found", t.binary_found},
      {"token_configured", t.token_configured}};
  send_json(res, 200, doc);
}

void ApiServer::tunnel_start(const Req& req, Res& res) {
  Result<TunnelStatus> started = s_.tunnel.start();
  if (!started) return send_error(res, started.error());
  tunnel_status(req, res);
}

void ApiServer::tunnel_stop(const Req& req, Res& res) {
  s_.tunnel.stop();
  tunnel_status(req, res);
}

void ApiServer::metrics(const Req& /*req*/, Res& res) {
  s_.metrics.set("atr_sse_clients", "open live-event streams", {}, sse_clients_.load());
  if (s_.refresh_gauges) s_.refresh_gauges();
  res.set_content(s_.metrics.render(), "text/plain; version=0.0.4");
}

}  // namespace atr
