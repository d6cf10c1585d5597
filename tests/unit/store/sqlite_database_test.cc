// What the SQLite backend promises beyond the shared contract: its pragmas,
// migrations, busy handling across processes, backups and lifecycle.
#include "store/sqlite/sqlite_database.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "store/migrations.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

using std::chrono::milliseconds;

constexpr Statement kInsertAccount{
    "test_insert_account",
    "INSERT INTO accounts (id, username, created_at, updated_at) VALUES (?, ?, 0, 0)"};
constexpr Statement kCountAccounts{"test_count_accounts", "SELECT COUNT(*) FROM accounts"};

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  std::shared_ptr<Database> Open(SqliteOptions options = {}) {
    if (options.path.empty()) options.path = path_;
    auto db = OpenSqlite(options);
    EXPECT_TRUE(db.ok()) << Describe(db);
    return db.ok() ? *db : nullptr;
  }

  std::string Pragma(Database& db, const char* name, bool write = false) {
    std::string sql = std::string("PRAGMA ") + name;
    Statement st{name, sql.c_str()};
    std::string value;
    auto run = [&](Connection& conn) -> Status {
      auto row = conn.QueryOne(st, {});
      if (!row) return std::move(row).error();
      const Value& v = (*row)->at(0);
      value = std::holds_alternative<int64_t>(v) ? std::to_string(std::get<int64_t>(v))
                                                 : (*row)->Text(0);
      return Ok();
    };
    Status status = write ? db.Write(run) : db.Read(run);
    EXPECT_TRUE(status.ok()) << Describe(status);
    return value;
  }

  Status Insert(Database& db, int64_t id, const std::string& username) {
    return db.Write([&](Connection& conn) -> Status {
      auto n = conn.Exec(kInsertAccount, {id, username});
      if (!n) return std::move(n).error();
      return Ok();
    });
  }

  int64_t Count(Database& db) {
    int64_t count = -1;
    Status status = db.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kCountAccounts, {});
      if (!row) return std::move(row).error();
      count = (*row)->Int(0);
      return Ok();
    });
    EXPECT_TRUE(status.ok()) << Describe(status);
    return count;
  }

  TempDir dir_;
  std::string path_ = dir_.File("vantage.db");
  IdGenerator ids_;
};

TEST_F(SqliteDatabaseTest, SetsDurableConcurrentPragmas) {
  auto db = Open();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->engine(), Engine::kSqlite);
  EXPECT_EQ(Pragma(*db, "journal_mode", /*write=*/true), "wal");
  EXPECT_EQ(Pragma(*db, "synchronous", true), "2");  // FULL
  EXPECT_EQ(Pragma(*db, "foreign_keys", true), "1");
  EXPECT_EQ(Pragma(*db, "query_only", true), "0");
  EXPECT_EQ(Pragma(*db, "synchronous"), "2");
  EXPECT_EQ(Pragma(*db, "foreign_keys"), "1");
  EXPECT_EQ(Pragma(*db, "query_only"), "1");
}

TEST_F(SqliteDatabaseTest, SynchronousNormalOnRequest) {
  SqliteOptions options;
  options.synchronous_full = false;
  auto db = Open(options);
  ASSERT_TRUE(db);
  EXPECT_EQ(Pragma(*db, "synchronous", true), "1");
  EXPECT_EQ(Pragma(*db, "synchronous"), "1");
}

TEST_F(SqliteDatabaseTest, RejectsPathsThatAreNotFiles) {
  for (const char* path : {"", ":memory:", "file::memory:?cache=shared"}) {
    SqliteOptions options;
    options.path = path;
    auto db = OpenSqlite(options);
    ASSERT_FALSE(db.ok()) << path;
    EXPECT_EQ(db.error().field, "path");
  }
  SqliteOptions options;
  options.path = dir_.File("missing-dir/vantage.db");
  EXPECT_FALSE(OpenSqlite(options).ok());
}

