#include "store/sqlite_version_store.h"

#include <chrono>
#include <string_view>

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include "base/check.h"
#include "core/settings.h"
#include "store/sql_columns.h"
#include "store/state_db.h"

namespace atr {
namespace {

using nlohmann::json;

constexpr std::string_view kColumns =
    "id, actor_id, actor_name, number, name, model_name, request_id, endpoint_name, "
    "endpoint_id, parameters, description, image_count, s3_urls, submit_state, job_id, status, "
    "created_at, updated_at, submitted_at, started_at, finished_at, progress, delay_ms, "
    "execution_ms, lora_url, model_size_bytes, message, error, cost, good, not_found_count, "
    "imported, job_ttl_ms, stall_note, curve, estimated_cost, retries, earlier_execution_ms, "
    "retry_key";

UnixMs wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string encode_parameters(const TrainingParameters& p) {
  json out = json::object();
  for (const auto& [name, value] : parameter_values(p)) {
    out[name] = value;
  }
  return out.dump();
}

TrainingParameters decode_parameters(const std::string& text) {
  TrainingParameters p;
  const json in = json::parse(text);
  for (const auto& [name, value] : in.items()) {
    // Every value was written by parameter_values(), so each one reads back.
    ATR_CHECK(static_cast<bool>(set_parameter(p, name, value.get<std::string>())),
              "stored parameter " + name + " does not read back");
  }
  return p;
}

std::string encode_progress(const TrainingProgress& p) {
  json out = json::object();
  out["stage"] = p.stage;
  out["text"] = p.text;
  if (p.step) out["step"] = *p.step;
  if (p.total_steps) out["total_steps"] = *p.total_steps;
  if (p.loss) out["loss"] = *p.loss;
  if (p.percent) out["percent"] = *p.percent;
  if (p.eta_seconds) out["eta_seconds"] = *p.eta_seconds;
  return out.dump();
}

TrainingProgress decode_progress(const std::string& text) {
  const json in = json::parse(text);
  TrainingProgress p;
  p.stage = in.value("stage", "");
  p.text = in.value("text", "");
  if (in.contains("step")) p.step = in["step"].get<long long>();
  if (in.contains("total_steps")) p.total_steps = in["total_steps"].get<long long>();
  if (in.contains("loss")) p.loss = in["loss"].get<double>();
  if (in.contains("percent")) p.percent = in["percent"].get<double>();
  if (in.contains("eta_seconds")) p.eta_seconds = in["eta_seconds"].get<long long>();
  return p;
}

// [[step, loss or null, at], …]: compact, since a curve holds up to kMaxCurvePoints points.
std::string encode_curve(const std::vector<CurvePoint>& curve) {
  json out = json::array();
  for (const CurvePoint& p : curve) {
    out.push_back(json::array({p.step, p.loss ? json(*p.loss) : json(nullptr), p.at}));
  }
  return out.dump();
}

std::vector<CurvePoint> decode_curve(const std::string& text) {
  std::vector<CurvePoint> out;
  for (const json& p : json::parse(text)) {
    CurvePoint point{p[0].get<long long>(), std::nullopt, p[2].get<UnixMs>()};
    if (!p[1].is_null()) point.loss = p[1].get<double>();
    out.push_back(point);
  }
  return out;
}

Version read_version(SQLite::Statement& q) {
  Version v;
  int i = 0;
  v.id = q.getColumn(i++).getInt64();
  v.actor_id = q.getColumn(i++).getString();
  v.actor_name = q.getColumn(i++).getString();
  v.number = q.getColumn(i++).getInt();
  v.name = q.getColumn(i++).getString();
  v.model_name = q.getColumn(i++).getString();
  v.request_id = q.getColumn(i++).getString();
  v.endpoint_name = q.getColumn(i++).getString();
  v.endpoint_id = q.getColumn(i++).getString();
  v.parameters = decode_parameters(q.getColumn(i++).getString());
  v.description = q.getColumn(i++).getString();
  v.image_count = q.getColumn(i++).getInt();
  v.s3_urls = json::parse(q.getColumn(i++).getString()).get<std::vector<std::string>>();
  const std::optional<SubmitState> submit = parse_submit_state(q.getColumn(i++).getString());
  ATR_CHECK(submit.has_value(), "stored submit state is unknown");
  v.submit_state = *submit;
  v.job_id = q.getColumn(i++).getString();
  const std::optional<VersionStatus> status = parse_version_status(q.getColumn(i++).getString());
  ATR_CHECK(status.has_value(), "stored status is unknown");
  v.status = *status;
  v.created_at = q.getColumn(i++).getInt64();
  v.updated_at = q.getColumn(i++).getInt64();
  v.submitted_at = optional_column<UnixMs>(q.getColumn(i++));
  v.started_at = optional_column<UnixMs>(q.getColumn(i++));
  v.finished_at = optional_column<UnixMs>(q.getColumn(i++));
  if (const SQLite::Column c = q.getColumn(i++); !c.isNull()) {
    v.progress = decode_progress(c.getString());
  }
  v.delay_ms = optional_column<std::int64_t>(q.getColumn(i++));
  v.execution_ms = optional_column<std::int64_t>(q.getColumn(i++));
  v.lora_url = q.getColumn(i++).getString();
  v.model_size_bytes = optional_column<std::int64_t>(q.getColumn(i++));
  v.message = q.getColumn(i++).getString();
  v.error = q.getColumn(i++).getString();
  v.cost = optional_column<double>(q.getColumn(i++));
  v.good = q.getColumn(i++).getInt() != 0;
  v.not_found_count = q.getColumn(i++).getInt();
  v.imported = q.getColumn(i++).getInt() != 0;
  v.job_ttl_ms = optional_column<std::int64_t>(q.getColumn(i++));
  v.stall_note = q.getColumn(i++).getString();
  v.curve = decode_curve(q.getColumn(i++).getString());
  v.estimated_cost = optional_column<double>(q.getColumn(i++));
  v.retries = q.getColumn(i++).getInt();
  v.earlier_execution_ms = q.getColumn(i++).getInt64();
  v.retry_key = q.getColumn(i++).getString();
  return v;
}

// Writes every mutable column of `v` (the identity columns never change after insert).
void write_version(SQLite::Database& db, const Version& v) {
  SQLite::Statement q(db,
                      "UPDATE versions SET submit_state = :submit_state, job_id = :job_id, "
                      "job_key = :job_key, status = :status, finished = :finished, "
                      "updated_at = :updated_at, submitted_at = :submitted_at, "
                      "started_at = :started_at, finished_at = :finished_at, "
                      "progress = :progress, delay_ms = :delay_ms, execution_ms = :execution_ms, "
                      "lora_url = :lora_url, model_size_bytes = :model_size_bytes, "
                      "message = :message, error = :error, cost = :cost, good = :good, "
                      "not_found_count = :not_found_count, job_ttl_ms = :job_ttl_ms, "
                      "stall_note = :stall_note, curve = :curve, retries = :retries, "
                      "earlier_execution_ms = :earlier_execution_ms, retry_key = :retry_key "
                      "WHERE id = :id");
  q.bind(":submit_state", std::string(to_string(v.submit_state)));
  q.bind(":job_id", v.job_id);
  q.bind(":job_key", v.job_id.empty() ? std::string() : job_key(v.job_id));
  q.bind(":status", std::string(to_string(v.status)));
  q.bind(":finished", is_final(v.status) ? 1 : 0);
  q.bind(":updated_at", static_cast<std::int64_t>(v.updated_at));
  bind_optional(q, ":submitted_at", v.submitted_at);
  bind_optional(q, ":started_at", v.started_at);
  bind_optional(q, ":finished_at", v.finished_at);
  if (v.progress) {
    q.bind(":progress", encode_progress(*v.progress));
  } else {
    q.bind(":progress");
  }
  bind_optional(q, ":delay_ms", v.delay_ms);
  bind_optional(q, ":execution_ms", v.execution_ms);
  q.bind(":lora_url", v.lora_url);
  bind_optional(q, ":model_size_bytes", v.model_size_bytes);
  q.bind(":message", v.message);
  q.bind(":error", v.error);
  bind_optional(q, ":cost", v.cost);
  q.bind(":good", v.good ? 1 : 0);
  q.bind(":not_found_count", v.not_found_count);
  bind_optional(q, ":job_ttl_ms", v.job_ttl_ms);
  q.bind(":stall_note", v.stall_note);
  q.bind(":curve", encode_curve(v.curve));
  q.bind(":retries", v.retries);
  q.bind(":earlier_execution_ms", static_cast<std::int64_t>(v.earlier_execution_ms));
  q.bind(":retry_key", v.retry_key);
  q.bind(":id", static_cast<std::int64_t>(v.id));
  q.exec();
}

void insert_logs(SQLite::Database& db, std::int64_t version_id, UnixMs at,
                 const std::vector<LogEntry>& lines) {
  if (lines.empty()) return;
  SQLite::Statement q(db, "INSERT INTO log_lines (version_id, at, kind, text) VALUES (?, ?, ?, ?)");
  for (const LogEntry& line : lines) {
    q.bind(1, static_cast<std::int64_t>(version_id));
    q.bind(2, static_cast<std::int64_t>(at));
    q.bind(3, std::string(to_string(line.kind)));
    q.bind(4, line.text);
    q.exec();
    q.reset();
  }
}

std::optional<Version> select_one(SQLite::Database& db, const std::string& where,
                                  const std::string& value) {
  SQLite::Statement q(db, "SELECT " + std::string(kColumns) + " FROM versions WHERE " + where +
                              " ORDER BY id LIMIT 1");
  q.bind(1, value);
  if (!q.executeStep()) return std::nullopt;
  return read_version(q);
}

std::vector<Version> select_many(SQLite::Statement& q) {
  std::vector<Version> out;
  while (q.executeStep()) {
    out.push_back(read_version(q));
  }
  return out;
}

// The version a report belongs to: by job id (region suffix ignored), else by request id, but
// only a version whose job id we do not know: a request id is predictable and must never
// redirect a report away from the job a version is known to run.
std::optional<Version> match_report(SQLite::Database& db, const JobReport& report) {
  if (!report.job_id.empty()) {
    if (auto v = select_one(db, "job_key = ?", job_key(report.job_id))) return v;
  }
  if (!report.request_id.empty()) {
    return select_one(db, "request_id = ? AND job_id = ''", report.request_id);
  }
  return std::nullopt;
}

}  // namespace

int SqliteVersionStore::schema_version() {
  return state_schema_version();
}

SqliteVersionStore::SqliteVersionStore(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}

SqliteVersionStore::~SqliteVersionStore() = default;

Result<std::unique_ptr<SqliteVersionStore>> SqliteVersionStore::open(
    const std::filesystem::path& path) {
  Result<std::unique_ptr<SQLite::Database>> db = open_state_db(path);
  if (!db) return db.error();
  return std::unique_ptr<SqliteVersionStore>(new SqliteVersionStore(std::move(db).value()));
}

Result<CreatedVersion> SqliteVersionStore::create(const NewVersion& request,
                                                  const MakeVersion& make,
                                                  const std::vector<LogEntry>& lines) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    if (!request.idempotency_key.empty()) {
      SQLite::Statement seen(*db_,
                             "SELECT actor_id, version_id FROM idempotency_keys WHERE key = ?");
      seen.bind(1, request.idempotency_key);
      if (seen.executeStep()) {
        if (seen.getColumn(0).getString() != request.actor_id) {
          return Error{ErrorCode::Conflict,
                       "idempotency key was already used for another actor's training"};
        }
        const std::int64_t id = seen.getColumn(1).getInt64();
        std::optional<Version> first = select_one(*db_, "id = ?", std::to_string(id));
        ATR_CHECK(first.has_value(), "idempotency key points at a missing version");
        return CreatedVersion{*first, false};
      }
    }
    if (!request.force) {
      std::optional<Version> active =
          select_one(*db_, "actor_id = ? AND finished = 0", request.actor_id);
      if (active) {
        return Error{ErrorCode::Conflict,
                     active->name + " of this actor is still " +
                         std::string(to_string(active->status)) +
                         "; wait for it, abort it, or force a second training"};
      }
    }
    SQLite::Statement max(*db_, "SELECT COALESCE(MAX(number), 0) FROM versions WHERE actor_id = ?");
    max.bind(1, request.actor_id);
    max.executeStep();
    const int number = max.getColumn(0).getInt() + 1;
    Result<Version> made = make(number);
    if (!made) return made.error();
    Version v = std::move(made).value();
    // request_id is "<actor id>_<unix ms>": two forced starts in one millisecond would share
    // it, and the webhook could not tell them apart.
    if (std::optional<Version> same = select_one(*db_, "model_name = ?", v.model_name)) {
      return Error{ErrorCode::Conflict, "the model name " + v.model_name + " is taken by " +
                                            same->name + " of actor " + same->actor_id +
                                            "; a training must not overwrite a known model"};
    }
    if (select_one(*db_, "request_id = ?", v.request_id)) {
      return Error{ErrorCode::Conflict,
                   "request id " + v.request_id + " is taken (two starts in one millisecond)"};
    }
    SQLite::Statement insert(
        *db_,
        "INSERT INTO versions (actor_id, actor_name, number, name, model_name, request_id, "
        "endpoint_name, endpoint_id, parameters, description, image_count, s3_urls, "
        "submit_state, status, created_at, updated_at, estimated_cost) VALUES (:actor_id, "
        ":actor_name, :number, :name, :model_name, :request_id, :endpoint_name, :endpoint_id, "
        ":parameters, :description, :image_count, :s3_urls, :submit_state, :status, "
        ":created_at, :updated_at, :estimated_cost)");
    insert.bind(":actor_id", v.actor_id);
    insert.bind(":actor_name", v.actor_name);
    insert.bind(":number", v.number);
    insert.bind(":name", v.name);
    insert.bind(":model_name", v.model_name);
    insert.bind(":request_id", v.request_id);
    insert.bind(":endpoint_name", v.endpoint_name);
    insert.bind(":endpoint_id", v.endpoint_id);
    insert.bind(":parameters", encode_parameters(v.parameters));
    insert.bind(":description", v.description);
    insert.bind(":image_count", v.image_count);
    insert.bind(":s3_urls", json(v.s3_urls).dump());
    insert.bind(":submit_state", std::string(to_string(SubmitState::Prepared)));
    insert.bind(":status", std::string(to_string(VersionStatus::Pending)));
    insert.bind(":created_at", static_cast<std::int64_t>(v.created_at));
    insert.bind(":updated_at", static_cast<std::int64_t>(v.updated_at));
    bind_optional(insert, ":estimated_cost", v.estimated_cost);
    insert.exec();
    v.id = db_->getLastInsertRowid();
    v.submit_state = SubmitState::Prepared;
    v.status = VersionStatus::Pending;
    if (!request.idempotency_key.empty()) {
      SQLite::Statement key(*db_,
                            "INSERT INTO idempotency_keys (key, actor_id, version_id, created_at) "
                            "VALUES (?, ?, ?, ?)");
      key.bind(1, request.idempotency_key);
      key.bind(2, request.actor_id);
      key.bind(3, static_cast<std::int64_t>(v.id));
      key.bind(4, static_cast<std::int64_t>(v.created_at));
      key.exec();
    }
    insert_logs(*db_, v.id, v.created_at, lines);
    tx.commit();
    return CreatedVersion{std::move(v), true};
  } catch (const std::exception& e) {
    return db_error("create version", e);
  }
}

