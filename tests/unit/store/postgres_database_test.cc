// What the PostgreSQL backend promises beyond the shared contract: its SQL
// dialect, prepared statements, isolation, concurrency, timeouts, recovery
// from lost connections, migrations and lifecycle.
#include "store/postgres/postgres_database.h"

#include <atomic>
#include <chrono>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "postgres_test_server.h"
#include "store/migrations.h"
#include "store/postgres/postgres_dialect.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

using postgres::RewritePlaceholders;
using postgres::UniqueViolationField;
using std::chrono::milliseconds;

// --- dialect (no server) ----------------------------------------------------

TEST(PostgresDialectTest, NumbersPlaceholdersInOrder) {
  auto r = RewritePlaceholders("SELECT a FROM t WHERE id = ? AND kind = ? LIMIT ?");
  EXPECT_EQ(r.sql, "SELECT a FROM t WHERE id = $1 AND kind = $2 LIMIT $3");
  EXPECT_EQ(r.parameters, 3);
  auto none = RewritePlaceholders("SELECT COUNT(*) FROM accounts");
  EXPECT_EQ(none.sql, "SELECT COUNT(*) FROM accounts");
  EXPECT_EQ(none.parameters, 0);
  auto tight = RewritePlaceholders("VALUES (?,?,?)");
  EXPECT_EQ(tight.sql, "VALUES ($1,$2,$3)");
  auto many = RewritePlaceholders("? ? ? ? ? ? ? ? ? ? ?");
  EXPECT_EQ(many.sql, "$1 $2 $3 $4 $5 $6 $7 $8 $9 $10 $11");
  EXPECT_EQ(many.parameters, 11);
}

