#include "store/sqlite_scan_memory.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include "store/state_db.h"

namespace atr {
namespace {

Error memory_error(std::string_view what, const std::exception& e) {
  return Error{ErrorCode::Unavailable, "scan memory: " + std::string(what) + ": " + e.what()};
}

// The quality measures as compact JSON; empty when the file was not measured.
std::string quality_text(const std::optional<ImageQuality>& q) {
  if (!q) return {};
  nlohmann::json faces = nlohmann::json::array();
  for (const FaceBox& f : q->faces) {
    faces.push_back({f.x, f.y, f.width, f.height, f.confidence});
  }
  return nlohmann::json{{"w", q->width},     {"h", q->height},          {"f", faces},
                        {"s", q->sharpness}, {"b", q->brightness},      {"c", q->clipped_share},
                        {"d", q->dhash},     {"e", q->exposure_of_face}}
      .dump();
}

// Reads quality_text's form back; nullopt for an empty or unreadable text (then the file is
// measured again).
std::optional<ImageQuality> parse_quality(const std::string& text) {
  if (text.empty()) return std::nullopt;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    ImageQuality q;
    q.width = j.at("w").get<int>();
    q.height = j.at("h").get<int>();
    for (const nlohmann::json& f : j.at("f")) {
      q.faces.push_back({f.at(0).get<int>(), f.at(1).get<int>(), f.at(2).get<int>(),
                         f.at(3).get<int>(), f.at(4).get<double>()});
    }
    q.sharpness = j.at("s").get<double>();
    q.brightness = j.at("b").get<double>();
    q.clipped_share = j.at("c").get<double>();
    q.dhash = j.at("d").get<std::uint64_t>();
    q.exposure_of_face = j.at("e").get<bool>();
    return q;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

Result<std::unique_ptr<SqliteScanMemory>> SqliteScanMemory::open(
    const std::filesystem::path& path) {
  Result<std::unique_ptr<SQLite::Database>> db = open_state_db(path);
  if (!db) return db.error();
  return std::unique_ptr<SqliteScanMemory>(new SqliteScanMemory(std::move(db).value()));
}

SqliteScanMemory::SqliteScanMemory(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}

SqliteScanMemory::~SqliteScanMemory() = default;

Result<std::map<std::string, RememberedScan>> SqliteScanMemory::recall(const std::string& folder) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_,
                        "SELECT name, size, mtime_ns, ctime_ns, inode, status, format, width, "
                        "height, md5, detail, quality FROM scanned_files WHERE folder = ?");
    q.bind(1, folder);
    std::map<std::string, RememberedScan> out;
    while (q.executeStep()) {
      const std::optional<FileStatus> status = parse_file_status(q.getColumn(5).getString());
      if (!status) continue;  // written by a build that knew another status: read the file
      RememberedScan r;
      r.file.name = q.getColumn(0).getString();
      r.stamp.size = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
      r.stamp.mtime_ns = q.getColumn(2).getInt64();
      r.stamp.ctime_ns = q.getColumn(3).getInt64();
      r.stamp.inode = static_cast<std::uint64_t>(q.getColumn(4).getInt64());
      r.file.status = *status;
      r.file.format = q.getColumn(6).getString();
      r.file.width = q.getColumn(7).getInt();
      r.file.height = q.getColumn(8).getInt();
      r.file.bytes = r.stamp.size;
      r.file.md5 = q.getColumn(9).getString();
      r.file.detail = q.getColumn(10).getString();
      r.file.quality = parse_quality(q.getColumn(11).getString());
      out.emplace(r.file.name, std::move(r));
    }
    return out;
  } catch (const std::exception& e) {
    return memory_error("recall " + folder, e);
  }
}

