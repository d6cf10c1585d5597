// The embedded SQLite backend.
#pragma once

#include <memory>
#include <string>

#include "store/sql.h"

namespace vantage::store {

struct SqliteOptions {
  std::string path;              // database file
  bool synchronous_full = true;  // synchronous=FULL (default) or NORMAL
  int readers = 4;               // read connections; writes use one connection
  int busy_timeout_ms = 5000;
};

// Opens (creating if needed) the database, sets WAL, synchronous and foreign
// keys, and applies pending migrations in one transaction each.
Result<std::shared_ptr<Database>> OpenSqlite(const SqliteOptions& options);

// Copies a live database into `destination` with SQLite's online backup API.
// Safe while the database is being served.
Status BackupSqlite(const std::string& source, const std::string& destination);

// The migration number the database file is at (0 for a new file).
Result<int> SqliteSchemaVersion(const std::string& path);

}  // namespace vantage::store
