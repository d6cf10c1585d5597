// Account use cases: registration, profile edits, passwords.
//
// All functions block (database, argon2id): call them from a pool thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/store.h"

namespace vantage::service {

struct Registration {
  std::string username;
  std::string email;
  std::string password;
  bool agreement = false;
  std::string reason;  // required in approval mode
  std::string ip;      // for throttling
};

// Validation shared by every path that creates or changes accounts. Each
// returns an Invalid error naming the field.
Status ValidateUsername(std::string_view username);
Status ValidateEmail(std::string_view email);
Status ValidatePassword(std::string_view password, std::string_view field = "password");

// Invalid "confusable_with_verified" naming `field` when `name` is
// confusable (service/confusables.h) with the username or display name of a
// verified account other than `self_id` (0: none). Registration checks the
// username, UpdateProfile a changed display name.
Status CheckNotImpersonating(ServiceContext& ctx, std::string_view field, std::string_view name,
                             int64_t self_id);

// Registers an account under the instance's registration mode. In approval
// mode the account exists but is not approved. Throttled per IP.
Result<store::Account> RegisterAccount(ServiceContext& ctx, const Registration& input);

// For the admin CLI: creates an approved account with a role.
Result<store::Account> CreateAccount(ServiceContext& ctx, const std::string& username,
                                     const std::string& email, const std::string& password,
                                     store::Role role);

// One of Mastodon's profile fields ("Website" and a link, say): plain text.
struct ProfileField {
  std::string name;
  std::string value;
};
inline constexpr size_t kMaxProfileFields = 4;
inline constexpr size_t kMaxProfileFieldChars = 255;

struct ProfileChange {
  std::optional<std::string> display_name;  // <= 30 characters
  std::optional<std::string> note;          // <= 500 characters
  std::optional<bool> locked;
  std::optional<bool> hide_collections;  // who follows it, and whom it follows, hidden from other servers
  // Replaces every field: at most kMaxProfileFields, name and value each at
  // most kMaxProfileFieldChars after trimming, a name for every value;
  // entries with both empty are dropped. Errors name
  // `fields_attributes[i][name]` or `[value]`.
  std::optional<std::vector<ProfileField>> fields;
};
Result<store::Account> UpdateProfile(ServiceContext& ctx, int64_t account_id,
                                     const ProfileChange& change);

// Checks the current password, sets the new one and revokes every other token
// and session of the account (keep_token_id stays valid).
// The fields as the JSON text store::Account::fields_json holds.
std::string EncodeProfileFields(const std::vector<ProfileField>& fields);

Status ChangePassword(ServiceContext& ctx, int64_t account_id, std::string_view current,
                      std::string_view next, int64_t keep_token_id);

// For the admin CLI: sets a password and revokes every token and session.
Status ResetPassword(ServiceContext& ctx, const std::string& username, const std::string& password);

// A remote account its own server deleted: its follows, likes, boosts and
// comments go with it (store/federation_store.h). NotFound for a local one.
Status DeleteRemoteAccount(ServiceContext& ctx, int64_t account_id);

}  // namespace vantage::service
