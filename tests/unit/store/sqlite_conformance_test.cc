// Runs the store conformance suite on SQLite, one fresh file per test.
#include "store/migrations.h"
#include "store/sqlite/sqlite_database.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

class SqliteBackend final : public Backend {
 public:
  Result<std::shared_ptr<Database>> Open() override {
    SqliteOptions options;
    options.path = path_;
    return OpenSqlite(options);
  }
  Result<int> SchemaVersion() override { return SqliteSchemaVersion(path_); }
  int LatestSchemaVersion() override { return sqliteMigrations().back().number; }
  Result<std::shared_ptr<Database>> BackupAndOpenCopy() override {
    std::string copy = dir_.File("copy.db");
    VANTAGE_TRY(BackupSqlite(path_, copy));
    SqliteOptions options;
    options.path = copy;
    return OpenSqlite(options);
  }

 private:
  TempDir dir_;
  std::string path_ = dir_.File("vantage.db");
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(BackendParam{
                             "Sqlite", [] { return std::make_unique<SqliteBackend>(); }}),
                         BackendParamName);

}  // namespace
}  // namespace vantage::store::testing
