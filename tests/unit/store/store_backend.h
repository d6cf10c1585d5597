// The store conformance suite's view of a backend.
//
// Every backend runs the same TEST_Ps in store_conformance_test.cc. A backend
// joins by implementing Backend and instantiating the suite in its own file,
// as sqlite_conformance_test.cc does:
//
//   INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
//                            ::testing::Values(BackendParam{"Postgres", MakePostgres}),
//                            BackendParamName);
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <random>
#include <string>

#include "core/error.h"
#include "core/id.h"
#include "store/sql.h"
#include "store/store.h"

namespace vantage::store::testing {

// One database for one test.
class Backend {
 public:
  virtual ~Backend() = default;
  // Opens the test's database, empty and migrated the first time; after the
  // previous handle was closed, the same database again.
  virtual Result<std::shared_ptr<Database>> Open() = 0;
  // The schema version the database is at, and the newest this build knows.
  virtual Result<int> SchemaVersion() = 0;
  virtual int LatestSchemaVersion() = 0;
  // Copies the database, which may be serving writes meanwhile, and opens the copy.
  virtual Result<std::shared_ptr<Database>> BackupAndOpenCopy() = 0;
};

struct BackendParam {
  std::string name;
  std::function<std::unique_ptr<Backend>()> make;
};

inline void PrintTo(const BackendParam& param, std::ostream* os) { *os << param.name; }
inline std::string BackendParamName(const ::testing::TestParamInfo<BackendParam>& info) {
  return info.param.name;
}

// A fresh directory, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("vantage-store-test-" + std::to_string(random()) + "-" +
             std::to_string(counter.fetch_add(1)));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// "ok", or the error's kind, code, field and message, for assertion output.
inline std::string Describe(const Error& e) {
  return "error kind=" + std::to_string(static_cast<int>(e.kind)) + " code=" + e.code +
         " field=" + e.field + " message=" + e.message;
}
template <class T>
std::string Describe(const Result<T>& r) {
  return r.ok() ? "ok" : Describe(r.error());
}

class StoreConformanceTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    auto db = backend_->Open();
    ASSERT_TRUE(db.ok()) << Describe(db);
    db_ = *db;
    store_ = MakeSqlStore(db_);
  }

  void TearDown() override {
    store_.reset();
    if (db_) db_->Close();
  }

  // Closes the current handle and opens the same database again.
  void Reopen() {
    store_.reset();
    db_->Close();
    db_.reset();
    auto db = backend_->Open();
    ASSERT_TRUE(db.ok()) << Describe(db);
    db_ = *db;
    store_ = MakeSqlStore(db_);
  }

  Account NewAccount(const std::string& username, const std::string& email) {
    Account a;
    a.id = ids_.Next();
    a.username = username;
    a.email = email;
    a.display_name = "Display " + username;
    a.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA";
    a.created_at = a.updated_at = 1700000000000;
    return a;
  }

  Account CreateAccount(const std::string& username) {
    auto created = store_->accounts().Create(NewAccount(username, username + "@example.org"));
    EXPECT_TRUE(created.ok()) << Describe(created);
    return created.ok() ? *created : Account{};
  }

  App CreateApp(const std::string& client_id) {
    App app;
    app.id = ids_.Next();
    app.name = "App " + client_id;
    app.website = "https://app.example";
    app.redirect_uris = "https://app.example/callback\nurn:ietf:wg:oauth:2.0:oob";
    app.scopes = "read write";
    app.client_id = client_id;
    app.client_secret_hash = std::string(64, 'c');
    app.created_at = 1700000000000;
    auto created = store_->apps().Create(app);
    EXPECT_TRUE(created.ok()) << Describe(created);
    return app;
  }

  Token NewToken(const std::string& hash, TokenKind kind, std::optional<int64_t> account_id,
                 std::optional<int64_t> app_id) {
    Token t;
    t.id = ids_.Next();
    t.token_hash = hash;
    t.kind = kind;
    t.account_id = account_id;
    t.app_id = app_id;
    t.scopes = "read";
    t.csrf_token = kind == TokenKind::kSession ? "csrf-" + hash : "";
    t.user_agent = "Mozilla/5.0 (test)";
    t.ip = "192.0.2.1";
    t.created_at = t.last_used_at = 1700000000000;
    return t;
  }

  std::unique_ptr<Backend> backend_;
  std::shared_ptr<Database> db_;
  std::unique_ptr<Store> store_;
  IdGenerator ids_;
};

}  // namespace vantage::store::testing