TEST(PostgresDialectTest, LeavesQuestionMarksInLiteralsIdentifiersAndComments) {
  struct Case {
    const char* in;
    const char* out;
    int parameters;
  };
  const Case cases[] = {
      {"SELECT '?' , ?", "SELECT '?' , $1", 1},
      {"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1},
      {"SELECT E'\\' ?', ?", "SELECT E'\\' ?', $1", 1},
      {"SELECT e'a\\\\', ?", "SELECT e'a\\\\', $1", 1},
      // A plain literal takes no backslash escapes (standard_conforming_strings).
      {"SELECT 'a\\', ?", "SELECT 'a\\', $1", 1},
      {"SELECT \"odd?name\" FROM t WHERE x = ?", "SELECT \"odd?name\" FROM t WHERE x = $1", 1},
      {"SELECT \"a\"\"?\" , ?", "SELECT \"a\"\"?\" , $1", 1},
      {"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2},
      {"SELECT /* a? /* nested? */ still? */ ?", "SELECT /* a? /* nested? */ still? */ $1", 1},
      {"SELECT $$ ? $$, ?", "SELECT $$ ? $$, $1", 1},
      {"SELECT $tag$ ? $x$ ? $tag$, ?", "SELECT $tag$ ? $x$ ? $tag$, $1", 1},
      {"SELECT '?", "SELECT '?", 0},  // unterminated: left as it is for the server to reject
      {"SELECT a$b, ?", "SELECT a$b, $1", 1},
      {"SELECT ?::bigint", "SELECT $1::bigint", 1},
  };
  for (const Case& c : cases) {
    auto r = RewritePlaceholders(c.in);
    EXPECT_EQ(r.sql, c.out) << c.in;
    EXPECT_EQ(r.parameters, c.parameters) << c.in;
  }
}

TEST(PostgresDialectTest, UniqueViolationFieldNamesTableAndColumns) {
  EXPECT_EQ(UniqueViolationField("accounts", "accounts_username_key",
                                 "Key (username)=(POLICE) already exists."),
            "accounts.username");
  EXPECT_EQ(UniqueViolationField("accounts", "accounts_pkey", "Key (id)=(42) already exists."),
            "accounts.id");
  EXPECT_EQ(UniqueViolationField("follows", "follows_a_b_key",
                                 "Key (account_id, target_id)=(1, 2) already exists."),
            "follows.account_id, follows.target_id");
  EXPECT_EQ(UniqueViolationField("t", "t_x_key", "Key (\"Odd Name\")=(1) already exists."),
            "t.Odd Name");
  // A value that looks like the pattern does not confuse it.
  EXPECT_EQ(UniqueViolationField("accounts", "accounts_email_key",
                                 "Key (email)=(a)=(b@example.org) already exists."),
            "accounts.email");
  // Without the detail (localised, or hidden), the default constraint name says.
  EXPECT_EQ(UniqueViolationField("apps", "apps_client_id_key", ""), "apps.client_id");
  EXPECT_EQ(UniqueViolationField("apps", "apps_client_id_key", "Schlüssel (client_id)=(x)"),
            "apps.client_id");
  EXPECT_EQ(UniqueViolationField("apps", "apps_pkey", ""), "");
  EXPECT_EQ(UniqueViolationField("apps", "custom_name", ""), "");
  EXPECT_EQ(UniqueViolationField("", "", "Key (a)=(1) already exists."), "");
}

// --- against a server ---------------------------------------------------------

constexpr Statement kInsertAccount{
    "test_insert_account",
    "INSERT INTO accounts (id, username, created_at, updated_at) VALUES (?, ?, 0, 0)"};
constexpr Statement kCountAccounts{"test_count_accounts", "SELECT COUNT(*) FROM accounts"};

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conninfo = test_db_.Conninfo();
    ASSERT_TRUE(conninfo.ok()) << Describe(conninfo);
    conninfo_ = *conninfo;
  }

  PostgresOptions Options() {
    PostgresOptions options;
    options.url = conninfo_;
    return options;
  }

  std::shared_ptr<Database> Open(PostgresOptions options) {
    auto db = OpenPostgres(options);
    EXPECT_TRUE(db.ok()) << Describe(db);
    return db.ok() ? *db : nullptr;
  }
  std::shared_ptr<Database> Open() { return Open(Options()); }

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

  // One text value from a one-row, one-column statement.
  std::string Text(Database& db, const Statement& st, bool write = false) {
    std::string value;
    auto run = [&](Connection& conn) -> Status {
      auto row = conn.QueryOne(st, {});
      if (!row) return std::move(row).error();
      value = (*row)->Text(0);
      return Ok();
    };
    Status status = write ? db.Write(run) : db.Read(run);
    EXPECT_TRUE(status.ok()) << Describe(status);
    return value;
  }

  Status Admin(const std::string& sql) { return AdminExec(test_db_.server(), sql); }

  // Ends every session on this test's database, as a server restart would.
  void TerminateSessions() {
    ASSERT_TRUE(Admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                      test_db_.name() + "' AND pid <> pg_backend_pid()")
                    .ok());
    // pg_terminate_backend only signals; wait until the sessions are gone.
    for (int i = 0; i < 200; ++i) {
      PGconn* conn = PQconnectdb(test_db_.server().c_str());
      std::string sql = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '" +
                        test_db_.name() + "'";
      PGresult* r = PQexec(conn, sql.c_str());
      bool gone = PQresultStatus(r) == PGRES_TUPLES_OK && std::string(PQgetvalue(r, 0, 0)) == "0";
      PQclear(r);
      PQfinish(conn);
      if (gone) return;
      std::this_thread::sleep_for(milliseconds(10));
    }
    FAIL() << "sessions were not terminated";
  }

  TestDatabase test_db_;
  std::string conninfo_;
  IdGenerator ids_;
};

TEST_F(PostgresDatabaseTest, ReportsItsEngineAndRefusesBadOptions) {
  auto db = Open();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->engine(), Engine::kPostgres);

  struct Bad {
    const char* field;
    std::function<void(PostgresOptions&)> change;
  };
  const Bad cases[] = {
      {"url", [](PostgresOptions& o) { o.url = ""; }},
      {"url", [](PostgresOptions& o) { o.url = "postgres://[broken"; }},
      {"url", [](PostgresOptions& o) { o.url = "no_such_keyword=1"; }},
      {"pool_size", [](PostgresOptions& o) { o.pool_size = 0; }},
      {"acquire_timeout_ms", [](PostgresOptions& o) { o.acquire_timeout_ms = 0; }},
      {"statement_timeout_ms", [](PostgresOptions& o) { o.statement_timeout_ms = -1; }},
      {"synchronous_commit", [](PostgresOptions& o) { o.synchronous_commit = "off; DROP"; }},
  };
  for (const Bad& bad : cases) {
    PostgresOptions options = Options();
    bad.change(options);
    auto opened = OpenPostgres(options);
    ASSERT_FALSE(opened.ok()) << bad.field;
    EXPECT_EQ(opened.error().kind, ErrorKind::kInvalid) << bad.field;
    EXPECT_EQ(opened.error().field, bad.field);
  }
}