Result<std::vector<std::int64_t>> SqliteVersionStore::import_versions(
    const std::vector<Version>& versions) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<std::int64_t> ids;
    ids.reserve(versions.size());
    SQLite::Statement same(*db_,
                           "SELECT id, model_name FROM versions WHERE actor_id = ? AND number = ?");
    SQLite::Statement model(*db_, "SELECT id FROM versions WHERE model_name = ?");
    SQLite::Statement insert(
        *db_,
        "INSERT INTO versions (actor_id, actor_name, number, name, model_name, request_id, "
        "endpoint_name, endpoint_id, parameters, description, image_count, s3_urls, "
        "submit_state, status, created_at, updated_at, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, 1)");
    for (const Version& v : versions) {
      ATR_CHECK(v.imported && is_final(v.status), "only final, imported versions are imported");
      same.bind(1, v.actor_id);
      same.bind(2, v.number);
      std::int64_t id = 0;
      bool taken = false;
      if (same.executeStep()) {
        taken = true;
        if (same.getColumn(1).getString() == v.model_name) id = same.getColumn(0).getInt64();
      }
      same.reset();
      model.bind(1, v.model_name);
      taken = taken || model.executeStep();
      model.reset();
      if (!taken) {
        insert.bind(1, v.actor_id);
        insert.bind(2, v.actor_name);
        insert.bind(3, v.number);
        insert.bind(4, v.name);
        insert.bind(5, v.model_name);
        insert.bind(6, v.request_id);
        insert.bind(7, v.endpoint_name);
        insert.bind(8, v.endpoint_id);
        insert.bind(9, encode_parameters(v.parameters));
        insert.bind(10, v.description);
        insert.bind(11, v.image_count);
        insert.bind(12, json(v.s3_urls).dump());
        insert.bind(13, std::string(to_string(v.submit_state)));
        insert.bind(14, std::string(to_string(v.status)));
        insert.bind(15, static_cast<std::int64_t>(v.created_at));
        insert.bind(16, static_cast<std::int64_t>(v.updated_at));
        insert.exec();
        insert.reset();
        Version stored = v;
        stored.id = db_->getLastInsertRowid();
        write_version(*db_, stored);
        insert_logs(*db_, stored.id, v.updated_at,
                    {{LogKind::Info, v.name + " imported: " + v.message}});
        id = stored.id;
      }
      ids.push_back(id);
    }
    tx.commit();
    return ids;
  } catch (const std::exception& e) {
    return db_error("import versions", e);
  }
}

