// The stores over the backend-neutral SQL layer. Nothing here may depend on
// one engine: the statements run unchanged on SQLite and PostgreSQL.
#include <utility>

#include "core/id.h"
#include "store/store.h"
#include "store/access_events.h"
#include "store/audit_store.h"
#include "store/organisation_store.h"
#include "store/graph_store.h"
#include "store/id_batch.h"
#include "store/sql_rows.h"
#include "store/interaction_store.h"
#include "store/notification_store.h"
#include "store/timeline_store.h"

namespace vantage::store {

// Transactions and isolation, per use case. Write is serialised on SQLite and
// READ COMMITTED on PostgreSQL; Read is one snapshot on both (sql.h). Every
// invariant below holds at those levels because each use case is one
// statement whose effect the engines make atomic:
// - Registration (accounts.Create): a single INSERT; username and e-mail
//   uniqueness are unique constraints (case-insensitive collations), so two
//   racing registrations of one name end with one row and one "taken" error.
// - Profile, password, role and approval changes: a single UPDATE by id; the
//   last writer wins, which is what a user editing a form expects.
// - Redeeming an authorization code (Consume): DELETE ... RETURNING. Under
//   READ COMMITTED a second DELETE of the same row waits for the first and
//   then finds nothing, so a code is redeemed at most once.
// - Revoking tokens (one, or all but the current one after a password
//   change): single DELETEs; a request authenticated just before the revoke
//   may finish, none after it.
// - Touching a token: a conditional UPDATE that only moves forward.
// - Counters (followers, statuses...) will be updated with `SET n = n + ?` in
//   the same Write as the row that changes them, never read-modify-write.
// Reads that need several statements to agree (none yet) use Read, which
// sees one snapshot.

Result<Account> DecodeAccount(const Row& row, size_t at) {
  auto role = ParseRole(row.Text(at + 6));
  if (!role) return Error::Internal("Account " + std::to_string(row.Int(at)) + " has unknown role");
  Account a;
  a.id = row.Int(at);
  a.username = row.Text(at + 1);
  a.email = row.Text(at + 2);
  a.display_name = row.Text(at + 3);
  a.note = row.Text(at + 4);
  a.password_hash = row.Text(at + 5);
  a.role = *role;
  a.locked = row.Bool(at + 7);
  a.approved = row.Bool(at + 8);
  a.verified = row.Bool(at + 9);
  a.registration_reason = row.Text(at + 10);
  a.created_at = row.Int(at + 11);
  a.updated_at = row.Int(at + 12);
  a.followers_count = row.Int(at + 13);
  a.following_count = row.Int(at + 14);
  a.statuses_count = row.Int(at + 15);
  a.avatar_key = row.Text(at + 16);
  a.avatar_small_key = row.Text(at + 17);
  a.fields_json = row.Text(at + 18);
  a.domain = row.Text(at + 19);
  a.url = row.Text(at + 20);
  if (!row.IsNull(at + 21)) a.hide_collections = row.Bool(at + 21);
  return a;
}

namespace {

// Column lists shared by the statements of one table, in the order the
// decoders below read them.
#define VANTAGE_ACCOUNT_COLUMNS VANTAGE_ACCOUNT_COLUMNS_OF("")
#define VANTAGE_APP_COLUMNS_OF(p)                                                                \
  p "id, " p "name, " p "website, " p "redirect_uris, " p "scopes, " p "client_id, " p "client_secret_hash, " p \
  "created_at"
#define VANTAGE_APP_COLUMNS VANTAGE_APP_COLUMNS_OF("")
#define VANTAGE_CODE_COLUMNS \
  "code_hash, app_id, account_id, redirect_uri, scopes, code_challenge, expires_at"
#define VANTAGE_TOKEN_COLUMNS_OF(p)                                                                       \
  p "id, " p "token_hash, " p "kind, " p "app_id, " p "account_id, " p "scopes, " p "csrf_token, " p            \
  "user_agent, " p "ip, " p "created_at, " p "last_used_at, " p "reauthenticated_at"
#define VANTAGE_TOKEN_COLUMNS VANTAGE_TOKEN_COLUMNS_OF("")
constexpr size_t kTokenColumnCount = 12;
constexpr size_t kAppColumnCount = 8;

constexpr Statement kInsertAccount{
    "insert_account",
    "INSERT INTO accounts (" VANTAGE_ACCOUNT_COLUMNS ") "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
// Every local account has its actor key's row from the start, pending until
// the key is made (store/federation_store.h).
constexpr Statement kInsertPendingActorKey{
    "insert_pending_actor_key", "INSERT INTO actor_keys (account_id) VALUES (?)"};
constexpr Statement kSelectAccountById{
    "select_account_by_id", "SELECT " VANTAGE_ACCOUNT_COLUMNS " FROM accounts WHERE id = ?"};
constexpr Statement kSelectAccountBatch{
    "select_account_batch", "SELECT " VANTAGE_ACCOUNT_COLUMNS " FROM accounts WHERE id IN " VANTAGE_ID_BATCH};
// username and email compare case-insensitively through their column collation.
constexpr Statement kSelectAccountByUsername{
    "select_account_by_username",
    "SELECT " VANTAGE_ACCOUNT_COLUMNS " FROM accounts WHERE username = ?"};
constexpr Statement kSelectAccountByEmail{
    "select_account_by_email", "SELECT " VANTAGE_ACCOUNT_COLUMNS " FROM accounts WHERE email = ?"};
constexpr Statement kUpdateAccountProfile{
    "update_account_profile",
    "UPDATE accounts SET display_name = COALESCE(?, display_name), note = COALESCE(?, note), "
    "locked = COALESCE(?, locked), fields = COALESCE(?, fields), "
    "hide_collections = COALESCE(?, hide_collections), updated_at = ? WHERE id = ? "
    "RETURNING " VANTAGE_ACCOUNT_COLUMNS};
constexpr Statement kUpdateAccountAvatar{
    "update_account_avatar",
    "UPDATE accounts SET avatar_key = ?, avatar_small_key = ?, updated_at = ? WHERE id = ? "
    "RETURNING " VANTAGE_ACCOUNT_COLUMNS};
constexpr Statement kAvatarKeyInUse{
    "avatar_key_in_use",
    "SELECT 1 FROM accounts WHERE avatar_key = ? UNION ALL SELECT 1 FROM accounts WHERE avatar_small_key = ? LIMIT 1"};
constexpr Statement kUpdateAccountEmail{
    "update_account_email", "UPDATE accounts SET email = ?, updated_at = ? WHERE id = ?"};
constexpr Statement kUpdateAccountPassword{
    "update_account_password", "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?"};
constexpr Statement kUpdateAccountRole{
    "update_account_role", "UPDATE accounts SET role = ?, updated_at = ? WHERE id = ?"};
constexpr Statement kUpdateAccountApproved{
    "update_account_approved", "UPDATE accounts SET approved = ?, updated_at = ? WHERE id = ?"};
constexpr Statement kUpdateAccountVerified{
    "update_account_verified", "UPDATE accounts SET verified = ?, updated_at = ? WHERE id = ?"};
constexpr Statement kSelectVerifiedAccounts{
    "select_verified_accounts",
    "SELECT " VANTAGE_ACCOUNT_COLUMNS " FROM accounts WHERE verified = 1 ORDER BY id"};
constexpr Statement kCountAccounts{"count_accounts", "SELECT COUNT(*) FROM accounts"};

constexpr Statement kInsertApp{
    "insert_app", "INSERT INTO apps (" VANTAGE_APP_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Statement kSelectAppByClientId{
    "select_app_by_client_id", "SELECT " VANTAGE_APP_COLUMNS " FROM apps WHERE client_id = ?"};
constexpr Statement kSelectAppById{"select_app_by_id",
                                   "SELECT " VANTAGE_APP_COLUMNS " FROM apps WHERE id = ?"};

constexpr Statement kInsertCode{
    "insert_authorization_code",
    "INSERT INTO authorization_codes (" VANTAGE_CODE_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)"};
// One statement finds and removes the code, so two redemptions racing on any
// backend cannot both see it.
constexpr Statement kConsumeCode{
    "consume_authorization_code",
    "DELETE FROM authorization_codes WHERE code_hash = ? RETURNING " VANTAGE_CODE_COLUMNS};
constexpr Statement kDeleteExpiredCodes{
    "delete_expired_authorization_codes", "DELETE FROM authorization_codes WHERE expires_at <= ?"};

constexpr Statement kInsertToken{
    "insert_token",
    "INSERT INTO tokens (" VANTAGE_TOKEN_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Statement kSelectTokenByHash{
    "select_token_by_hash", "SELECT " VANTAGE_TOKEN_COLUMNS " FROM tokens WHERE token_hash = ?"};
// What authenticating a request needs, in one statement: the token, its
// account and its app.
constexpr Statement kSelectTokenWithOwners{
    "select_token_with_owners_by_hash",
    "SELECT " VANTAGE_TOKEN_COLUMNS_OF("t.") ", " VANTAGE_ACCOUNT_COLUMNS_OF("a.") ", " VANTAGE_APP_COLUMNS_OF(
        "p.") " FROM tokens t LEFT JOIN accounts a ON a.id = t.account_id LEFT JOIN apps p ON p.id = t.app_id "
              "WHERE t.token_hash = ?"};
constexpr Statement kSelectTokensForAccount{
    "select_tokens_for_account",
    "SELECT " VANTAGE_TOKEN_COLUMNS " FROM tokens WHERE account_id = ? AND kind = ? "
    "ORDER BY id DESC"};
constexpr Statement kDeleteToken{"delete_token", "DELETE FROM tokens WHERE id = ? RETURNING id, account_id"};
constexpr Statement kDeleteTokenByHash{"delete_token_by_hash",
                                       "DELETE FROM tokens WHERE token_hash = ? RETURNING id, account_id"};
constexpr Statement kDeleteTokensForAccount{
    "delete_tokens_for_account", "DELETE FROM tokens WHERE account_id = ? AND id <> ?"};
// Only forward: concurrent requests touching the same token in any order
// leave the latest time.
constexpr Statement kReauthenticateToken{
    "reauthenticate_token", "UPDATE tokens SET reauthenticated_at = ? WHERE id = ? AND reauthenticated_at < ?"};
constexpr Statement kTouchToken{
    "touch_token", "UPDATE tokens SET last_used_at = ? WHERE id = ? AND last_used_at < ?"};

#undef VANTAGE_ACCOUNT_COLUMNS
#undef VANTAGE_APP_COLUMNS
#undef VANTAGE_CODE_COLUMNS
#undef VANTAGE_TOKEN_COLUMNS

int64_t Bool(bool b) { return b ? 1 : 0; }

// The schema keeps "no email" as NULL so that several such accounts do not
// collide in the unique index.
Value EmailValue(const std::string& email) { return email.empty() ? Null() : Value(email); }
Value KeyValue(const std::string& key) { return key.empty() ? Null() : Value(key); }

const char* TokenKindName(TokenKind kind) {
  return kind == TokenKind::kSession ? "session" : "oauth";
}

Error MissingId(const char* what) {
  return Error::Internal(std::string("A new ") + what + " needs an id from the IdGenerator");
}


Result<App> DecodeApp(const Row& row, size_t at) {
  App app;
  app.id = row.Int(at + 0);
  app.name = row.Text(at + 1);
  app.website = row.Text(at + 2);
  app.redirect_uris = row.Text(at + 3);
  app.scopes = row.Text(at + 4);
  app.client_id = row.Text(at + 5);
  app.client_secret_hash = row.Text(at + 6);
  app.created_at = row.Int(at + 7);
  return app;
}

Result<App> DecodeAppRow(const Row& row) { return DecodeApp(row, 0); }

Result<AuthorizationCode> DecodeCode(const Row& row) {
  AuthorizationCode code;
  code.code_hash = row.Text(0);
  code.app_id = row.Int(1);
  code.account_id = row.Int(2);
  code.redirect_uri = row.Text(3);
  code.scopes = row.Text(4);
  code.code_challenge = row.Text(5);
  code.expires_at = row.Int(6);
  return code;
}

Result<Token> DecodeToken(const Row& row, size_t at) {
  Token token;
  token.id = row.Int(at + 0);
  token.token_hash = row.Text(at + 1);
  const std::string& kind = row.Text(at + 2);
  if (kind == "session") {
    token.kind = TokenKind::kSession;
  } else if (kind == "oauth") {
    token.kind = TokenKind::kOAuth;
  } else {
    return Error::Internal("Token " + std::to_string(token.id) + " has unknown kind");
  }
  token.app_id = row.OptInt(at + 3);
  token.account_id = row.OptInt(at + 4);
  token.scopes = row.Text(at + 5);
  token.csrf_token = row.Text(at + 6);
  token.user_agent = row.Text(at + 7);
  token.ip = row.Text(at + 8);
  token.created_at = row.Int(at + 9);
  token.last_used_at = row.Int(at + 10);
  token.reauthenticated_at = row.Int(at + 11);
  return token;
}

Result<Token> DecodeTokenRow(const Row& row) { return DecodeToken(row, 0); }

// DecodeAccount from column 0, for ReadOne.
Result<Account> DecodeAccountRow(const Row& row) { return DecodeAccount(row); }

}  // namespace

Status AppendAccounts(const std::vector<Row>& rows, std::vector<Account>& out) {
  for (const Row& row : rows) {
    auto account = DecodeAccount(row);
    if (!account) return std::move(account).error();
    out.push_back(std::move(*account));
  }
  return Ok();
}

namespace {

// Runs `st` in a read transaction and decodes its first row, if any.
template <class T>
Result<std::optional<T>> ReadOne(Database& db, const Statement& st,
                                 std::initializer_list<Value> args,
                                 Result<T> (*decode)(const Row&)) {
  std::optional<T> found;
  Status status = db.Read([&](Connection& conn) -> Status {
    found.reset();
    auto row = conn.QueryOne(st, args);
    if (!row) return std::move(row).error();
    if (!*row) return Ok();
    auto value = decode(**row);
    if (!value) return std::move(value).error();
    found = std::move(*value);
    return Ok();
  });
  if (!status) return std::move(status).error();
  return found;
}

// Runs one changing statement in a write transaction; the rows it changed.
Result<int64_t> WriteOne(Database& db, const Statement& st, std::initializer_list<Value> args) {
  int64_t changed = 0;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto result = conn.Exec(st, args);
    if (!result) return std::move(result).error();
    changed = *result;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return changed;
}

Status NotFoundUnlessChanged(Result<int64_t> changed) {
  if (!changed) return std::move(changed).error();
  if (*changed == 0) return Error::NotFound();
  return Ok();
}

class SqlAccountStore final : public AccountStore {
 public:
  explicit SqlAccountStore(Database& db) : db_(db) {}

  Result<Account> Create(const Account& a) override {
    if (a.id <= 0) return MissingId("account");
    auto inserted = db_.Write([&](Connection& conn) -> Status {
      VANTAGE_TRY(conn.Exec(
          kInsertAccount,
          {a.id, a.username, EmailValue(a.email), a.display_name, a.note, a.password_hash,
           std::string(RoleName(a.role)), Bool(a.locked), Bool(a.approved), Bool(a.verified),
           a.registration_reason, a.created_at, a.updated_at, a.followers_count, a.following_count,
           a.statuses_count, KeyValue(a.avatar_key), KeyValue(a.avatar_small_key), a.fields_json,
           a.domain.empty() ? Null() : Value(a.domain), a.url.empty() ? Null() : Value(a.url),
           a.hide_collections ? Value(Bool(*a.hide_collections)) : Null()}));
      if (a.domain.empty()) VANTAGE_TRY(conn.Exec(kInsertPendingActorKey, {a.id}));
      return Ok();
    });
    if (!inserted) {
      Error error = std::move(inserted).error();
      if (error.code == "unique_violation") {
        // The same answer whichever case the other account used, and no hint
        // of whose it is.
        if (error.field == "accounts.username") {
          return Error::Invalid("username", "username is already taken", "taken");
        }
        if (error.field == "accounts.email") {
          return Error::Invalid("email", "email is already taken", "taken");
        }
      }
      return error;
    }
    return a;
  }

  Result<std::optional<Account>> FindById(int64_t id) override {
    return ReadOne(db_, kSelectAccountById, {id}, &DecodeAccountRow);
  }

  Result<std::vector<Account>> FindByIds(const std::vector<int64_t>& ids) override {
    std::vector<Account> found;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      found.clear();
      for (size_t begin = 0; begin < ids.size(); begin += kIdBatch) {
        std::vector<Value> args;
        AppendIdBatch(args, ids, begin);
        auto rows = conn.Query(kSelectAccountBatch, args);
        if (!rows) return std::move(rows).error();
        VANTAGE_TRY(AppendAccounts(*rows, found));
      }
      return Ok();
    }));
    return found;
  }

  Result<std::optional<Account>> FindByUsername(std::string_view username) override {
    return ReadOne(db_, kSelectAccountByUsername, {std::string(username)}, &DecodeAccountRow);
  }

  Result<std::optional<Account>> FindByEmail(std::string_view email) override {
    if (email.empty()) return std::optional<Account>();
    return ReadOne(db_, kSelectAccountByEmail, {std::string(email)}, &DecodeAccountRow);
  }

  Result<Account> Update(int64_t id, const AccountPatch& patch, int64_t now) override {
    std::optional<Account> updated;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(
          kUpdateAccountProfile,
          {Opt(patch.display_name), Opt(patch.note),
           patch.locked ? Value(Bool(*patch.locked)) : Null(), Opt(patch.fields_json),
           patch.hide_collections ? Value(Bool(*patch.hide_collections)) : Null(), now, id});
      if (!row) return std::move(row).error();
      if (!*row) return Error::NotFound();
      auto account = DecodeAccount(**row);
      if (!account) return std::move(account).error();
      updated = std::move(*account);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return std::move(*updated);
  }

  Status SetPasswordHash(int64_t id, const std::string& hash, int64_t now) override {
    return NotFoundUnlessChanged(WriteOne(db_, kUpdateAccountPassword, {hash, now, id}));
  }

  Status SetEmail(int64_t id, const std::string& email, int64_t now) override {
    return NotFoundUnlessChanged(WriteOne(db_, kUpdateAccountEmail, {email, now, id}));
  }

  Status SetRole(int64_t id, Role role, int64_t now) override {
    return NotFoundUnlessChanged(
        WriteOne(db_, kUpdateAccountRole, {std::string(RoleName(role)), now, id}));
  }

  Status SetApproved(int64_t id, bool approved, int64_t now) override {
    return NotFoundUnlessChanged(WriteOne(db_, kUpdateAccountApproved, {Bool(approved), now, id}));
  }

  Status SetVerified(int64_t id, bool verified, int64_t now) override {
    return NotFoundUnlessChanged(WriteOne(db_, kUpdateAccountVerified, {Bool(verified), now, id}));
  }

  Result<Account> SetAvatar(int64_t id, const std::string& key, const std::string& small_key,
                            int64_t now) override {
    std::optional<Account> updated;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kUpdateAccountAvatar, {KeyValue(key), KeyValue(small_key), now, id});
      if (!row) return std::move(row).error();
      if (!*row) return Error::NotFound();
      auto account = DecodeAccount(**row);
      if (!account) return std::move(account).error();
      updated = std::move(*account);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return std::move(*updated);
  }