TEST_F(PostgresDatabaseTest, AnUnreachableServerIsUnavailable) {
  PostgresOptions options;
  options.url = "host=127.0.0.1 port=1 user=postgres dbname=postgres connect_timeout=2";
  auto opened = OpenPostgres(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, ErrorKind::kUnavailable);
  EXPECT_GE(opened.error().retry_after, 1);
  EXPECT_NE(opened.error().message.find("Connection refused"), std::string::npos)
      << opened.error().message;
  auto version = PostgresSchemaVersion(options.url);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error().kind, ErrorKind::kUnavailable);
}

TEST_F(PostgresDatabaseTest, TransactionsHaveTheDocumentedIsolationAndSettings) {
  PostgresOptions options = Options();
  options.statement_timeout_ms = 1234;
  options.synchronous_commit = "off";
  auto db = Open(options);
  ASSERT_TRUE(db);
  constexpr Statement kIsolation{"test_isolation", "SHOW transaction_isolation"};
  constexpr Statement kReadOnly{"test_read_only", "SHOW transaction_read_only"};
  constexpr Statement kTimeout{"test_timeout", "SHOW statement_timeout"};
  constexpr Statement kSynchronous{"test_synchronous", "SHOW synchronous_commit"};
  constexpr Statement kEncoding{"test_encoding", "SHOW client_encoding"};
  // A read that runs one statement runs it alone, outside a transaction (one
  // statement is one snapshot); a read that runs more is a repeatable-read
  // transaction. Both are read-only.
  EXPECT_EQ(Text(*db, kReadOnly), "on");
  std::string isolation, read_only;
  Status multi = db->Read([&](Connection& conn) -> Status {
    auto first = conn.QueryOne(kIsolation, {});
    if (!first) return std::move(first).error();
    auto second = conn.QueryOne(kReadOnly, {});
    if (!second) return std::move(second).error();
    isolation = (*first)->Text(0);
    read_only = (*second)->Text(0);
    return Ok();
  });
  ASSERT_TRUE(multi.ok()) << Describe(multi);
  EXPECT_EQ(isolation, "repeatable read");
  EXPECT_EQ(read_only, "on");
  EXPECT_EQ(Text(*db, kIsolation, /*write=*/true), "read committed");
  EXPECT_EQ(Text(*db, kReadOnly, true), "off");
  EXPECT_EQ(Text(*db, kTimeout), "1234ms");
  EXPECT_EQ(Text(*db, kSynchronous, true), "off");
  EXPECT_EQ(Text(*db, kEncoding), "UTF8");
}

TEST_F(PostgresDatabaseTest, PreparesEachStatementOncePerConnection) {
  PostgresOptions options = Options();
  options.pool_size = 1;
  auto db = Open(options);
  ASSERT_TRUE(db);
  constexpr Statement kByName{"test_prepared_once",
                              "SELECT username FROM accounts WHERE username = ?"};
  constexpr Statement kUses{"test_prepared_uses",
                            "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
                            "WHERE name = ?"};
  ASSERT_TRUE(Insert(*db, ids_.Next(), "Someone").ok());
  for (int i = 0; i < 5; ++i) {
    Status s = db->Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kByName, {std::string("SOMEONE")});
      if (!row) return std::move(row).error();
      EXPECT_TRUE(row->has_value());
      if (*row) {
        EXPECT_EQ((*row)->Text(0), "Someone");
      }
      return Ok();
    });
    ASSERT_TRUE(s.ok()) << Describe(s);
  }
  // One prepared statement on the one connection, executed every time.
  Status s = db->Read([&](Connection& conn) -> Status {
    auto rows = conn.Query(kUses, {std::string("test_prepared_once")});
    if (!rows) return std::move(rows).error();
    EXPECT_EQ(rows->size(), 1u);
    if (rows->size() == 1) {
      EXPECT_EQ((*rows)[0].Int(0), 5);
    }
    return Ok();
  });
  EXPECT_TRUE(s.ok()) << Describe(s);
}

