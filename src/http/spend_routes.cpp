// The spend routes: the budget against its caps, batch plans and the batch queue, retry and
// re-run of a version, and the analytics. Every rule is the core's (Trainings, Batches,
// compute_stats).
#include <httplib.h>

#include "api/request_body.h"
#include "base/strings.h"
#include "http/api_context.h"
#include "http/problem.h"
#include "http/request_args.h"

namespace atr {
namespace {

using nlohmann::ordered_json;
using Req = httplib::Request;
using Res = httplib::Response;

constexpr int kMaxConcurrency = 16;

// The batch a request body describes (POST /api/batch-plan and /api/batches).
Result<BatchRequest> batch_request_of(const Req& req) {
  Result<nlohmann::json> doc = body_object(req);
  if (!doc) return doc.error();
  const nlohmann::json& body = *doc;
  BatchRequest request;
  Result<std::string> endpoint = string_member(body, "endpoint");
  if (!endpoint) return endpoint.error();
  request.endpoint = *endpoint;
  Result<std::optional<int>> concurrency = int_member(body, "concurrency", 1, kMaxConcurrency);
  if (!concurrency) return concurrency.error();
  request.concurrency = concurrency->value_or(2);
  Result<std::optional<int>> max = int_member(body, "max", 0, 1'000'000);
  if (!max) return max.error();
  request.max = max->value_or(0);
  Result<std::vector<std::string>> exclude = string_list_member(body, "exclude");
  if (!exclude) return exclude.error();
  request.exclude = {exclude->begin(), exclude->end()};
  return request;
}

Result<ordered_json> batch_json(ApiContext& c, const Batch& batch) {
  std::map<std::int64_t, Version> versions;
  for (const BatchEntry& e : batch.entries) {
    if (e.version_id == 0) continue;
    Result<Version> v = c.s.store.get(e.version_id);
    if (!v) return v.error();
    versions.emplace(e.version_id, std::move(v).value());
  }
  return batch_to_json(batch, versions);
}

void send_batch(ApiContext& c, Res& res, int status, const Batch& batch) {
  Result<ordered_json> doc = batch_json(c, batch);
  if (!doc) return send_error(res, doc.error());
  send_json(res, status, *doc);
}

Result<std::int64_t> batch_id_of(const Req& req) {
  return path_id(req, "batch");
}

Batches* batches_or_error(ApiContext& c, Res& res) {
  if (c.s.batches == nullptr) {
    send_error(res, Error{ErrorCode::Unavailable, "batches are not available in this server"});
  }
  return c.s.batches;
}

}  // namespace

namespace {

void send_budget(ApiContext& c, Res& res, const std::string& endpoint) {
  Result<std::vector<PeriodSpend>> periods = c.s.trainings.budget_status(endpoint);
  if (!periods) return send_error(res, periods.error());
  Result<std::optional<BudgetSettings>> stored = c.s.store.stored_budget();
  if (!stored) return send_error(res, stored.error());
  send_json(res, 200,
            budget_to_json(*periods, stored->value_or(c.s.settings.budget), stored->has_value()));
}

}  // namespace

void get_budget(ApiContext& c, const Req& req, Res& res) {
  send_budget(c, res, req.get_param_value("endpoint"));
}

void put_budget(ApiContext& c, const Req& req, Res& res) {
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error());
  Result<BudgetSettings> budget = budget_of(*body);
  if (!budget) return send_error(res, budget.error());
  if (Status fits = check_caps(*budget, c.s.settings); !fits) return send_error(res, fits.error());
  if (Status stored = c.s.store.store_budget(*budget); !stored) {
    return send_error(res, stored.error());
  }
  send_budget(c, res, "");
}

void delete_budget(ApiContext& c, const Req& /*req*/, Res& res) {
  if (Status stored = c.s.store.store_budget(std::nullopt); !stored) {
    return send_error(res, stored.error());
  }
  send_budget(c, res, "");
}

void post_batch_plan(ApiContext& c, const Req& req, Res& res) {
  Batches* batches = batches_or_error(c, res);
  if (batches == nullptr) return;
  Result<BatchRequest> request = batch_request_of(req);
  if (!request) return send_error(res, request.error());
  Result<BatchPlan> plan = batches->plan(*request);
  if (!plan) return send_error(res, plan.error());
  send_json(res, 200, batch_plan_to_json(*plan));
}