Status SqliteScanMemory::remember(const std::string& folder,
                                  const std::vector<RememberedScan>& files) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement clear(*db_, "DELETE FROM scanned_files WHERE folder = ?");
    clear.bind(1, folder);
    clear.exec();
    SQLite::Statement add(*db_,
                          "INSERT INTO scanned_files (folder, name, size, mtime_ns, ctime_ns, "
                          "inode, status, format, width, height, md5, detail, quality) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const RememberedScan& r : files) {
      int i = 1;
      add.bind(i++, folder);
      add.bind(i++, r.file.name);
      add.bind(i++, static_cast<std::int64_t>(r.stamp.size));
      add.bind(i++, r.stamp.mtime_ns);
      add.bind(i++, r.stamp.ctime_ns);
      add.bind(i++, static_cast<std::int64_t>(r.stamp.inode));
      add.bind(i++, std::string(to_string(r.file.status)));
      add.bind(i++, r.file.format);
      add.bind(i++, r.file.width);
      add.bind(i++, r.file.height);
      add.bind(i++, r.file.md5);
      add.bind(i++, r.file.detail);
      add.bind(i++, quality_text(r.file.quality));
      add.exec();
      add.reset();
    }
    tx.commit();
    return Ok{};
  } catch (const std::exception& e) {
    return memory_error("remember " + folder, e);
  }
}

Result<std::map<std::string, std::string>> SqliteScanMemory::synced_digests(
    const std::string& folder) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(*db_, "SELECT name, md5 FROM synced_files WHERE folder = ?");
    q.bind(1, folder);
    std::map<std::string, std::string> out;
    while (q.executeStep()) {
      out.emplace(q.getColumn(0).getString(), q.getColumn(1).getString());
    }
    return out;
  } catch (const std::exception& e) {
    return memory_error("read the synced digests of " + folder, e);
  }
}

Status SqliteScanMemory::record_synced(const std::string& folder,
                                       const std::map<std::string, std::string>& md5_by_name) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement clear(*db_, "DELETE FROM synced_files WHERE folder = ?");
    clear.bind(1, folder);
    clear.exec();
    SQLite::Statement add(*db_, "INSERT INTO synced_files (folder, name, md5) VALUES (?, ?, ?)");
    for (const auto& [name, md5] : md5_by_name) {
      add.bind(1, folder);
      add.bind(2, name);
      add.bind(3, md5);
      add.exec();
      add.reset();
    }
    tx.commit();
    return Ok{};
  } catch (const std::exception& e) {
    return memory_error("record the synced digests of " + folder, e);
  }
}

Result<std::optional<ScannedFile>> SqliteScanMemory::recall_object(const std::string& etag,
                                                                   std::uint64_t size) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement q(
        *db_,
        "SELECT status, format, width, height, md5, detail, quality FROM object_scans "
        "WHERE etag = ? AND size = ?");
    q.bind(1, etag);
    q.bind(2, static_cast<std::int64_t>(size));
    if (!q.executeStep()) return std::optional<ScannedFile>{};
    const std::optional<FileStatus> status = parse_file_status(q.getColumn(0).getString());
    if (!status) return std::optional<ScannedFile>{};  // another build's status: read it again
    ScannedFile file;
    file.status = *status;
    file.format = q.getColumn(1).getString();
    file.width = q.getColumn(2).getInt();
    file.height = q.getColumn(3).getInt();
    file.bytes = size;
    file.md5 = q.getColumn(4).getString();
    file.detail = q.getColumn(5).getString();
    file.quality = parse_quality(q.getColumn(6).getString());
    return std::optional<ScannedFile>(std::move(file));
  } catch (const std::exception& e) {
    return memory_error("recall the object " + etag, e);
  }
}

Status SqliteScanMemory::remember_object(const std::string& etag, const ScannedFile& file) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement add(*db_,
                          "INSERT OR REPLACE INTO object_scans (etag, size, status, format, "
                          "width, height, md5, detail, quality) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int i = 1;
    add.bind(i++, etag);
    add.bind(i++, static_cast<std::int64_t>(file.bytes));
    add.bind(i++, std::string(to_string(file.status)));
    add.bind(i++, file.format);
    add.bind(i++, file.width);
    add.bind(i++, file.height);
    add.bind(i++, file.md5);
    add.bind(i++, file.detail);
    add.bind(i++, quality_text(file.quality));
    add.exec();
    return Ok{};
  } catch (const std::exception& e) {
    return memory_error("remember the object " + etag, e);
  }
}

}  // namespace atr
