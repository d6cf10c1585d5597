// Second factors (docs/account-security.md): TOTP with recovery codes, and
// the second step of every sign-in that takes a password.
//
// All functions block: call them from a pool thread. Those that take the
// password run argon2id and belong on the CPU pool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/second_factor_store.h"

namespace vantage::service {

inline constexpr int kRecoveryCodeCount = 10;

struct SecondFactorState {
  bool totp = false;
  int64_t recovery_codes_remaining = 0;
  std::vector<store::Passkey> passkeys;
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
// An AuthenticatorAssertionResponse (raw bytes) for the second step of a sign-in,
// or to prove the second factor again.
struct PasskeyAssertion {
  std::string credential_id;
  std::string client_data_json;
  std::string authenticator_data;
  std::string signature;
};
// What proves a signed-in account's second factor again: a code (TOTP or
// recovery), or a passkey's assertion of the challenge PasskeyChallenge
// handed out under `challenge_token`.
struct SecondFactorProof {
  std::string code;
  std::string challenge_token;
  std::optional<PasskeyAssertion> assertion;  // set: a passkey instead of a code
};
// Needs the password and the second factor.
Status DisableTotp(ServiceContext& ctx, const store::Account& account, std::string_view password,
                   const SecondFactorProof& proof);
Result<std::vector<std::string>> RegenerateRecoveryCodes(ServiceContext& ctx, const store::Account& account,
                                                         std::string_view password, const SecondFactorProof& proof);

// Passkeys (WebAuthn, service/webauthn.h). The relying party is this
// server: its host name (without a port) is the rpId, its public URL's
// origin the only origin accepted.
struct PasskeyRegistrationOptions {
  std::string challenge;  // base64url
  std::string rp_id;
  std::string rp_name;
  std::string user_id;  // base64url of the account id (8 bytes, big-endian)
  std::string user_name;
  std::vector<std::string> exclude_credentials;  // base64url ids already registered
};
// Starts registering a passkey (needs the password); valid 5 minutes.
Result<PasskeyRegistrationOptions> BeginPasskeyRegistration(ServiceContext& ctx, const store::Account& account,
                                                            std::string_view password);
struct RegisteredPasskey {
  store::Passkey passkey;
  std::vector<std::string> recovery_codes;  // made when it is the account's first second factor
};
// Finishes it with the browser's AuthenticatorAttestationResponse (raw
// bytes). `name` is 1-50 characters.
Result<RegisteredPasskey> FinishPasskeyRegistration(ServiceContext& ctx, int64_t account_id, std::string_view name,
                                                    std::string_view client_data_json,
                                                    std::string_view attestation_object);
Status RenamePasskey(ServiceContext& ctx, int64_t account_id, int64_t passkey_id, std::string_view name);
// Needs the password. The recovery codes go with the last second factor.
Status RemovePasskey(ServiceContext& ctx, const store::Account& account, int64_t passkey_id,
                     std::string_view password);


// Checks a passkey's assertion against the challenge the sign-in was given,
// and records its counter. Invalid "invalid_credential" (field
// `credential`); the same limit as wrong codes.
Status VerifyPasskeyAssertion(ServiceContext& ctx, int64_t account_id, const std::string& challenge,
                              const PasskeyAssertion& assertion);

// Checks a TOTP code or a recovery code of an account with a second factor,
// spending it. Invalid "invalid_code" (field `code`) when wrong, replayed or
// expired; RateLimited after 5 wrong codes in 5 minutes.
Status VerifySecondFactor(ServiceContext& ctx, int64_t account_id, std::string_view code);

// The second step of a sign-in: a token handed out when the password was
// right, valid 5 minutes, single-use once a code is accepted; with the
// WebAuthn request options when the account has passkeys.
struct SignInChallenge {
  std::string token;
  std::vector<std::string> methods;  // "totp", "recovery_code", "webauthn"
  std::string webauthn_challenge;    // base64url; empty without passkeys
  std::string rp_id;
  std::vector<std::string> allow_credentials;  // base64url ids
};
Result<SignInChallenge> IssueSignInToken(ServiceContext& ctx, int64_t account_id);
// The challenge a live sign-in token was issued with, to ask again after a
// wrong code; none when the token is unknown or expired.
Result<std::optional<SignInChallenge>> SignInChallengeOf(ServiceContext& ctx, std::string_view sign_in_token);
// The account the token was issued for, once the code (or, when given, the
// passkey's assertion) is right. Unauthorized "sign_in_expired" for an
// unknown or expired token; Unauthorized "invalid_code" (field `code`) for
// a wrong code, "invalid_credential" (field `credential`) for an assertion
// that does not verify.
Result<int64_t> CompleteSignIn(ServiceContext& ctx, std::string_view sign_in_token, std::string_view code,
                               const std::optional<PasskeyAssertion>& assertion = std::nullopt);

// A WebAuthn challenge for a signed-in account to answer with one of its
// passkeys (SecondFactorProof), valid 5 minutes and single-use; it is no
// sign-in token and the sign-in's second step does not take it. Conflict
// "no_passkey" for an account without passkeys.
Result<SignInChallenge> PasskeyChallenge(ServiceContext& ctx, int64_t account_id);

// The holder of token `token_id` proves again who they are, for the actions
// that need a recent sign-in (service/organisations.h): the second factor
// (a code, or a passkey) when the account has one, its password otherwise.
// Invalid naming the missing or wrong field.
Status Reauthenticate(ServiceContext& ctx, const store::Account& account, int64_t token_id,
                      std::string_view password, const SecondFactorProof& proof);

// Checks the account's password under the per-account sign-in allowance.
// Invalid "invalid_password" naming `field` when wrong.
Status CheckPassword(ServiceContext& ctx, const store::Account& account, std::string_view password,
                     const std::string& field);

}  // namespace vantage::service