TEST_F(PostgresDatabaseTest, DecodesIntegersBooleansNullsAndText) {
  auto db = Open();
  ASSERT_TRUE(db);
  constexpr Statement kTypes{
      "test_types",
      "SELECT true, false, 7::int2, 8::int4, 9223372036854775807::int8, SUM(x), NULL::int8, "
      "NULL::text, 'text', 1.5::numeric, 99999999999999999999::numeric, 2.5::float8, '?', ?, ?, "
      "? FROM (VALUES (1::bigint), (2::bigint)) AS v (x)"};
  Status s = db->Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kTypes, {int64_t{-5}, std::string("echo"), Null()});
    if (!row) return std::move(row).error();
    const Row& r = **row;
    EXPECT_EQ(r.Int(0), 1);
    EXPECT_EQ(r.Int(1), 0);
    EXPECT_EQ(r.Int(2), 7);
    EXPECT_EQ(r.Int(3), 8);
    EXPECT_EQ(r.Int(4), INT64_MAX);
    EXPECT_EQ(r.Int(5), 3);  // SUM(bigint) is numeric
    EXPECT_TRUE(r.IsNull(6));
    EXPECT_TRUE(r.IsNull(7));
    EXPECT_EQ(r.Text(8), "text");
    EXPECT_EQ(r.Text(9), "1.5");
    EXPECT_EQ(r.Text(10), "99999999999999999999");
    EXPECT_EQ(r.Text(11), "2.5");
    EXPECT_EQ(r.Text(12), "?");
    EXPECT_EQ(r.Text(13), "-5");  // an untyped parameter is text on the server
    EXPECT_EQ(r.Text(14), "echo");
    EXPECT_TRUE(r.IsNull(15));
    return Ok();
  });
  EXPECT_TRUE(s.ok()) << Describe(s);
}

TEST_F(PostgresDatabaseTest, TextThatPostgresCannotStoreIsInvalid) {
  auto db = Open();
  ASSERT_TRUE(db);
  for (const std::string& name : {std::string("nul\0byte", 8), std::string("bad\xff\xfe utf8")}) {
    Status s = Insert(*db, ids_.Next(), name);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().kind, ErrorKind::kInvalid) << Describe(s);
    EXPECT_EQ(s.error().code, "invalid_text");
  }
  EXPECT_EQ(Count(*db), 0);
}

TEST_F(PostgresDatabaseTest, UniqueViolationNamesTheColumn) {
  auto db = Open();
  ASSERT_TRUE(db);
  int64_t id = ids_.Next();
  ASSERT_TRUE(Insert(*db, id, "Officer").ok());
  Status again = Insert(*db, ids_.Next(), "oFFICER");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(again.error().code, "unique_violation");
  EXPECT_EQ(again.error().field, "accounts.username");
  EXPECT_EQ(again.error().message.find("oFFICER"), std::string::npos) << "no values in messages";
  Status same_id = Insert(*db, id, "other");
  ASSERT_FALSE(same_id.ok());
  EXPECT_EQ(same_id.error().code, "unique_violation");
  EXPECT_EQ(same_id.error().field, "accounts.id");
  EXPECT_EQ(Count(*db), 1);
}

