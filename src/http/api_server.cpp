#include "http/api_server.h"

#include <regex>
#include <utility>

#include <httplib.h>

#include "http/api_context.h"
#include "http/listener.h"
#include "http/openapi_document.h"
#include "http/problem.h"
#include "http/static_files.h"

namespace atr {
namespace {

using Req = httplib::Request;
using Res = httplib::Response;

void count(Metrics& metrics, const std::string& route, int status) {
  metrics.add("atr_http_requests_total", "HTTP requests answered, by route and status",
              {{"route", route}, {"code", std::to_string(status)}});
}

// The library's pattern for an OpenAPI path: {vid}, {pid} and {bid} are numbers, the others one
// segment.
std::string pattern_of(const std::string& path) {
  std::string pattern = std::regex_replace(path, std::regex(R"(\{(vid|pid|bid)\})"), R"((\d+))");
  pattern = std::regex_replace(pattern, std::regex(R"(\{[a-z]+\})"), "([^/]+)");
  return std::regex_replace(pattern, std::regex(R"(\.)"), R"(\.)");
}

}  // namespace

std::vector<RouteInfo> ApiServer::routes() {
  std::vector<RouteInfo> out;
  out.reserve(api_routes().size());
  for (const ApiRoute& r : api_routes()) {
    out.push_back({r.method, r.path});
  }
  return out;
}

std::string_view ApiServer::openapi_document() {
  return openapi_document_text();
}

ApiServer::ApiServer(ApiServices services, ApiOptions options)
    : context_(std::make_unique<ApiContext>(std::move(services), std::move(options))) {}

ApiServer::~ApiServer() {
  stop();
}

Status ApiServer::start() {
  ApiContext& c = *context_;
  server_ = std::make_unique<httplib::Server>();
  httplib::Server& svr = *server_;
  const auto connections = static_cast<std::size_t>(std::max(c.options.max_connections, 8));
  svr.new_task_queue = [connections] { return new ConnectionThreads(connections); };
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_max_count(1000);
  svr.set_keep_alive_timeout(2);
  svr.set_payload_max_length(c.options.body_limit);
  // The checks of PRODUCT.md §4, before any route or file.
  svr.set_pre_routing_handler([&c](const Req& req, Res& res) {
    offer_gzip_only(req);
    const Status admitted = c.guard.check(req);
    if (admitted) return httplib::Server::HandlerResponse::Unhandled;
    if (admitted.error().code == ErrorCode::Unauthenticated) {
      res.set_header("WWW-Authenticate", "Bearer");
    }
    send_error(res, admitted.error());
    count(c.s.metrics, "refused", res.status);
    return httplib::Server::HandlerResponse::Handled;
  });
  for (const ApiRoute& route : api_routes()) {
    const std::string label = std::string(route.method) + " " + route.path;
    auto handler = [&c, h = route.handler, label](const Req& req, Res& res) {
      res.status = 200;  // what httplib sends when a handler sets no status
      h(c, req, res);
      count(c.s.metrics, label, res.status);
    };
    const std::string method = route.method;
    const std::string pattern = pattern_of(route.path);
    if (method == "GET") svr.Get(pattern, handler);
    if (method == "POST") svr.Post(pattern, handler);
    if (method == "PUT") svr.Put(pattern, handler);
    if (method == "DELETE") svr.Delete(pattern, handler);
  }
  mount_ui(svr, c.options.ui_dir);
  svr.Get(".*", [&c](const Req& req, Res& res) { answer_ui_fallback(c.options.ui_dir, req, res); });
  svr.set_error_handler([&c](const Req& req, Res& res) {
    if (!res.body.empty()) return;
    // The library chose the status (it could not read or route the request); the body says
    // why in our vocabulary.
    if (res.status == 413) {
      send_error(res,
                 Error{ErrorCode::TooLarge, "request body is larger than " +
                                                std::to_string(c.options.body_limit) + " bytes"});
    } else if (res.status == 404 || res.status == 405) {
      send_error(res, Error{ErrorCode::NotFound, "no route " + req.method + " " + req.path});
    } else {
      const int status = res.status;
      send_error(res, Error{ErrorCode::Malformed,
                            status == 400
                                ? "malformed HTTP request (a POST needs a Content-Length, even 0)"
                                : "HTTP " + std::to_string(status)});
      res.status = status;
    }
    count(c.s.metrics, "other", res.status);
  });
  svr.set_exception_handler([](const Req&, Res& res, const std::exception_ptr& error) {
    std::string what = "unexpected failure";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    }
    send_error(res, Error{ErrorCode::Internal, "internal error: " + what});
  });

  const ListenerSocket listener(svr);
  port_ = c.options.port == 0
              ? svr.bind_to_any_port(c.options.host)
              : (svr.bind_to_port(c.options.host, c.options.port) ? c.options.port : -1);
  if (port_ > 0 && !listener.deepen_backlog()) port_ = -1;
  if (port_ <= 0) {
    server_.reset();
    return Error{ErrorCode::Unavailable, "API: cannot listen on " + c.options.host + ":" +
                                             std::to_string(c.options.port) +
                                             " (in use, or not an address of this machine)"};
  }
  c.guard = RequestGuard(c.options.host, port_, c.options.extra_origins, c.options.auth_token,
                         c.options.body_limit);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Bounded wait for the listener loop, so a request right after start() is answered.
  for (int i = 0; i < 500 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Ok{};
}

void ApiServer::stop() {
  if (!server_) return;
  context_->s.events.close();  // SSE streams end, so their threads are free for the shutdown
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  context_->background.wait_idle();  // a running sync finishes its uploads and its registry write
}

}  // namespace atr
