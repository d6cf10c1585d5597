// Copies a whole instance from one database to another, ids kept: the move
// from the embedded SQLite file to PostgreSQL (`vantage migrate-data`).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

// The application's tables in an order that satisfies foreign keys (parents
// first), read from the SQLite schema itself so a table added later is never
// left out. Excludes SQLite's own tables and schema_migrations.
Result<std::vector<std::string>> SqliteTablesInDependencyOrder(Database& sqlite);
// Column names of a SQLite table, in declaration order.
Result<std::vector<std::string>> SqliteColumns(Database& sqlite, const std::string& table);

struct CopyProgress {
  std::string table;
  int64_t rows = 0;
};

// Copies every table of `from` (a SQLite database) into `to` (any backend),
// inside one read snapshot of the source. Both must be at the same schema
// version and every destination table must be empty; otherwise nothing is
// copied. `progress` is called after each table.
Status CopySqliteDatabase(Database& from, Database& to,
                          const std::function<void(const CopyProgress&)>& progress = {});

}  // namespace vantage::store
