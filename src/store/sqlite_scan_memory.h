#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "base/result.h"
#include "core/scan_memory.h"

namespace SQLite {  // NOLINT(readability-identifier-naming): the library's namespace
class Database;
}

namespace atr {

/// ScanMemory in the state database (tables `scanned_files`, `synced_files` and
/// `object_scans`), on its own
/// connection so scans never wait for version writes in the same process. Each write is one
/// IMMEDIATE transaction.
class SqliteScanMemory final : public ScanMemory {
 public:
  /// Opens (creating and migrating as needed) the database at `path`.
  static Result<std::unique_ptr<SqliteScanMemory>> open(const std::filesystem::path& path);
  ~SqliteScanMemory() override;

  Result<std::map<std::string, RememberedScan>> recall(const std::string& folder) override;
  Status remember(const std::string& folder, const std::vector<RememberedScan>& files) override;
  Result<std::map<std::string, std::string>> synced_digests(const std::string& folder) override;
  Status record_synced(const std::string& folder,
                       const std::map<std::string, std::string>& md5_by_name) override;
  Result<std::optional<ScannedFile>> recall_object(const std::string& etag,
                                                   std::uint64_t size) override;
  Status remember_object(const std::string& etag, const ScannedFile& file) override;

 private:
  explicit SqliteScanMemory(std::unique_ptr<SQLite::Database> db);

  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace atr