Result<Version> SqliteVersionStore::get(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  try {
    std::optional<Version> v = select_one(*db_, "id = ?", std::to_string(id));
    if (!v) return Error{ErrorCode::NotFound, "no version with id " + std::to_string(id)};
    return std::move(*v);
  } catch (const std::exception& e) {
    return db_error("read version", e);
  }
}

Result<std::vector<Version>> SqliteVersionStore::list_for_actor(const std::string& actor_id) const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_, "SELECT " + std::string(kColumns) +
                                  " FROM versions WHERE actor_id = ? ORDER BY number");
    q.bind(1, actor_id);
    return select_many(q);
  } catch (const std::exception& e) {
    return db_error("list versions", e);
  }
}

Result<std::vector<Version>> SqliteVersionStore::latest_per_actor() const {
  std::lock_guard lock(mutex_);
  try {
    // UNIQUE (actor_id, number) gives the index this correlated MAX uses.
    SQLite::Statement q(*db_, "SELECT " + std::string(kColumns) +
                                  " FROM versions AS v WHERE number = (SELECT MAX(number) FROM "
                                  "versions WHERE actor_id = v.actor_id) ORDER BY id");
    return select_many(q);
  } catch (const std::exception& e) {
    return db_error("list the newest versions", e);
  }
}

