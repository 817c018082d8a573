// SqliteVersionStore's BatchStore side: the `batches` table of state.db. A batch's entries are
// one JSON column: a batch is read and written whole, in one transaction.

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "store/sql_columns.h"
#include "store/sqlite_version_store.h"

namespace atr {
namespace {

using nlohmann::json;

constexpr std::string_view kBatchColumns =
    "id, idempotency_key, endpoint, concurrency, state, created_at, updated_at, planned_cost, "
    "entries";

std::string encode_entries(const std::vector<BatchEntry>& entries) {
  json out = json::array();
  for (const BatchEntry& e : entries) {
    out.push_back({{"actor_id", e.actor_id},
                   {"actor_name", e.actor_name},
                   {"estimate", e.estimate},
                   {"state", e.state},
                   {"version_id", e.version_id},
                   {"error", e.error}});
  }
  return out.dump();
}

std::vector<BatchEntry> decode_entries(const std::string& text) {
  std::vector<BatchEntry> out;
  for (const json& e : json::parse(text)) {
    out.push_back({e.at("actor_id").get<std::string>(), e.at("actor_name").get<std::string>(),
                   e.at("estimate").get<double>(), e.at("state").get<std::string>(),
                   e.at("version_id").get<std::int64_t>(), e.at("error").get<std::string>()});
  }
  return out;
}

Batch read_batch(SQLite::Statement& q) {
  Batch b;
  int i = 0;
  b.id = q.getColumn(i++).getInt64();
  b.idempotency_key = q.getColumn(i++).getString();
  b.endpoint = q.getColumn(i++).getString();
  b.concurrency = q.getColumn(i++).getInt();
  b.state = q.getColumn(i++).getString();
  b.created_at = q.getColumn(i++).getInt64();
  b.updated_at = q.getColumn(i++).getInt64();
  b.planned_cost = q.getColumn(i++).getDouble();
  b.entries = decode_entries(q.getColumn(i++).getString());
  return b;
}

std::vector<Batch> select_batches(SQLite::Database& db, const std::string& where_and_order,
                                  const std::optional<std::int64_t>& value) {
  SQLite::Statement q(db,
                      "SELECT " + std::string(kBatchColumns) + " FROM batches " + where_and_order);
  if (value) q.bind(1, static_cast<std::int64_t>(*value));
  std::vector<Batch> out;
  while (q.executeStep()) {
    out.push_back(read_batch(q));
  }
  return out;
}

std::optional<Batch> select_batch(SQLite::Database& db, std::int64_t id) {
  std::vector<Batch> found = select_batches(db, "WHERE id = ?", id);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

}  // namespace

Result<BatchStore::Created> SqliteVersionStore::create_batch(const Batch& batch) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    if (!batch.idempotency_key.empty()) {
      SQLite::Statement seen(*db_, "SELECT id FROM batches WHERE idempotency_key = ?");
      seen.bind(1, batch.idempotency_key);
      if (seen.executeStep()) {
        std::optional<Batch> first = select_batch(*db_, seen.getColumn(0).getInt64());
        ATR_CHECK(first.has_value(), "a batch key points at a missing batch");
        return Created{std::move(*first), false};
      }
    }
    SQLite::Statement insert(
        *db_,
        "INSERT INTO batches (idempotency_key, endpoint, concurrency, state, created_at, "
        "updated_at, planned_cost, entries) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, batch.idempotency_key);
    insert.bind(2, batch.endpoint);
    insert.bind(3, batch.concurrency);
    insert.bind(4, batch.state);
    insert.bind(5, static_cast<std::int64_t>(batch.created_at));
    insert.bind(6, static_cast<std::int64_t>(batch.updated_at));
    insert.bind(7, batch.planned_cost);
    insert.bind(8, encode_entries(batch.entries));
    insert.exec();
    Batch stored = batch;
    stored.id = db_->getLastInsertRowid();
    tx.commit();
    return Created{std::move(stored), true};
  } catch (const std::exception& e) {
    return db_error("store a batch", e);
  }
}

Result<Batch> SqliteVersionStore::get_batch(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  try {
    std::optional<Batch> b = select_batch(*db_, id);
    if (!b) return Error{ErrorCode::NotFound, "no batch with id " + std::to_string(id)};
    return std::move(*b);
  } catch (const std::exception& e) {
    return db_error("read a batch", e);
  }
}

Result<std::vector<Batch>> SqliteVersionStore::running_batches() const {
  std::lock_guard lock(mutex_);
  try {
    return select_batches(*db_, "WHERE state = 'running' ORDER BY id", std::nullopt);
  } catch (const std::exception& e) {
    return db_error("list running batches", e);
  }
}

Result<std::vector<Batch>> SqliteVersionStore::recent_batches(int limit) const {
  std::lock_guard lock(mutex_);
  try {
    return select_batches(*db_, "ORDER BY id DESC LIMIT ?", limit);
  } catch (const std::exception& e) {
    return db_error("list batches", e);
  }
}

Result<Batch> SqliteVersionStore::update_batch(std::int64_t id, const ChangeBatch& change) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::optional<Batch> b = select_batch(*db_, id);
    if (!b) return Error{ErrorCode::NotFound, "no batch with id " + std::to_string(id)};
    if (!change(*b)) return std::move(*b);
    ATR_CHECK(b->id == id, "a change must not move a batch to another id");
    SQLite::Statement q(*db_,
                        "UPDATE batches SET state = ?, updated_at = ?, entries = ? WHERE id = ?");
    q.bind(1, b->state);
    q.bind(2, static_cast<std::int64_t>(b->updated_at));
    q.bind(3, encode_entries(b->entries));
    q.bind(4, static_cast<std::int64_t>(id));
    q.exec();
    tx.commit();
    return std::move(*b);
  } catch (const std::exception& e) {
    return db_error("update batch " + std::to_string(id), e);
  }
}

}  // namespace atr
