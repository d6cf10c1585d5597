// The backend-neutral SQL layer every store is written against.
//
// Statements are named constants with `?` placeholders; a backend turns them
// into its own form (SQLite keeps `?`, PostgreSQL numbers them `$1..$n`) and
// may prepare them once by name. Values are NULL, 64-bit integers or text;
// booleans are integers 0/1 and times are integer milliseconds since the Unix
// epoch, which both engines store the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"

namespace vantage::store {

struct Statement {
  const char* name;  // unique, stable: used for prepared statement names and metrics
  const char* sql;   // `?` placeholders
};

using Value = std::variant<std::monostate, int64_t, std::string>;

inline Value Null() { return std::monostate{}; }
inline Value Opt(const std::optional<int64_t>& v) { return v ? Value(*v) : Null(); }
inline Value Opt(const std::optional<std::string>& v) { return v ? Value(*v) : Null(); }

// One result row. Reading a column as the wrong type is a bug in the
// statement's column list: Int/Text throw std::logic_error, and an index past
// the end throws std::out_of_range.
class Row {
 public:
  explicit Row(std::vector<Value> columns) : columns_(std::move(columns)) {}
  size_t size() const { return columns_.size(); }
  bool IsNull(size_t i) const;
  int64_t Int(size_t i) const;           // 0 when NULL
  bool Bool(size_t i) const { return Int(i) != 0; }
  const std::string& Text(size_t i) const;  // "" when NULL
  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;
  const Value& at(size_t i) const { return columns_.at(i); }

 private:
  std::vector<Value> columns_;
};

// One database connection inside a transaction. Not thread-safe; only valid
// inside the callback given to Database::Read or Database::Write.
//
// Errors: a unique-constraint violation comes back as ErrorKind::kConflict with
// code "unique_violation" and the constraint's column list in `field`
// (e.g. "accounts.username"); a foreign key to a row that is gone as
// kNotFound with code "reference_gone"; a lost connection or a timeout as
// kUnavailable; anything else as kInternal.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Result<std::vector<Row>> Query(const Statement& st, std::initializer_list<Value> args) = 0;
  virtual Result<std::vector<Row>> Query(const Statement& st, const std::vector<Value>& args) = 0;
  // Runs a statement that returns no rows; the number of rows it changed.
  virtual Result<int64_t> Exec(const Statement& st, std::initializer_list<Value> args) = 0;
  virtual Result<int64_t> Exec(const Statement& st, const std::vector<Value>& args) = 0;

  // Convenience: the first row, or nullopt when there is none.
  Result<std::optional<Row>> QueryOne(const Statement& st, std::initializer_list<Value> args);
};

enum class Engine { kSqlite, kPostgres };

// A database: a pool of connections and transactions on them. Thread-safe.
//
// Read runs `fn` in a read-only transaction that sees one consistent snapshot.
// Write runs `fn` in a read-write transaction that is serialised against other
// writers on SQLite and runs at READ COMMITTED on PostgreSQL (use conditional
// UPDATEs and unique constraints for invariants, as the stores do). If `fn`
// returns an error the transaction is rolled back and the error returned.
// Transient failures (busy, serialization) are retried inside, never surfaced:
// `fn` may therefore run more than once and must keep its effects inside the
// connection (or reset them at its start). When the database stays busy past
// the backend's wait budget the call fails with kUnavailable. Starting a
// transaction from inside another's callback on the same database is a bug
// and fails with kInternal instead of deadlocking; the outer transaction then
// rolls back and fails with it too, even if its callback ignored the refusal.
// A failed transaction (an error, an exception, an error the engine ended the
// transaction on) leaves nothing behind and its connection as new.
class Database {
 public:
  virtual ~Database() = default;
  virtual Engine engine() const = 0;
  virtual Status Read(const std::function<Status(Connection&)>& fn) = 0;
  virtual Status Write(const std::function<Status(Connection&)>& fn) = 0;

  // Total time spent inside database calls, for metrics.
  virtual double SecondsInDatabase() const = 0;
  // Waits for transactions in flight, then releases the connections. Later
  // Read and Write calls fail with kUnavailable. Idempotent.
  virtual void Close() = 0;
};

}  // namespace vantage::store