Result<std::optional<Version>> SqliteVersionStore::find_by_key(const std::string& key) const {
  std::lock_guard lock(mutex_);
  try {
    return select_one(*db_, "id = (SELECT version_id FROM idempotency_keys WHERE key = ?)", key);
  } catch (const std::exception& e) {
    return db_error("find a version by idempotency key", e);
  }
}

Result<std::vector<Version>> SqliteVersionStore::list_all() const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_, "SELECT " + std::string(kColumns) + " FROM versions ORDER BY id");
    return select_many(q);
  } catch (const std::exception& e) {
    return db_error("list versions", e);
  }
}

Result<std::vector<SpendEntry>> SqliteVersionStore::spend_entries() const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(
        *db_,
        "SELECT 'training', id, actor_id, endpoint_name, COALESCE(finished_at, created_at), "
        "COALESCE(cost, 0), finished, estimated_cost, status FROM versions WHERE imported = 0 "
        "UNION ALL SELECT 'preview', id, actor_id, endpoint_name, "
        "COALESCE(finished_at, created_at), COALESCE(cost, 0), finished, NULL, status FROM "
        "previews");
    std::vector<SpendEntry> out;
    while (q.executeStep()) {
      SpendEntry e;
      e.kind = q.getColumn(0).getString();
      e.id = q.getColumn(1).getInt64();
      e.actor_id = q.getColumn(2).getString();
      e.endpoint = q.getColumn(3).getString();
      e.at = q.getColumn(4).getInt64();
      e.spent = q.getColumn(5).getDouble();
      e.finished = q.getColumn(6).getInt() != 0;
      e.estimate = optional_column<double>(q.getColumn(7));
      e.status = q.getColumn(8).getString();
      out.push_back(std::move(e));
    }
    return out;
  } catch (const std::exception& e) {
    return db_error("read what jobs cost", e);
  }
}

