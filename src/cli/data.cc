#include "cli/data.h"

#include <algorithm>
#include <filesystem>

#include "store/sqlite/sqlite_database.h"

namespace vantage::cli {

Result<std::shared_ptr<store::Database>> OpenDatabase(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Error::Unavailable("cannot create data directory " + config.data_dir + ": " + ec.message());
  store::SqliteOptions options;
  options.path = config.DatabasePath();
  options.synchronous_full = config.sqlite_synchronous_full;
  options.readers = std::max(2, config.db_threads);
  return store::OpenSqlite(options);
}

}  // namespace vantage::cli
