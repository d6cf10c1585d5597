// The embedded SQLite backend.
#pragma once

#include <memory>
#include <string>

#include "store/sql.h"

namespace vantage::store {

struct SqliteOptions {
  std::string path;              // database file (not ":memory:" or a URI)
  bool synchronous_full = true;  // synchronous=FULL (default) or NORMAL
  int readers = 4;               // read connections; writes use one connection
  // How long one Read or Write may wait in all: for a free connection, for the
  // writer, for locks held by other processes and across retries. Past it the
  // call fails with kUnavailable.
  int busy_timeout_ms = 5000;
};

// Opens (creating if needed) the database, sets WAL, synchronous and foreign
// keys, and applies pending migrations in one transaction each (recorded in
// the table schema_migrations). Several processes may open one file.
//
// Writes are serialised on one connection (BEGIN IMMEDIATE); reads run on a
// pool of `readers` read-only connections, each transaction on one snapshot.
// Fails with kConflict "schema_too_new" when the file was migrated by a newer
// build, "schema_mismatch" when its migration history differs from this
// build's, and kInvalid for a bad path or option.
Result<std::shared_ptr<Database>> OpenSqlite(const SqliteOptions& options);

// Copies a live database into `destination` with SQLite's online backup API,
// from one snapshot, without blocking writers. The copy is written beside the
// destination, synced, then renamed over it, so `destination` is always
// either the old file or a complete new one. `destination` must not be a
// database that is open. NotFound when `source` does not exist.
Status BackupSqlite(const std::string& source, const std::string& destination);

// The migration number the database file is at (0 for a new or missing file,
// which is not created).
Result<int> SqliteSchemaVersion(const std::string& path);

}  // namespace vantage::store
