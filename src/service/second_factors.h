// Second factors (docs/account-security.md): TOTP with recovery codes, and
// the second step of every sign-in that takes a password.
//
// All functions block: call them from a pool thread. Those that take the
// password run argon2id and belong on the CPU pool.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/context.h"

namespace vantage::service {

inline constexpr int kRecoveryCodeCount = 10;

struct SecondFactorState {
  bool totp = false;
  int64_t recovery_codes_remaining = 0;
};
Result<SecondFactorState> SecondFactorsOf(ServiceContext& ctx, int64_t account_id);
// Whether the account must give a second factor to sign in.
Result<bool> HasSecondFactor(ServiceContext& ctx, int64_t account_id);

struct TotpEnrolment {
  std::string secret;       // base32, for typing into an app
  std::string otpauth_uri;  // what the QR code holds
  std::string qr_svg;       // the QR code, as an SVG document
};
// Starts (or restarts) a pending enrolment. Needs the account's password.
Result<TotpEnrolment> BeginTotp(ServiceContext& ctx, const store::Account& account, std::string_view password);
// Turns the pending secret on with a code from the app; returns the recovery
// codes, in plain text this once.
Result<std::vector<std::string>> ConfirmTotp(ServiceContext& ctx, int64_t account_id, std::string_view code);
// Needs the password and a code (TOTP or recovery).
Status DisableTotp(ServiceContext& ctx, const store::Account& account, std::string_view password,
                   std::string_view code);
Result<std::vector<std::string>> RegenerateRecoveryCodes(ServiceContext& ctx, const store::Account& account,
                                                         std::string_view password, std::string_view code);

// Checks a TOTP code or a recovery code of an account with a second factor,
// spending it. Invalid "invalid_code" (field `code`) when wrong, replayed or
// expired; RateLimited after 5 wrong codes in 5 minutes.
Status VerifySecondFactor(ServiceContext& ctx, int64_t account_id, std::string_view code);

// The second step of a sign-in: a token handed out when the password was
// right, valid 5 minutes, single-use once a code is accepted.
Result<std::string> IssueSignInToken(ServiceContext& ctx, int64_t account_id);
// The account the token was issued for, once the code is right.
// Unauthorized "sign_in_expired" for an unknown or expired token;
// Unauthorized "invalid_code" (field `code`) for a wrong code.
Result<int64_t> CompleteSignIn(ServiceContext& ctx, std::string_view sign_in_token, std::string_view code);

// The holder of token `token_id` proves again who they are, for the actions
// that need a recent sign-in (service/organisations.h): a code (TOTP or
// recovery) when the account has a second factor, its password otherwise.
// Invalid naming the missing or wrong field.
Status Reauthenticate(ServiceContext& ctx, const store::Account& account, int64_t token_id,
                      std::string_view password, std::string_view code);

// Checks the account's password under the per-account sign-in allowance.
// Invalid "invalid_password" naming `field` when wrong.
Status CheckPassword(ServiceContext& ctx, const store::Account& account, std::string_view password,
                     const std::string& field);

}  // namespace vantage::service
