#pragma once

#include <filesystem>
#include <memory>

#include "base/result.h"

namespace SQLite {  // NOLINT(readability-identifier-naming): the library's namespace
class Database;
}

namespace atr {

/// Opens `.actor-trainer/state.db` (creating the folder and file as needed) with a busy
/// timeout, WAL journal, synchronous=FULL and foreign keys, and migrates its schema in one
/// IMMEDIATE transaction. Unavailable when the file cannot be opened; FailedPrecondition when
/// it was written by a newer build. Every class of store/ opens its connection here.
Result<std::unique_ptr<SQLite::Database>> open_state_db(const std::filesystem::path& path);

/// The schema version this build writes (`PRAGMA user_version`).
int state_schema_version();

}  // namespace atr
