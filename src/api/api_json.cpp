#include "api/api_json.h"

#include <cmath>
#include <cstdint>
#include <map>

#include "base/strings.h"

namespace atr {
namespace {

using nlohmann::ordered_json;

ordered_json finding_to_json(const Finding& finding) {
  ordered_json out;
  out["severity"] = to_string(finding.severity);
  out["code"] = finding.code;
  if (!finding.file.empty()) out["file"] = finding.file;
  out["message"] = finding.message;
  return out;
}

}  // namespace

ordered_json problem_to_json(std::string_view code, const std::string& message,
                             const std::string& field) {
  ordered_json out;
  out["error"]["code"] = code;
  out["error"]["message"] = message;
  if (!field.empty()) out["error"]["field"] = field;
  return out;
}

ordered_json error_to_json(const Error& error) {
  ordered_json out = problem_to_json(to_string(error.code), error.message, error.field);
  if (!error.fields.empty()) out["error"]["fields"] = validation_to_json(error.fields);
  return out;
}

ordered_json registry_id_to_json(const Actor& actor) {
  if (actor.id.empty()) return nullptr;
  if (actor.id_is_number) {
    // The decoder wrote the number's digits; a value beyond 64 bits stays text.
    ordered_json number = ordered_json::parse(actor.id, nullptr, false);
    if (number.is_number_integer()) return number;
  }
  return actor.id;
}

ordered_json actor_to_json(const Actor& actor, const ActorView& view) {
  ordered_json out;
  out["id"] = actor.key();
  out["registry_id"] = registry_id_to_json(actor);
  out["name"] = actor.name;
  out["sex"] = actor.sex;
  out["ethnicity"] = actor.ethnicity;
  out["age"] = actor.age;
  out["description"] = actor.description;
  const std::string& poster = view.poster_url ? *view.poster_url : actor.poster_url;
  out["poster_url"] = poster.empty() ? ordered_json(nullptr) : ordered_json(poster);
  ordered_json& data = out["training_data"];
  data["count"] = view.data.training_images();
  data["excluded"] = view.data.excluded;
  data["ignored"] = view.data.ignored;
  data["recorded"] = view.data.recorded;
  data["synced"] = view.data.state == SyncState::Synced;
  data["state"] = to_string(view.data.state);
  data["location"] = view.data.s3_only ? "s3" : "local";
  data["faces"] = {{"one", view.data.faces_one},
                   {"none", view.data.faces_none},
                   {"several", view.data.faces_several}};
  data["quality_findings"] = view.data.quality_findings;
  out["good"] = actor.good;
  if (actor.validated_model) {
    const ValidatedModel& model = *actor.validated_model;
    out["validated_lora_model"] = {{"version_id", model.version_id},
                                   {"version_name", model.version_name},
                                   {"lora_url", model.lora_url},
                                   {"marked_at", model.marked_at}};
  } else {
    out["validated_lora_model"] = nullptr;
  }
  if (view.latest_version) {
    out["latest_version"] = {{"name", view.latest_version->first},
                             {"status", to_string(view.latest_version->second)}};
  } else {
    out["latest_version"] = nullptr;
  }
  return out;
}

ordered_json actor_list_to_json(const ActorCatalog& catalog, const ActorSearchResult& result,
                                const ActorViewFn& view) {
  ordered_json out;
  out["total"] = result.total;
  out["items"] = ordered_json::array();
  for (size_t index : result.items) {
    const Actor& actor = catalog.actors()[index];
    out["items"].push_back(actor_to_json(actor, view ? view(actor) : ActorView{}));
  }
  out["facets"] = facets_to_json(result.facets);
  return out;
}

ordered_json facets_to_json(const ActorFacets& facets) {
  ordered_json out;
  out["sex"] = ordered_json::object();
  for (const auto& [value, count] : facets.sex) {
    out["sex"][value] = count;
  }
  out["ethnicity"] = ordered_json::object();
  for (const auto& [value, count] : facets.ethnicity) {
    out["ethnicity"][value] = count;
  }
  out["has_data"] = facets.has_data;
  out["has_model"] = facets.has_model;
  return out;
}

ordered_json parameter_value_to_json(const ParameterValue& value) {
  return std::visit([](const auto& v) { return ordered_json(v); }, value);
}

ordered_json parameters_to_json(const TrainingParameters& p) {
  ordered_json out = ordered_json::object();
  for (const ParameterSpec& spec : parameter_table()) {
    out[std::string(spec.name)] = parameter_value_to_json(value_of(p, spec));
  }
  return out;
}

ordered_json parameter_table_to_json() {
  ordered_json out = ordered_json::array();
  for (const ParameterSpec& spec : parameter_table()) {
    ordered_json row;
    row["name"] = spec.name;
    row["kind"] = to_string(spec.kind);
    row["label"] = spec.label;
    row["what"] = spec.what;
    row["good"] = spec.good;
    row["default"] = parameter_value_to_json(spec.default_value);
    const bool ranged = spec.kind == ParameterKind::Integer ||
                        spec.kind == ParameterKind::Decimal ||
                        spec.kind == ParameterKind::OpenDecimal;
    row["min"] = ranged ? ordered_json(spec.min) : ordered_json(nullptr);
    row["max"] =
        ranged || spec.kind == ParameterKind::Text ? ordered_json(spec.max) : ordered_json(nullptr);
    row["step"] = spec.step > 1 ? ordered_json(spec.step) : ordered_json(nullptr);
    row["choices"] = spec.choices;
    out.push_back(std::move(row));
  }
  return out;
}

ordered_json version_list_to_json(const std::vector<Version>& versions, double preview_cost) {
  ordered_json doc;
  doc["items"] = ordered_json::array();
  double total = preview_cost;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    doc["items"].push_back(version_to_json(*it));
    total += it->cost.value_or(0.0);
  }
  doc["total_cost_usd"] = total;
  doc["preview_cost_usd"] = preview_cost;
  return doc;
}

