// SqliteVersionStore's PreviewStore side: the `previews` table of state.db.

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "store/sql_columns.h"
#include "store/sqlite_version_store.h"

namespace atr {
namespace {

using nlohmann::json;

constexpr std::string_view kPreviewColumns =
    "id, version_id, actor_id, version_name, prompt_index, prompt_label, prompt, seed, width, "
    "height, endpoint_name, endpoint_id, request_id, submit_state, job_id, status, created_at, "
    "updated_at, submitted_at, finished_at, delay_ms, execution_ms, cost, error, images, "
    "s3_urls, not_found_count, job_ttl_ms";

Preview read_preview(SQLite::Statement& q) {
  Preview p;
  int i = 0;
  p.id = q.getColumn(i++).getInt64();
  p.version_id = q.getColumn(i++).getInt64();
  p.actor_id = q.getColumn(i++).getString();
  p.version_name = q.getColumn(i++).getString();
  p.prompt_index = q.getColumn(i++).getInt();
  p.prompt_label = q.getColumn(i++).getString();
  p.prompt = q.getColumn(i++).getString();
  p.seed = q.getColumn(i++).getInt64();
  p.width = q.getColumn(i++).getInt();
  p.height = q.getColumn(i++).getInt();
  p.endpoint_name = q.getColumn(i++).getString();
  p.endpoint_id = q.getColumn(i++).getString();
  p.request_id = q.getColumn(i++).getString();
  const std::optional<SubmitState> submit = parse_submit_state(q.getColumn(i++).getString());
  ATR_CHECK(submit.has_value(), "stored submit state is unknown");
  p.submit_state = *submit;
  p.job_id = q.getColumn(i++).getString();
  const std::optional<VersionStatus> status = parse_version_status(q.getColumn(i++).getString());
  ATR_CHECK(status.has_value(), "stored status is unknown");
  p.status = *status;
  p.created_at = q.getColumn(i++).getInt64();
  p.updated_at = q.getColumn(i++).getInt64();
  p.submitted_at = optional_column<UnixMs>(q.getColumn(i++));
  p.finished_at = optional_column<UnixMs>(q.getColumn(i++));
  p.delay_ms = optional_column<std::int64_t>(q.getColumn(i++));
  p.execution_ms = optional_column<std::int64_t>(q.getColumn(i++));
  p.cost = optional_column<double>(q.getColumn(i++));
  p.error = q.getColumn(i++).getString();
  p.images = json::parse(q.getColumn(i++).getString()).get<std::vector<std::string>>();
  p.s3_urls = json::parse(q.getColumn(i++).getString()).get<std::vector<std::string>>();
  p.not_found_count = q.getColumn(i++).getInt();
  p.job_ttl_ms = optional_column<std::int64_t>(q.getColumn(i++));
  return p;
}

std::vector<Preview> select_previews(SQLite::Database& db, const std::string& where_and_order,
                                     const std::optional<std::int64_t>& value) {
  SQLite::Statement q(
      db, "SELECT " + std::string(kPreviewColumns) + " FROM previews " + where_and_order);
  if (value) q.bind(1, static_cast<std::int64_t>(*value));
  std::vector<Preview> out;
  while (q.executeStep()) {
    out.push_back(read_preview(q));
  }
  return out;
}

std::optional<Preview> select_preview(SQLite::Database& db, std::int64_t id) {
  std::vector<Preview> one = select_previews(db, "WHERE id = ?", id);
  if (one.empty()) return std::nullopt;
  return one.front();
}

// Every mutable column (the identity columns never change after insert).
void write_preview(SQLite::Database& db, const Preview& p) {
  SQLite::Statement q(db,
                      "UPDATE previews SET submit_state = :submit_state, job_id = :job_id, "
                      "status = :status, finished = :finished, updated_at = :updated_at, "
                      "submitted_at = :submitted_at, finished_at = :finished_at, "
                      "delay_ms = :delay_ms, execution_ms = :execution_ms, cost = :cost, "
                      "error = :error, images = :images, s3_urls = :s3_urls, "
                      "not_found_count = :not_found_count, "
                      "job_ttl_ms = :job_ttl_ms WHERE id = :id");
  q.bind(":submit_state", std::string(to_string(p.submit_state)));
  q.bind(":job_id", p.job_id);
  q.bind(":status", std::string(to_string(p.status)));
  q.bind(":finished", is_final(p.status) ? 1 : 0);
  q.bind(":updated_at", static_cast<std::int64_t>(p.updated_at));
  bind_optional(q, ":submitted_at", p.submitted_at);
  bind_optional(q, ":finished_at", p.finished_at);
  bind_optional(q, ":delay_ms", p.delay_ms);
  bind_optional(q, ":execution_ms", p.execution_ms);
  bind_optional(q, ":cost", p.cost);
  q.bind(":error", p.error);
  q.bind(":images", json(p.images).dump());
  q.bind(":s3_urls", json(p.s3_urls).dump());
  q.bind(":not_found_count", p.not_found_count);
  bind_optional(q, ":job_ttl_ms", p.job_ttl_ms);
  q.bind(":id", static_cast<std::int64_t>(p.id));
  q.exec();
}

}  // namespace

Result<std::vector<Preview>> SqliteVersionStore::create_previews(
    const std::vector<Preview>& wanted) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement insert(
        *db_,
        "INSERT INTO previews (version_id, actor_id, version_name, prompt_index, prompt_label, "
        "prompt, seed, width, height, endpoint_name, endpoint_id, request_id, submit_state, "
        "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (version_id, prompt_index, seed) DO NOTHING");
    SQLite::Statement find(*db_,
                           "SELECT id FROM previews WHERE version_id = ? AND "
                           "prompt_index = ? AND seed = ?");
    std::vector<std::int64_t> ids;
    for (const Preview& p : wanted) {
      int i = 1;
      insert.bind(i++, static_cast<std::int64_t>(p.version_id));
      insert.bind(i++, p.actor_id);
      insert.bind(i++, p.version_name);
      insert.bind(i++, p.prompt_index);
      insert.bind(i++, p.prompt_label);
      insert.bind(i++, p.prompt);
      insert.bind(i++, static_cast<std::int64_t>(p.seed));
      insert.bind(i++, p.width);
      insert.bind(i++, p.height);
      insert.bind(i++, p.endpoint_name);
      insert.bind(i++, p.endpoint_id);
      insert.bind(i++, p.request_id);
      insert.bind(i++, std::string(to_string(p.submit_state)));
      insert.bind(i++, std::string(to_string(p.status)));
      insert.bind(i++, static_cast<std::int64_t>(p.created_at));
      insert.bind(i++, static_cast<std::int64_t>(p.updated_at));
      insert.exec();
      insert.reset();
      find.bind(1, static_cast<std::int64_t>(p.version_id));
      find.bind(2, p.prompt_index);
      find.bind(3, static_cast<std::int64_t>(p.seed));
      ATR_CHECK(find.executeStep(), "a preview just inserted or kept must exist");
      ids.push_back(find.getColumn(0).getInt64());
      find.reset();
    }
    std::vector<Preview> out;
    out.reserve(ids.size());
    for (std::int64_t id : ids) {
      std::optional<Preview> p = select_preview(*db_, id);
      ATR_CHECK(p.has_value(), "a preview just found must read back");
      out.push_back(std::move(*p));
    }
    tx.commit();
    return out;
  } catch (const std::exception& e) {
    return db_error("create previews", e);
  }
}

