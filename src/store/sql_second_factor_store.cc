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

#define VANTAGE_PASSKEY_COLUMNS \
  "id, account_id, credential_id, public_key, algorithm, sign_count, name, created_at, last_used_at"
constexpr Statement kInsertPasskey{
    "passkey_insert", "INSERT INTO webauthn_credentials (" VANTAGE_PASSKEY_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Statement kListPasskeys{
    "passkey_list", "SELECT " VANTAGE_PASSKEY_COLUMNS " FROM webauthn_credentials WHERE account_id = ? ORDER BY id"};
constexpr Statement kFindPasskey{
    "passkey_find",
    "SELECT " VANTAGE_PASSKEY_COLUMNS " FROM webauthn_credentials WHERE account_id = ? AND credential_id = ?"};
#undef VANTAGE_PASSKEY_COLUMNS
constexpr Statement kUsePasskey{
    "passkey_use",
    "UPDATE webauthn_credentials SET sign_count = ?, last_used_at = ? WHERE id = ? AND sign_count = ?"};
constexpr Statement kRenamePasskey{"passkey_rename",
                                   "UPDATE webauthn_credentials SET name = ? WHERE account_id = ? AND id = ?"};
constexpr Statement kDeletePasskey{"passkey_delete", "DELETE FROM webauthn_credentials WHERE account_id = ? AND id = ?"};
constexpr Statement kCountPasskeys{"passkey_count", "SELECT COUNT(*) FROM webauthn_credentials WHERE account_id = ?"};
constexpr Statement kUpsertPasskeyRegistration{
    "passkey_registration_upsert",
    "INSERT INTO webauthn_registrations (account_id, challenge, expires_at) VALUES (?, ?, ?) "
    "ON CONFLICT (account_id) DO UPDATE SET challenge = excluded.challenge, expires_at = excluded.expires_at"};
constexpr Statement kConsumePasskeyRegistration{
    "passkey_registration_consume",
    "DELETE FROM webauthn_registrations WHERE account_id = ? RETURNING challenge, expires_at"};
constexpr Statement kDeleteCodesWithoutFactor{
    "recovery_codes_delete_without_factor",
    "DELETE FROM recovery_codes WHERE account_id = ? "
    "AND NOT EXISTS (SELECT 1 FROM totp_credentials WHERE account_id = ? AND enabled_at IS NOT NULL) "
    "AND NOT EXISTS (SELECT 1 FROM webauthn_credentials WHERE account_id = ?)"};

Passkey PasskeyFrom(const Row& r) {
  return Passkey{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5), r.Text(6), r.Int(7), r.OptInt(8)};
}

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
    if (!recovery_code_hashes.empty()) VANTAGE_TRY(InsertRecoveryCodes(conn, account_id, recovery_code_hashes));
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
    auto codes = conn.Exec(kDeleteCodesWithoutFactor, {account_id, account_id, account_id});
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

Status InsertPasskey(Database& db, const Passkey& p) {
  return db.Write([&](Connection& conn) -> Status {
    auto inserted = conn.Exec(kInsertPasskey, {p.id, p.account_id, p.credential_id, p.public_key, p.algorithm,
                                               p.sign_count, p.name, p.created_at, Opt(p.last_used_at)});
    if (!inserted) return std::move(inserted).error();
    return Ok();
  });
}

Result<std::vector<Passkey>> ListPasskeys(Database& db, int64_t account_id) {
  std::vector<Passkey> out;
  Status status = db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kListPasskeys, {account_id});
    if (!rows) return std::move(rows).error();
    for (const Row& row : *rows) out.push_back(PasskeyFrom(row));
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Result<std::optional<Passkey>> FindPasskey(Database& db, int64_t account_id, const std::string& credential_id) {
  std::optional<Passkey> out;
  Status status = db.Read([&](Connection& conn) -> Status {
    out.reset();
    auto row = conn.QueryOne(kFindPasskey, {account_id, credential_id});
    if (!row) return std::move(row).error();
    if (*row) out = PasskeyFrom(**row);
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Result<bool> RecordPasskeyUse(Database& db, int64_t id, int64_t seen_count, int64_t sign_count, int64_t now) {
  bool used = false;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto updated = conn.Exec(kUsePasskey, {sign_count, now, id, seen_count});
    if (!updated) return std::move(updated).error();
    used = *updated > 0;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return used;
}

static Status ChangeOne(Database& db, const Statement& statement, const std::vector<Value>& args) {
  return db.Write([&](Connection& conn) -> Status {
    auto changed = conn.Exec(statement, args);
    if (!changed) return std::move(changed).error();
    if (*changed == 0) return Error::NotFound("No such passkey", "not_found");
    return Ok();
  });
}

Status RenamePasskey(Database& db, int64_t account_id, int64_t id, const std::string& name) {
  return ChangeOne(db, kRenamePasskey, {name, account_id, id});
}

Status DeletePasskey(Database& db, int64_t account_id, int64_t id) {
  return ChangeOne(db, kDeletePasskey, {account_id, id});
}

Result<int64_t> CountPasskeys(Database& db, int64_t account_id) {
  int64_t count = 0;
  Status status = db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kCountPasskeys, {account_id});
    if (!row) return std::move(row).error();
    count = *row ? (*row)->Int(0) : 0;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return count;
}

Status WritePasskeyRegistration(Database& db, int64_t account_id, const std::string& challenge, int64_t expires_at) {
  return db.Write([&](Connection& conn) -> Status {
    auto written = conn.Exec(kUpsertPasskeyRegistration, {account_id, challenge, expires_at});
    if (!written) return std::move(written).error();
    return Ok();
  });
}

Result<std::optional<std::string>> ConsumePasskeyRegistration(Database& db, int64_t account_id, int64_t now) {
  std::optional<std::string> out;
  Status status = db.Write([&](Connection& conn) -> Status {
    out.reset();
    auto row = conn.QueryOne(kConsumePasskeyRegistration, {account_id});
    if (!row) return std::move(row).error();
    if (*row && (*row)->Int(1) > now) out = (*row)->Text(0);
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Status DeleteRecoveryCodesIfNoFactor(Database& db, int64_t account_id) {
  return db.Write([&](Connection& conn) -> Status {
    auto deleted = conn.Exec(kDeleteCodesWithoutFactor, {account_id, account_id, account_id});
    if (!deleted) return std::move(deleted).error();
    return Ok();
  });
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