ordered_json log_page_to_json(const std::vector<LogLine>& lines, std::int64_t after) {
  ordered_json doc;
  doc["items"] = ordered_json::array();
  std::int64_t last = after;
  for (const LogLine& line : lines) {
    doc["items"].push_back(log_line_to_json(line));
    last = line.seq;
  }
  doc["next_after"] = last;
  return doc;
}

ordered_json settings_to_json(const Settings& settings, const std::string& webhook_mode,
                              const std::string& webhook_base_url) {
  ordered_json doc;
  doc["endpoints"] = ordered_json::array();
  for (const EndpointProfile& e : settings.endpoints) {
    doc["endpoints"].push_back({{"name", e.name},
                                {"gpu", e.gpu},
                                {"price_per_second", e.price_per_second},
                                {"seconds_per_step", e.seconds_per_step},
                                {"configured", !e.endpoint_id.empty()},
                                {"default", e.name == settings.default_endpoint}});
  }
  doc["runpod_configured"] = settings.has_runpod_api_key;
  // The page shows a "demo" banner unless trainings go to RunPod's own API.
  doc["runpod_base_url"] = settings.runpod_base_url;
  doc["runpod_official"] = settings.runpod_base_url == kRunpodApiBaseUrl;
  doc["s3_bucket_configured"] = !settings.s3_bucket.empty();
  doc["parameters"] = parameter_table_to_json();
  doc["webhook"] = {
      {"mode", webhook_mode},
      {"base_url", webhook_base_url.empty() ? ordered_json() : ordered_json(webhook_base_url)}};
  return doc;
}

ordered_json health_to_json(const std::string& time, std::size_t actors,
                            std::optional<std::size_t> active_versions,
                            const std::string& webhook_mode, const Status& registry) {
  ordered_json doc;
  doc["status"] = registry ? "ok" : "degraded";
  doc["time"] = time;
  doc["actors"] = actors;
  doc["active_versions"] = active_versions ? ordered_json(*active_versions) : ordered_json();
  doc["webhook"] = webhook_mode;
  doc["registry"] = registry ? ordered_json{{"ok", true}}
                             : ordered_json{{"ok", false},
                                            {"error", registry.error().message},
                                            {"serving", "the last good copy"}};
  return doc;
}