Result<std::vector<Version>> SqliteVersionStore::list_unfinished() const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(
        *db_, "SELECT " + std::string(kColumns) + " FROM versions WHERE finished = 0 ORDER BY id");
    return select_many(q);
  } catch (const std::exception& e) {
    return db_error("list unfinished versions", e);
  }
}

Result<std::vector<Version>> SqliteVersionStore::list_completed(const std::string& endpoint_name,
                                                                int limit) const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_, "SELECT " + std::string(kColumns) +
                                  " FROM versions WHERE endpoint_name = ? AND status = "
                                  "'completed' ORDER BY finished_at DESC LIMIT ?");
    q.bind(1, endpoint_name);
    q.bind(2, limit);
    return select_many(q);
  } catch (const std::exception& e) {
    return db_error("list completed versions", e);
  }
}

Result<Version> SqliteVersionStore::update(std::int64_t id, const Change& change) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::optional<Version> v = select_one(*db_, "id = ?", std::to_string(id));
    if (!v) return Error{ErrorCode::NotFound, "no version with id " + std::to_string(id)};
    std::optional<std::vector<LogEntry>> lines = change(*v);
    if (!lines) return std::move(*v);
    ATR_CHECK(v->id == id, "a change must not move a version to another id");
    write_version(*db_, *v);
    insert_logs(*db_, id, v->updated_at, *lines);
    tx.commit();
    return std::move(*v);
  } catch (const std::exception& e) {
    return db_error("update version " + std::to_string(id), e);
  }
}

