#include "store/sqlite/sqlite_database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "core/id.h"
#include "store/migrations.h"

namespace vantage::store {

namespace {

using Clock = std::chrono::steady_clock;

// BackupSqlite is not served from a Database, so it has budgets of its own.
constexpr int kBackupBusyTimeoutMs = 5000;
constexpr auto kBackupBudget = std::chrono::seconds(30);
constexpr auto kFirstBackoff = std::chrono::microseconds(500);
constexpr auto kMaxBackoff = std::chrono::milliseconds(100);
constexpr int kBackupPagesPerStep = 1024;
constexpr int64_t kJournalSizeLimit = 64 << 20;

bool IsBusy(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// Turns a failed SQLite call into the Connection error contract (sql.h).
Error ErrorFrom(sqlite3* db, int rc, std::string_view context) {
  const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    // "UNIQUE constraint failed: accounts.username" (or "t.a, t.b" for a
    // composite key): the columns are what callers map to an input field.
    std::string_view text = message;
    constexpr std::string_view kPrefix = "UNIQUE constraint failed: ";
    std::string field;
    if (text.substr(0, kPrefix.size()) == kPrefix) field = std::string(text.substr(kPrefix.size()));
    std::string what = field.empty() ? std::string("A value") : field;
    return Error::Conflict("unique_violation", what + " is already in use", std::move(field));
  }
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return Error::NotFound("What this refers to no longer exists", "reference_gone");
  if (IsBusy(rc)) return Error::Unavailable("The database is busy, try again");
  return Error::Internal(std::string(context) + ": " + message);
}

std::chrono::microseconds Jitter(std::chrono::microseconds backoff) {
  // Writers that collided should not retry in lock step.
  thread_local std::minstd_rand rng(
      static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  std::uniform_int_distribution<int64_t> spread(backoff.count() / 2, backoff.count());
  return std::chrono::microseconds(spread(rng));
}

// One sqlite3 handle and its prepared statements. Used by one thread at a time
// (the writer mutex or the reader pool sees to that), so it needs no lock and
// is opened with SQLITE_OPEN_NOMUTEX.
class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [name, cached] : statements_) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<std::vector<Row>> Query(const Statement& st, std::initializer_list<Value> args) override {
    return QueryRows(st, args.begin(), args.size());
  }
  Result<std::vector<Row>> Query(const Statement& st, const std::vector<Value>& args) override {
    return QueryRows(st, args.data(), args.size());
  }
  Result<int64_t> Exec(const Statement& st, std::initializer_list<Value> args) override {
    return Run(st, args.begin(), args.size(), nullptr);
  }
  Result<int64_t> Exec(const Statement& st, const std::vector<Value>& args) override {
    return Run(st, args.data(), args.size(), nullptr);
  }

  // Runs unprepared SQL text, possibly several statements: transaction
  // control, pragmas and migrations.
  Status Script(const char* sql) {
    auto start = Clock::now();
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    nanos_ += (Clock::now() - start).count();
    if (rc == SQLITE_OK) return Ok();
    if (IsBusy(rc)) saw_busy_ = true;
    return ErrorFrom(db_, rc, sql);
  }

  // BEGIN and COMMIT, prepared once per connection like any named statement
  // (sqlite3_exec would parse them again for every transaction).
  Status Control(const char* sql) {
    auto run = Run(Statement{sql, sql}, nullptr, 0, nullptr);
    if (!run) return std::move(run).error();
    return Ok();
  }

  // Leaves the handle as a new one: no statement half run (an exception may
  // have left one between its steps and its reset; a statement left so would
  // ignore the next bindings and run with its old ones), no transaction open.
  void RollbackIfOpen() {
    for (sqlite3_stmt* stmt = sqlite3_next_stmt(db_, nullptr); stmt; stmt = sqlite3_next_stmt(db_, stmt)) {
      if (sqlite3_stmt_busy(stmt)) sqlite3_reset(stmt);
    }
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    in_transaction_ = transaction_lost_ = false;
  }