ordered_json tunnel_to_json(const TunnelStatus& t, const std::string& webhook_mode,
                            const std::string& webhook_base_url) {
  ordered_json doc;
  doc["mode"] = webhook_mode;
  doc["webhook_base_url"] =
      webhook_base_url.empty() ? ordered_json() : ordered_json(webhook_base_url);
  doc["ngrok"] = {
      {"state", to_string(t.state)},
      {"public_url", t.public_url.empty() ? ordered_json() : ordered_json(t.public_url)},
      {"message", t.message},
      {"binary_found", t.binary_found},
      {"token_configured", t.token_configured}};
  return doc;
}

ordered_json validation_to_json(const std::vector<FieldError>& errors) {
  ordered_json out = ordered_json::array();
  for (const FieldError& error : errors) {
    out.push_back({{"field", error.field}, {"message", error.message}});
  }
  return out;
}

ordered_json estimate_to_json(const Estimate& estimate) {
  ordered_json out;
  out["endpoint"] = estimate.endpoint;
  out["seconds_per_step"] = estimate.seconds_per_step;
  out["seconds_per_step_source"] = estimate.seconds_per_step_source;
  out["duration_seconds"] = estimate.duration_seconds;
  out["cost_usd"] = estimate.cost;
  return out;
}

ordered_json plan_to_json(const TrainingPlan& plan) {
  ordered_json out;
  out["image_count"] = plan.image_count;
  out["parameters"] = parameters_to_json(plan.parameters);
  out["defaults"] = parameters_to_json(plan.defaults);
  out["validation"] = validation_to_json(plan.validation);
  out["estimate"] = estimate_to_json(plan.estimate);
  return out;
}

namespace {

// An image's measures as the checks judged them: the faces that counted, in the upright
// image's pixels.
ordered_json quality_to_json(const ImageQuality& q, double face_confidence) {
  ordered_json out;
  out["width"] = q.width;
  out["height"] = q.height;
  out["faces"] = ordered_json::array();
  for (const FaceBox& f : q.faces) {
    if (f.confidence < face_confidence) continue;
    out["faces"].push_back({{"x", f.x},
                            {"y", f.y},
                            {"width", f.width},
                            {"height", f.height},
                            {"confidence", std::round(f.confidence * 100) / 100}});
  }
  out["sharpness"] = std::round(q.sharpness * 10) / 10;
  out["brightness"] = std::round(q.brightness * 10) / 10;
  out["clipped_share"] = std::round(q.clipped_share * 1000) / 1000;
  out["exposure_of"] = q.exposure_of_face ? "face" : "image";
  return out;
}

}  // namespace

