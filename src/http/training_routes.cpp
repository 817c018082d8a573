// The training routes: the plan (with the person's changes), the versions of an actor, and
// starting a training. Every rule is the core's (Trainings::plan, Trainings::start).
#include <httplib.h>

#include "api/request_body.h"
#include "http/api_context.h"
#include "http/problem.h"
#include "http/request_args.h"

namespace atr {
namespace {

using nlohmann::ordered_json;
using Req = httplib::Request;
using Res = httplib::Response;

void send_plan(Res& res, const PlanAnswer& answer) {
  ordered_json doc = plan_to_json(answer.plan);
  doc["sync"] = to_string(answer.data.sync);
  doc["blockers"] = blockers_to_json(answer.blockers);
  send_json(res, 200, doc);
}

// The order a POST body describes; the Idempotency-Key header makes repeats harmless.
Result<TrainingOrder> order_of(const Req& req, const nlohmann::json& body) {
  TrainingOrder order;
  Result<std::string> endpoint = string_member(body, "endpoint");
  if (!endpoint) return endpoint.error();
  order.endpoint = *endpoint;
  Result<std::string> description = string_member(body, "description");
  if (!description) return description.error();
  order.description = *description;
  Result<std::optional<bool>> force = flag_member(body, "force");
  if (!force) return force.error();
  order.force = force->value_or(false);
  Result<std::vector<ParameterOverride>> overrides = parameter_overrides(body);
  if (!overrides) return overrides.error();
  order.overrides = std::move(overrides).value();
  Result<std::string> key = idempotency_key(req);
  if (!key) return key.error();
  order.idempotency_key = *key;
  return order;
}

}  // namespace

void get_plan(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<PlanAnswer> answer =
      c.s.trainings.plan(*found->actor, req.get_param_value("endpoint"), {});
  if (!answer) return send_error(res, answer.error());
  send_plan(res, *answer);
}

void post_plan(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error());
  Result<std::string> endpoint = string_member(*body, "endpoint");
  if (!endpoint) return send_error(res, endpoint.error());
  Result<std::vector<ParameterOverride>> overrides = parameter_overrides(*body);
  if (!overrides) return send_error(res, overrides.error());
  Result<PlanAnswer> answer = c.s.trainings.plan(*found->actor, *endpoint, *overrides);
  if (!answer) return send_error(res, answer.error());
  send_plan(res, *answer);
}

void list_versions(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<std::vector<Version>> versions = c.s.store.list_for_actor(found->actor->key());
  if (!versions) return send_error(res, versions.error());
  double preview_cost = 0;
  if (c.s.preview_store != nullptr) {
    Result<std::map<std::string, double>> costs = c.s.preview_store->preview_costs();
    if (!costs) return send_error(res, costs.error());
    if (auto it = costs->find(found->actor->key()); it != costs->end()) preview_cost = it->second;
  }
  send_json(res, 200, version_list_to_json(*versions, preview_cost));
}

void start_training(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error());
  Result<TrainingOrder> order = order_of(req, *body);
  if (!order) return send_error(res, order.error());
  Result<CreatedVersion> started = c.s.trainings.start(*found->actor, *order);
  if (!started) return send_error(res, started.error());
  ordered_json doc = version_to_json(started->version);
  doc["created"] = started->created;
  send_json(res, started->created ? 202 : 200, doc);
}

}  // namespace atr
