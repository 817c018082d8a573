#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "base/result.h"
#include "core/batch.h"
#include "core/previews.h"
#include "core/version_store.h"

namespace SQLite {  // NOLINT(readability-identifier-naming): the library's namespace
class Database;
}

namespace atr {

/// VersionStore on SQLite: `.actor-trainer/state.db` in the workspace, WAL journal,
/// synchronous=FULL, versioned migrations. Every write is one IMMEDIATE transaction, so a
/// kill -9 at any instant leaves either the old or the new state, and several processes
/// (serve and CLI commands) can share the file.
class SqliteVersionStore final : public VersionStore, public PreviewStore, public BatchStore {
 public:
  /// Opens (creating and migrating as needed) the database at `path`. Unavailable when the
  /// file cannot be opened; FailedPrecondition when it was written by a newer version.
  static Result<std::unique_ptr<SqliteVersionStore>> open(const std::filesystem::path& path);
  ~SqliteVersionStore() override;

  [[nodiscard]] Result<CreatedVersion> create(const NewVersion& request, const MakeVersion& make,
                                              const std::vector<LogEntry>& lines) override;
  [[nodiscard]] Result<std::vector<std::int64_t>> import_versions(
      const std::vector<Version>& versions) override;
  [[nodiscard]] Result<Version> get(std::int64_t id) const override;
  [[nodiscard]] Result<std::vector<Version>> list_for_actor(
      const std::string& actor_id) const override;
  [[nodiscard]] Result<std::vector<Version>> latest_per_actor() const override;
  [[nodiscard]] Result<std::optional<Version>> find_by_key(const std::string& key) const override;
  [[nodiscard]] Result<std::vector<Version>> list_all() const override;
  [[nodiscard]] Result<std::vector<SpendEntry>> spend_entries() const override;
  [[nodiscard]] Result<std::vector<Version>> list_unfinished() const override;
  [[nodiscard]] Result<std::vector<Version>> list_completed(const std::string& endpoint_name,
                                                            int limit) const override;
  [[nodiscard]] Result<Version> update(std::int64_t id, const Change& change) override;
  [[nodiscard]] Result<std::vector<ReportOutcome>> apply_reports(
      const std::vector<JobReport>& reports, const ApplyReport& apply) override;
  Status append_log(std::int64_t version_id, const std::vector<LogEntry>& lines) override;
  [[nodiscard]] Result<std::vector<LogLine>> logs(std::int64_t version_id, std::int64_t after,
                                                  int limit) const override;
  [[nodiscard]] Result<std::int64_t> last_log_seq() const override;
  Status set_good(const std::string& actor_id, std::int64_t version_id) override;
  [[nodiscard]] Result<std::optional<BudgetSettings>> stored_budget() const override;
  Status store_budget(const std::optional<BudgetSettings>& budget) override;
  [[nodiscard]] Result<std::string> get_or_create_setting(
      const std::string& key, const std::function<std::string()>& make) override;

  // PreviewStore (store/sqlite_previews.cpp), on the same connection.
  [[nodiscard]] Result<std::vector<Preview>> create_previews(
      const std::vector<Preview>& wanted) override;
  [[nodiscard]] Result<Preview> get_preview(std::int64_t id) const override;
  [[nodiscard]] Result<std::vector<Preview>> previews_of(std::int64_t version_id) const override;
  [[nodiscard]] Result<std::vector<Preview>> unfinished_previews() const override;
  [[nodiscard]] Result<Preview> update_preview(std::int64_t id,
                                               const ChangePreview& change) override;
  [[nodiscard]] Result<std::map<std::string, double>> preview_costs() const override;
  [[nodiscard]] Result<std::vector<std::int64_t>> completed_without_previews(
      UnixMs since) const override;

  // BatchStore (store/sqlite_batches.cpp), on the same connection.
  [[nodiscard]] Result<Created> create_batch(const Batch& batch) override;
  [[nodiscard]] Result<Batch> get_batch(std::int64_t id) const override;
  [[nodiscard]] Result<std::vector<Batch>> running_batches() const override;
  [[nodiscard]] Result<std::vector<Batch>> recent_batches(int limit) const override;
  [[nodiscard]] Result<Batch> update_batch(std::int64_t id, const ChangeBatch& change) override;

  /// The schema version this build writes.
  static int schema_version();

 private:
  explicit SqliteVersionStore(std::unique_ptr<SQLite::Database> db);

  mutable std::mutex mutex_;  // one connection per process; SQLite locks across processes
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace atr
