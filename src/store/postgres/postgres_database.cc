#include "store/postgres/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <set>
#include <unordered_map>
#include <utility>

#include "core/id.h"
#include "store/migrations.h"
#include "store/postgres/postgres_dialect.h"

namespace vantage::store {

namespace {

using Clock = std::chrono::steady_clock;

// Type OIDs of the columns read as integers (catalog/pg_type_d.h, which
// only the server headers carry; the values are fixed).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kNumericOid = 1700;

// Key of the advisory lock that serialises migrations between servers
// ("VANTAGE" and 1 in ASCII). Other advisory locks of the application must
// use other keys.
constexpr int64_t kMigrationLockKey = 0x56414E5441474501;

constexpr auto kFirstBackoff = std::chrono::milliseconds(1);
constexpr auto kMaxBackoff = std::chrono::milliseconds(100);
// Retries of a migration's transaction (a deadlock with a running server's
// DDL, say) may take longer than a request would.
constexpr auto kMigrationBudget = std::chrono::seconds(60);
// libpq connection defaults; the URL may override each of them.
constexpr const char* kConnectTimeoutSeconds = "5";
constexpr size_t kMaxIdentifierLength = 63;  // NAMEDATALEN - 1

// Identifies PQresultErrorField's SQLSTATE values by name.
constexpr std::string_view kUniqueViolation = "23505";
constexpr std::string_view kForeignKeyViolation = "23503";
constexpr std::string_view kSerializationFailure = "40001";
constexpr std::string_view kDeadlockDetected = "40P01";
constexpr std::string_view kQueryCanceled = "57014";
constexpr std::string_view kLockNotAvailable = "55P03";
constexpr std::string_view kFeatureNotSupported = "0A000";
constexpr std::string_view kCharacterNotInRepertoire = "22021";
constexpr std::string_view kUntranslatableCharacter = "22P05";

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string_view Field(const PGresult* r, int code) {
  const char* value = r ? PQresultErrorField(r, code) : nullptr;
  return value ? std::string_view(value) : std::string_view();
}

// libpq's messages span lines ("...failed: Connection refused\n\tIs the
// server running..."); one line reads better in a log.
std::string OneLine(const char* message) {
  std::string text;
  for (const char* p = message ? message : ""; *p != '\0'; ++p) {
    bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (!space) {
      text += *p;
    } else if (!text.empty() && text.back() != ' ') {
      text += ' ';
    }
  }
  if (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// The server closed the session or it is gone: the connection is useless.
bool IsConnectionFailure(std::string_view state) {
  return state.substr(0, 2) == "08" || state == "57P01" /* admin_shutdown */ ||
         state == "57P02" /* crash_shutdown */ || state == "57P03" /* cannot_connect_now */;
}

std::chrono::microseconds Jitter(std::chrono::microseconds backoff) {
  // Transactions that collided should not retry in lock step.
  thread_local std::minstd_rand rng(
      static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  std::uniform_int_distribution<int64_t> spread(backoff.count() / 2, backoff.count());
  return std::chrono::microseconds(spread(rng));
}

// Decodes one result column per sql.h: integers as int64, NULL as monostate,
// everything else as its text form.
Value DecodeValue(const PGresult* r, int row, int column, Oid type) {
  if (PQgetisnull(r, row, column)) return std::monostate{};
  const char* data = PQgetvalue(r, row, column);
  size_t size = static_cast<size_t>(PQgetlength(r, row, column));
  switch (type) {
    case kBoolOid:
      return int64_t{data[0] == 't' ? 1 : 0};
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kNumericOid: {
      // A numeric such as SUM(bigint) is a whole number most of the time;
      // anything else (a fraction, NaN, too large) stays text.
      int64_t n = 0;
      auto [end, ec] = std::from_chars(data, data + size, n);
      if (ec == std::errc() && end == data + size) return n;
      break;
    }
    default:
      break;
  }
  return std::string(data, size);
}

void IgnoreNotice(void*, const char*) {}

// Which reads run more than one statement, learned as they run, by the name
// of their first statement. A read that runs only one needs no explicit
// transaction: a single statement already sees one snapshot, and skipping
// BEGIN and COMMIT halves the server's work for the most common request.
class ReadShapes {
 public:
  bool IsMulti(std::string_view first) const {
    std::lock_guard lock(mu_);
    return multi_.find(first) != multi_.end();
  }
  void MarkMulti(std::string_view first) {
    std::lock_guard lock(mu_);
    multi_.emplace(first);
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string, std::less<>> multi_;  // guarded by mu_
};

// One libpq connection and the statements prepared on it. Used by one thread
// at a time (the pool sees to that), as libpq requires.
class PgConnection final : public Connection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Result<std::vector<Row>> Query(const Statement& st, std::initializer_list<Value> args) override {
    std::vector<Row> rows;
    auto run = Run(st, args.begin(), args.size(), &rows);
    if (!run) return std::move(run).error();
    return rows;
  }
  Result<std::vector<Row>> Query(const Statement& st, const std::vector<Value>& args) override {
    std::vector<Row> rows;
    auto run = Run(st, args.data(), args.size(), &rows);
    if (!run) return std::move(run).error();
    return rows;
  }
  Result<int64_t> Exec(const Statement& st, std::initializer_list<Value> args) override {
    return Run(st, args.begin(), args.size(), nullptr);
  }
  Result<int64_t> Exec(const Statement& st, const std::vector<Value>& args) override {
    return Run(st, args.data(), args.size(), nullptr);
  }

  // A transaction's BEGIN is not sent on its own: it goes out together with
  // the transaction's first statement, in one round trip (libpq's pipeline
  // mode), and a transaction that runs no statement sends neither BEGIN nor
  // COMMIT. On a loaded machine each round trip is a context switch to the
  // server process and back, the largest cost of a small request.
  void DeferBegin(const char* begin) { pending_begin_ = begin; }

  // For a read: its first statement may run on its own, outside a
  // transaction, unless `shapes` knows this read to run more. A second
  // statement then ends the attempt (escalated()) and the read runs again
  // inside a transaction, and `shapes` remembers.
  void AllowSingleStatementRead(ReadShapes* shapes) { shapes_ = shapes; }
  bool escalated() const { return escalated_; }

  // Ends a read-only transaction without waiting for the answer: its rows
  // are already in hand and a read-only COMMIT has nothing to lose. The
  // answer is collected by FinishPendingCommit before the connection's next
  // use; a connection lost meanwhile is noticed then.
  Status CommitReadInBackground() {
    if (std::exchange(pending_begin_, nullptr) != nullptr) return Ok();
    if (lost_) return LostError();
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return Ok();  // ran outside a transaction
    if (PQsendQuery(conn_, "COMMIT") != 1) {
      lost_ = true;
      return LostError();
    }
    commit_pending_ = true;
    return Ok();
  }

  void FinishPendingCommit() {
    if (!std::exchange(commit_pending_, false)) return;
    bool ok = true;
    while (PGresult* r = PQgetResult(conn_)) {
      ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
    }
    if (!ok || PQtransactionStatus(conn_) != PQTRANS_IDLE) lost_ = true;
  }

  // Runs unprepared SQL text, possibly several statements: transaction
  // control, settings and migrations.
  Status Command(const char* sql) {
    if (lost_) return LostError();
    if (pending_begin_ != nullptr) {
      // Nothing ran yet, so there is no transaction to end.
      if (std::strcmp(sql, "COMMIT") == 0 || std::strcmp(sql, "ROLLBACK") == 0) {
        pending_begin_ = nullptr;
        return Ok();
      }
      VANTAGE_TRY(Command(std::exchange(pending_begin_, nullptr)));
    }
    auto start = Clock::now();
    PgResult r(PQexec(conn_, sql));
    nanos_ += (Clock::now() - start).count();
    ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
      // The text may be a whole migration: its start names it well enough.
      std::string_view context(sql);
      if (context.size() > 60) context = context.substr(0, 60);
      return Failed(r.get(), context);
    }
    // COMMIT of a transaction that had failed answers ROLLBACK, not an error.
    if (std::strcmp(sql, "COMMIT") == 0 && std::strcmp(PQcmdStatus(r.get()), "ROLLBACK") == 0) {
      return first_error_ ? *first_error_ : Error::Internal("The transaction was rolled back");
    }
    return Ok();
  }

  // Called before each attempt at a transaction.
  void StartAttempt() {
    retry_ = false;
    escalated_ = false;
    shapes_ = nullptr;
    autocommit_first_ = nullptr;
    first_error_.reset();
  }

  void RollbackIfOpen() {
    pending_begin_ = nullptr;
    if (lost_) return;
    PGTransactionStatusType status = PQtransactionStatus(conn_);
    if (status == PQTRANS_IDLE) return;
    if (status == PQTRANS_UNKNOWN) {
      lost_ = true;
      return;
    }
    (void)Command("ROLLBACK");
  }

  // After a plan went stale under a schema change, forgets every prepared
  // statement so that each is prepared again on next use.
  void ForgetPrepared() {
    if (lost_) return;
    if (prepared_.empty() || Command("DEALLOCATE ALL")) {
      prepared_.clear();
      stale_plans_ = false;
    }
  }

  // A statement failed since StartAttempt, so PostgreSQL aborted the transaction.
  bool failed() const { return first_error_.has_value(); }
  const Error& first_error() const { return *first_error_; }
  bool retry() const { return retry_; }
  bool stale_plans() const { return stale_plans_; }
  bool lost() const { return lost_ || PQstatus(conn_) != CONNECTION_OK; }
  int64_t TakeNanos() { return std::exchange(nanos_, 0); }

 private:
  struct Prepared {
    std::string server_name;
    const char* sql;       // the caller's pointer, for a cheap same-statement check
    std::string original;  // the caller's text, for the slow check
    int parameters;
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  static Error LostError() {
    return Error::Unavailable("The connection to the database was lost, try again", 1);
  }

  // Turns a failed call into the Connection error contract (sql.h) and notes
  // what the transaction loop has to do about it.
  Error Failed(const PGresult* r, std::string_view context) {
    std::string_view state = Field(r, PG_DIAG_SQLSTATE);
    std::string message = OneLine(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    if (message.empty()) message = OneLine(PQerrorMessage(conn_));
    Error error;
    if (r == nullptr || PQstatus(conn_) != CONNECTION_OK || IsConnectionFailure(state)) {
      // No result at all means libpq could not even send (or ran out of memory).
      lost_ = true;
      error = LostError();
      if (!message.empty()) error.message += " (" + message + ")";
    } else if (state == kUniqueViolation) {
      std::string field = postgres::UniqueViolationField(
          Field(r, PG_DIAG_TABLE_NAME), Field(r, PG_DIAG_CONSTRAINT_NAME),
          Field(r, PG_DIAG_MESSAGE_DETAIL));
      std::string what = field.empty() ? std::string("A value") : field;
      error = Error::Conflict("unique_violation", what + " is already in use", std::move(field));
    } else if (state == kForeignKeyViolation) {
      // The row referred to was deleted by a transaction that committed
      // while this one waited for it (a like on a post being deleted).
      error = Error::NotFound("What this refers to no longer exists", "reference_gone");
    } else if (state == kSerializationFailure || state == kDeadlockDetected) {
      retry_ = true;
      error = Error::Unavailable("The database is busy, try again", 1);
    } else if (state == kQueryCanceled || state == kLockNotAvailable ||
               state.substr(0, 2) == "53" /* insufficient resources */) {
      error = Error::Unavailable("The database took too long, try again", 1);
    } else if (state == kCharacterNotInRepertoire || state == kUntranslatableCharacter) {
      error = Error::Invalid("", "Text must be valid UTF-8", "invalid_text");
    } else if (state == kFeatureNotSupported &&
               message.find("cached plan must not change result type") != std::string::npos) {
      // Another server changed a table under a prepared statement.
      retry_ = true;
      stale_plans_ = true;
      error = Error::Unavailable("The database schema changed, try again", 1);
    } else {
      error = Error::Internal(std::string(context) + ": " + message);
    }
    if (!first_error_ && PQtransactionStatus(conn_) == PQTRANS_INERROR) first_error_ = error;
    return error;
  }

  Result<const Prepared*> Prepare(const Statement& st) {
    auto it = prepared_.find(std::string_view(st.name));
    if (it != prepared_.end()) {
      if (it->second.sql != st.sql && it->second.original != st.sql) {
        return Error::Internal(std::string("two different statements are named ") + st.name);
      }
      return &it->second;
    }
    postgres::RewrittenSql rewritten = postgres::RewritePlaceholders(st.sql);
    Prepared prepared{st.name, st.sql, st.sql, rewritten.parameters};
    if (prepared.server_name.size() > kMaxIdentifierLength) {
      // PostgreSQL would cut the name short, and two long names could meet.
      prepared.server_name = "vantage_statement_" + std::to_string(prepared_.size());
    }
    PgResult r(PQprepare(conn_, prepared.server_name.c_str(), rewritten.sql.c_str(),
                         rewritten.parameters, nullptr));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      return Failed(r.get(), std::string("preparing ") + st.name);
    }
    auto [inserted, _] = prepared_.emplace(st.name, std::move(prepared));
    return &inserted->second;
  }

  Result<int64_t> Run(const Statement& st, const Value* args, size_t count,
                      std::vector<Row>* rows) {
    if (lost_) return LostError();
    auto start = Clock::now();
    auto result = RunTimed(st, args, count, rows);
    nanos_ += (Clock::now() - start).count();
    return result;
  }

  Result<int64_t> RunTimed(const Statement& st, const Value* args, size_t count,
                           std::vector<Row>* rows) {
    auto prepared = Prepare(st);
    if (!prepared) return std::move(prepared).error();
    if ((*prepared)->parameters != static_cast<int>(count)) {
      return Error::Internal(std::string("statement ") + st.name + " takes " +
                             std::to_string((*prepared)->parameters) + " arguments, given " +
                             std::to_string(count));
    }
    // Every parameter goes as text, which the server converts to the type it
    // inferred for the placeholder: integers in decimal, NULL as a null pointer.
    std::vector<const char*> values(count, nullptr);
    std::vector<std::array<char, 24>> numbers(count);
    for (size_t i = 0; i < count; ++i) {
      if (const auto* n = std::get_if<int64_t>(&args[i])) {
        auto [end, ec] = std::to_chars(numbers[i].data(), numbers[i].data() + 23, *n);
        *end = '\0';
        values[i] = numbers[i].data();
      } else if (const auto* s = std::get_if<std::string>(&args[i])) {
        // Text parameters end at the first NUL; refuse rather than truncate.
        if (s->find('\0') != std::string::npos) {
          return Error::Invalid("", "Text must not contain NUL characters", "invalid_text");
        }
        values[i] = s->c_str();
      }
    }
    if (autocommit_first_ != nullptr) {
      shapes_->MarkMulti(autocommit_first_);
      escalated_ = retry_ = true;
      return Error::Unavailable("The read needs a transaction, try again", 1);
    }
    bool alone = pending_begin_ != nullptr && shapes_ != nullptr && !shapes_->IsMulti(st.name);
    if (alone) {
      pending_begin_ = nullptr;
      autocommit_first_ = st.name;
    }
    PgResult r = pending_begin_ != nullptr
                     ? ExecAfterBegin((*prepared)->server_name.c_str(), static_cast<int>(count), values.data())
                     : PgResult(PQexecPrepared(conn_, (*prepared)->server_name.c_str(),
                                               static_cast<int>(count), values.data(), nullptr,
                                               nullptr, 0));
    ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK) return ChangedRows(r.get());
    if (status != PGRES_TUPLES_OK) return Failed(r.get(), st.name);
    if (rows != nullptr) {
      int columns = PQnfields(r.get());
      int count_rows = PQntuples(r.get());
      std::vector<Oid> types(columns);
      for (int c = 0; c < columns; ++c) types[c] = PQftype(r.get(), c);
      rows->reserve(count_rows);
      for (int row = 0; row < count_rows; ++row) {
        std::vector<Value> row_values;
        row_values.reserve(columns);
        for (int c = 0; c < columns; ++c) row_values.push_back(DecodeValue(r.get(), row, c, types[c]));
        rows->emplace_back(std::move(row_values));
      }
    }
    // As on SQLite, a plain SELECT changed nothing; INSERT ... RETURNING did.
    if (std::strncmp(PQcmdStatus(r.get()), "SELECT", 6) == 0) return int64_t{0};
    return ChangedRows(r.get());
  }

  // Sends the deferred BEGIN and a prepared statement in one pipeline and
  // returns the statement's result, or BEGIN's when BEGIN failed.
  PgResult ExecAfterBegin(const char* name, int count, const char* const* values) {
    const char* begin = std::exchange(pending_begin_, nullptr);
    if (PQenterPipelineMode(conn_) != 1) {
      PgResult begun(PQexec(conn_, begin));
      if (!begun || PQresultStatus(begun.get()) != PGRES_COMMAND_OK) return begun;
      return PgResult(PQexecPrepared(conn_, name, count, values, nullptr, nullptr, 0));
    }
    PgResult begun, result;
    bool sent = PQsendQueryParams(conn_, begin, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
                PQsendQueryPrepared(conn_, name, count, values, nullptr, nullptr, 0) == 1 &&
                PQpipelineSync(conn_) == 1;
    if (sent) {
      // Each query's results end with a null; the sync point comes last.
      auto take = [this](PgResult& into) {
        into.reset(PQgetResult(conn_));
        if (!into) return;
        while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
      };
      take(begun);
      take(result);
      PgResult sync(PQgetResult(conn_));
    }
    if (PQexitPipelineMode(conn_) != 1) lost_ = true;  // results left over: start afresh
    if (!begun || PQresultStatus(begun.get()) != PGRES_COMMAND_OK) return begun;
    return result;
  }

  static int64_t ChangedRows(PGresult* r) {
    const char* tuples = PQcmdTuples(r);
    int64_t n = 0;
    std::from_chars(tuples, tuples + std::strlen(tuples), n);
    return n;
  }

  PGconn* conn_;
  std::unordered_map<std::string, Prepared, NameHash, std::equal_to<>> prepared_;
  std::optional<Error> first_error_;  // the error that aborted this attempt's transaction
  bool retry_ = false;                // this attempt hit a transient failure
  bool stale_plans_ = false;          // prepared statements must be made again
  bool lost_ = false;                 // the connection is unusable
  const char* pending_begin_ = nullptr;  // BEGIN to send with the next statement
  bool commit_pending_ = false;          // a read's COMMIT whose answer is unread
  ReadShapes* shapes_ = nullptr;         // set when this read may start outside a transaction
  const char* autocommit_first_ = nullptr;  // the statement that did
  bool escalated_ = false;               // this attempt must run again in a transaction
  int64_t nanos_ = 0;                 // time inside libpq not yet added to the total
};

// Checks the options that libpq does not.
Status Validate(const PostgresOptions& options) {
  if (options.url.empty()) return Error::Invalid("url", "The PostgreSQL URL must not be empty");
  char* message = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.url.c_str(), &message);
  if (parsed == nullptr) {
    std::string reason = OneLine(message ? message : "out of memory");
    PQfreemem(message);
    return Error::Invalid("url", "The PostgreSQL URL is not valid: " + reason);
  }
  PQconninfoFree(parsed);
  if (options.pool_size < 1) return Error::Invalid("pool_size", "At least one connection is needed");
  if (options.acquire_timeout_ms < 1) {
    return Error::Invalid("acquire_timeout_ms", "The acquire timeout must be positive");
  }
  if (options.statement_timeout_ms < 0) {
    return Error::Invalid("statement_timeout_ms", "The statement timeout must not be negative");
  }
  static constexpr std::array<std::string_view, 6> kSynchronousCommit = {
      "", "on", "off", "local", "remote_write", "remote_apply"};
  if (std::find(kSynchronousCommit.begin(), kSynchronousCommit.end(),
                options.synchronous_commit) == kSynchronousCommit.end()) {
    return Error::Invalid("synchronous_commit",
                          "synchronous_commit must be on, off, local, remote_write or remote_apply");
  }
  return Ok();
}

// Opens one connection and applies the per-connection settings.
Result<std::unique_ptr<PgConnection>> Connect(const PostgresOptions& options) {
  // Earlier keywords are defaults the URL (expanded in place of "dbname") may
  // override; the ones after it are fixed.
  const char* keywords[] = {"connect_timeout", "keepalives_idle", "keepalives_interval",
                            "keepalives_count", "application_name", "dbname",
                            "client_encoding", nullptr};
  const char* values[] = {kConnectTimeoutSeconds, "30", "10", "3", "vantage",
                          options.url.c_str(), "UTF8", nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return Error::Unavailable("Cannot connect to PostgreSQL: out of memory", 1);
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string reason = OneLine(PQerrorMessage(raw));
    PQfinish(raw);
    return Error::Unavailable("Cannot connect to PostgreSQL: " + reason, 1);
  }
  // Notices ("already exists, skipping") would go to stderr.
  PQsetNoticeProcessor(raw, IgnoreNotice, nullptr);
  auto conn = std::make_unique<PgConnection>(raw);
  // Read-only unless a transaction says READ WRITE, as every Write does: a
  // read whose single statement runs outside a transaction stays read-only.
  std::string settings = "SET default_transaction_read_only = on; SET statement_timeout = " +
                         std::to_string(options.statement_timeout_ms);
  if (!options.synchronous_commit.empty()) {
    settings += "; SET synchronous_commit = " + options.synchronous_commit;
  }
  VANTAGE_TRY(conn->Command(settings.c_str()));
  return conn;
}

// The transaction a thread is inside, if any. A second transaction on the
// same database from inside the callback could wait forever for a connection
// the first one holds, so it is refused; and since such a call is a bug the
// callback may not expect, the outer transaction is refused too, even if the
// callback drops the refusal: it rolls back and fails with the same error
// rather than commit a change that ran without what it meant to read.
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

constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
constexpr const char* kBeginWrite = "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE";

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(const PostgresOptions& options)
      : options_(options),
        budget_(std::chrono::milliseconds(options.acquire_timeout_ms)),
        slots_(options.pool_size) {
    // Last in, first out: the busiest connections stay warm, and the first
    // one (opened for the migrations) is handed out first.
    for (auto it = slots_.rbegin(); it != slots_.rend(); ++it) free_.push_back(&*it);
  }
  ~PostgresDatabase() override { Close(); }

  Status Init();

  Engine engine() const override { return Engine::kPostgres; }
  Status Read(const std::function<Status(Connection&)>& fn) override {
    return Run(kBeginRead, fn);
  }
  Status Write(const std::function<Status(Connection&)>& fn) override {
    return Run(kBeginWrite, fn);
  }
  double SecondsInDatabase() const override { return nanos_.load(std::memory_order_relaxed) / 1e9; }
  void Close() override;

 private:
  struct Slot {
    std::unique_ptr<PgConnection> conn;  // null until first used, and after a failure
  };

  Status Run(const char* begin, const std::function<Status(Connection&)>& fn);
  Status Transaction(Slot& slot, const char* begin, const std::function<Status(Connection&)>& fn,
                     Clock::time_point deadline);
  Status Migrate(Slot& slot);
  void AddNanos(PgConnection& conn) {
    nanos_.fetch_add(conn.TakeNanos(), std::memory_order_relaxed);
  }

  const PostgresOptions options_;
  const Clock::duration budget_;
  std::atomic<int64_t> nanos_{0};
  std::once_flag close_once_;
  ReadShapes read_shapes_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Slot> slots_;   // fixed size; a slot is used by whoever took it from free_
  std::vector<Slot*> free_;   // guarded by mu_
  bool closing_ = false;      // guarded by mu_
};

Status PostgresDatabase::Init() {
  Slot& first = slots_.front();
  auto conn = Connect(options_);
  if (!conn) return std::move(conn).error();
  first.conn = std::move(*conn);
  return Migrate(first);
}

Status PostgresDatabase::Migrate(Slot& slot) {
  const auto& migrations = postgresMigrations();
  int last_known = 0;
  for (const Migration& m : migrations) {
    if (m.number <= last_known) {
      return Error::Internal(std::string("Migration numbers must be unique and ascending: ") + m.name);
    }
    last_known = m.number;
  }

  // Every migration transaction first waits for the others' (a server
  // starting beside this one), without the statement timeout: a migration
  // may rightly take minutes, and so may the wait for it.
  static const std::string kLock = "SET LOCAL statement_timeout = 0; SELECT pg_advisory_xact_lock(" +
                                   std::to_string(kMigrationLockKey) + ")";
  constexpr const char* kCreateTable =
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
  constexpr Statement kApplied{"migrations_applied",
                               "SELECT number, name FROM schema_migrations ORDER BY number"};
  constexpr Statement kIsApplied{"migrations_is_applied",
                                 "SELECT 1 FROM schema_migrations WHERE number = ?"};
  constexpr Statement kRecord{"migrations_record",
                              "INSERT INTO schema_migrations (number, name, applied_at) "
                              "VALUES (?, ?, ?)"};

  std::vector<int64_t> applied_numbers;
  VANTAGE_TRY(Transaction(slot, kBeginWrite, [&](Connection& conn) -> Status {
    auto& pg = static_cast<PgConnection&>(conn);
    applied_numbers.clear();
    VANTAGE_TRY(pg.Command(kLock.c_str()));
    VANTAGE_TRY(pg.Command(kCreateTable));
    auto applied = conn.Query(kApplied, {});
    if (!applied) return std::move(applied).error();
    for (const Row& row : *applied) {
      int64_t number = row.Int(0);
      applied_numbers.push_back(number);
      if (number > last_known) {
        return Error::Conflict(
            "schema_too_new",
            "The database is at schema version " + std::to_string(number) +
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
  }, Clock::now() + kMigrationBudget));

  for (const Migration& m : migrations) {
    if (std::find(applied_numbers.begin(), applied_numbers.end(), m.number) !=
        applied_numbers.end()) {
      continue;
    }
    // Re-checked under the lock: another server may have applied it meanwhile.
    VANTAGE_TRY(Transaction(slot, kBeginWrite, [&](Connection& conn) -> Status {
      auto& pg = static_cast<PgConnection&>(conn);
      VANTAGE_TRY(pg.Command(kLock.c_str()));
      auto done = conn.QueryOne(kIsApplied, {int64_t{m.number}});
      if (!done) return std::move(done).error();
      if (*done) return Ok();
      Status applied = pg.Command(m.sql);
      if (!applied) {
        Error error = std::move(applied).error();
        error.message = std::string("Migration ") + m.name + " failed: " + error.message;
        return error;
      }
      auto recorded = conn.Exec(kRecord, {int64_t{m.number}, std::string(m.name), NowUnixMs()});
      if (!recorded) return std::move(recorded).error();
      return Ok();
    }, Clock::now() + kMigrationBudget));
  }
  return Ok();
}

Status PostgresDatabase::Transaction(Slot& slot, const char* begin,
                                     const std::function<Status(Connection&)>& fn,
                                     Clock::time_point deadline) {
  auto backoff = std::chrono::duration_cast<std::chrono::microseconds>(kFirstBackoff);
  bool reconnected = false;
  const bool read_only = begin == kBeginRead;
  bool single_statement_allowed = read_only;
  for (;;) {
    if (slot.conn) slot.conn->FinishPendingCommit();
    if (!slot.conn || slot.conn->lost()) {
      slot.conn.reset();
      auto conn = Connect(options_);
      if (!conn) return std::move(conn).error();
      slot.conn = std::move(*conn);
    }
    PgConnection& conn = *slot.conn;
    conn.StartAttempt();
    bool commit_sent = false;
    conn.DeferBegin(begin);
    if (single_statement_allowed) conn.AllowSingleStatementRead(&read_shapes_);
    Status result = Ok();
    ClearNestedRefused(this);
    try {
      result = fn(conn);
    } catch (...) {
      conn.RollbackIfOpen();
      AddNanos(conn);
      throw;
    }
    if (result && NestedRefused(this)) result = NestedError();
    if (result && !conn.retry() && !conn.lost()) {
      if (conn.failed()) {
        // The callback went on after an error; PostgreSQL did not.
        result = conn.first_error();
      } else {
        commit_sent = true;
        result = read_only ? conn.CommitReadInBackground() : conn.Command("COMMIT");
        if (result) {
          AddNanos(conn);
          return Ok();
        }
      }
    }
    conn.RollbackIfOpen();
    AddNanos(conn);

    if (conn.lost()) {
      slot.conn.reset();
      if (commit_sent) {
        return Error::Unavailable(
            "The connection to the database was lost while committing, try again", 1);
      }
      // Nothing was committed, so running the transaction again on a new
      // connection is safe, and saves the caller a 503 after a server
      // restart or a dropped idle connection. Once: if the new connection is
      // lost as well, the server is in trouble.
      if (reconnected) {
        return Error::Unavailable("The connection to the database was lost, try again", 1);
      }
      reconnected = true;
      continue;
    }
    if (!conn.retry()) return result;
    if (conn.escalated()) {
      single_statement_allowed = false;
      continue;
    }
    if (conn.stale_plans()) conn.ForgetPrepared();
    auto wait = Jitter(backoff);
    if (Clock::now() + wait >= deadline) {
      return Error::Unavailable("The database stayed busy, try again", 1);
    }
    std::this_thread::sleep_for(wait);
    backoff = std::min<std::chrono::microseconds>(backoff * 2, kMaxBackoff);
  }
}

Status PostgresDatabase::Run(const char* begin, const std::function<Status(Connection&)>& fn) {
  if (RefuseNested(this)) return NestedError();
  auto deadline = Clock::now() + budget_;
  Slot* slot = nullptr;
  {
    std::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return closing_ || !free_.empty(); })) {
      return Error::Unavailable("No database connection became free, try again", 1);
    }
    if (closing_) return Error::Unavailable("The database is closed");
    slot = free_.back();
    free_.pop_back();
  }
  struct GiveBack {
    PostgresDatabase* db;
    Slot* slot;
    ~GiveBack() {
      std::lock_guard lock(db->mu_);
      db->free_.push_back(slot);
      // Close() waits on the same condition for every slot to come back.
      if (db->closing_) db->cv_.notify_all(); else db->cv_.notify_one();
    }
  } give_back{this, slot};
  ActiveGuard active(this);
  return Transaction(*slot, begin, fn, deadline);
}

void PostgresDatabase::Close() {
  std::call_once(close_once_, [this] {
    std::unique_lock lock(mu_);
    closing_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return free_.size() == slots_.size(); });
    for (Slot& slot : slots_) {
      if (slot.conn) AddNanos(*slot.conn);
      slot.conn.reset();
    }
  });
}

}  // namespace

