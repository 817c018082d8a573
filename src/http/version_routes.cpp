// The version routes: one version, its console, abort, refresh, compare, and the actor's
// validated model (mark good, clear).
#include <httplib.h>

#include "http/api_context.h"
#include "http/problem.h"
#include "http/request_args.h"

namespace atr {
namespace {

using nlohmann::ordered_json;
using Req = httplib::Request;
using Res = httplib::Response;

constexpr int kMaxLogLimit = 5000;

Result<std::int64_t> version_id_of(const Req& req) {
  return path_id(req, "version");
}

// Runs `act` on the version the path names and answers with the version it returns.
template <typename Act>
void answer_with_version(const Req& req, Res& res, Act act) {
  Result<std::int64_t> id = version_id_of(req);
  if (!id) return send_error(res, id.error());
  Result<Version> v = act(*id);
  if (!v) return send_error(res, v.error());
  send_json(res, 200, version_to_json(*v));
}

}  // namespace

void get_version(ApiContext& c, const Req& req, Res& res) {
  answer_with_version(req, res, [&c](std::int64_t id) { return c.s.store.get(id); });
}

void get_version_logs(ApiContext& c, const Req& req, Res& res) {
  Result<std::int64_t> id = version_id_of(req);
  if (!id) return send_error(res, id.error());
  if (Result<Version> v = c.s.store.get(*id); !v) return send_error(res, v.error());
  Result<std::size_t> after = query_count(req, "after", 0);
  if (!after) return send_error(res, after.error());
  Result<std::size_t> limit = query_count(req, "limit", 1000);
  if (!limit) return send_error(res, limit.error());
  const int capped = static_cast<int>(std::min<std::size_t>(*limit, kMaxLogLimit));
  Result<std::vector<LogLine>> lines =
      c.s.store.logs(*id, static_cast<std::int64_t>(*after), capped);
  if (!lines) return send_error(res, lines.error());
  send_json(res, 200, log_page_to_json(*lines, static_cast<std::int64_t>(*after)));
}

void abort_version(ApiContext& c, const Req& req, Res& res) {
  answer_with_version(req, res, [&c](std::int64_t id) { return c.s.trainings.abort(id); });
}

void refresh_version(ApiContext& c, const Req& req, Res& res) {
  answer_with_version(
      req, res, [&c](std::int64_t id) { return c.s.trainings.check(id, Retries::WithBackoff); });
}

void compare_versions(ApiContext& c, const Req& req, Res& res) {
  std::optional<Version> sides[2];
  const char* names[2] = {"left", "right"};
  for (int i = 0; i < 2; ++i) {
    std::optional<std::int64_t> id = parse_id(req.get_param_value(names[i]));
    if (!id) {
      return send_error(res,
                        invalid_input(names[i], std::string(names[i]) + ": give a version id"));
    }
    Result<Version> v = c.s.store.get(*id);
    if (!v) return send_error(res, v.error().about(names[i]));
    sides[i] = std::move(v).value();
  }
  Result<std::vector<ParameterDiff>> rows = compare_versions(*sides[0], *sides[1]);
  if (!rows) return send_error(res, rows.error());
  send_json(res, 200, comparison_to_json(*sides[0], *sides[1], *rows));
}

void mark_good(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error());
  std::optional<std::int64_t> id;
  if (auto it = body->find("version_id"); it != body->end()) {
    if (it->is_number_integer()) id = it->get<std::int64_t>();
    if (it->is_string()) id = parse_id(it->get<std::string>());
  }
  if (!id || *id <= 0) {
    return send_error(res, invalid_input("version_id", "version_id: give the version's id"));
  }
  Result<Version> marked = c.s.trainings.mark_good(*found->actor, *id);
  if (!marked) return send_error(res, marked.error().about("version_id"));
  send_json(res, 200, version_to_json(*marked));
}

void clear_good(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  if (Status cleared = c.s.trainings.clear_good(*found->actor); !cleared) {
    return send_error(res, cleared.error());
  }
  Result<FoundActor> again = find_actor(c.s.registry, req.matches[1]);
  if (!again) return send_error(res, again.error());
  send_json(res, 200, actor_to_json(*again->actor, c.actor_view(*again->actor)));
}

}  // namespace atr