  Result<bool> AvatarKeyInUse(const std::string& key) override {
    bool found = false;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kAvatarKeyInUse, {key, key});
      if (!row) return std::move(row).error();
      found = row->has_value();
      return Ok();
    }));
    return found;
  }

  Result<std::vector<Account>> ListVerified() override {
    std::vector<Account> accounts;
    Status status = db_.Read([&](Connection& conn) -> Status {
      accounts.clear();
      auto rows = conn.Query(kSelectVerifiedAccounts, {});
      if (!rows) return std::move(rows).error();
      VANTAGE_TRY(AppendAccounts(*rows, accounts));
      return Ok();
    });
    if (!status) return std::move(status).error();
    return accounts;
  }

  Result<int64_t> CountLocal() override {
    int64_t count = 0;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kCountAccounts, {});
      if (!row) return std::move(row).error();
      count = *row ? (*row)->Int(0) : 0;
      return Ok();
    });
    if (!status) return std::move(status).error();
    return count;
  }

 private:
  Database& db_;
};

class SqlAppStore final : public AppStore {
 public:
  explicit SqlAppStore(Database& db) : db_(db) {}

  Result<App> Create(const App& app) override {
    if (app.id <= 0) return MissingId("app");
    auto inserted = WriteOne(db_, kInsertApp,
                             {app.id, app.name, app.website, app.redirect_uris, app.scopes,
                              app.client_id, app.client_secret_hash, app.created_at});
    if (!inserted) return std::move(inserted).error();
    return app;
  }

