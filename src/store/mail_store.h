// Outbound e-mail and e-mailed links as stored (service/mail.h decides what
// they say). The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

struct OutgoingMail {
  int64_t id = 0;
  std::string recipient;  // one address
  std::string subject;
  std::string text_body;
  std::string html_body;
  int64_t created_at = 0;
  int64_t attempts = 0;  // failed ones so far
  int64_t next_attempt_at = 0;
  std::string last_error;
};

Status EnqueueMail(Database& db, const OutgoingMail& mail);
// Claims up to `limit` messages due at `now` for `lease_ms`, oldest first:
// another sender skips them until the lease ends (a sender that died
// leaves them to be taken over then).
Result<std::vector<OutgoingMail>> ClaimDueMail(Database& db, int64_t now, int64_t lease_ms, int limit);
// A message sent (or given up on) leaves the queue.
Status DeleteMail(Database& db, int64_t id);
// A failed attempt: counted, with its error, and due again at `next_attempt_at`.
Status RescheduleMail(Database& db, int64_t id, int64_t next_attempt_at, const std::string& error);
Result<int64_t> CountQueuedMail(Database& db);

struct EmailToken {
  int64_t account_id = 0;
  std::string purpose;  // "confirm", "reset", "change"
  std::string email;    // the address it was sent to
  int64_t expires_at = 0;
};
// Replaces the account's earlier tokens of the same purpose: only the
// newest link works.
Status ReplaceEmailToken(Database& db, const std::string& token_hash, const EmailToken& token);
// Deletes and returns the token in one step, so that a link works once.
// None when unknown or already used (expiry is checked by the caller).
Result<std::optional<EmailToken>> ConsumeEmailToken(Database& db, const std::string& token_hash);

Status MarkEmailUnconfirmed(Database& db, int64_t account_id, int64_t now);
Result<bool> IsEmailUnconfirmed(Database& db, int64_t account_id);
Status MarkEmailConfirmed(Database& db, int64_t account_id);

}  // namespace vantage::store