ordered_json training_data_to_json(const Actor& actor, const TrainingDataReport& report) {
  ordered_json out;
  out["actor"] = {
      {"id", actor.key()}, {"registry_id", registry_id_to_json(actor)}, {"name", actor.name}};
  out["folder"] = report.folder;
  out["count"] = report.training_images();
  out["location"] = report.s3_only ? "s3" : "local";
  if (report.s3_only) {
    // What trains: the recorded objects, else (found under the layout) the usable ones found.
    std::vector<std::string> urls;
    if (actor.training_data) urls = actor.training_data->s3_urls;
    if (urls.empty()) {
      for (const ScannedFile& file : report.files) {
        if (!file.s3_url.empty() && file.status == FileStatus::Image) urls.push_back(file.s3_url);
      }
    }
    out["s3_urls"] = urls;
    out["s3_checked"] =
        report.s3_listed.empty() ? ordered_json(nullptr) : ordered_json(report.s3_listed);
  }
  out["excluded"] = report.excluded;
  out["ignored"] = report.ignored;
  out["bytes"] = report.usable_bytes;
  out["captions"] = report.captions;
  out["formats"] = report.formats;
  out["sync"] = to_string(report.sync);
  out["errors"] = report.error_count();
  out["warnings"] = report.warning_count();
  out["quality_checked"] = report.quality_checked;
  out["faces"] = {
      {"one", report.faces_one}, {"none", report.faces_none}, {"several", report.faces_several}};
  out["faces_summary"] = describe_faces(report);
  out["near_duplicate_groups"] = report.near_duplicate_groups;
  std::map<std::string, std::vector<const Finding*>> by_file;
  for (const Finding& finding : report.findings) {
    if (!finding.file.empty()) by_file[finding.file].push_back(&finding);
  }
  out["files"] = ordered_json::array();
  for (const ScannedFile& file : report.files) {
    ordered_json f;
    f["name"] = file.name;
    f["status"] = to_string(file.status);
    f["format"] = file.format.empty() ? ordered_json(nullptr) : ordered_json(file.format);
    f["width"] = file.width;
    f["height"] = file.height;
    f["bytes"] = file.bytes;
    f["md5"] = file.md5.empty() ? ordered_json(nullptr) : ordered_json(file.md5);
    f["has_caption"] = file.has_caption;
    if (!file.s3_url.empty()) f["s3_url"] = file.s3_url;
    f["quality"] = report.quality_checked && file.quality
                       ? quality_to_json(*file.quality, report.face_confidence)
                       : ordered_json(nullptr);
    f["checks"] = ordered_json::array();
    for (const Finding* finding : by_file[file.name]) {
      f["checks"].push_back(finding_to_json(*finding));
    }
    out["files"].push_back(std::move(f));
  }
  out["findings"] = ordered_json::array();
  for (const Finding& finding : report.findings) {
    out["findings"].push_back(finding_to_json(finding));
  }
  return out;
}

ordered_json data_check_to_json(const Actor& actor, const TrainingDataReport& report) {
  ordered_json out;
  out["id"] = actor.key();
  out["name"] = actor.name;
  out["folder"] = report.folder;
  out["location"] = report.s3_only ? "s3" : "local";
  out["usable"] = report.training_images();
  out["excluded"] = report.excluded.size();
  out["faces"] = {
      {"one", report.faces_one}, {"none", report.faces_none}, {"several", report.faces_several}};
  out["findings"] = findings_by_code(report);
  out["near_duplicate_groups"] = report.near_duplicate_groups.size();
  out["errors"] = report.error_count();
  out["warnings"] = report.warning_count();
  return out;
}

namespace {

nlohmann::ordered_json time_or_null(const std::optional<UnixMs>& at) {
  return at ? nlohmann::ordered_json(format_utc_timestamp(*at)) : nlohmann::ordered_json();
}

template <typename T>
nlohmann::ordered_json or_null(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json();
}

}  // namespace

ordered_json version_to_json(const Version& v) {
  ordered_json out;
  out["id"] = v.id;
  out["actor_id"] = v.actor_id;
  out["actor_name"] = v.actor_name;
  out["name"] = v.name;
  out["status"] = to_string(v.status);
  out["submission"] = to_string(v.submit_state);
  out["job_id"] = v.job_id.empty() ? ordered_json() : ordered_json(v.job_id);
  out["model_name"] = v.model_name;
  out["request_id"] = v.request_id;
  out["endpoint"] = v.endpoint_name;
  out["description"] = v.description;
  out["image_count"] = v.image_count;
  // An imported version's parameters are not known: null, not the defaults.
  out["parameters"] = v.imported ? ordered_json() : parameters_to_json(v.parameters);
  out["imported"] = v.imported;
  out["created_at"] = format_utc_timestamp(v.created_at);
  out["updated_at"] = format_utc_timestamp(v.updated_at);
  out["submitted_at"] = time_or_null(v.submitted_at);
  out["started_at"] = time_or_null(v.started_at);
  out["finished_at"] = time_or_null(v.finished_at);
  out["duration_seconds"] = or_null(run_seconds(v));
  if (v.progress) {
    const TrainingProgress& p = *v.progress;
    out["progress"] = {{"stage", p.stage},
                       {"step", or_null(p.step)},
                       {"total_steps", or_null(p.total_steps)},
                       {"percent", or_null(p.percent)},
                       {"loss", or_null(p.loss)},
                       {"eta_seconds", or_null(p.eta_seconds)},
                       {"text", p.text}};
  } else {
    out["progress"] = nullptr;
  }
  out["delay_ms"] = or_null(v.delay_ms);
  out["execution_ms"] = or_null(v.execution_ms);
  out["lora_url"] = v.lora_url.empty() ? ordered_json() : ordered_json(v.lora_url);
  out["model_size_bytes"] = or_null(v.model_size_bytes);
  out["message"] = v.message;
  out["error"] = v.error.empty() ? ordered_json() : ordered_json(v.error);
  out["cost_usd"] = or_null(v.cost);
  out["estimated_cost_usd"] = or_null(v.estimated_cost);
  out["retries"] = v.retries;
  out["retry_until"] = time_or_null(retry_deadline(v));
  out["good"] = v.good;
  out["job_ttl_seconds"] = v.job_ttl_ms ? ordered_json(*v.job_ttl_ms / 1000) : ordered_json();
  out["stalled"] = v.stall_note.empty() ? ordered_json() : ordered_json(v.stall_note);
  out["final_loss"] = or_null(final_loss(v));
  out["steps_per_second"] = or_null(steps_per_second(v));
  out["curve_points"] = v.curve.size();
  return out;
}

