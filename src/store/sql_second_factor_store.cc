// Second factors over the backend-neutral SQL layer; runs unchanged on SQLite
// and PostgreSQL.
#include "store/second_factor_store.h"

namespace vantage::store {

namespace {

constexpr Statement kSelectTotp{
    "select_totp", "SELECT secret, last_step, created_at, enabled_at FROM totp_credentials WHERE account_id = ?"};
// Replaces a pending row only: an enabled one is left as it is, and the
// caller learns of it from the count.
constexpr Statement kUpsertPendingTotp{
    "upsert_pending_totp",
    "INSERT INTO totp_credentials (account_id, secret, last_step, created_at, enabled_at) VALUES (?, ?, 0, ?, NULL) "
    "ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, last_step = 0, "
    "created_at = excluded.created_at WHERE totp_credentials.enabled_at IS NULL"};
constexpr Statement kSpendTotpStep{
    "spend_totp_step",
    "UPDATE totp_credentials SET last_step = ? WHERE account_id = ? AND last_step < ? AND enabled_at IS NOT NULL"};
constexpr Statement kEnableTotp{
    "enable_totp",
    "UPDATE totp_credentials SET last_step = ?, enabled_at = ? "
    "WHERE account_id = ? AND last_step < ? AND enabled_at IS NULL"};
constexpr Statement kDeleteTotp{"delete_totp", "DELETE FROM totp_credentials WHERE account_id = ?"};
constexpr Statement kCountRecoveryCodes{"count_recovery_codes",
                                        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = ?"};
constexpr Statement kDeleteRecoveryCode{"delete_recovery_code",
                                        "DELETE FROM recovery_codes WHERE account_id = ? AND code_hash = ?"};
constexpr Statement kDeleteRecoveryCodes{"delete_recovery_codes", "DELETE FROM recovery_codes WHERE account_id = ?"};
constexpr Statement kInsertRecoveryCode{"insert_recovery_code",
                                        "INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)"};
constexpr Statement kInsertSignInChallenge{
    "insert_sign_in_challenge",
    "INSERT INTO sign_in_challenges (token_hash, account_id, challenge, expires_at) VALUES (?, ?, ?, ?)"};
constexpr Statement kSelectSignInChallenge{
    "select_sign_in_challenge",
    "SELECT account_id, challenge, expires_at FROM sign_in_challenges WHERE token_hash = ? AND expires_at > ?"};
constexpr Statement kDeleteSignInChallenge{"delete_sign_in_challenge",
                                           "DELETE FROM sign_in_challenges WHERE token_hash = ?"};
constexpr Statement kDeleteExpiredSignInChallenges{"delete_expired_sign_in_challenges",
                                                   "DELETE FROM sign_in_challenges WHERE expires_at <= ?"};

Status InsertRecoveryCodes(Connection& conn, int64_t account_id, const std::vector<std::string>& hashes) {
  auto cleared = conn.Exec(kDeleteRecoveryCodes, {account_id});
  if (!cleared) return std::move(cleared).error();
  for (const std::string& hash : hashes) {
    auto inserted = conn.Exec(kInsertRecoveryCode, {account_id, hash});
    if (!inserted) return std::move(inserted).error();
  }
  return Ok();
}

}  // namespace

Result<std::optional<TotpRow>> ReadTotp(Database& db, int64_t account_id) {
  std::optional<TotpRow> out;
  Status status = db.Read([&](Connection& conn) -> Status {
    out.reset();
    auto row = conn.QueryOne(kSelectTotp, {account_id});
    if (!row) return std::move(row).error();
    if (*row) out = TotpRow{(*row)->Text(0), (*row)->Int(1), (*row)->Int(2), (*row)->OptInt(3)};
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Status WritePendingTotp(Database& db, int64_t account_id, const std::string& secret, int64_t now) {
  return db.Write([&](Connection& conn) -> Status {
    auto written = conn.Exec(kUpsertPendingTotp, {account_id, secret, now});
    if (!written) return std::move(written).error();
    if (*written == 0)
      return Error::Conflict("second_factor_enabled", "Two-factor authentication is already on");
    return Ok();
  });
}

Result<bool> SpendTotpStep(Database& db, int64_t account_id, int64_t step) {
  bool spent = false;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto updated = conn.Exec(kSpendTotpStep, {step, account_id, step});
    if (!updated) return std::move(updated).error();
    spent = *updated > 0;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return spent;
}

Result<bool> EnableTotp(Database& db, int64_t account_id, int64_t step,
                        const std::vector<std::string>& recovery_code_hashes, int64_t now) {
  bool enabled = false;
  Status status = db.Write([&](Connection& conn) -> Status {
    enabled = false;
    auto updated = conn.Exec(kEnableTotp, {step, now, account_id, step});
    if (!updated) return std::move(updated).error();
    if (*updated == 0) return Ok();
    VANTAGE_TRY(InsertRecoveryCodes(conn, account_id, recovery_code_hashes));
    enabled = true;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return enabled;
}

Status DeleteTotp(Database& db, int64_t account_id) {
  return db.Write([&](Connection& conn) -> Status {
    auto deleted = conn.Exec(kDeleteTotp, {account_id});
    if (!deleted) return std::move(deleted).error();
    auto codes = conn.Exec(kDeleteRecoveryCodes, {account_id});
    if (!codes) return std::move(codes).error();
    return Ok();
  });
}

Result<int64_t> CountRecoveryCodes(Database& db, int64_t account_id) {
  int64_t count = 0;
  Status status = db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kCountRecoveryCodes, {account_id});
    if (!row) return std::move(row).error();
    count = *row ? (*row)->Int(0) : 0;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return count;
}

Result<bool> SpendRecoveryCode(Database& db, int64_t account_id, const std::string& code_hash) {
  bool spent = false;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto deleted = conn.Exec(kDeleteRecoveryCode, {account_id, code_hash});
    if (!deleted) return std::move(deleted).error();
    spent = *deleted > 0;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return spent;
}

Status ReplaceRecoveryCodes(Database& db, int64_t account_id, const std::vector<std::string>& code_hashes) {
  return db.Write([&](Connection& conn) { return InsertRecoveryCodes(conn, account_id, code_hashes); });
}

Status CreateSignInChallenge(Database& db, const std::string& token_hash, const SignInChallenge& challenge) {
  return db.Write([&](Connection& conn) -> Status {
    auto inserted = conn.Exec(kInsertSignInChallenge,
                              {token_hash, challenge.account_id, challenge.challenge, challenge.expires_at});
    if (!inserted) return std::move(inserted).error();
    return Ok();
  });
}

Result<std::optional<SignInChallenge>> ReadSignInChallenge(Database& db, const std::string& token_hash,
                                                           int64_t now) {
  std::optional<SignInChallenge> out;
  Status status = db.Read([&](Connection& conn) -> Status {
    out.reset();
    auto row = conn.QueryOne(kSelectSignInChallenge, {token_hash, now});
    if (!row) return std::move(row).error();
    if (*row) out = SignInChallenge{(*row)->Int(0), (*row)->Text(1), (*row)->Int(2)};
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Result<bool> ConsumeSignInChallenge(Database& db, const std::string& token_hash) {
  bool consumed = false;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto deleted = conn.Exec(kDeleteSignInChallenge, {token_hash});
    if (!deleted) return std::move(deleted).error();
    consumed = *deleted > 0;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return consumed;
}

Result<int64_t> DeleteExpiredSignInChallenges(Database& db, int64_t now) {
  int64_t deleted = 0;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto result = conn.Exec(kDeleteExpiredSignInChallenges, {now});
    if (!result) return std::move(result).error();
    deleted = *result;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return deleted;
}

}  // namespace vantage::store