  // Set between BEGIN and the end of the callback: statements then refuse to
  // run outside the transaction. SQLite rolls a transaction back by itself on
  // some errors (a full disk, an interrupt, out of memory); a callback that
  // went on after one would otherwise write in autocommit mode, each
  // statement committed alone, and the failed change would be half kept.
  // (A callback that commits and begins by itself, as the seed does to change
  // pragmas, is not refused: only a failed statement marks the loss.)
  void set_in_transaction(bool in) { in_transaction_ = in, transaction_lost_ = false; }
  bool transaction_lost() const { return transaction_lost_; }

  sqlite3* handle() { return db_; }
  bool saw_busy() const { return saw_busy_; }
  void clear_busy() { saw_busy_ = false; }
  int64_t TakeNanos() { return std::exchange(nanos_, 0); }

 private:
  struct Cached {
    sqlite3_stmt* stmt;
    const char* sql;  // the caller's pointer, for a cheap same-statement check
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Result<std::vector<Row>> QueryRows(const Statement& st, const Value* args, size_t count) {
    std::vector<Row> rows;
    auto run = Run(st, args, count, &rows);
    if (!run) return std::move(run).error();
    return rows;
  }

  Result<sqlite3_stmt*> Prepare(const Statement& st) {
    auto it = statements_.find(std::string_view(st.name));
    if (it != statements_.end()) {
      if (it->second.sql != st.sql && std::strcmp(sqlite3_sql(it->second.stmt), st.sql) != 0) {
        return Error::Internal(std::string("two different statements are named ") + st.name);
      }
      return it->second.stmt;
    }
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, st.sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) {
      if (IsBusy(rc)) saw_busy_ = true;
      return ErrorFrom(db_, rc, std::string("preparing ") + st.name);
    }
    if (stmt == nullptr) return Error::Internal(std::string("statement ") + st.name + " is empty");
    while (*tail != '\0' && std::isspace(static_cast<unsigned char>(*tail))) ++tail;
    if (*tail != '\0' && !(tail[0] == ';' && tail[1] == '\0')) {
      sqlite3_finalize(stmt);
      return Error::Internal(std::string("statement ") + st.name + " holds more than one statement");
    }
    statements_.emplace(st.name, Cached{stmt, st.sql});
    return stmt;
  }

  // Binds, steps to completion (collecting rows when `rows` is set) and
  // resets, so no statement stays active between calls. The changed-row count.
  Result<int64_t> Run(const Statement& st, const Value* args, size_t count, std::vector<Row>* rows) {
    auto start = Clock::now();
    auto result = RunTimed(st, args, count, rows);
    nanos_ += (Clock::now() - start).count();
    return result;
  }

  Result<int64_t> RunTimed(const Statement& st, const Value* args, size_t count,
                           std::vector<Row>* rows) {
    if (transaction_lost()) {
      return Error::Internal(std::string("statement ") + st.name +
                             " after an error ended the transaction; the change is rolled back");
    }
    auto prepared = Prepare(st);
    if (!prepared) return std::move(prepared).error();
    sqlite3_stmt* stmt = *prepared;
    // Binding a statement that is still active fails, and would leave it with
    // the arguments of its previous run.
    if (sqlite3_stmt_busy(stmt)) sqlite3_reset(stmt);
    int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(count)) {
      return Error::Internal(std::string("statement ") + st.name + " takes " +
                             std::to_string(expected) + " arguments, given " +
                             std::to_string(count));
    }
    for (size_t i = 0; i < count; ++i) {
      int index = static_cast<int>(i) + 1;
      const Value& v = args[i];
      // SQLITE_STATIC: the arguments outlive the statement's use here, and the
      // bindings are cleared before returning.
      int bound;
      if (const auto* n = std::get_if<int64_t>(&v)) {
        bound = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        bound = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        bound = sqlite3_bind_null(stmt, index);
      }
      if (bound != SQLITE_OK) {
        Error error =
            ErrorFrom(db_, bound, std::string("binding argument ") + std::to_string(index) + " of " + st.name);
        sqlite3_clear_bindings(stmt);
        return error;
      }
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (rows == nullptr) continue;
      int columns = sqlite3_column_count(stmt);
      std::vector<Value> values;
      values.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_double(stmt, c)));
            break;
          case SQLITE_NULL:
            values.emplace_back(std::monostate{});
            break;
          default: {  // TEXT and BLOB both read as bytes
            const void* data = sqlite3_column_blob(stmt, c);
            int size = sqlite3_column_bytes(stmt, c);
            values.emplace_back(std::string(static_cast<const char*>(data), size));
          }
        }
      }
      rows->emplace_back(std::move(values));
    }
    Result<int64_t> result = int64_t{0};
    if (rc == SQLITE_DONE) {
      if (!sqlite3_stmt_readonly(stmt)) result = static_cast<int64_t>(sqlite3_changes64(db_));
    } else {
      if (IsBusy(rc)) saw_busy_ = true;
      result = ErrorFrom(db_, rc, st.name);
      if (in_transaction_ && sqlite3_get_autocommit(db_)) transaction_lost_ = true;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return result;
  }

  sqlite3* db_;
  std::unordered_map<std::string, Cached, NameHash, std::equal_to<>> statements_;
  bool saw_busy_ = false;  // a call hit SQLITE_BUSY/LOCKED in this attempt
  bool in_transaction_ = false;
  bool transaction_lost_ = false;  // a failed statement ended the transaction
  int64_t nanos_ = 0;      // time inside SQLite not yet added to the total
};

