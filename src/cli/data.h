// Opening the configured database, shared by every subcommand.
#pragma once

#include <memory>

#include "cli/config.h"
#include "store/sql.h"

namespace vantage::cli {

// Opens the configured database (SQLite by default, or PostgreSQL with
// --db postgres://...), applying pending migrations.
Result<std::shared_ptr<store::Database>> OpenDatabase(const Config& config);
Result<int> SchemaVersion(const Config& config);

}  // namespace vantage::cli