TEST_F(SqliteDatabaseTest, AppliesEveryMigrationOnceAndRecordsIt) {
  auto before = SqliteSchemaVersion(path_);
  ASSERT_TRUE(before.ok()) << Describe(before);
  EXPECT_EQ(*before, 0);
  EXPECT_FALSE(std::filesystem::exists(path_));  // asking does not create the file

  const auto& migrations = sqliteMigrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().number, 1);
  EXPECT_STREQ(migrations.front().name, "0001_init");

  constexpr Statement kApplied{"test_applied",
                               "SELECT number, name, applied_at FROM schema_migrations "
                               "ORDER BY number"};
  for (int open = 0; open < 3; ++open) {
    auto db = Open();
    ASSERT_TRUE(db);
    Status status = db->Read([&](Connection& conn) -> Status {
      auto rows = conn.Query(kApplied, {});
      if (!rows) return std::move(rows).error();
      EXPECT_EQ(rows->size(), migrations.size());
      for (size_t i = 0; i < rows->size() && i < migrations.size(); ++i) {
        EXPECT_EQ((*rows)[i].Int(0), migrations[i].number);
        EXPECT_EQ((*rows)[i].Text(1), migrations[i].name);
        EXPECT_GT((*rows)[i].Int(2), 0);
      }
      return Ok();
    });
    EXPECT_TRUE(status.ok()) << Describe(status);
    db->Close();
    auto version = SqliteSchemaVersion(path_);
    ASSERT_TRUE(version.ok()) << Describe(version);
    EXPECT_EQ(*version, migrations.back().number);
  }
}

TEST_F(SqliteDatabaseTest, OpeningOneNewFileFromManyHandlesAtOnceMigratesOnce) {
  constexpr int kHandles = 6;
  std::vector<std::shared_ptr<Database>> handles(kHandles);
  std::vector<std::string> errors(kHandles);
  std::latch go(kHandles);
  std::vector<std::thread> threads;
  for (int i = 0; i < kHandles; ++i) {
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      SqliteOptions options;
      options.path = path_;
      auto db = OpenSqlite(options);
      if (db.ok()) handles[i] = *db; else errors[i] = Describe(db);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kHandles; ++i) {
    ASSERT_TRUE(handles[i]) << errors[i];
    EXPECT_TRUE(Insert(*handles[i], ids_.Next(), "h" + std::to_string(i)).ok());
  }
  EXPECT_EQ(Count(*handles[0]), kHandles);
  EXPECT_EQ(*SqliteSchemaVersion(path_), sqliteMigrations().back().number);
}

TEST_F(SqliteDatabaseTest, RefusesASchemaNewerThanTheBinary) {
  static constexpr Statement kFutureMigration{
      "test_future_migration",
      "INSERT INTO schema_migrations (number, name, applied_at) VALUES (9999, '9999_future', 0)"};
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Write([](Connection& conn) -> Status {
    auto n = conn.Exec(kFutureMigration, {});
    if (!n) return std::move(n).error();
    return Ok();
  }).ok());
  db->Close();

  SqliteOptions options;
  options.path = path_;
  auto reopened = OpenSqlite(options);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, "schema_too_new");
  EXPECT_NE(reopened.error().message.find("9999"), std::string::npos) << reopened.error().message;
  EXPECT_EQ(*SqliteSchemaVersion(path_), 9999);
}

TEST_F(SqliteDatabaseTest, RefusesAMigrationHistoryFromAnotherBuild) {
  static constexpr Statement kRename{"test_rename_migration",
                              "UPDATE schema_migrations SET name = '0001_other' WHERE number = 1"};
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Write([](Connection& conn) -> Status {
    auto n = conn.Exec(kRename, {});
    if (!n) return std::move(n).error();
    return Ok();
  }).ok());
  db->Close();
  SqliteOptions options;
  options.path = path_;
  auto reopened = OpenSqlite(options);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, "schema_mismatch");
}