TEST_F(PostgresDatabaseTest, MisusedStatementsAreInternalErrors) {
  auto db = Open();
  ASSERT_TRUE(db);
  constexpr Statement kFirst{"test_same_name", "SELECT 1"};
  constexpr Statement kSecond{"test_same_name", "SELECT 2"};
  constexpr Statement kTwo{"test_two_statements", "SELECT 1; SELECT 2"};
  constexpr Statement kBroken{"test_broken", "SELEKT 1"};
  constexpr Statement kDoubleQuoted{"test_double_quoted",
                                    "SELECT COUNT(*) FROM accounts WHERE username = \"x\""};
  constexpr Statement kArgs{"test_args", "SELECT ?"};
  // Each in a transaction of its own: on PostgreSQL the first error aborts
  // the transaction.
  auto expect_internal = [&](const std::function<Status(Connection&)>& fn) {
    Status s = db->Read(fn);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().kind, ErrorKind::kInternal) << Describe(s);
  };
  auto query = [](const Statement& st, std::vector<Value> args) {
    return [&st, args](Connection& conn) -> Status {
      auto rows = conn.Query(st, args);
      if (!rows) return std::move(rows).error();
      return Ok();
    };
  };
  expect_internal([&](Connection& conn) -> Status {
    EXPECT_TRUE(conn.Query(kFirst, {}).ok());
    return query(kSecond, {})(conn);
  });
  expect_internal(query(kTwo, {}));
  expect_internal(query(kBroken, {}));
  expect_internal(query(kDoubleQuoted, {}));
  expect_internal(query(kArgs, {}));
  expect_internal(query(kArgs, {int64_t{1}, int64_t{2}}));
  Status echo = db->Read([&](Connection& conn) -> Status {
    auto one = conn.QueryOne(kArgs, {std::string("echo")});
    EXPECT_TRUE(one.ok() && one->has_value() && (*one)->Text(0) == "echo");
    return Ok();
  });
  EXPECT_TRUE(echo.ok()) << Describe(echo);
}

TEST_F(PostgresDatabaseTest, AnErrorTheCallbackSwallowsStillAbortsTheWrite) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(Insert(*db, ids_.Next(), "taken").ok());
  Status s = db->Write([&](Connection& conn) -> Status {
    EXPECT_TRUE(conn.Exec(kInsertAccount, {ids_.Next(), std::string("fresh")}).ok());
    auto duplicate = conn.Exec(kInsertAccount, {ids_.Next(), std::string("TAKEN")});
    EXPECT_FALSE(duplicate.ok());
    // PostgreSQL refuses everything after the error until the transaction ends.
    EXPECT_FALSE(conn.Exec(kInsertAccount, {ids_.Next(), std::string("later")}).ok());
    return Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "unique_violation");
  EXPECT_EQ(Count(*db), 1);
}

TEST_F(PostgresDatabaseTest, ReadersSeeOneSnapshot) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(Insert(*db, ids_.Next(), "first").ok());
  int64_t before = -1, after = -1;
  int inserted = 0;
  // The callback may run twice (the first time its second statement shows
  // it needs a transaction); each run must see one snapshot.
  Status status = db->Read([&](Connection& conn) -> Status {
    auto first = conn.QueryOne(kCountAccounts, {});
    if (!first) return std::move(first).error();
    before = (*first)->Int(0);
    std::thread([&] {
      EXPECT_TRUE(Insert(*db, ids_.Next(), "second" + std::to_string(inserted)).ok());
      ++inserted;
    }).join();
    auto second = conn.QueryOne(kCountAccounts, {});
    if (!second) return std::move(second).error();
    after = (*second)->Int(0);
    return Ok();
  });
  EXPECT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(before, after);
  EXPECT_EQ(Count(*db), 1 + inserted);
}

TEST_F(PostgresDatabaseTest, ConcurrentIncrementsStayExact) {
  auto db = Open();
  ASSERT_TRUE(db);
  int64_t id = ids_.Next();
  ASSERT_TRUE(Insert(*db, id, "counter").ok());
  constexpr Statement kIncrement{
      "test_increment", "UPDATE accounts SET followers_count = followers_count + 1 WHERE id = ?"};
  constexpr Statement kFollowers{"test_followers",
                                 "SELECT followers_count FROM accounts WHERE id = ?"};
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::atomic<int> failures{0};
  std::latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      go.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        Status s = db->Write([&](Connection& conn) -> Status {
          auto n = conn.Exec(kIncrement, {id});
          if (!n) return std::move(n).error();
          EXPECT_EQ(*n, 1);
          return Ok();
        });
        if (!s.ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  Status s = db->Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kFollowers, {id});
    if (!row) return std::move(row).error();
    EXPECT_EQ((*row)->Int(0), kThreads * kPerThread);
    return Ok();
  });
  EXPECT_TRUE(s.ok()) << Describe(s);
}

