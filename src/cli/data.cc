#include "cli/data.h"

#include <algorithm>
#include <filesystem>

#include "store/postgres/postgres_database.h"
#include "store/sqlite/sqlite_database.h"

namespace vantage::cli {

Result<std::shared_ptr<store::Database>> OpenDatabase(const Config& config) {
  if (config.UsesPostgres()) {
    store::PostgresOptions options;
    options.url = config.db;
    // One connection per database thread: more could never be used at once.
    options.pool_size = config.db_threads;
    options.acquire_timeout_ms = std::max(config.pool_wait_ms, 1000);
    options.statement_timeout_ms = config.postgres_statement_timeout_ms;
    options.synchronous_commit = config.postgres_synchronous_commit;
    return store::OpenPostgres(options);
  }
  std::error_code ec;
  std::filesystem::path file = config.DatabasePath();
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return Error::Unavailable("cannot create directory for " + file.string() + ": " + ec.message());
  store::SqliteOptions options;
  options.path = config.DatabasePath();
  options.synchronous_full = config.sqlite_synchronous_full;
  options.readers = std::max(2, config.db_threads);
  return store::OpenSqlite(options);
}

Result<int> SchemaVersion(const Config& config) {
  if (config.UsesPostgres()) return store::PostgresSchemaVersion(config.db);
  return store::SqliteSchemaVersion(config.DatabasePath());
}

}  // namespace vantage::cli
