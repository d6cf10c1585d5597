// Runs the store conformance suite on PostgreSQL, one fresh database per test,
// on the server named by VANTAGE_TEST_POSTGRES (see postgres_test_server.h).
#include <cstdlib>
#include <string>

#include "postgres_test_server.h"
#include "store/migrations.h"
#include "store/postgres/postgres_database.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

std::string ShellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) {
    if (c == '\'') quoted += "'\\''"; else quoted += c;
  }
  return quoted + "'";
}

class PostgresBackend final : public Backend {
 public:
  Result<std::shared_ptr<Database>> Open() override {
    auto conninfo = db_.Conninfo();
    if (!conninfo) return std::move(conninfo).error();
    PostgresOptions options;
    options.url = *conninfo;
    return OpenPostgres(options);
  }
  Result<int> SchemaVersion() override {
    auto conninfo = db_.Conninfo();
    if (!conninfo) return std::move(conninfo).error();
    return PostgresSchemaVersion(*conninfo);
  }
  int LatestSchemaVersion() override { return postgresMigrations().back().number; }

  // PostgreSQL's own backup tool: pg_dump reads one snapshot while writes go
  // on, and psql restores it into a new database.
  Result<std::shared_ptr<Database>> BackupAndOpenCopy() override {
    auto source = db_.Conninfo();
    if (!source) return std::move(source).error();
    auto copy = copy_.Conninfo();
    if (!copy) return std::move(copy).error();
    const char* bin = std::getenv("VANTAGE_TEST_PGBIN");
    std::string dir = bin && *bin ? bin : "/usr/lib/postgresql/15/bin";
    std::string dump = dir_.File("dump.sql");
    std::string commands =
        ShellQuote(dir + "/pg_dump") + " --no-owner --no-privileges -f " + ShellQuote(dump) +
        " -d " + ShellQuote(*source) + " && " + ShellQuote(dir + "/psql") +
        " -X -q -v ON_ERROR_STOP=1 -f " + ShellQuote(dump) + " -d " + ShellQuote(*copy) +
        " >/dev/null";
    if (std::system(commands.c_str()) != 0) return Error::Internal("Backup failed: " + commands);
    PostgresOptions options;
    options.url = *copy;
    return OpenPostgres(options);
  }

 private:
  TestDatabase db_;
  TestDatabase copy_;
  TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
                         ::testing::Values(BackendParam{
                             "Postgres", [] { return std::make_unique<PostgresBackend>(); }}),
                         BackendParamName);

}  // namespace
}  // namespace vantage::store::testing