Result<std::vector<ReportOutcome>> SqliteVersionStore::apply_reports(
    const std::vector<JobReport>& reports, const ApplyReport& apply) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<ReportOutcome> outcomes;
    outcomes.reserve(reports.size());
    const UnixMs now = wall_ms();
    SQLite::Statement receipt(*db_,
                              "INSERT INTO webhook_receipts (job_key, status, first_at, count) "
                              "VALUES (?, ?, ?, 1) ON CONFLICT (job_key, status) DO UPDATE SET "
                              "count = count + 1 RETURNING count");
    for (const JobReport& report : reports) {
      ReportOutcome outcome;
      if (report.source == ReportSource::Webhook && !report.job_id.empty()) {
        receipt.bind(1, job_key(report.job_id));
        receipt.bind(2, report.raw_status);
        receipt.bind(3, static_cast<std::int64_t>(now));
        receipt.executeStep();
        outcome.duplicate_webhook = receipt.getColumn(0).getInt() > 1;
        receipt.reset();
      }
      std::optional<Version> v = match_report(*db_, report);
      if (v) {
        outcome.version_id = v->id;
        ReportEffect effect = apply(*v, report);
        outcome.needs_confirmation = effect.confirm;
        if (effect.changed) {
          write_version(*db_, *v);
          outcome.changed = true;
        }
        insert_logs(*db_, v->id, now, effect.lines);
      }
      outcomes.push_back(outcome);
    }
    tx.commit();
    return outcomes;
  } catch (const std::exception& e) {
    return db_error("apply reports", e);
  }
}

Status SqliteVersionStore::append_log(std::int64_t version_id, const std::vector<LogEntry>& lines) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    insert_logs(*db_, version_id, wall_ms(), lines);
    tx.commit();
    return Ok{};
  } catch (const std::exception& e) {
    return db_error("append console lines", e);
  }
}

