#include "store/state_db.h"

#include <string>
#include <string_view>

#include <SQLiteCpp/SQLiteCpp.h>

namespace atr {
namespace {

// Each entry migrates the schema from version i to i + 1. Append only: a released migration
// never changes, so every database converges on the same schema.
constexpr std::string_view kMigrations[] = {
    R"sql(
CREATE TABLE versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  number INTEGER NOT NULL,
  name TEXT NOT NULL,
  model_name TEXT NOT NULL,
  request_id TEXT NOT NULL UNIQUE,
  endpoint_name TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  parameters TEXT NOT NULL,
  description TEXT NOT NULL,
  image_count INTEGER NOT NULL,
  s3_urls TEXT NOT NULL,
  submit_state TEXT NOT NULL,
  job_id TEXT NOT NULL DEFAULT '',
  job_key TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  finished INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  submitted_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  progress TEXT,
  delay_ms INTEGER,
  execution_ms INTEGER,
  lora_url TEXT NOT NULL DEFAULT '',
  model_size_bytes INTEGER,
  message TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  cost REAL,
  good INTEGER NOT NULL DEFAULT 0,
  not_found_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (actor_id, number)
);
CREATE INDEX versions_by_job ON versions (job_key) WHERE job_key <> '';
CREATE INDEX versions_unfinished ON versions (finished, id);
CREATE TABLE log_lines (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  version_id INTEGER NOT NULL REFERENCES versions (id),
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX log_lines_by_version ON log_lines (version_id, seq);
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  actor_id TEXT NOT NULL,
  version_id INTEGER NOT NULL REFERENCES versions (id),
  created_at INTEGER NOT NULL
);
CREATE TABLE webhook_receipts (
  job_key TEXT NOT NULL,
  status TEXT NOT NULL,
  first_at INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (job_key, status)
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
    R"sql(
CREATE TABLE scanned_files (
  folder TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  status TEXT NOT NULL,
  format TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  md5 TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (folder, name)
) WITHOUT ROWID;
CREATE TABLE synced_files (
  folder TEXT NOT NULL,
  name TEXT NOT NULL,
  md5 TEXT NOT NULL,
  PRIMARY KEY (folder, name)
) WITHOUT ROWID;
)sql",
    R"sql(
ALTER TABLE versions ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
CREATE INDEX versions_by_model ON versions (model_name);
)sql",
    R"sql(
CREATE TABLE object_scans (
  etag TEXT NOT NULL,
  size INTEGER NOT NULL,
  status TEXT NOT NULL,
  format TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  md5 TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (etag, size)
) WITHOUT ROWID;
)sql",
    R"sql(
ALTER TABLE versions ADD COLUMN job_ttl_ms INTEGER;
ALTER TABLE versions ADD COLUMN stall_note TEXT NOT NULL DEFAULT '';
)sql",
    R"sql(
ALTER TABLE versions ADD COLUMN curve TEXT NOT NULL DEFAULT '[]';
CREATE TABLE previews (
  id INTEGER PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES versions (id),
  actor_id TEXT NOT NULL,
  version_name TEXT NOT NULL,
  prompt_index INTEGER NOT NULL,
  prompt_label TEXT NOT NULL,
  prompt TEXT NOT NULL,
  seed INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  endpoint_name TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  submit_state TEXT NOT NULL,
  job_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  finished INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  submitted_at INTEGER,
  finished_at INTEGER,
  delay_ms INTEGER,
  execution_ms INTEGER,
  cost REAL,
  error TEXT NOT NULL DEFAULT '',
  images TEXT NOT NULL DEFAULT '[]',
  s3_urls TEXT NOT NULL DEFAULT '[]',
  not_found_count INTEGER NOT NULL DEFAULT 0,
  job_ttl_ms INTEGER,
  UNIQUE (version_id, prompt_index, seed)
);
CREATE INDEX previews_unfinished ON previews (finished, id);
)sql",
    R"sql(
ALTER TABLE scanned_files ADD COLUMN quality TEXT NOT NULL DEFAULT '';
ALTER TABLE object_scans ADD COLUMN quality TEXT NOT NULL DEFAULT '';
)sql",
    R"sql(
ALTER TABLE versions ADD COLUMN estimated_cost REAL;
ALTER TABLE versions ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE versions ADD COLUMN earlier_execution_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE versions ADD COLUMN retry_key TEXT NOT NULL DEFAULT '';
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL DEFAULT '',
  endpoint TEXT NOT NULL,
  concurrency INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  planned_cost REAL NOT NULL,
  entries TEXT NOT NULL
);
CREATE INDEX batches_by_state ON batches (state, id);
CREATE UNIQUE INDEX batches_by_key ON batches (idempotency_key) WHERE idempotency_key <> '';
)sql",
};

}  // namespace

int state_schema_version() {
  return static_cast<int>(std::size(kMigrations));
}

Result<std::unique_ptr<SQLite::Database>> open_state_db(const std::filesystem::path& path) {
  const std::string where = "open state store " + path.string();
  try {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    auto db = std::make_unique<SQLite::Database>(path.string(),
                                                 SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // Another process may be migrating or writing: wait for it rather than fail.
    constexpr int kBusyTimeoutMs = 10'000;
    db->setBusyTimeout(kBusyTimeoutMs);
    db->exec("PRAGMA journal_mode = WAL");
    // FULL: a committed report survives a power cut, not just a killed process.
    db->exec("PRAGMA synchronous = FULL");
    db->exec("PRAGMA foreign_keys = ON");
    SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
    const int current = db->execAndGet("PRAGMA user_version").getInt();
    if (current > state_schema_version()) {
      return Error{ErrorCode::FailedPrecondition,
                   where + ": schema version " + std::to_string(current) +
                       " is newer than this build knows (" +
                       std::to_string(state_schema_version()) + "); use a newer actor-trainer"};
    }
    for (int v = current; v < state_schema_version(); ++v) {
      db->exec(std::string(kMigrations[v]));
      db->exec("PRAGMA user_version = " + std::to_string(v + 1));
    }
    tx.commit();
    return db;
  } catch (const std::exception& e) {
    return Error{ErrorCode::Unavailable, where + ": " + e.what()};
  }
}

}  // namespace atr