TEST_F(SqliteDatabaseTest, RefusesAFileThatIsNotADatabase) {
  std::ofstream(path_) << "this is not a database, just some text that is long enough to matter";
  SqliteOptions options;
  options.path = path_;
  EXPECT_FALSE(OpenSqlite(options).ok());
  EXPECT_FALSE(SqliteSchemaVersion(path_).ok());
}

TEST_F(SqliteDatabaseTest, UniqueViolationNamesTheColumn) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(Insert(*db, ids_.Next(), "Officer").ok());
  Status again = Insert(*db, ids_.Next(), "oFFICER");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(again.error().code, "unique_violation");
  EXPECT_EQ(again.error().field, "accounts.username");
  EXPECT_EQ(Count(*db), 1);
}

TEST_F(SqliteDatabaseTest, MisusedStatementsAreInternalErrors) {
  auto db = Open();
  ASSERT_TRUE(db);
  constexpr Statement kFirst{"test_same_name", "SELECT 1"};
  constexpr Statement kSecond{"test_same_name", "SELECT 2"};
  constexpr Statement kTwo{"test_two_statements", "SELECT 1; SELECT 2"};
  constexpr Statement kBroken{"test_broken", "SELEKT 1"};
  constexpr Statement kDoubleQuoted{"test_double_quoted",
                                    "SELECT COUNT(*) FROM accounts WHERE username = \"x\""};
  constexpr Statement kArgs{"test_args", "SELECT ?"};
  Status status = db->Read([&](Connection& conn) -> Status {
    EXPECT_TRUE(conn.Query(kFirst, {}).ok());
    auto reused = conn.Query(kSecond, {});
    EXPECT_FALSE(reused.ok());
    EXPECT_EQ(reused.error().kind, ErrorKind::kInternal);
    EXPECT_FALSE(conn.Query(kTwo, {}).ok());
    EXPECT_FALSE(conn.Query(kBroken, {}).ok());
    // PostgreSQL reads "x" as a column name; SQLite is told to agree.
    EXPECT_FALSE(conn.Query(kDoubleQuoted, {}).ok());
    EXPECT_FALSE(conn.Query(kArgs, {}).ok());
    EXPECT_FALSE(conn.Query(kArgs, {int64_t{1}, int64_t{2}}).ok());
    auto one = conn.QueryOne(kArgs, {std::string("echo")});
    EXPECT_TRUE(one.ok() && one->has_value() && (*one)->Text(0) == "echo");
    return Ok();
  });
  EXPECT_TRUE(status.ok()) << Describe(status);
}

TEST_F(SqliteDatabaseTest, NestedTransactionsAreRefusedNotDeadlocked) {
  auto db = Open();
  ASSERT_TRUE(db);
  Status inner_write, inner_read;
  Status outer = db->Write([&](Connection&) -> Status {
    inner_write = db->Write([](Connection&) { return Ok(); });
    inner_read = db->Read([](Connection&) { return Ok(); });
    return Ok();
  });
  // The refusals were dropped, but the outer transaction fails all the same.
  ASSERT_FALSE(outer.ok());
  EXPECT_EQ(outer.error().kind, ErrorKind::kInternal);
  ASSERT_FALSE(inner_write.ok());
  EXPECT_EQ(inner_write.error().kind, ErrorKind::kInternal);
  EXPECT_FALSE(inner_read.ok());
  // Another database is a different matter.
  TempDir other_dir;
  SqliteOptions options;
  options.path = other_dir.File("other.db");
  auto other = Open(options);
  ASSERT_TRUE(other);
  Status across = db->Read([&](Connection&) -> Status {
    return other->Write([](Connection&) { return Ok(); });
  });
  EXPECT_TRUE(across.ok()) << Describe(across);
}

TEST_F(SqliteDatabaseTest, ExceptionInsideATransactionRollsBack) {
  auto db = Open();
  ASSERT_TRUE(db);
  int64_t id = ids_.Next();
  EXPECT_THROW(db->Write([&](Connection& conn) -> Status {
    (void)conn.Exec(kInsertAccount, {id, std::string("thrown")});
    throw std::runtime_error("bug");
  }), std::runtime_error);
  EXPECT_EQ(Count(*db), 0);
  EXPECT_TRUE(Insert(*db, ids_.Next(), "after").ok());
  EXPECT_EQ(Count(*db), 1);
}