ordered_json curve_to_json(const Version& v) {
  ordered_json points = ordered_json::array();
  for (const CurvePoint& p : v.curve) {
    points.push_back(
        {{"step", p.step}, {"loss", or_null(p.loss)}, {"at", format_utc_timestamp(p.at)}});
  }
  ordered_json out;
  out["version_id"] = v.id;
  out["total_steps"] = v.imported ? ordered_json() : ordered_json(v.parameters.max_train_steps);
  out["final_loss"] = or_null(final_loss(v));
  out["steps_per_second"] = or_null(steps_per_second(v));
  out["points"] = std::move(points);
  return out;
}

ordered_json preview_to_json(const Preview& p) {
  ordered_json out;
  out["id"] = p.id;
  out["version_id"] = p.version_id;
  out["actor_id"] = p.actor_id;
  out["version_name"] = p.version_name;
  out["prompt_index"] = p.prompt_index;
  out["prompt_label"] = p.prompt_label;
  out["prompt"] = p.prompt;
  out["seed"] = p.seed;
  out["width"] = p.width;
  out["height"] = p.height;
  out["status"] = to_string(p.status);
  out["submission"] = to_string(p.submit_state);
  out["job_id"] = p.job_id.empty() ? ordered_json() : ordered_json(p.job_id);
  out["created_at"] = format_utc_timestamp(p.created_at);
  out["finished_at"] = time_or_null(p.finished_at);
  out["execution_ms"] = or_null(p.execution_ms);
  out["cost_usd"] = or_null(p.cost);
  out["error"] = p.error.empty() ? ordered_json() : ordered_json(p.error);
  ordered_json images = ordered_json::array();
  for (size_t i = 0; i < p.images.size(); ++i) {
    const std::string url =
        "/api/previews/" + std::to_string(p.id) + "/images/" + std::to_string(i);
    images.push_back(
        {{"path", p.images[i]},
         {"url", url},
         {"thumbnail_url", url + "?size=medium"},
         {"s3_url", i < p.s3_urls.size() ? ordered_json(p.s3_urls[i]) : ordered_json()}});
  }
  out["images"] = std::move(images);
  return out;
}

ordered_json preview_list_to_json(const std::vector<Preview>& previews) {
  ordered_json items = ordered_json::array();
  double cost = 0;
  for (const Preview& p : previews) {
    items.push_back(preview_to_json(p));
    cost += p.cost.value_or(0.0);
  }
  return {{"items", std::move(items)}, {"cost_usd", cost}};
}

