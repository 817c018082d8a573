// Routes about the server itself: health, the OpenAPI document, settings, metrics, the ngrok
// tunnel and the live event stream.
#include <httplib.h>

#include "api/api_json.h"
#include "base/strings.h"
#include "http/api_context.h"
#include "http/openapi_document.h"
#include "http/problem.h"
#include "http/request_args.h"
#include "http/sse.h"

namespace atr {
namespace {

using nlohmann::ordered_json;
using Req = httplib::Request;
using Res = httplib::Response;

std::string now_text() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return format_utc_timestamp(ms);
}

}  // namespace

void get_health(ApiContext& c, const Req& /*req*/, Res& res) {
  Result<std::vector<Version>> active = c.s.store.list_unfinished();
  const Status registry = c.s.registry.read_state();
  ordered_json doc = health_to_json(now_text(), c.s.registry.catalog()->actors().size(),
                                    active ? std::optional(active->size()) : std::nullopt,
                                    c.s.webhook_reachability().first, registry);
  send_json(res, active && registry ? 200 : 503, doc);
}

void get_openapi(ApiContext& /*c*/, const Req& /*req*/, Res& res) {
  res.set_content(std::string(openapi_document_text()), "application/json");
}

void get_settings(ApiContext& c, const Req& /*req*/, Res& res) {
  const auto [mode, base] = c.s.webhook_reachability();
  send_json(res, 200, settings_to_json(c.s.settings, mode, base));
}

void get_metrics(ApiContext& c, const Req& /*req*/, Res& res) {
  c.s.metrics.set("atr_sse_clients", "open live-event streams", {}, c.sse_clients.load());
  if (c.s.refresh_gauges) c.s.refresh_gauges();
  res.set_content(c.s.metrics.render(), "text/plain; version=0.0.4");
}

void get_tunnel(ApiContext& c, const Req& /*req*/, Res& res) {
  const auto [mode, base] = c.s.webhook_reachability();
  send_json(res, 200, tunnel_to_json(c.s.tunnel.status(), mode, base));
}

void start_tunnel(ApiContext& c, const Req& req, Res& res) {
  Result<TunnelStatus> started = c.s.tunnel.start();
  if (!started) return send_error(res, started.error());
  get_tunnel(c, req, res);
}

void stop_tunnel(ApiContext& c, const Req& req, Res& res) {
  c.s.tunnel.stop();
  get_tunnel(c, req, res);
}

void get_events(ApiContext& c, const Req& req, Res& res) {
  StreamFilter filter;
  if (req.has_param("actor")) {
    Result<FoundActor> found = find_actor(c.s.registry, req.get_param_value("actor"));
    if (!found) return send_error(res, found.error().about("actor"));
    filter.actor_key = found->actor->key();
  }
  if (req.has_param("version")) {
    std::optional<std::int64_t> id = parse_id(req.get_param_value("version"));
    if (!id) return send_error(res, invalid_input("version", "version: give an id"));
    filter.version_id = *id;
  }
  filter.cursor = c.s.events.last_id();
  std::string resume = req.get_header_value("Last-Event-ID");
  if (resume.empty()) resume = req.get_param_value("last_event_id");
  if (!resume.empty()) {
    std::optional<std::int64_t> id = parse_id(resume);
    if (id && c.s.events.can_resume_after(static_cast<std::uint64_t>(*id))) {
      filter.cursor = static_cast<std::uint64_t>(*id);
    } else {
      filter.reset = true;
    }
  }
  stream_events(c.s.events, std::move(filter), c.options.heartbeat, c.sse_clients, res);
}

}  // namespace atr
