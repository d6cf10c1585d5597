// A service test's database on either engine: "Sqlite" (a file in `dir`) or
// "Postgres" (`pg`, a fresh database on the test server), migrated. For
// tests parameterised over ::testing::Values("Sqlite", "Postgres").
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "store/postgres/postgres_database.h"
#include "postgres_test_server.h"
#include "store/sqlite/sqlite_database.h"
#include "store_backend.h"

namespace vantage::store::testing {

inline Result<std::shared_ptr<Database>> OpenEngineDatabase(const std::string& engine, const TempDir& dir,
                                                            TestDatabase& pg) {
  if (engine == "Sqlite") return OpenSqlite(SqliteOptions{dir.File("vantage.db")});
  auto conninfo = pg.Conninfo();
  if (!conninfo) return std::move(conninfo).error();
  PostgresOptions options;
  options.url = *conninfo;
  return OpenPostgres(options);
}

}  // namespace vantage::store::testing