ordered_json import_run_to_json(const ImportRun& run) {
  ordered_json out;
  out["folder"] = run.folder;
  out["dry_run"] = run.dry_run;
  out["manifests"] = run.plan.actors.size();
  out["changing"] = run.plan.changing();
  ordered_json actors = ordered_json::array();
  for (const ActorImport& a : run.plan.actors) {
    ordered_json item;
    item["manifest"] = a.manifest;
    item["actor_id"] = a.actor.empty() ? ordered_json() : ordered_json(a.actor);
    item["actor_name"] = a.actor_name;
    item["changes"] = a.changes();
    item["training_data_good"] = or_null(a.training_data_good);
    ordered_json steps = ordered_json::array();
    for (const ImportStep& step : a.steps) {
      ordered_json s{{"what", step.what}, {"applies", step.applies}};
      s["why"] = step.why.empty() ? ordered_json() : ordered_json(step.why);
      steps.push_back(std::move(s));
    }
    item["steps"] = std::move(steps);
    actors.push_back(std::move(item));
  }
  out["actors"] = std::move(actors);
  if (run.outcome) {
    out["applied"] = {{"versions_imported", run.outcome->versions_imported},
                      {"training_data_recorded", run.outcome->blocks_recorded},
                      {"validated_models_recorded", run.outcome->validated_recorded}};
  } else {
    out["applied"] = nullptr;
  }
  return out;
}

ordered_json log_line_to_json(const LogLine& line) {
  ordered_json out;
  out["seq"] = line.seq;
  out["version_id"] = line.version_id;
  out["at"] = format_utc_timestamp(line.at);
  out["kind"] = to_string(line.kind);
  out["text"] = line.text;
  return out;
}

ordered_json blockers_to_json(const std::vector<Blocker>& blockers) {
  ordered_json out = ordered_json::array();
  for (const Blocker& b : blockers) {
    ordered_json item{{"code", b.code}, {"message", b.message}};
    if (b.version_id != 0) item["version_id"] = b.version_id;
    out.push_back(std::move(item));
  }
  return out;
}

ordered_json comparison_to_json(const Version& left, const Version& right,
                                const std::vector<ParameterDiff>& rows) {
  ordered_json out;
  out["left"] = {{"id", left.id}, {"actor_id", left.actor_id}, {"name", left.name}};
  out["right"] = {{"id", right.id}, {"actor_id", right.actor_id}, {"name", right.name}};
  ordered_json& params = out["parameters"];
  params = ordered_json::array();
  for (const ParameterDiff& row : rows) {
    params.push_back(
        {{"name", row.name}, {"left", row.left}, {"right", row.right}, {"differs", row.differs}});
  }
  return out;
}

ordered_json sync_report_to_json(const SyncReport& report) {
  ordered_json out;
  out["actor_id"] = report.actor_id;
  out["prefix"] = report.prefix;
  out["uploads"] = ordered_json::array();
  for (const PutItem& item : report.uploads) {
    out["uploads"].push_back(item.key);
  }
  out["upload_bytes"] = report.upload_bytes;
  out["unchanged"] = report.unchanged;
  out["deletions"] = report.deletions;
  out["orphans"] = report.orphans;
  out["excluded"] = report.excluded;
  out["ignored"] = report.ignored;
  out["failed"] = report.failed;
  out["count"] = report.s3_urls.size();
  out["marked_synced"] = report.marked_synced;
  return out;
}

ordered_json pull_report_to_json(const PullReport& report) {
  ordered_json out;
  out["actor_id"] = report.actor_id;
  out["folder"] = report.folder;
  out["pulled"] = report.pulled;
  out["pulled_bytes"] = report.pulled_bytes;
  out["unchanged"] = report.unchanged;
  out["kept"] = report.kept;
  out["missing"] = report.missing;
  out["failed"] = report.failed;
  out["recorded"] = report.recorded;
  return out;
}

