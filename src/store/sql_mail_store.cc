// Outbound e-mail over the backend-neutral SQL layer; runs unchanged on
// SQLite and PostgreSQL.
#include "store/mail_store.h"

namespace vantage::store {

namespace {

#define VANTAGE_MAIL_COLUMNS \
  "id, recipient, subject, text_body, html_body, created_at, attempts, next_attempt_at, last_error"

constexpr Statement kInsertMail{
    "mail_insert", "INSERT INTO mail_queue (" VANTAGE_MAIL_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Statement kClaimMail{
    "mail_claim",
    "UPDATE mail_queue SET claimed_until = ? WHERE id IN (SELECT id FROM mail_queue "
    "WHERE next_attempt_at <= ? AND claimed_until < ? ORDER BY next_attempt_at, id LIMIT ?) "
    "RETURNING " VANTAGE_MAIL_COLUMNS};
constexpr Statement kDeleteMail{"mail_delete", "DELETE FROM mail_queue WHERE id = ?"};
constexpr Statement kRescheduleMail{
    "mail_reschedule",
    "UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = 0, last_error = ? "
    "WHERE id = ?"};
constexpr Statement kCountMail{"mail_count", "SELECT COUNT(*) FROM mail_queue"};
constexpr Statement kDeleteEmailTokens{"email_tokens_delete",
                                       "DELETE FROM email_tokens WHERE account_id = ? AND purpose = ?"};
constexpr Statement kInsertEmailToken{
    "email_token_insert",
    "INSERT INTO email_tokens (token_hash, account_id, purpose, email, expires_at) VALUES (?, ?, ?, ?, ?)"};
constexpr Statement kConsumeEmailToken{
    "email_token_consume",
    "DELETE FROM email_tokens WHERE token_hash = ? RETURNING account_id, purpose, email, expires_at"};
constexpr Statement kInsertUnconfirmed{
    "unconfirmed_email_insert",
    "INSERT INTO unconfirmed_emails (account_id, created_at) VALUES (?, ?) ON CONFLICT (account_id) DO NOTHING"};
constexpr Statement kSelectUnconfirmed{"unconfirmed_email_select",
                                       "SELECT 1 FROM unconfirmed_emails WHERE account_id = ?"};
constexpr Statement kDeleteUnconfirmed{"unconfirmed_email_delete",
                                       "DELETE FROM unconfirmed_emails WHERE account_id = ?"};

#undef VANTAGE_MAIL_COLUMNS

OutgoingMail MailFrom(const Row& row) {
  return OutgoingMail{row.Int(0),  row.Text(1), row.Text(2), row.Text(3), row.Text(4),
                      row.Int(5),  row.Int(6),  row.Int(7),  row.Text(8)};
}

Status WriteOne(Database& db, const Statement& statement, std::initializer_list<Value> args) {
  std::vector<Value> values(args);
  return db.Write([&](Connection& conn) -> Status {
    auto done = conn.Exec(statement, values);
    if (!done) return std::move(done).error();
    return Ok();
  });
}

}  // namespace

Status EnqueueMail(Database& db, const OutgoingMail& m) {
  return WriteOne(db, kInsertMail, {m.id, m.recipient, m.subject, m.text_body, m.html_body, m.created_at,
                                    m.attempts, m.next_attempt_at, m.last_error});
}

Result<std::vector<OutgoingMail>> ClaimDueMail(Database& db, int64_t now, int64_t lease_ms, int limit) {
  std::vector<OutgoingMail> out;
  Status status = db.Write([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kClaimMail, {now + lease_ms, now, now, int64_t{limit}});
    if (!rows) return std::move(rows).error();
    for (const Row& row : *rows) out.push_back(MailFrom(row));
    return Ok();
  });
  if (!status) return std::move(status).error();
  std::sort(out.begin(), out.end(), [](const OutgoingMail& a, const OutgoingMail& b) {
    return a.next_attempt_at != b.next_attempt_at ? a.next_attempt_at < b.next_attempt_at : a.id < b.id;
  });
  return out;
}

Status DeleteMail(Database& db, int64_t id) { return WriteOne(db, kDeleteMail, {id}); }

Status RescheduleMail(Database& db, int64_t id, int64_t next_attempt_at, const std::string& error) {
  return WriteOne(db, kRescheduleMail, {next_attempt_at, error.substr(0, 500), id});
}

Result<int64_t> CountQueuedMail(Database& db) {
  int64_t count = 0;
  Status status = db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kCountMail, {});
    if (!row) return std::move(row).error();
    count = *row ? (*row)->Int(0) : 0;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return count;
}

Status ReplaceEmailToken(Database& db, const std::string& token_hash, const EmailToken& token) {
  return db.Write([&](Connection& conn) -> Status {
    auto cleared = conn.Exec(kDeleteEmailTokens, {token.account_id, token.purpose});
    if (!cleared) return std::move(cleared).error();
    auto inserted =
        conn.Exec(kInsertEmailToken, {token_hash, token.account_id, token.purpose, token.email, token.expires_at});
    if (!inserted) return std::move(inserted).error();
    return Ok();
  });
}

Result<std::optional<EmailToken>> ConsumeEmailToken(Database& db, const std::string& token_hash) {
  std::optional<EmailToken> out;
  Status status = db.Write([&](Connection& conn) -> Status {
    out.reset();
    auto row = conn.QueryOne(kConsumeEmailToken, {token_hash});
    if (!row) return std::move(row).error();
    if (*row) out = EmailToken{(*row)->Int(0), (*row)->Text(1), (*row)->Text(2), (*row)->Int(3)};
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Status MarkEmailUnconfirmed(Database& db, int64_t account_id, int64_t now) {
  return WriteOne(db, kInsertUnconfirmed, {account_id, now});
}

Result<bool> IsEmailUnconfirmed(Database& db, int64_t account_id) {
  bool unconfirmed = false;
  Status status = db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kSelectUnconfirmed, {account_id});
    if (!row) return std::move(row).error();
    unconfirmed = row->has_value();
    return Ok();
  });
  if (!status) return std::move(status).error();
  return unconfirmed;
}

Status MarkEmailConfirmed(Database& db, int64_t account_id) { return WriteOne(db, kDeleteUnconfirmed, {account_id}); }

}  // namespace vantage::store