// SQLite ends a transaction by itself on some errors (here a trigger's
// RAISE(ROLLBACK); also a full disk or an interrupt). A callback that goes
// on after one must not write in autocommit mode, each statement committed
// alone: its statements are refused, the Write fails, and nothing is kept.
TEST_F(SqliteDatabaseTest, StatementsAfterSqliteEndedTheTransactionAreRefused) {
  auto db = Open();
  ASSERT_TRUE(db);
  const Statement kTrigger{"test_rollback_trigger",
                           "CREATE TEMP TRIGGER rollback_on_insert BEFORE INSERT ON accounts "
                           "WHEN NEW.username = 'rollback' BEGIN SELECT RAISE(ROLLBACK, 'rolled back'); END"};
  ASSERT_TRUE(db->Write([&](Connection& conn) -> Status {
    auto created = conn.Exec(kTrigger, {});
    if (!created) return std::move(created).error();
    return Ok();
  }).ok());
  Result<int64_t> after = int64_t{0};
  Status status = db->Write([&](Connection& conn) -> Status {
    EXPECT_TRUE(conn.Exec(kInsertAccount, {ids_.Next(), std::string("before")}).ok());
    EXPECT_FALSE(conn.Exec(kInsertAccount, {ids_.Next(), std::string("rollback")}).ok());
    after = conn.Exec(kInsertAccount, {ids_.Next(), std::string("after")});
    return Ok();
  });
  EXPECT_FALSE(after.ok());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(Count(*db), 0);
  EXPECT_TRUE(Insert(*db, ids_.Next(), "later").ok());
  EXPECT_EQ(Count(*db), 1);
}

TEST_F(SqliteDatabaseTest, ReadersSeeOneSnapshot) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(Insert(*db, ids_.Next(), "first").ok());
  int64_t before = -1, after = -1;
  Status status = db->Read([&](Connection& conn) -> Status {
    before = (*conn.QueryOne(kCountAccounts, {}))->Int(0);
    std::thread([&] { EXPECT_TRUE(Insert(*db, ids_.Next(), "second").ok()); }).join();
    after = (*conn.QueryOne(kCountAccounts, {}))->Int(0);
    return Ok();
  });
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(before, 1);
  EXPECT_EQ(after, 1);
  EXPECT_EQ(Count(*db), 2);
}