ordered_json budget_to_json(const std::vector<PeriodSpend>& periods) {
  ordered_json items = ordered_json::array();
  bool capped = false;
  for (const PeriodSpend& p : periods) {
    capped = capped || p.cap.has_value();
    items.push_back(
        {{"period", std::string(to_string(p.period))},
         {"endpoint", p.endpoint.empty() ? ordered_json() : ordered_json(p.endpoint)},
         {"from", p.period == BudgetPeriod::Total ? ordered_json()
                                                  : ordered_json(format_utc_timestamp(p.from))},
         {"spent_usd", p.spent},
         {"running_usd", p.running},
         {"cap_usd", or_null(p.cap)}});
  }
  return {{"periods", std::move(items)}, {"capped", capped}};
}

ordered_json budget_to_json(const std::vector<PeriodSpend>& periods, const BudgetSettings& caps,
                            bool from_page) {
  auto caps_json = [](const BudgetCaps& c) {
    return ordered_json{
        {"day", or_null(c.day)}, {"month", or_null(c.month)}, {"total", or_null(c.total)}};
  };
  ordered_json out = budget_to_json(periods);
  ordered_json all = caps_json(caps.all);
  ordered_json endpoints = ordered_json::object();
  for (const auto& [name, c] : caps.per_endpoint) {
    endpoints[name] = caps_json(c);
  }
  all["endpoints"] = std::move(endpoints);
  out["caps"] = std::move(all);
  out["source"] = from_page ? "page" : "file";
  return out;
}

ordered_json batch_plan_to_json(const BatchPlan& plan) {
  ordered_json items = ordered_json::array();
  for (const BatchPlanItem& item : plan.items) {
    items.push_back({{"actor_id", item.actor_id},
                     {"actor_name", item.actor_name},
                     {"images", item.images},
                     {"parameters", parameters_to_json(item.parameters)},
                     {"estimate", estimate_to_json(item.estimate)},
                     {"state", item.state}});
  }
  ordered_json skipped = ordered_json::array();
  for (const BatchSkip& skip : plan.skipped) {
    skipped.push_back({{"actor_id", skip.actor_id},
                       {"actor_name", skip.actor_name},
                       {"reason", skip.reason},
                       {"detail", skip.detail}});
  }
  ordered_json counts = ordered_json::object();
  for (const auto& [reason, count] : plan.skipped_counts) {
    counts[reason] = count;
  }
  ordered_json out;
  out["endpoint"] = plan.endpoint;
  out["concurrency"] = plan.concurrency;
  out["items"] = std::move(items);
  out["skipped"] = std::move(skipped);
  out["skipped_counts"] = std::move(counts);
  out["included"] = plan.included;
  out["total_cost_usd"] = plan.total_cost;
  out["wall_seconds"] = plan.wall_seconds;
  out["budget_stop"] = plan.budget_stop.empty() ? ordered_json() : ordered_json(plan.budget_stop);
  out["blockers"] = blockers_to_json(plan.blockers);
  return out;
}

ordered_json batch_to_json(const Batch& batch, const std::map<std::int64_t, Version>& versions) {
  ordered_json entries = ordered_json::array();
  std::map<std::string, int> counts{
      {"waiting", 0}, {"running", 0}, {"done", 0}, {"failed", 0}, {"cancelled", 0}};
  double spent = 0.0;
  for (const BatchEntry& e : batch.entries) {
    const auto v = versions.find(e.version_id);
    const Version* version = v == versions.end() ? nullptr : &v->second;
    // The queue's word for people: waiting, running, done, failed, cancelled.
    std::string queue = "waiting";
    if (e.state == "skipped") {
      queue = "failed";
    } else if (e.state == "cancelled") {
      queue = "cancelled";
    } else if (version != nullptr) {
      queue = !is_final(version->status)                    ? "running"
              : version->status == VersionStatus::Completed ? "done"
              : version->status == VersionStatus::Cancelled ? "cancelled"
                                                            : "failed";
      spent += version->cost.value_or(0.0);
    } else if (e.state == "starting") {
      queue = "running";
    }
    ++counts[queue];
    entries.push_back(
        {{"actor_id", e.actor_id},
         {"actor_name", e.actor_name},
         {"estimate_usd", e.estimate},
         {"state", e.state},
         {"queue", queue},
         {"version_id", e.version_id == 0 ? ordered_json() : ordered_json(e.version_id)},
         {"version", version == nullptr ? ordered_json() : ordered_json(version->name)},
         {"status", version == nullptr ? ordered_json()
                                       : ordered_json(std::string(to_string(version->status)))},
         {"cost_usd", version == nullptr ? ordered_json() : or_null(version->cost)},
         {"error", !e.error.empty()                                ? ordered_json(e.error)
                   : version != nullptr && !version->error.empty() ? ordered_json(version->error)
                                                                   : ordered_json()}});
  }
  ordered_json out;
  out["id"] = batch.id;
  out["endpoint"] = batch.endpoint;
  out["concurrency"] = batch.concurrency;
  out["state"] = batch.state;
  out["created_at"] = format_utc_timestamp(batch.created_at);
  out["updated_at"] = format_utc_timestamp(batch.updated_at);
  out["planned_cost_usd"] = batch.planned_cost;
  out["spent_usd"] = spent;
  ordered_json queue;
  for (const auto& [name, count] : counts) {
    queue[name] = count;
  }
  out["queue"] = std::move(queue);
  out["entries"] = std::move(entries);
  return out;
}