Result<std::vector<LogLine>> SqliteVersionStore::logs(std::int64_t version_id, std::int64_t after,
                                                      int limit) const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_,
                        "SELECT seq, version_id, at, kind, text FROM log_lines WHERE seq > ? AND "
                        "(? = 0 OR version_id = ?) ORDER BY seq LIMIT ?");
    q.bind(1, static_cast<std::int64_t>(after));
    q.bind(2, static_cast<std::int64_t>(version_id));
    q.bind(3, static_cast<std::int64_t>(version_id));
    q.bind(4, limit);
    std::vector<LogLine> out;
    while (q.executeStep()) {
      LogLine line;
      line.seq = q.getColumn(0).getInt64();
      line.version_id = q.getColumn(1).getInt64();
      line.at = q.getColumn(2).getInt64();
      line.kind = parse_log_kind(q.getColumn(3).getString()).value_or(LogKind::Info);
      line.text = q.getColumn(4).getString();
      out.push_back(std::move(line));
    }
    return out;
  } catch (const std::exception& e) {
    return db_error("read console lines", e);
  }
}

Result<std::int64_t> SqliteVersionStore::last_log_seq() const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_, "SELECT COALESCE(MAX(seq), 0) FROM log_lines");
    q.executeStep();
    return static_cast<std::int64_t>(q.getColumn(0).getInt64());
  } catch (const std::exception& e) {
    return db_error("read console lines", e);
  }
}

Status SqliteVersionStore::set_good(const std::string& actor_id, std::int64_t version_id) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(*db_, "UPDATE versions SET good = (id = ?) WHERE actor_id = ?");
    q.bind(1, static_cast<std::int64_t>(version_id));
    q.bind(2, actor_id);
    q.exec();
    tx.commit();
    return Ok{};
  } catch (const std::exception& e) {
    return db_error("set good mark", e);
  }
}

namespace {

constexpr const char* kBudgetKey = "budget_caps";

json caps_json(const BudgetCaps& caps) {
  json out = json::object();
  if (caps.day) out["day"] = *caps.day;
  if (caps.month) out["month"] = *caps.month;
  if (caps.total) out["total"] = *caps.total;
  return out;
}

BudgetCaps caps_of(const json& in) {
  BudgetCaps caps;
  if (in.contains("day")) caps.day = in["day"].get<double>();
  if (in.contains("month")) caps.month = in["month"].get<double>();
  if (in.contains("total")) caps.total = in["total"].get<double>();
  return caps;
}

}  // namespace

Result<std::optional<BudgetSettings>> SqliteVersionStore::stored_budget() const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_, "SELECT value FROM settings WHERE key = ?");
    q.bind(1, kBudgetKey);
    if (!q.executeStep()) return std::optional<BudgetSettings>{};
    const json doc = json::parse(q.getColumn(0).getString());
    BudgetSettings budget;
    budget.all = caps_of(doc.at("all"));
    for (const auto& [name, caps] : doc.at("endpoints").items()) {
      budget.per_endpoint[name] = caps_of(caps);
    }
    return std::optional<BudgetSettings>{std::move(budget)};
  } catch (const std::exception& e) {
    return db_error("read the budget caps", e);
  }
}

Status SqliteVersionStore::store_budget(const std::optional<BudgetSettings>& budget) {
  std::lock_guard lock(mutex_);
  try {
    if (!budget) {
      SQLite::Statement q(*db_, "DELETE FROM settings WHERE key = ?");
      q.bind(1, kBudgetKey);
      q.exec();
      return Ok{};
    }
    json endpoints = json::object();
    for (const auto& [name, caps] : budget->per_endpoint) {
      endpoints[name] = caps_json(caps);
    }
    const json doc = {{"all", caps_json(budget->all)}, {"endpoints", endpoints}};
    SQLite::Statement q(*db_,
                        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                        "UPDATE SET value = excluded.value");
    q.bind(1, kBudgetKey);
    q.bind(2, doc.dump());
    q.exec();
    return Ok{};
  } catch (const std::exception& e) {
    return db_error("store the budget caps", e);
  }
}

Result<std::string> SqliteVersionStore::get_or_create_setting(
    const std::string& key, const std::function<std::string()>& make) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(*db_, "SELECT value FROM settings WHERE key = ?");
    q.bind(1, key);
    if (q.executeStep()) return q.getColumn(0).getString();
    std::string value = make();
    SQLite::Statement insert(*db_, "INSERT INTO settings (key, value) VALUES (?, ?)");
    insert.bind(1, key);
    insert.bind(2, value);
    insert.exec();
    tx.commit();
    return value;
  } catch (const std::exception& e) {
    return db_error("read setting " + key, e);
  }
}

}  // namespace atr