void start_batch(ApiContext& c, const Req& req, Res& res) {
  Batches* batches = batches_or_error(c, res);
  if (batches == nullptr) return;
  Result<BatchRequest> request = batch_request_of(req);
  if (!request) return send_error(res, request.error());
  Result<std::string> key = idempotency_key(req);
  if (!key) return send_error(res, key.error());
  Result<BatchStore::Created> started = batches->start(*request, *key);
  if (!started) return send_error(res, started.error());
  if (c.s.batch_started) c.s.batch_started();
  send_batch(c, res, started->created ? 202 : 200, started->batch);
}

void list_batches(ApiContext& c, const Req& /*req*/, Res& res) {
  if (c.s.batch_store == nullptr) {
    return send_error(res, Error{ErrorCode::Unavailable, "no batches"});
  }
  Result<std::vector<Batch>> recent = c.s.batch_store->recent_batches(20);
  if (!recent) return send_error(res, recent.error());
  ordered_json items = ordered_json::array();
  for (const Batch& b : *recent) {
    Result<ordered_json> doc = batch_json(c, b);
    if (!doc) return send_error(res, doc.error());
    items.push_back(std::move(doc).value());
  }
  send_json(res, 200, {{"items", std::move(items)}});
}

void get_batch(ApiContext& c, const Req& req, Res& res) {
  if (c.s.batch_store == nullptr) {
    return send_error(res, Error{ErrorCode::Unavailable, "no batches"});
  }
  Result<std::int64_t> id = batch_id_of(req);
  if (!id) return send_error(res, id.error());
  Result<Batch> batch = c.s.batch_store->get_batch(*id);
  if (!batch) return send_error(res, batch.error());
  send_batch(c, res, 200, *batch);
}

void cancel_batch(ApiContext& c, const Req& req, Res& res) {
  Batches* batches = batches_or_error(c, res);
  if (batches == nullptr) return;
  Result<std::int64_t> id = batch_id_of(req);
  if (!id) return send_error(res, id.error());
  Result<Batch> batch = batches->cancel(*id);
  if (!batch) return send_error(res, batch.error());
  send_batch(c, res, 200, *batch);
}

void retry_version(ApiContext& c, const Req& req, Res& res) {
  Result<std::int64_t> id = path_id(req, "version");
  if (!id) return send_error(res, id.error());
  Result<std::string> key = idempotency_key(req);
  if (!key) return send_error(res, key.error());
  Result<Version> v = c.s.trainings.retry(*id, *key);
  if (!v) return send_error(res, v.error());
  send_json(res, 200, version_to_json(*v));
}

void rerun_version(ApiContext& c, const Req& req, Res& res) {
  Result<std::int64_t> id = path_id(req, "version");
  if (!id) return send_error(res, id.error());
  Result<nlohmann::json> body = body_object(req);
  if (!body) return send_error(res, body.error());
  TrainingOrder order;
  Result<std::string> endpoint = string_member(*body, "endpoint");
  if (!endpoint) return send_error(res, endpoint.error());
  order.endpoint = *endpoint;
  Result<std::string> description = string_member(*body, "description");
  if (!description) return send_error(res, description.error());
  order.description = *description;
  Result<std::vector<ParameterOverride>> overrides = parameter_overrides(*body);
  if (!overrides) return send_error(res, overrides.error());
  order.overrides = std::move(overrides).value();
  Result<std::string> key = idempotency_key(req);
  if (!key) return send_error(res, key.error());
  order.idempotency_key = *key;
  Result<CreatedVersion> started = c.s.trainings.rerun(*id, std::move(order));
  if (!started) return send_error(res, started.error());
  ordered_json doc = version_to_json(started->version);
  doc["created"] = started->created;
  send_json(res, started->created ? 202 : 200, doc);
}

void get_stats(ApiContext& c, const Req& req, Res& res) {
  UnixMs since = 0;
  if (const std::string text = req.get_param_value("since"); !text.empty()) {
    std::optional<long long> at = parse_utc_timestamp(text);
    if (!at) {
      return send_error(res, invalid_input("since",
                                           "since must be a date (2026-12-01) or an "
                                           "RFC 3339 time, not " +
                                               text));
    }
    since = *at;
  }
  Result<std::vector<Version>> versions = c.s.store.list_all();
  if (!versions) return send_error(res, versions.error());
  Result<std::vector<SpendEntry>> spend = c.s.store.spend_entries();
  if (!spend) return send_error(res, spend.error());
  const UnixMs now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  send_json(res, 200, stats_to_json(compute_stats(*versions, *spend, since, now)));
}

}  // namespace atr
