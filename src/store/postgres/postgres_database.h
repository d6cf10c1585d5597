// The PostgreSQL 15 backend, over libpq: for several app servers sharing one
// database.
#pragma once

#include <memory>
#include <string>

#include "store/sql.h"

namespace vantage::store {

struct PostgresOptions {
  // Where the database is, in any form libpq accepts: a URL
  // ("postgres://vantage@db.internal:5432/vantage?sslmode=require") or a
  // conninfo string ("host=/run/postgresql dbname=vantage"). Unset parts come
  // from libpq's PG* environment variables and defaults. The role needs to
  // own the database, or at least to create in its `public` schema, to apply
  // migrations. The password belongs in ~/.pgpass or PGPASSWORD rather than
  // here, since the URL may be logged.
  std::string url;
  // Connections kept open at most; one per transaction in flight. Opened
  // when first needed and reopened after a failure, never more than this.
  int pool_size = 8;
  // How long one Read or Write may wait in all, for a free connection and
  // across retries of transient failures. Past it the call fails with
  // kUnavailable and retry_after.
  int acquire_timeout_ms = 5000;
  // PostgreSQL's statement_timeout on every connection: a statement running
  // longer is cancelled and its call fails with kUnavailable. 0 turns it off.
  int statement_timeout_ms = 5000;
  // synchronous_commit for this server's transactions ("on", "off", "local",
  // "remote_write", "remote_apply"); empty keeps the server's setting. "off"
  // may lose the last few hundred milliseconds of commits in a crash of the
  // database server, but never corrupts it.
  std::string synchronous_commit;
};

// Connects, and applies pending migrations (src/store/migrations/postgres/),
// one transaction each, recorded in the table schema_migrations (number,
// name, applied_at). Servers starting together against one database take
// turns through a transaction-scoped advisory lock, so each migration runs
// once.
//
// Fails with kUnavailable when the server cannot be reached (the message
// holds libpq's reason), kConflict "schema_too_new" when the database was
// migrated by a newer build, "schema_mismatch" when its migration history
// differs from this build's, kInvalid (field set) for a bad option, and
// kInternal when a migration fails.
//
// Transactions (sql.h): Read is `BEGIN ISOLATION LEVEL REPEATABLE READ READ
// ONLY`, one snapshot for the whole callback; Write is READ COMMITTED. Round
// trips are the main cost, so: BEGIN travels with the first statement (libpq
// pipeline mode); a read's COMMIT is not waited for; and a read whose first
// statement is known to be its only one runs that statement alone, without
// BEGIN and COMMIT (one statement is one snapshot; connections default to
// read-only, so it cannot write). Which reads run more than one statement is
// learned by the name of their first statement: the first time, the second
// statement ends the attempt and the callback runs again in a transaction.
// Statements are prepared once per connection under their Statement::name and
// then executed by name. Serialization failures and deadlocks are retried
// within acquire_timeout_ms.
//
// Errors beyond sql.h's contract:
// - A lost connection (server restart, failover, a terminated backend) is
//   reopened once, and the transaction run again, when it was lost before
//   COMMIT was sent; otherwise, or when the server is unreachable, the call
//   fails with kUnavailable, retry_after 1, and the next call tries a new
//   connection. Service resumes by itself when the server is back. A
//   connection lost during COMMIT is kUnavailable too, though the commit may
//   have happened.
// - A statement that fails aborts the whole transaction on PostgreSQL, unlike
//   SQLite: later statements in the same callback fail, and a callback that
//   swallows the error and returns Ok gets that first error back from Write,
//   with nothing committed.
// - Text is UTF-8 without NUL bytes; other text fails with kInvalid
//   "invalid_text" instead of being stored altered.
// - Result columns of type bool, int2, int4, int8, and numeric values that
//   are whole numbers in int64 range, read as integers (bool as 0/1); every
//   other type reads as its text form.
Result<std::shared_ptr<Database>> OpenPostgres(const PostgresOptions& options);

// The migration number the database is at: 0 when it has no schema_migrations
// table. Connects once, changes nothing; kUnavailable when unreachable.
Result<int> PostgresSchemaVersion(const std::string& url);

}  // namespace vantage::store