TEST_F(PostgresDatabaseTest, OneOfManyConcurrentSignUpsForAUsernameWins) {
  auto db = Open();
  ASSERT_TRUE(db);
  auto store = MakeSqlStore(db);
  constexpr int kThreads = 8;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> winners{0}, taken{0};
    std::mutex mu;
    std::string other;
    std::latch go(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        Account a;
        a.id = ids_.Next();
        // The same name in different cases: one account, case-insensitively.
        a.username = (t % 2 ? "Police" : "POLICE") + std::to_string(round);
        a.email = "p" + std::to_string(round) + "-" + std::to_string(t) + "@example.org";
        a.created_at = a.updated_at = 1;
        go.arrive_and_wait();
        auto created = store->accounts().Create(a);
        if (created.ok()) {
          winners.fetch_add(1);
        } else if (created.error().code == "taken" && created.error().field == "username") {
          taken.fetch_add(1);
        } else {
          std::lock_guard lock(mu);
          other = Describe(created);
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1) << "round " << round;
    EXPECT_EQ(taken.load(), kThreads - 1) << "round " << round << " " << other;
  }
  EXPECT_EQ(*store->accounts().CountLocal(), kRounds);
}

TEST_F(PostgresDatabaseTest, AStatementOverTheTimeoutIsUnavailable) {
  PostgresOptions options = Options();
  options.statement_timeout_ms = 100;
  auto db = Open(options);
  ASSERT_TRUE(db);
  constexpr Statement kSleep{"test_sleep", "SELECT pg_sleep(2)"};
  auto start = std::chrono::steady_clock::now();
  Status slow = db->Read([&](Connection& conn) -> Status {
    auto rows = conn.Query(kSleep, {});
    if (!rows) return std::move(rows).error();
    return Ok();
  });
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().kind, ErrorKind::kUnavailable) << Describe(slow);
  EXPECT_GE(slow.error().retry_after, 1);
  EXPECT_LT(waited, milliseconds(1500));
  // The connection is fine afterwards.
  EXPECT_EQ(Count(*db), 0);
  EXPECT_TRUE(Insert(*db, ids_.Next(), "after").ok());
}

TEST_F(PostgresDatabaseTest, SerializationFailuresAreRetriedInside) {
  auto db = Open();
  ASSERT_TRUE(db);
  int64_t id = ids_.Next();
  ASSERT_TRUE(Insert(*db, id, "contended").ok());
  // SERIALIZABLE writers that read and write the same row fail with 40001
  // when they overlap; SET TRANSACTION must come first in the transaction,
  // which is the callback's first statement here.
  constexpr Statement kSerializable{"test_serializable",
                                    "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"};
  constexpr Statement kRead{"test_read_count", "SELECT followers_count FROM accounts WHERE id = ?"};
  constexpr Statement kWrite{"test_write_count",
                             "UPDATE accounts SET followers_count = ? WHERE id = ?"};
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0}, attempts{0};
  std::latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      go.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        Status s = db->Write([&](Connection& conn) -> Status {
          attempts.fetch_add(1);
          auto set = conn.Exec(kSerializable, {});
          if (!set) return std::move(set).error();
          auto row = conn.QueryOne(kRead, {id});
          if (!row) return std::move(row).error();
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          auto n = conn.Exec(kWrite, {(*row)->Int(0) + 1, id});
          if (!n) return std::move(n).error();
          return Ok();
        });
        if (!s.ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(attempts.load(), kThreads * kPerThread) << "no conflict was provoked";
  Status s = db->Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kRead, {id});
    if (!row) return std::move(row).error();
    EXPECT_EQ((*row)->Int(0), kThreads * kPerThread);  // no lost update
    return Ok();
  });
  EXPECT_TRUE(s.ok()) << Describe(s);
}

