#include "service/accounts.h"

#include <algorithm>
#include <array>

#include "core/text.h"
#include "service/confusables.h"
#include "service/crypto.h"
#include "service/federation_events.h"
#include "service/mail.h"
#include "service/second_factors.h"
#include "store/federation_store.h"

namespace vantage::service {

namespace {

// Names that would let someone pass for the instance or its routes.
constexpr std::array<std::string_view, 32> kReservedUsernames = {
    "admin", "administrator", "root", "support", "api", "www", "about", "help", "security",
    "staff", "moderator", "moderators", "system", "official", "vantage", "instance", "settings",
    "login", "logout", "signin", "signup", "register", "oauth", "auth", "explore", "search",
    "notifications", "static", "media", "well_known", "postmaster", "abuse"};

constexpr size_t kMaxDisplayName = 30;
constexpr size_t kMaxNote = 500;
constexpr size_t kMaxEmail = 254;
constexpr size_t kMaxReason = 1000;

}  // namespace

Status ValidateUsername(std::string_view username) {
  if (username.empty()) return Error::Invalid("username", "username must not be empty", "missing_field");
  if (username.size() > 30)
    return Error::Invalid("username", "username must be at most 30 characters", "too_long");
  for (char c : username) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok)
      return Error::Invalid("username", "username may contain only letters a-z, digits and underscores");
  }
  std::string lower = AsciiLower(username);
  if (std::find(kReservedUsernames.begin(), kReservedUsernames.end(), lower) != kReservedUsernames.end())
    return Error::Invalid("username", "username is reserved", "reserved");
  return Ok();
}

Status ValidateEmail(std::string_view email) {
  if (email.empty()) return Error::Invalid("email", "email must not be empty", "missing_field");
  if (email.size() > kMaxEmail) return Error::Invalid("email", "email is too long", "too_long");
  size_t at = email.find('@');
  bool ok = at != std::string_view::npos && at > 0 && at == email.rfind('@') &&
            email.find('.', at) != std::string_view::npos && email.back() != '.' &&
            email.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos;
  if (!ok) return Error::Invalid("email", "email is not a valid e-mail address");
  return Ok();
}

Status ValidatePassword(std::string_view password, std::string_view field) {
  size_t length = Utf8Length(password);
  if (length < 12)
    return Error::Invalid(std::string(field), std::string(field) + " must be at least 12 characters");
  if (length > 128)
    return Error::Invalid(std::string(field), std::string(field) + " must be at most 128 characters",
                          "too_long");
  return Ok();
}

Status CheckNotImpersonating(ServiceContext& ctx, std::string_view field, std::string_view name,
                             int64_t self_id) {
  std::vector<std::string> keys = ConfusableKeys(name);
  if (keys.empty()) return Ok();
  // Read afresh each time: instances verify a handful of accounts, and names
  // are checked only at registration and renames (docs/organisations.md).
  auto verified = ctx.store.accounts().ListVerified();
  if (!verified) return std::move(verified).error();
  for (const store::Account& official : *verified) {
    if (official.id == self_id) continue;
    for (const std::string* theirs : {&official.username, &official.display_name}) {
      for (const std::string& key : ConfusableKeys(*theirs)) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
        return Error::Invalid(std::string(field),
                              std::string(field) + " looks too much like the verified account @" +
                                  official.username + "; choose one that cannot be mistaken for it",
                              "confusable_with_verified");
      }
    }
  }
  return Ok();
}

static Result<store::Account> InsertAccount(ServiceContext& ctx, const std::string& username,
                                            const std::string& email, const std::string& password,
                                            store::Role role, bool approved,
                                            const std::string& reason) {
  auto hash = HashPassword(password);
  if (!hash) return std::move(hash).error();
  int64_t now = NowUnixMs();
  store::Account account;
  account.id = ctx.ids.Next();
  account.username = username;
  account.email = email;
  account.password_hash = std::move(*hash);
  account.role = role;
  account.approved = approved;
  account.registration_reason = reason;
  account.created_at = now;
  account.updated_at = now;
  return ctx.store.accounts().Create(account);
}

Result<store::Account> RegisterAccount(ServiceContext& ctx, const Registration& input) {
  if (ctx.settings.registrations == RegistrationMode::kClosed)
    return Error::Forbidden("Registrations are closed on this instance", "registrations_closed");
  VANTAGE_TRY(ValidateUsername(input.username));
  VANTAGE_TRY(ValidateEmail(input.email));
  VANTAGE_TRY(ValidatePassword(input.password));
  if (!input.agreement)
    return Error::Invalid("agreement", "agreement must be accepted (true) to register");
  bool approval = ctx.settings.registrations == RegistrationMode::kApproval;
  if (approval && Trim(input.reason).empty())
    return Error::Invalid("reason", "reason is required while registrations need approval",
                          "missing_field");
  if (Utf8Length(input.reason) > kMaxReason)
    return Error::Invalid("reason", "reason must be at most 1000 characters", "too_long");
  VANTAGE_TRY(CheckNotImpersonating(ctx, "username", input.username, 0));
  // Counted after validation so typos do not use up the allowance.
  if (int wait = ctx.registrations_by_ip.Hit(AddressKey(input.ip), NowUnixMs())) return Error::RateLimited(wait);
  auto account = InsertAccount(ctx, input.username, input.email, input.password, store::Role::kUser,
                               !approval, input.reason);
  if (!account) return std::move(account).error();
  VANTAGE_TRY(SendEmailConfirmation(ctx, *account));
  return account;
}

