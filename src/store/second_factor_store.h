// An account's second factors as stored (service/second_factors.h decides
// what they mean). The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

struct TotpRow {
  std::string secret;  // base32
  int64_t last_step = 0;
  int64_t created_at = 0;
  std::optional<int64_t> enabled_at;  // none while pending
};

Result<std::optional<TotpRow>> ReadTotp(Database& db, int64_t account_id);
// Starts a pending enrolment with `secret`, replacing an earlier pending one.
// Conflict "second_factor_enabled" when TOTP is already on.
Status WritePendingTotp(Database& db, int64_t account_id, const std::string& secret, int64_t now);
// Spends `step` (and every earlier one) if it is newer than the last spent
// one; whether it was. Atomic: two requests with the same code cannot both
// win.
Result<bool> SpendTotpStep(Database& db, int64_t account_id, int64_t step);
// Turns the pending secret on, spending `step`, and (when some are given)
// stores the recovery codes' digests in place of any earlier ones, in one
// transaction. Whether it did
// (false: no pending enrolment, or the step was spent).
Result<bool> EnableTotp(Database& db, int64_t account_id, int64_t step,
                        const std::vector<std::string>& recovery_code_hashes, int64_t now);
// Removes TOTP, and the recovery codes when no passkey is left either.
Status DeleteTotp(Database& db, int64_t account_id);

Result<int64_t> CountRecoveryCodes(Database& db, int64_t account_id);
// Deletes the code with this digest; whether it was there (false: unknown or
// used).
Result<bool> SpendRecoveryCode(Database& db, int64_t account_id, const std::string& code_hash);
Status ReplaceRecoveryCodes(Database& db, int64_t account_id, const std::vector<std::string>& code_hashes);

// A passkey (WebAuthn credential). Binary fields are base64url.
struct Passkey {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string credential_id;
  std::string public_key;  // COSE_Key
  int64_t algorithm = 0;
  int64_t sign_count = 0;
  std::string name;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
};

// Conflict "unique_violation" when the credential id is registered already.
Status InsertPasskey(Database& db, const Passkey& passkey);
// Oldest first.
Result<std::vector<Passkey>> ListPasskeys(Database& db, int64_t account_id);
Result<std::optional<Passkey>> FindPasskey(Database& db, int64_t account_id, const std::string& credential_id);
// Moves the counter to `sign_count` only if it is the one read (or both are
// 0): two uses of one assertion cannot both win. Whether it did.
Result<bool> RecordPasskeyUse(Database& db, int64_t id, int64_t seen_count, int64_t sign_count, int64_t now);
// NotFound unless the account has it.
Status RenamePasskey(Database& db, int64_t account_id, int64_t id, const std::string& name);
Status DeletePasskey(Database& db, int64_t account_id, int64_t id);
Result<int64_t> CountPasskeys(Database& db, int64_t account_id);
// The challenge of the account's registration under way, replacing any other.
Status WritePasskeyRegistration(Database& db, int64_t account_id, const std::string& challenge, int64_t expires_at);
// Deletes and returns it; none when there is none or it expired at `now`.
Result<std::optional<std::string>> ConsumePasskeyRegistration(Database& db, int64_t account_id, int64_t now);
// Deletes the recovery codes when the account has no second factor left.
Status DeleteRecoveryCodesIfNoFactor(Database& db, int64_t account_id);

struct SignInChallenge {
  int64_t account_id = 0;
  std::string challenge;
  int64_t expires_at = 0;
};
Status CreateSignInChallenge(Database& db, const std::string& token_hash, const SignInChallenge& challenge);
// None when unknown or expired at `now`.
Result<std::optional<SignInChallenge>> ReadSignInChallenge(Database& db, const std::string& token_hash,
                                                           int64_t now);
// Deletes it; whether it was there, so that a token completes one sign-in.
Result<bool> ConsumeSignInChallenge(Database& db, const std::string& token_hash);
Result<int64_t> DeleteExpiredSignInChallenges(Database& db, int64_t now);

}  // namespace vantage::store