TEST_F(PostgresDatabaseTest, ReconnectsAfterTheServerDroppedItsSessions) {
  PostgresOptions options = Options();
  options.pool_size = 4;
  auto db = Open(options);
  ASSERT_TRUE(db);
  // Open every connection of the pool.
  {
    std::latch all_in(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        EXPECT_TRUE(db->Read([&](Connection&) -> Status {
          all_in.arrive_and_wait();
          return Ok();
        }).ok());
      });
    }
    for (auto& t : threads) t.join();
  }
  ASSERT_TRUE(Insert(*db, ids_.Next(), "before").ok());

  TerminateSessions();
  Status first = Insert(*db, ids_.Next(), "during");
  if (!first.ok()) {
    EXPECT_EQ(first.error().kind, ErrorKind::kUnavailable) << Describe(first);
    EXPECT_GE(first.error().retry_after, 1);
  }
  for (int i = 0; i < 8; ++i) {
    Status later = Insert(*db, ids_.Next(), "after" + std::to_string(i));
    EXPECT_TRUE(later.ok()) << i << ": " << Describe(later);
  }
  EXPECT_EQ(Count(*db), first.ok() ? 10 : 9);
}

TEST_F(PostgresDatabaseTest, ServesAgainByItselfWhenTheDatabaseIsBack) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(Insert(*db, ids_.Next(), "before").ok());
  // The database refuses sessions, as a stopped server would; other tests'
  // databases on the same server are not disturbed.
  ASSERT_TRUE(Admin("ALTER DATABASE " + test_db_.name() + " ALLOW_CONNECTIONS false").ok());
  TerminateSessions();
  for (int i = 0; i < 3; ++i) {
    Status down = Insert(*db, ids_.Next(), "down" + std::to_string(i));
    ASSERT_FALSE(down.ok());
    EXPECT_EQ(down.error().kind, ErrorKind::kUnavailable) << Describe(down);
    EXPECT_EQ(down.error().retry_after, 1);
    auto read = MakeSqlStore(db)->accounts().CountLocal();
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().kind, ErrorKind::kUnavailable);
  }
  ASSERT_TRUE(Admin("ALTER DATABASE " + test_db_.name() + " ALLOW_CONNECTIONS true").ok());
  EXPECT_TRUE(Insert(*db, ids_.Next(), "back").ok());
  EXPECT_EQ(Count(*db), 2);
}

