// The PostgreSQL server the tests run against, and one fresh database per test.
//
// The server comes from the environment: VANTAGE_TEST_POSTGRES holds a libpq
// conninfo or URL for a role that may create databases, as
// scripts/with-postgres exports it (`make test` runs the tests under it).
// Without it the PostgreSQL tests fail, saying so, rather than skip: a green
// run must mean that both engines were tested.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>
#include <unistd.h>

#include "core/error.h"

namespace vantage::store::testing {

constexpr const char* kNoTestServer =
    "VANTAGE_TEST_POSTGRES is not set, so the PostgreSQL tests cannot run. Run them under "
    "scripts/with-postgres (e.g. `scripts/with-postgres build/store_tests`), which starts a "
    "throwaway server and sets it; `make test` does this.";

// Single-quotes a conninfo value.
inline std::string QuoteConninfo(const std::string& value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

// The server's conninfo (or URL) with another database name, as a conninfo.
inline Result<std::string> ConninfoWithDatabase(const std::string& base, const std::string& dbname) {
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(base.c_str(), &message);
  if (options == nullptr) {
    std::string reason = message ? message : "out of memory";
    PQfreemem(message);
    return Error::Internal("Cannot parse VANTAGE_TEST_POSTGRES: " + reason);
  }
  std::string conninfo;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string(o->keyword) == "dbname") continue;
    conninfo += std::string(o->keyword) + "=" + QuoteConninfo(o->val) + " ";
  }
  PQconninfoFree(options);
  return conninfo + "dbname=" + QuoteConninfo(dbname);
}

// Runs one statement on its own connection to `conninfo`.
inline Status AdminExec(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = PQerrorMessage(conn);
    PQfinish(conn);
    return Error::Unavailable("Cannot connect to the test server: " + reason);
  }
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(conn, sql.c_str());
  ExecStatusType status = PQresultStatus(r);
  std::string error = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Error::Internal(sql + ": " + error);
  }
  return Ok();
}

// A database of its own on the test server, created on first use and dropped
// (with any connection still open to it) at destruction.
class TestDatabase {
 public:
  TestDatabase() {
    static std::atomic<int> counter{0};
    std::random_device random;
    name_ = "vantage_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter.fetch_add(1)) + "_" + std::to_string(random() % 100000);
  }
  ~TestDatabase() {
    if (created_) (void)AdminExec(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // The conninfo of the database, creating it (empty) the first time.
  Result<std::string> Conninfo() {
    const char* server = std::getenv("VANTAGE_TEST_POSTGRES");
    if (server == nullptr || *server == '\0') return Error::Internal(kNoTestServer);
    server_ = server;
    if (!created_) {
      VANTAGE_TRY(AdminExec(server_, "CREATE DATABASE " + name_));
      created_ = true;
    }
    return ConninfoWithDatabase(server_, name_);
  }

  const std::string& name() const { return name_; }
  // The server's own conninfo, for administrative statements.
  const std::string& server() const { return server_; }

 private:
  std::string name_;
  std::string server_;
  bool created_ = false;
};

}  // namespace vantage::store::testing
