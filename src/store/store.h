// Store interfaces: what the services need from persistence, nothing more.
//
// Every store is implemented once over the SQL layer (sql_store.cc) and runs on
// every backend. Times are milliseconds since the Unix epoch. Secrets (tokens,
// authorization codes, client secrets) are stored only as SHA-256 hex digests;
// callers hash before calling. All methods are thread-safe.
//
// Ids of new rows (accounts, apps, tokens) are chosen by the caller, from
// vantage::IdGenerator, and must be positive. Errors not named below are the
// SQL layer's (sql.h): kUnavailable when the database is down or stays busy,
// kConflict "unique_violation" for a duplicate id or key, kNotFound
// "reference_gone" for a reference to a row that does not exist (deleted
// meanwhile), kInternal otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/media_store.h"
#include "store/sql.h"
#include "store/status_store.h"

namespace vantage::store {

// Included by their users only (graph_store.h and the others), so that
// changing one does not rebuild everything that includes this header.
class AuditStore;
class GraphStore;
class InteractionStore;
class NotificationStore;
class OrganisationStore;
class TimelineStore;

enum class Role { kUser = 0, kModerator = 1, kAdmin = 2 };
const char* RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Account {
  int64_t id = 0;
  std::string username;       // as chosen; unique case-insensitively
  std::string email;
  std::string display_name;
  std::string note;           // bio, plain text
  std::string password_hash;  // argon2id encoded string
  Role role = Role::kUser;
  bool locked = false;        // follow requests need approval
  bool approved = true;       // false while a registration awaits approval
  bool verified = false;      // badge, set by instance admins only
  std::string registration_reason;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t followers_count = 0;
  int64_t following_count = 0;
  int64_t statuses_count = 0;
  // The profile picture's blob keys (media/blob_store.h, ".jpg"): 400x400 and
  // 96x96; empty without one.
  std::string avatar_key;
  std::string avatar_small_key;
  // Profile fields as a JSON array of {"name", "value"} strings, stored as
  // the service wrote it (service/accounts.h).
  std::string fields_json = "[]";
  // A remote account's host ("social.example", with ":port" when not the
  // scheme's) and profile page; both empty for local accounts. A remote
  // account's username is "name@domain".
  std::string domain;
  std::string url;
  // Whether its follower and following lists are hidden from other servers
  // (the counts stay); none: the default, hidden for organisations only.
  std::optional<bool> hide_collections;
  bool local() const { return domain.empty(); }
};

struct AccountPatch {
  std::optional<std::string> display_name;
  std::optional<std::string> note;
  std::optional<bool> locked;
  std::optional<std::string> fields_json;
  std::optional<bool> hide_collections;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // Invalid with code "taken" and field "username" or "email" when either is
  // in use, compared case-insensitively (message "username is already taken").
  // An empty email is stored as none and never conflicts.
  virtual Result<Account> Create(const Account& account) = 0;
  virtual Result<std::optional<Account>> FindById(int64_t id) = 0;
  // The accounts of `ids` that exist, in no particular order, in a few
  // statements whatever the count (lists of followers, likers, actors).
  virtual Result<std::vector<Account>> FindByIds(const std::vector<int64_t>& ids) = 0;
  // Case-insensitive.
  virtual Result<std::optional<Account>> FindByUsername(std::string_view username) = 0;
  virtual Result<std::optional<Account>> FindByEmail(std::string_view email) = 0;
  // NotFound when the account does not exist (the setters below too). Sets
  // updated_at to `now`; returns the account as stored afterwards.
  virtual Result<Account> Update(int64_t id, const AccountPatch& patch, int64_t now) = 0;
  virtual Status SetPasswordHash(int64_t id, const std::string& hash, int64_t now) = 0;
  // Conflict "unique_violation" when another account has the address.
  virtual Status SetEmail(int64_t id, const std::string& email, int64_t now) = 0;
  virtual Status SetRole(int64_t id, Role role, int64_t now) = 0;
  virtual Status SetApproved(int64_t id, bool approved, int64_t now) = 0;
  virtual Status SetVerified(int64_t id, bool verified, int64_t now) = 0;
  // Sets the profile picture's keys (both empty: none); returns the account
  // as stored afterwards. The files must already be in the blob store.
  virtual Result<Account> SetAvatar(int64_t id, const std::string& key, const std::string& small_key,
                                    int64_t now) = 0;
  // Whether some account shows `key` as its picture (either size).
  virtual Result<bool> AvatarKeyInUse(const std::string& key) = 0;
  // Every verified account, oldest first. Instances verify a handful of
  // official accounts; registration and renames compare names against them.
  virtual Result<std::vector<Account>> ListVerified() = 0;
  virtual Result<int64_t> CountLocal() = 0;
};

// A registered OAuth client application.
struct App {
  int64_t id = 0;
  std::string name;
  std::string website;
  std::string redirect_uris;  // newline-separated
  std::string scopes;         // space-separated
  std::string client_id;      // public
  std::string client_secret_hash;
  int64_t created_at = 0;
};

class AppStore {
 public:
  virtual ~AppStore() = default;
  virtual Result<App> Create(const App& app) = 0;
  virtual Result<std::optional<App>> FindByClientId(std::string_view client_id) = 0;
  virtual Result<std::optional<App>> FindById(int64_t id) = 0;
};

// A short-lived OAuth authorization code (single use).
struct AuthorizationCode {
  std::string code_hash;
  int64_t app_id = 0;
  int64_t account_id = 0;
  std::string redirect_uri;
  std::string scopes;
  std::string code_challenge;  // PKCE S256 challenge, or empty
  int64_t expires_at = 0;
};

class AuthorizationCodeStore {
 public:
  virtual ~AuthorizationCodeStore() = default;
  virtual Status Create(const AuthorizationCode& code) = 0;
  // Deletes and returns the code in one step, so a code is redeemed at most once.
  // nullopt when unknown or already used (expiry is checked by the caller).
  virtual Result<std::optional<AuthorizationCode>> Consume(const std::string& code_hash) = 0;
  virtual Result<int64_t> DeleteExpired(int64_t now) = 0;
};

enum class TokenKind { kOAuth = 0, kSession = 1 };

// An access token (OAuth bearer) or a web session (cookie). Both authenticate
// requests; sessions also carry a CSRF secret.
struct Token {
  int64_t id = 0;
  std::string token_hash;
  TokenKind kind = TokenKind::kOAuth;
  std::optional<int64_t> app_id;      // OAuth tokens
  std::optional<int64_t> account_id;  // absent for client_credentials tokens
  std::string scopes;                 // space-separated
  std::string csrf_token;             // sessions only
  std::string user_agent;
  std::string ip;
  int64_t created_at = 0;
  int64_t last_used_at = 0;
  int64_t reauthenticated_at = 0;  // the holder's last proof again; 0: none since issue
};

// A token with the account and the app it belongs to (either may be gone, or
// absent: client_credentials tokens have no account).
struct TokenOwners {
  Token token;
  std::optional<Account> account;
  std::optional<App> app;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  virtual Result<Token> Create(const Token& token) = 0;
  virtual Result<std::optional<Token>> FindByHash(const std::string& token_hash) = 0;
  // The token with its account and app, read together.
  virtual Result<std::optional<TokenOwners>> FindWithOwnersByHash(const std::string& token_hash) = 0;
  // Newest first.
  virtual Result<std::vector<Token>> ListForAccount(int64_t account_id, TokenKind kind) = 0;
  // Revoking deletes the token. Whether a token was revoked (false when it did
  // not exist).
  virtual Result<bool> Revoke(int64_t token_id) = 0;
  virtual Result<bool> RevokeByHash(const std::string& token_hash) = 0;
  // Revokes every token and session of the account except `keep_id` (0: none).
  virtual Result<int64_t> RevokeAllForAccount(int64_t account_id, int64_t keep_id) = 0;
  // Moves last_used_at forward to `now` (never back); Ok when the token is gone.
  virtual Status Touch(int64_t token_id, int64_t now) = 0;
  // Moves reauthenticated_at forward to `now`; Ok when the token is gone.
  virtual Status MarkReauthenticated(int64_t token_id, int64_t now) = 0;
};

// All stores of one database.
class Store {
 public:
  virtual ~Store() = default;
  virtual AccountStore& accounts() = 0;
  virtual AppStore& apps() = 0;
  virtual AuthorizationCodeStore& authorization_codes() = 0;
  virtual TokenStore& tokens() = 0;
  virtual StatusStore& statuses() = 0;
  virtual MediaStore& media() = 0;
  virtual GraphStore& graph() = 0;
  virtual InteractionStore& interactions() = 0;
  virtual NotificationStore& notifications() = 0;
  virtual TimelineStore& timelines() = 0;
  virtual AuditStore& audit() = 0;
  virtual OrganisationStore& organisations() = 0;
  virtual Database& database() = 0;
};

// Stores implemented over any Database.
std::unique_ptr<Store> MakeSqlStore(std::shared_ptr<Database> db);

}  // namespace vantage::store