TEST_F(PostgresDatabaseTest, WaitsABoundedTimeForAConnection) {
  PostgresOptions options = Options();
  options.pool_size = 1;
  options.acquire_timeout_ms = 200;
  auto db = Open(options);
  ASSERT_TRUE(db);
  std::latch held(1), release(1);
  std::thread holder([&] {
    EXPECT_TRUE(db->Read([&](Connection&) -> Status {
      held.count_down();
      release.wait();
      return Ok();
    }).ok());
  });
  held.wait();
  auto start = std::chrono::steady_clock::now();
  Status waited_out = Insert(*db, ids_.Next(), "queued");
  auto waited = std::chrono::steady_clock::now() - start;
  release.count_down();
  holder.join();
  ASSERT_FALSE(waited_out.ok());
  EXPECT_EQ(waited_out.error().kind, ErrorKind::kUnavailable);
  EXPECT_GE(waited_out.error().retry_after, 1);
  EXPECT_GE(waited, milliseconds(190));
  EXPECT_LT(waited, milliseconds(2000));
  EXPECT_TRUE(Insert(*db, ids_.Next(), "later").ok());

  // More callers than connections take turns.
  std::atomic<int> inside{0}, most{0}, failures{0};
  std::vector<std::thread> threads;
  options.acquire_timeout_ms = 5000;
  auto turns = Open(options);
  ASSERT_TRUE(turns);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Status s = turns->Read([&](Connection&) -> Status {
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

TEST_F(PostgresDatabaseTest, NestedTransactionsAreRefusedNotDeadlocked) {
  PostgresOptions options = Options();
  options.pool_size = 1;
  auto db = Open(options);
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
}

TEST_F(PostgresDatabaseTest, ExceptionInsideATransactionRollsBack) {
  auto db = Open();
  ASSERT_TRUE(db);
  EXPECT_THROW(db->Write([&](Connection& conn) -> Status {
    (void)conn.Exec(kInsertAccount, {ids_.Next(), std::string("thrown")});
    throw std::runtime_error("bug");
  }), std::runtime_error);
  EXPECT_EQ(Count(*db), 0);
  EXPECT_TRUE(Insert(*db, ids_.Next(), "after").ok());
  EXPECT_EQ(Count(*db), 1);
}

TEST_F(PostgresDatabaseTest, CloseWaitsForTransactionsInFlightAndEndsTheSessions) {
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
  Status closed = Insert(*db, ids_.Next(), "late");
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind, ErrorKind::kUnavailable);
  // No session of ours is left on the server (PQfinish is synchronous on our
  // side; the server notices a moment later).
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    PGconn* conn = PQconnectdb(test_db_.server().c_str());
    std::string sql = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '" +
                      test_db_.name() + "'";
    PGresult* r = PQexec(conn, sql.c_str());
    gone = PQresultStatus(r) == PGRES_TUPLES_OK && std::string(PQgetvalue(r, 0, 0)) == "0";
    PQclear(r);
    PQfinish(conn);
    if (!gone) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(gone);
}

// --- migrations ---------------------------------------------------------------

constexpr Statement kApplied{"test_applied",
                             "SELECT number, name, applied_at FROM schema_migrations "
                             "ORDER BY number"};

void ExpectEveryMigrationOnce(Database& db) {
  const auto& migrations = postgresMigrations();
  Status status = db.Read([&](Connection& conn) -> Status {
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
}

TEST_F(PostgresDatabaseTest, AppliesEveryMigrationOnceAndRecordsIt) {
  auto before = PostgresSchemaVersion(conninfo_);
  ASSERT_TRUE(before.ok()) << Describe(before);
  EXPECT_EQ(*before, 0);
  const auto& migrations = postgresMigrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().number, 1);
  EXPECT_STREQ(migrations.front().name, "0001_init");
  for (int open = 0; open < 3; ++open) {
    auto db = Open();
    ASSERT_TRUE(db);
    ExpectEveryMigrationOnce(*db);
    db->Close();
    auto version = PostgresSchemaVersion(conninfo_);
    ASSERT_TRUE(version.ok()) << Describe(version);
    EXPECT_EQ(*version, migrations.back().number);
  }
  // PostgresSchemaVersion takes URLs as well as conninfo strings.
  const char* url = std::getenv("VANTAGE_TEST_POSTGRES_URL");
  if (url != nullptr && *url != '\0') {
    auto other = PostgresSchemaVersion(url);  // the server's own database: never migrated
    ASSERT_TRUE(other.ok()) << Describe(other);
    EXPECT_EQ(*other, 0);
  }
}

TEST_F(PostgresDatabaseTest, ServersStartingTogetherMigrateOnce) {
  constexpr int kServers = 4;
  std::vector<std::shared_ptr<Database>> handles(kServers);
  std::vector<std::string> errors(kServers);
  std::latch go(kServers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      auto db = OpenPostgres(Options());
      if (db.ok()) handles[i] = *db; else errors[i] = Describe(db);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kServers; ++i) {
    ASSERT_TRUE(handles[i]) << errors[i];
    EXPECT_TRUE(Insert(*handles[i], ids_.Next(), "h" + std::to_string(i)).ok());
  }
  EXPECT_EQ(Count(*handles[0]), kServers);
  ExpectEveryMigrationOnce(*handles[0]);
  EXPECT_EQ(*PostgresSchemaVersion(conninfo_), postgresMigrations().back().number);
}

TEST_F(PostgresDatabaseTest, RefusesASchemaNewerThanTheBinary) {
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
  auto reopened = OpenPostgres(Options());
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, "schema_too_new");
  EXPECT_NE(reopened.error().message.find("9999"), std::string::npos) << reopened.error().message;
  EXPECT_EQ(*PostgresSchemaVersion(conninfo_), 9999);
}

TEST_F(PostgresDatabaseTest, RefusesAMigrationHistoryFromAnotherBuild) {
  static constexpr Statement kRename{"test_rename_migration",
                                     "UPDATE schema_migrations SET name = '0001_other' "
                                     "WHERE number = 1"};
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Write([](Connection& conn) -> Status {
    auto n = conn.Exec(kRename, {});
    if (!n) return std::move(n).error();
    return Ok();
  }).ok());
  db->Close();
  auto reopened = OpenPostgres(Options());
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, "schema_mismatch");
}

}  // namespace
}  // namespace vantage::store::testing