  Result<std::optional<App>> FindByClientId(std::string_view client_id) override {
    return ReadOne(db_, kSelectAppByClientId, {std::string(client_id)}, &DecodeAppRow);
  }

  Result<std::optional<App>> FindById(int64_t id) override {
    return ReadOne(db_, kSelectAppById, {id}, &DecodeAppRow);
  }

 private:
  Database& db_;
};

class SqlAuthorizationCodeStore final : public AuthorizationCodeStore {
 public:
  explicit SqlAuthorizationCodeStore(Database& db) : db_(db) {}

  Status Create(const AuthorizationCode& c) override {
    auto inserted = WriteOne(db_, kInsertCode,
                             {c.code_hash, c.app_id, c.account_id, c.redirect_uri, c.scopes,
                              c.code_challenge, c.expires_at});
    if (!inserted) return std::move(inserted).error();
    return Ok();
  }

  Result<std::optional<AuthorizationCode>> Consume(const std::string& code_hash) override {
    std::optional<AuthorizationCode> consumed;
    Status status = db_.Write([&](Connection& conn) -> Status {
      consumed.reset();  // a retried transaction starts over
      auto row = conn.QueryOne(kConsumeCode, {code_hash});
      if (!row) return std::move(row).error();
      if (!*row) return Ok();
      auto code = DecodeCode(**row);
      if (!code) return std::move(code).error();
      consumed = std::move(*code);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return consumed;
  }

  Result<int64_t> DeleteExpired(int64_t now) override {
    return WriteOne(db_, kDeleteExpiredCodes, {now});
  }

 private:
  Database& db_;
};

class SqlTokenStore final : public TokenStore {
 public:
  explicit SqlTokenStore(Database& db) : db_(db) {}

  Result<Token> Create(const Token& t) override {
    if (t.id <= 0) return MissingId("token");
    auto inserted = WriteOne(db_, kInsertToken,
                             {t.id, t.token_hash, std::string(TokenKindName(t.kind)), Opt(t.app_id),
                              Opt(t.account_id), t.scopes, t.csrf_token, t.user_agent, t.ip,
                              t.created_at, t.last_used_at, t.reauthenticated_at});
    if (!inserted) return std::move(inserted).error();
    return t;
  }

  Result<std::optional<Token>> FindByHash(const std::string& token_hash) override {
    return ReadOne(db_, kSelectTokenByHash, {token_hash}, &DecodeTokenRow);
  }

  Result<std::optional<TokenOwners>> FindWithOwnersByHash(const std::string& token_hash) override {
    std::optional<TokenOwners> found;
    Status status = db_.Read([&](Connection& conn) -> Status {
      found.reset();
      auto row = conn.QueryOne(kSelectTokenWithOwners, {token_hash});
      if (!row) return std::move(row).error();
      if (!*row) return Ok();
      const Row& r = **row;
      auto token = DecodeToken(r, 0);
      if (!token) return std::move(token).error();
      TokenOwners owners{std::move(*token), std::nullopt, std::nullopt};
      if (r.OptInt(kTokenColumnCount)) {
        auto account = DecodeAccount(r, kTokenColumnCount);
        if (!account) return std::move(account).error();
        owners.account = std::move(*account);
      }
      if (size_t at = kTokenColumnCount + kAccountColumnCount; r.OptInt(at)) {
        auto app = DecodeApp(r, at);
        if (!app) return std::move(app).error();
        owners.app = std::move(*app);
      }
      found = std::move(owners);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return found;
  }

  Result<std::vector<Token>> ListForAccount(int64_t account_id, TokenKind kind) override {
    std::vector<Token> tokens;
    Status status = db_.Read([&](Connection& conn) -> Status {
      tokens.clear();
      auto rows = conn.Query(kSelectTokensForAccount,
                             {account_id, std::string(TokenKindName(kind))});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        auto token = DecodeToken(row, 0);
        if (!token) return std::move(token).error();
        tokens.push_back(std::move(*token));
      }
      return Ok();
    });
    if (!status) return std::move(status).error();
    return tokens;
  }

  // Revoking ends the live streams opened with the token too
  // (store/access_events.h), in the same transaction.
  Result<bool> Revoke(int64_t token_id) override { return DeleteOne(kDeleteToken, token_id); }

  Result<bool> RevokeByHash(const std::string& token_hash) override {
    return DeleteOne(kDeleteTokenByHash, token_hash);
  }

  Result<int64_t> RevokeAllForAccount(int64_t account_id, int64_t keep_id) override {
    int64_t changed = 0;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      auto deleted = conn.Exec(kDeleteTokensForAccount, {account_id, keep_id});
      if (!deleted) return std::move(deleted).error();
      changed = *deleted;
      // Every stream of the account ends, the kept token's too: its reader
      // opens it again at once, and nothing is said of which token stays.
      if (changed > 0) VANTAGE_TRY(AppendAccessRevokedOn(conn, AccessRevocation{account_id, 0, 0}, NowUnixMs()));
      return Ok();
    }));
    return changed;
  }