// SQLite's memory statistics take one process-wide mutex around every
// allocation and free, which every reader thread then queues on; Vantage
// reads none of those statistics. Must run before SQLite initialises (the
// first open); later it is refused harmlessly.
void ConfigureSqliteOnce() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

Result<std::unique_ptr<SqliteConnection>> OpenConnection(const std::string& path, bool create,
                                                         int busy_timeout_ms) {
  ConfigureSqliteOnce();
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return Error::Unavailable("Cannot open database " + path + ": " + message);
  }
  auto conn = std::make_unique<SqliteConnection>(raw);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  // Defensive: no writable_schema tricks. No double-quoted string literals, so
  // SQL that would mean something else on PostgreSQL fails here first.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  return conn;
}

// Makes fsync'd data durable under its name: the file, then its directory.
Status SyncFile(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Internal("Cannot open " + path + " to sync: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) return Error::Internal("fsync " + path + ": " + std::strerror(saved));
  return Ok();
}

// The transaction a thread is inside, if any. A second transaction on the
// same database from inside the callback would deadlock (Write) or not see
// the first one's writes (Read), so it is refused; and since such a call is a
// bug the callback may not expect, the outer transaction is refused too, even
// if the callback drops the refusal: it rolls back and fails with the same
// error rather than commit a change that ran without what it meant to read.
struct ActiveTransaction {
  const void* db;
  bool nested_refused = false;
};
thread_local ActiveTransaction* tls_active = nullptr;

struct ActiveGuard {
  explicit ActiveGuard(const void* db) : current{db}, previous(std::exchange(tls_active, &current)) {}
  ~ActiveGuard() { tls_active = previous; }
  ActiveTransaction current;
  ActiveTransaction* previous;
};

Error NestedError() {
  return Error::Internal(
      "Database::Read or Write was called inside a transaction's callback on the same database; "
      "the callback must use the Connection it is given");
}

// Refuses a transaction started inside another on the same database, and
// marks the outer one to fail.
bool RefuseNested(const void* db) {
  if (tls_active == nullptr || tls_active->db != db) return false;
  tls_active->nested_refused = true;
  return true;
}

// Whether `fn`, run by the current transaction on `db`, started a nested
// one; cleared for each attempt.
bool NestedRefused(const void* db) {
  return tls_active != nullptr && tls_active->db == db && tls_active->nested_refused;
}
void ClearNestedRefused(const void* db) {
  if (tls_active != nullptr && tls_active->db == db) tls_active->nested_refused = false;
}

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(const SqliteOptions& options)
      : options_(options),
        budget_(std::chrono::milliseconds(std::max(options.busy_timeout_ms, 1))) {}
  ~SqliteDatabase() override { Close(); }

  Status Init();

  Engine engine() const override { return Engine::kSqlite; }
  Status Read(const std::function<Status(Connection&)>& fn) override;
  Status Write(const std::function<Status(Connection&)>& fn) override;
  double SecondsInDatabase() const override { return nanos_.load(std::memory_order_relaxed) / 1e9; }
  void Close() override;

 private:
  Status Transaction(SqliteConnection& conn, const char* begin,
                     const std::function<Status(Connection&)>& fn, Clock::time_point deadline);
  Status Migrate();
  Status ApplyPragmas(SqliteConnection& conn, bool reader);

  const SqliteOptions options_;
  const Clock::duration budget_;
  std::atomic<int64_t> nanos_{0};
  std::once_flag close_once_;
  bool opened_ = false;  // Init succeeded; a refused file is left untouched at Close

  // The writer is taken by setting writer_busy_ under writer_mu_ rather than
  // by holding a timed mutex for the transaction: the wait needs a deadline,
  // and std::timed_mutex's steady-clock wait is invisible to ThreadSanitizer.
  std::mutex writer_mu_;
  std::condition_variable writer_cv_;
  bool writer_busy_ = false;                  // guarded by writer_mu_
  std::unique_ptr<SqliteConnection> writer_;  // used by whoever set writer_busy_; null once closed

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;  // fixed after Init
  std::vector<SqliteConnection*> free_readers_;              // guarded by pool_mu_
  bool closing_ = false;                                     // guarded by pool_mu_
};