TEST_F(SqliteDatabaseTest, MoreReadersThanConnectionsWait) {
  SqliteOptions options;
  options.readers = 1;
  auto db = Open(options);
  ASSERT_TRUE(db);
  std::atomic<int> inside{0}, most{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Status s = db->Read([&](Connection&) -> Status {
        int now = inside.fetch_add(1) + 1;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {}
        std::this_thread::sleep_for(milliseconds(20));
        inside.fetch_sub(1);
        return Ok();
      });
      if (!s.ok()) failures.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(most.load(), 1);
}

// Two Database objects on one file contend like two processes do: through
// SQLite's file locks, not the in-process writer mutex.
TEST_F(SqliteDatabaseTest, WritersInTwoHandlesNeverSeeBusy) {
  auto a = Open();
  ASSERT_TRUE(a);
  auto b = Open();
  ASSERT_TRUE(b);
  constexpr int kThreadsPerHandle = 4;
  constexpr int kPerThread = 50;
  std::atomic<int> failures{0};
  std::mutex mu;
  std::string first;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerHandle; ++t) {
    Database* db = (t % 2 == 0 ? a : b).get();
    threads.emplace_back([&, db, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status s = db->Write([&](Connection& conn) -> Status {
          auto n = conn.Exec(kInsertAccount,
                             {ids_.Next(), "t" + std::to_string(t) + "_" + std::to_string(i)});
          if (!n) return std::move(n).error();
          auto c = conn.QueryOne(kCountAccounts, {});
          if (!c) return std::move(c).error();
          return Ok();
        });
        if (!s.ok()) {
          std::lock_guard lock(mu);
          if (failures.fetch_add(1) == 0) first = Describe(s);
        }
        if (i % 10 == 0) (void)Count(*db);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << first;
  EXPECT_EQ(Count(*a), 2 * kThreadsPerHandle * kPerThread);
  EXPECT_EQ(Count(*b), 2 * kThreadsPerHandle * kPerThread);
}

TEST_F(SqliteDatabaseTest, ALockHeldTooLongIsUnavailableNotBusy) {
  auto holder = Open();
  ASSERT_TRUE(holder);
  SqliteOptions options;
  options.path = path_;
  options.busy_timeout_ms = 200;
  auto waiter = Open(options);
  ASSERT_TRUE(waiter);

  std::latch locked(1), done(1);
  std::thread hold([&] {
    Status s = holder->Write([&](Connection&) -> Status {
      locked.count_down();
      done.wait();
      return Ok();
    });
    EXPECT_TRUE(s.ok());
  });
  locked.wait();
  auto start = std::chrono::steady_clock::now();
  Status blocked = Insert(*waiter, ids_.Next(), "blocked");
  auto waited = std::chrono::steady_clock::now() - start;
  done.count_down();
  hold.join();
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().kind, ErrorKind::kUnavailable);
  EXPECT_GE(blocked.error().retry_after, 1);
  EXPECT_GE(waited, milliseconds(190));
  EXPECT_LT(waited, milliseconds(2000));
  // Once the lock is gone, the same handle works.
  EXPECT_TRUE(Insert(*waiter, ids_.Next(), "later").ok());
}

TEST_F(SqliteDatabaseTest, CloseWaitsForTransactionsInFlight) {
  auto db = Open();
  ASSERT_TRUE(db);
  std::latch started(1);
  Status in_flight;
  std::thread reader([&] {
    in_flight = db->Read([&](Connection& conn) -> Status {
      started.count_down();
      std::this_thread::sleep_for(milliseconds(100));
      auto row = conn.QueryOne(kCountAccounts, {});
      if (!row) return std::move(row).error();
      return Ok();
    });
  });
  started.wait();
  db->Close();
  reader.join();
  EXPECT_TRUE(in_flight.ok()) << Describe(in_flight);
  // Closing checkpointed the WAL away: the main file alone is the database.
  std::error_code ec;
  auto wal_size = std::filesystem::file_size(path_ + "-wal", ec);
  EXPECT_TRUE(ec || wal_size == 0);
}

TEST_F(SqliteDatabaseTest, BackupReplacesTheDestinationAndLeavesNoLitter) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(Insert(*db, ids_.Next(), "one").ok());
  std::string copy = dir_.File("backup.db");
  std::ofstream(copy) << "old contents";
  std::ofstream(copy + "-wal") << "stale wal";
  ASSERT_TRUE(BackupSqlite(path_, copy).ok());
  ASSERT_TRUE(Insert(*db, ids_.Next(), "two").ok());
  Status second = BackupSqlite(path_, copy);  // overwrite an earlier backup
  ASSERT_TRUE(second.ok()) << Describe(second);
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos)
        << entry.path();
  }
  EXPECT_EQ(*SqliteSchemaVersion(copy), sqliteMigrations().back().number);
  SqliteOptions options;
  options.path = copy;
  auto restored = Open(options);
  ASSERT_TRUE(restored);
  EXPECT_EQ(Count(*restored), 2);
}

TEST_F(SqliteDatabaseTest, BackupOfNothingFails) {
  auto missing = BackupSqlite(dir_.File("missing.db"), dir_.File("copy.db"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  auto db = Open();
  ASSERT_TRUE(db);
  EXPECT_FALSE(BackupSqlite(path_, path_).ok());
  EXPECT_FALSE(BackupSqlite(path_, dir_.File("no-such-dir/copy.db")).ok());
}

}  // namespace
}  // namespace vantage::store::testing