Result<store::Account> CreateAccount(ServiceContext& ctx, const std::string& username,
                                     const std::string& email, const std::string& password,
                                     store::Role role) {
  VANTAGE_TRY(ValidateUsername(username));
  VANTAGE_TRY(ValidateEmail(email));
  VANTAGE_TRY(ValidatePassword(password));
  return InsertAccount(ctx, username, email, password, role, true, "");
}

Result<store::Account> UpdateProfile(ServiceContext& ctx, int64_t account_id,
                                     const ProfileChange& change) {
  store::AccountPatch patch;
  if (change.display_name) {
    if (Utf8Length(*change.display_name) > kMaxDisplayName)
      return Error::Invalid("display_name", "display_name must be at most 30 characters", "too_long");
    patch.display_name = std::string(Trim(*change.display_name));
    auto current = ctx.store.accounts().FindById(account_id);
    if (!current) return std::move(current).error();
    if (!*current) return Error::NotFound();
    // Clients send every field with each profile save; a name kept as it was
    // is not a rename.
    if (*patch.display_name != (*current)->display_name)
      VANTAGE_TRY(CheckNotImpersonating(ctx, "display_name", *patch.display_name, account_id));
  }
  if (change.note) {
    if (Utf8Length(*change.note) > kMaxNote)
      return Error::Invalid("note", "note must be at most 500 characters", "too_long");
    patch.note = *change.note;
  }
  patch.locked = change.locked;
  patch.hide_collections = change.hide_collections;
  if (change.fields) {
    std::vector<ProfileField> kept;
    for (size_t i = 0; i < change.fields->size(); ++i) {
      std::string prefix = "fields_attributes[" + std::to_string(i) + "]";
      ProfileField field{std::string(Trim((*change.fields)[i].name)), std::string(Trim((*change.fields)[i].value))};
      for (auto [text, key] : {std::pair{&field.name, "name"}, std::pair{&field.value, "value"}}) {
        if (Utf8Length(*text) > kMaxProfileFieldChars)
          return Error::Invalid(prefix + "[" + key + "]",
                                prefix + "[" + key + "] must be at most 255 characters", "too_long");
      }
      if (field.name.empty() && field.value.empty()) continue;
      if (field.name.empty())
        return Error::Invalid(prefix + "[name]", prefix + "[name] is required with a value", "missing_field");
      kept.push_back(std::move(field));
    }
    if (kept.size() > kMaxProfileFields)
      return Error::Invalid("fields_attributes", "fields_attributes may hold at most 4 fields", "too_long");
    patch.fields_json = EncodeProfileFields(kept);
  }
  auto updated = ctx.store.accounts().Update(account_id, patch, NowUnixMs());
  if (!updated) return updated;
  if (updated->local()) VANTAGE_TRY(RecordFederated(ctx, account_id, kProfileUpdated, account_id));
  return updated;
}

namespace {

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

std::string EncodeProfileFields(const std::vector<ProfileField>& fields) {
  std::string out = "[";
  for (const ProfileField& field : fields) {
    if (out.size() > 1) out.push_back(',');
    out += "{\"name\":";
    AppendJsonString(out, field.name);
    out += ",\"value\":";
    AppendJsonString(out, field.value);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

Status ChangePassword(ServiceContext& ctx, int64_t account_id, std::string_view current,
                      std::string_view next, int64_t keep_token_id) {
  VANTAGE_TRY(ValidatePassword(next, "new_password"));
  auto account = ctx.store.accounts().FindById(account_id);
  if (!account) return std::move(account).error();
  if (!*account) return Error::NotFound();
  VANTAGE_TRY(CheckPassword(ctx, **account, current, "current_password"));
  auto hash = HashPassword(next);
  if (!hash) return std::move(hash).error();
  VANTAGE_TRY(ctx.store.accounts().SetPasswordHash(account_id, *hash, NowUnixMs()));
  auto revoked = ctx.store.tokens().RevokeAllForAccount(account_id, keep_token_id);
  if (!revoked) return std::move(revoked).error();
  TellAccessRevoked(ctx);
  return Ok();
}

Status ResetPassword(ServiceContext& ctx, const std::string& username, const std::string& password) {
  VANTAGE_TRY(ValidatePassword(password));
  auto account = ctx.store.accounts().FindByUsername(username);
  if (!account) return std::move(account).error();
  if (!*account) return Error::NotFound("No account named " + username);
  auto hash = HashPassword(password);
  if (!hash) return std::move(hash).error();
  VANTAGE_TRY(ctx.store.accounts().SetPasswordHash((*account)->id, *hash, NowUnixMs()));
  auto revoked = ctx.store.tokens().RevokeAllForAccount((*account)->id, 0);
  if (!revoked) return std::move(revoked).error();
  TellAccessRevoked(ctx);
  return Ok();
}

Status DeleteRemoteAccount(ServiceContext& ctx, int64_t account_id) {
  return store::DeleteRemoteAccount(ctx.store.database(), account_id);
}

}  // namespace vantage::service