  Status Touch(int64_t token_id, int64_t now) override {
    auto changed = WriteOne(db_, kTouchToken, {now, token_id, now});
    if (!changed) return std::move(changed).error();
    return Ok();
  }

  Status MarkReauthenticated(int64_t token_id, int64_t now) override {
    auto changed = WriteOne(db_, kReauthenticateToken, {now, token_id, now});
    if (!changed) return std::move(changed).error();
    return Ok();
  }

 private:
  // Deletes the token `key` names and ends its streams; whether there was one.
  Result<bool> DeleteOne(const Statement& statement, Value key) {
    bool deleted = false;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(statement, {key});
      if (!row) return std::move(row).error();
      deleted = row->has_value();
      if (deleted && !(*row)->IsNull(1))
        VANTAGE_TRY(AppendAccessRevokedOn(conn, AccessRevocation{(*row)->Int(1), (*row)->Int(0), 0}, NowUnixMs()));
      return Ok();
    }));
    return deleted;
  }

  Database& db_;
};

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::shared_ptr<Database> db)
      : db_(std::move(db)), accounts_(*db_), apps_(*db_), codes_(*db_), tokens_(*db_),
        media_(MakeSqlMediaStore(*db_)) {}

  AccountStore& accounts() override { return accounts_; }
  AppStore& apps() override { return apps_; }
  AuthorizationCodeStore& authorization_codes() override { return codes_; }
  TokenStore& tokens() override { return tokens_; }
  StatusStore& statuses() override { return *statuses_; }
  MediaStore& media() override { return *media_; }
  GraphStore& graph() override { return *graph_; }
  InteractionStore& interactions() override { return *interactions_; }
  NotificationStore& notifications() override { return *notifications_; }
  TimelineStore& timelines() override { return *timelines_; }
  AuditStore& audit() override { return *audit_; }
  OrganisationStore& organisations() override { return *organisations_; }
  Database& database() override { return *db_; }

 private:
  std::shared_ptr<Database> db_;
  SqlAccountStore accounts_;
  SqlAppStore apps_;
  SqlAuthorizationCodeStore codes_;
  SqlTokenStore tokens_;
  std::unique_ptr<StatusStore> statuses_ = MakeSqlStatusStore(*db_);
  std::unique_ptr<MediaStore> media_;
  std::unique_ptr<GraphStore> graph_ = MakeSqlGraphStore(*db_);
  std::unique_ptr<InteractionStore> interactions_ = MakeSqlInteractionStore(*db_);
  std::unique_ptr<NotificationStore> notifications_ = MakeSqlNotificationStore(*db_);
  std::unique_ptr<TimelineStore> timelines_ = MakeSqlTimelineStore(*db_);
  std::unique_ptr<AuditStore> audit_ = MakeSqlAuditStore(*db_);
  std::unique_ptr<OrganisationStore> organisations_ = MakeSqlOrganisationStore(*db_);
};

}  // namespace

std::unique_ptr<Store> MakeSqlStore(std::shared_ptr<Database> db) {
  return std::make_unique<SqlStore>(std::move(db));
}

}  // namespace vantage::store