namespace {

ordered_json version_lines_to_json(const std::vector<VersionLine>& lines) {
  ordered_json out = ordered_json::array();
  for (const VersionLine& l : lines) {
    out.push_back({{"id", l.id},
                   {"actor_id", l.actor_id},
                   {"name", l.name},
                   {"endpoint", l.endpoint},
                   {"status", l.status},
                   {"cost_usd", l.cost},
                   {"retries", l.retries},
                   {"error", l.error.empty() ? ordered_json() : ordered_json(l.error)},
                   {"at", format_utc_timestamp(l.at)}});
  }
  return out;
}

ordered_json periods_to_json(const std::vector<PeriodCost>& periods) {
  ordered_json out = ordered_json::array();
  for (const PeriodCost& p : periods) {
    out.push_back({{"period", p.period}, {"spent_usd", p.spent}});
  }
  return out;
}

}  // namespace

ordered_json stats_to_json(const Stats& s) {
  ordered_json out;
  out["since"] = s.since > 0 ? ordered_json(format_utc_timestamp(s.since)) : ordered_json();
  out["now"] = format_utc_timestamp(s.now);
  out["trainings"] = s.trainings;
  out["completed"] = s.completed;
  out["failed"] = s.failed;
  out["cancelled"] = s.cancelled;
  out["running"] = s.running;
  out["retries"] = s.retries;
  out["success_rate"] = or_null(s.success_rate);
  out["median_duration_seconds"] = or_null(s.median_duration_seconds);
  out["spent_usd"] = s.spent;
  out["spent_trainings_usd"] = s.spent_trainings;
  out["spent_previews_usd"] = s.spent_previews;
  ordered_json days = ordered_json::array();
  for (const DayStats& d : s.days) {
    days.push_back({{"day", d.day},
                    {"started", d.started},
                    {"completed", d.completed},
                    {"failed", d.failed},
                    {"cancelled", d.cancelled},
                    {"spent_usd", d.spent}});
  }
  out["days"] = std::move(days);
  out["weeks"] = periods_to_json(s.weeks);
  out["months"] = periods_to_json(s.months);
  ordered_json speeds = ordered_json::array();
  for (const EndpointSpeed& e : s.speeds) {
    speeds.push_back({{"endpoint", e.endpoint},
                      {"day", e.day},
                      {"seconds_per_step", e.seconds_per_step},
                      {"jobs", e.jobs}});
  }
  out["speeds"] = std::move(speeds);
  ordered_json actors = ordered_json::array();
  for (const ActorCost& a : s.actors) {
    actors.push_back({{"actor_id", a.actor_id},
                      {"actor_name", a.actor_name},
                      {"trainings", a.trainings},
                      {"spent_usd", a.spent}});
  }
  out["actors"] = std::move(actors);
  out["most_expensive"] = version_lines_to_json(s.most_expensive);
  out["failures"] = version_lines_to_json(s.failures);
  return out;
}

}  // namespace atr