Result<std::shared_ptr<Database>> OpenPostgres(const PostgresOptions& options) {
  VANTAGE_TRY(Validate(options));
  if (!PQisthreadsafe()) return Error::Internal("libpq was built without thread support");
  auto db = std::make_shared<PostgresDatabase>(options);
  VANTAGE_TRY(db->Init());
  return std::shared_ptr<Database>(std::move(db));
}

Result<int> PostgresSchemaVersion(const std::string& url) {
  PostgresOptions options;
  options.url = url;
  VANTAGE_TRY(Validate(options));
  auto conn = Connect(options);
  if (!conn) return std::move(conn).error();
  constexpr Statement kHasTable{"schema_version_has_table",
                                "SELECT to_regclass('schema_migrations') IS NOT NULL"};
  constexpr Statement kVersion{"schema_version",
                               "SELECT COALESCE(MAX(number), 0) FROM schema_migrations"};
  auto has_table = (*conn)->QueryOne(kHasTable, {});
  if (!has_table) return std::move(has_table).error();
  if (!*has_table || !(*has_table)->Bool(0)) return 0;
  auto version = (*conn)->QueryOne(kVersion, {});
  if (!version) return std::move(version).error();
  return static_cast<int>((*version)->Int(0));
}

}  // namespace vantage::store