// SQLite's Bloom-filter optimisation (its bit in SQLITE_TESTCTRL_OPTIMIZATIONS)
// builds a filter by scanning the inner table's index whenever it expects
// more outer rows than that table holds. A recursive CTE's queue is always
// expected to be large, so on any database of less than about a million
// statuses every step of a thread's descent scanned the whole reply index
// (60,000 steps instead of 300 for a thread of four comments). None of
// Vantage's statements gains from the filters.
constexpr int kSqliteBloomFilter = 0x00080000;

Status SqliteDatabase::ApplyPragmas(SqliteConnection& conn, bool reader) {
  sqlite3_test_control(SQLITE_TESTCTRL_OPTIMIZATIONS, conn.handle(), kSqliteBloomFilter);
  VANTAGE_TRY(conn.Script("PRAGMA foreign_keys = ON"));
  VANTAGE_TRY(conn.Script(options_.synchronous_full ? "PRAGMA synchronous = FULL"
                                                    : "PRAGMA synchronous = NORMAL"));
  if (reader) VANTAGE_TRY(conn.Script("PRAGMA query_only = 1"));
  return Ok();
}

Status SqliteDatabase::Init() {
  auto writer = OpenConnection(options_.path, /*create=*/true, options_.busy_timeout_ms);
  if (!writer) return std::move(writer).error();
  writer_ = std::move(*writer);

  // journal_mode answers with the mode it ended up in; anything but "wal"
  // (a read-only medium, a VFS without shared memory) is refused rather than
  // silently serving without concurrent readers. Another handle creating or
  // migrating the same new file holds its locks for a moment, and the switch
  // to WAL can meet them without SQLite's busy handler waiting: it is
  // retried within the busy budget, as transactions are.
  constexpr Statement kJournalMode{"pragma_journal_mode_wal", "PRAGMA journal_mode = WAL"};
  auto prepare = [&]() -> Status {
    auto mode = writer_->QueryOne(kJournalMode, {});
    if (!mode) return std::move(mode).error();
    if (!*mode || (*mode)->Text(0) != "wal") {
      return Error::Internal("Cannot put " + options_.path + " in WAL mode");
    }
    VANTAGE_TRY(ApplyPragmas(*writer_, /*reader=*/false));
    return writer_->Script(("PRAGMA journal_size_limit = " + std::to_string(kJournalSizeLimit)).c_str());
  };
  for (auto deadline = Clock::now() + budget_;;) {
    Status prepared = prepare();
    if (prepared || prepared.error().kind != ErrorKind::kUnavailable || Clock::now() >= deadline) {
      VANTAGE_TRY(std::move(prepared));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  VANTAGE_TRY(Migrate());

  for (int i = 0; i < options_.readers; ++i) {
    auto reader = OpenConnection(options_.path, /*create=*/false, options_.busy_timeout_ms);
    if (!reader) return std::move(reader).error();
    VANTAGE_TRY(ApplyPragmas(**reader, /*reader=*/true));
    free_readers_.push_back(reader->get());
    readers_.push_back(std::move(*reader));
  }
  opened_ = true;
  return Ok();
}

Status SqliteDatabase::Migrate() {
  const auto& migrations = sqliteMigrations();
  int last_known = 0;
  for (const Migration& m : migrations) {
    if (m.number <= last_known) {
      return Error::Internal(std::string("Migration numbers must be unique and ascending: ") + m.name);
    }
    last_known = m.number;
  }

  constexpr Statement kApplied{"migrations_applied",
                               "SELECT number, name FROM schema_migrations ORDER BY number"};
  constexpr Statement kIsApplied{"migrations_is_applied",
                                 "SELECT 1 FROM schema_migrations WHERE number = ?"};
  constexpr Statement kRecord{"migrations_record",
                              "INSERT INTO schema_migrations (number, name, applied_at) "
                              "VALUES (?, ?, ?)"};

  std::vector<int64_t> applied_numbers;
  auto deadline = Clock::now() + budget_;
  VANTAGE_TRY(Transaction(*writer_, "BEGIN IMMEDIATE", [&](Connection&) -> Status {
    applied_numbers.clear();
    VANTAGE_TRY(writer_->Script(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    auto applied = writer_->Query(kApplied, {});
    if (!applied) return std::move(applied).error();
    for (const Row& row : *applied) {
      int64_t number = row.Int(0);
      applied_numbers.push_back(number);
      if (number > last_known) {
        return Error::Conflict(
            "schema_too_new",
            "The database " + options_.path + " is at schema version " + std::to_string(number) +
                " but this build of vantage knows versions up to " + std::to_string(last_known) +
                "; run a newer vantage on it");
      }
      auto known = std::find_if(migrations.begin(), migrations.end(),
                                [&](const Migration& m) { return m.number == number; });
      if (known != migrations.end() && row.Text(1) != known->name) {
        return Error::Conflict("schema_mismatch", "Migration " + std::to_string(number) +
                                                      " of the database is " + row.Text(1) +
                                                      " but this build has " + known->name);
      }
    }
    return Ok();
  }, deadline));

  for (const Migration& m : migrations) {
    if (std::find(applied_numbers.begin(), applied_numbers.end(), m.number) !=
        applied_numbers.end()) {
      continue;
    }
    // One transaction per migration, re-checked inside it: another process
    // opening the same file may have applied it meanwhile.
    VANTAGE_TRY(Transaction(*writer_, "BEGIN IMMEDIATE", [&](Connection& conn) -> Status {
      auto done = conn.QueryOne(kIsApplied, {int64_t{m.number}});
      if (!done) return std::move(done).error();
      if (*done) return Ok();
      Status applied = writer_->Script(m.sql);
      if (!applied) {
        Error error = std::move(applied).error();
        error.message = std::string("Migration ") + m.name + " failed: " + error.message;
        return error;
      }
      auto recorded = conn.Exec(kRecord, {int64_t{m.number}, std::string(m.name), NowUnixMs()});
      if (!recorded) return std::move(recorded).error();
      return Ok();
    }, Clock::now() + budget_));
  }
  return Ok();
}

Status SqliteDatabase::Transaction(SqliteConnection& conn, const char* begin,
                                   const std::function<Status(Connection&)>& fn,
                                   Clock::time_point deadline) {
  auto backoff = std::chrono::duration_cast<std::chrono::microseconds>(kFirstBackoff);
  for (;;) {
    // SQLite's own busy handler waits inside each statement; it gets whatever
    // is left of the budget, so one deadline bounds the whole call.
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) return Error::Unavailable("The database stayed busy, try again", 1);
    sqlite3_busy_timeout(conn.handle(), static_cast<int>(remaining.count()));
    conn.clear_busy();
    Status result = conn.Control(begin);
    if (result) {
      ClearNestedRefused(this);
      conn.set_in_transaction(true);
      try {
        result = fn(conn);
      } catch (...) {
        conn.RollbackIfOpen();
        nanos_.fetch_add(conn.TakeNanos(), std::memory_order_relaxed);
        throw;
      }
      if (result && NestedRefused(this)) result = NestedError();
      if (result && conn.transaction_lost()) {
        result = Error::Internal("An error ended the transaction and the callback went on; it is rolled back");
      }
      conn.set_in_transaction(false);
      // A busy error that `fn` swallowed still means the attempt is suspect.
      if (result && !conn.saw_busy()) {
        result = conn.Control("COMMIT");
        if (result) {
          nanos_.fetch_add(conn.TakeNanos(), std::memory_order_relaxed);
          return Ok();
        }
      }
      conn.RollbackIfOpen();
    }
    nanos_.fetch_add(conn.TakeNanos(), std::memory_order_relaxed);
    if (!conn.saw_busy()) return result;
    // Busy without or after SQLite's own wait (a lock another process kept,
    // recovery, a stale snapshot): retry the whole transaction until the
    // budget runs out.
    auto wait = Jitter(backoff);
    if (Clock::now() + wait >= deadline) {
      return Error::Unavailable("The database stayed busy, try again", 1);
    }
    std::this_thread::sleep_for(wait);
    backoff = std::min<std::chrono::microseconds>(backoff * 2, kMaxBackoff);
  }
}


Status SqliteDatabase::Read(const std::function<Status(Connection&)>& fn) {
  if (RefuseNested(this)) return NestedError();
  auto deadline = Clock::now() + budget_;
  SqliteConnection* conn = nullptr;
  {
    std::unique_lock lock(pool_mu_);
    if (!pool_cv_.wait_until(lock, deadline, [&] { return closing_ || !free_readers_.empty(); })) {
      return Error::Unavailable("No database connection became free, try again", 1);
    }
    if (closing_) return Error::Unavailable("The database is closed");
    conn = free_readers_.back();
    free_readers_.pop_back();
  }
  struct Return {
    SqliteDatabase* db;
    SqliteConnection* conn;
    ~Return() {
      std::lock_guard lock(db->pool_mu_);
      db->free_readers_.push_back(conn);
      // Close() waits on the same condition for every reader to come back.
      if (db->closing_) db->pool_cv_.notify_all(); else db->pool_cv_.notify_one();
    }
  } give_back{this, conn};
  ActiveGuard active(this);
  return Transaction(*conn, "BEGIN DEFERRED", fn, deadline);
}

Status SqliteDatabase::Write(const std::function<Status(Connection&)>& fn) {
  if (RefuseNested(this)) return NestedError();
  auto deadline = Clock::now() + budget_;
  {
    std::unique_lock lock(writer_mu_);
    if (!writer_cv_.wait_until(lock, deadline, [&] { return !writer_busy_; })) {
      return Error::Unavailable("The database is busy, try again", 1);
    }
    if (!writer_) return Error::Unavailable("The database is closed");
    writer_busy_ = true;
  }
  struct Release {
    SqliteDatabase* db;
    ~Release() {
      std::lock_guard lock(db->writer_mu_);
      db->writer_busy_ = false;
      db->writer_cv_.notify_one();
    }
  } release{this};
  ActiveGuard active(this);
  return Transaction(*writer_, "BEGIN IMMEDIATE", fn, deadline);
}

void SqliteDatabase::Close() {
  std::call_once(close_once_, [this] {
    {
      std::unique_lock lock(pool_mu_);
      closing_ = true;
      pool_cv_.notify_all();
      pool_cv_.wait(lock, [&] { return free_readers_.size() == readers_.size(); });
      free_readers_.clear();
    }
    readers_.clear();
    std::unique_lock lock(writer_mu_);
    writer_cv_.wait(lock, [&] { return !writer_busy_; });
    if (!writer_ || !opened_) {
      writer_.reset();
      return;
    }
    // Readers are gone, so the checkpoint can copy everything back and leave
    // an empty WAL: the file alone is then the whole database.
    (void)writer_->Script("PRAGMA optimize");
    (void)writer_->Script("PRAGMA wal_checkpoint(TRUNCATE)");
    nanos_.fetch_add(writer_->TakeNanos(), std::memory_order_relaxed);
    writer_.reset();
  });
}

}  // namespace

Result<std::shared_ptr<Database>> OpenSqlite(const SqliteOptions& options) {
  if (options.path.empty() || options.path == ":memory:" || options.path.rfind("file:", 0) == 0) {
    return Error::Invalid("path", "The SQLite database must be a file path");
  }
  if (options.readers < 1) return Error::Invalid("readers", "At least one reader is needed");
  if (!sqlite3_threadsafe()) return Error::Internal("SQLite was built without thread support");
  auto db = std::make_shared<SqliteDatabase>(options);
  VANTAGE_TRY(db->Init());
  return std::shared_ptr<Database>(std::move(db));
}

Status BackupSqlite(const std::string& source, const std::string& destination) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(source, ec)) return Error::NotFound("No database at " + source);
  if (fs::equivalent(source, destination, ec)) {
    return Error::Invalid("destination", "A backup cannot overwrite its source");
  }
  static std::atomic<int> counter{0};
  const std::string temp = destination + ".tmp-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter.fetch_add(1));
  auto cleanup = [&] {
    fs::remove(temp, ec);
    fs::remove(temp + "-journal", ec);
  };

  auto src = OpenConnection(source, /*create=*/false, kBackupBusyTimeoutMs);
  if (!src) return std::move(src).error();
  VANTAGE_TRY((*src)->Script("PRAGMA query_only = 1"));
  cleanup();
  Status copied = [&]() -> Status {
    auto dst = OpenConnection(temp, /*create=*/true, kBackupBusyTimeoutMs);
    if (!dst) return std::move(dst).error();
    // Nothing to journal: a crash leaves only a temp file that is never renamed.
    VANTAGE_TRY((*dst)->Script("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF"));

    // One read transaction for all steps: every step copies from the same
    // snapshot, so writes committed meanwhile (which WAL lets through) neither
    // restart the copy nor tear it.
    VANTAGE_TRY((*src)->Script("BEGIN DEFERRED; SELECT count(*) FROM sqlite_schema"));
    sqlite3_backup* backup = sqlite3_backup_init((*dst)->handle(), "main", (*src)->handle(), "main");
    if (!backup) return ErrorFrom((*dst)->handle(), sqlite3_errcode((*dst)->handle()), "backup");
    auto deadline = Clock::now() + kBackupBudget;
    int rc;
    while ((rc = sqlite3_backup_step(backup, kBackupPagesPerStep)) != SQLITE_DONE) {
      if (rc == SQLITE_OK) continue;
      if (!IsBusy(rc) || Clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    int finished = sqlite3_backup_finish(backup);
    (*src)->RollbackIfOpen();
    if (rc != SQLITE_DONE) return ErrorFrom(nullptr, rc, "backup");
    if (finished != SQLITE_OK) return ErrorFrom((*dst)->handle(), finished, "backup");
    return Ok();
  }();
  if (!copied) {
    cleanup();
    return copied;
  }
  // Stale WAL or journal files beside the destination would be replayed into
  // the new copy on its first open.
  for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(destination + suffix, ec);
  Status synced = SyncFile(temp, /*directory=*/false);
  if (synced) {
    fs::rename(temp, destination, ec);
    if (ec) synced = Error::Internal("Cannot rename the backup into " + destination + ": " + ec.message());
  }
  if (!synced) {
    cleanup();
    return synced;
  }
  fs::path dir = fs::path(destination).parent_path();
  return SyncFile(dir.empty() ? "." : dir.string(), /*directory=*/true);
}

Result<int> SqliteSchemaVersion(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  auto conn = OpenConnection(path, /*create=*/false, kBackupBusyTimeoutMs);
  if (!conn) return std::move(conn).error();
  VANTAGE_TRY((*conn)->Script("PRAGMA query_only = 1"));
  constexpr Statement kHasTable{
      "schema_version_has_table",
      "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"};
  constexpr Statement kVersion{"schema_version",
                               "SELECT COALESCE(MAX(number), 0) FROM schema_migrations"};
  auto has_table = (*conn)->QueryOne(kHasTable, {});
  if (!has_table) return std::move(has_table).error();
  if (!*has_table) return 0;
  auto version = (*conn)->QueryOne(kVersion, {});
  if (!version) return std::move(version).error();
  return static_cast<int>((*version)->Int(0));
}

}  // namespace vantage::store