Result<Preview> SqliteVersionStore::get_preview(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  try {
    std::optional<Preview> p = select_preview(*db_, id);
    if (!p) return Error{ErrorCode::NotFound, "no preview with id " + std::to_string(id)};
    return std::move(*p);
  } catch (const std::exception& e) {
    return db_error("read preview", e);
  }
}

Result<std::vector<Preview>> SqliteVersionStore::previews_of(std::int64_t version_id) const {
  std::lock_guard lock(mutex_);
  try {
    return select_previews(*db_, "WHERE version_id = ? ORDER BY prompt_index, seed", version_id);
  } catch (const std::exception& e) {
    return db_error("list previews", e);
  }
}

Result<std::vector<Preview>> SqliteVersionStore::unfinished_previews() const {
  std::lock_guard lock(mutex_);
  try {
    return select_previews(*db_, "WHERE finished = 0 ORDER BY id", std::nullopt);
  } catch (const std::exception& e) {
    return db_error("list unfinished previews", e);
  }
}

Result<Preview> SqliteVersionStore::update_preview(std::int64_t id, const ChangePreview& change) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::optional<Preview> p = select_preview(*db_, id);
    if (!p) return Error{ErrorCode::NotFound, "no preview with id " + std::to_string(id)};
    if (!change(*p)) return std::move(*p);
    ATR_CHECK(p->id == id, "a change must not move a preview to another id");
    write_preview(*db_, *p);
    tx.commit();
    return std::move(*p);
  } catch (const std::exception& e) {
    return db_error("update preview " + std::to_string(id), e);
  }
}

Result<std::map<std::string, double>> SqliteVersionStore::preview_costs() const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_,
                        "SELECT actor_id, SUM(cost) FROM previews WHERE cost IS NOT NULL "
                        "GROUP BY actor_id");
    std::map<std::string, double> out;
    while (q.executeStep()) {
      out[q.getColumn(0).getString()] = q.getColumn(1).getDouble();
    }
    return out;
  } catch (const std::exception& e) {
    return db_error("sum preview costs", e);
  }
}

Result<std::vector<std::int64_t>> SqliteVersionStore::completed_without_previews(
    UnixMs since) const {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_,
                        "SELECT id FROM versions WHERE status = 'completed' AND lora_url <> '' "
                        "AND imported = 0 AND finished_at >= ? AND NOT EXISTS (SELECT 1 FROM "
                        "previews WHERE previews.version_id = versions.id) ORDER BY finished_at");
    q.bind(1, static_cast<std::int64_t>(since));
    std::vector<std::int64_t> out;
    while (q.executeStep()) {
      out.push_back(q.getColumn(0).getInt64());
    }
    return out;
  } catch (const std::exception& e) {
    return db_error("list versions without previews", e);
  }
}

}  // namespace atr
