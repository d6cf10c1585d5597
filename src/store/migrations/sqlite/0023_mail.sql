-- Outbound e-mail and the links it carries (docs/account-security.md, "E-mail").

-- Messages waiting to be handed to the SMTP server, oldest first. A sender
-- claims one for a while (claimed_until) so that two never send it; one
-- sent is deleted; one that fails is tried again later (next_attempt_at).
CREATE TABLE mail_queue (
  id              BIGINT PRIMARY KEY,
  recipient       TEXT   NOT NULL,
  subject         TEXT   NOT NULL,
  text_body       TEXT   NOT NULL,
  html_body       TEXT   NOT NULL,
  created_at      BIGINT NOT NULL,
  attempts        BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  claimed_until   BIGINT NOT NULL DEFAULT 0,
  last_error      TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at);

-- Single-use links sent by e-mail, as SHA-256 digests: confirming an
-- address (at sign-up, or a new one) and resetting a password.
CREATE TABLE email_tokens (
  token_hash TEXT   PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  purpose    TEXT   NOT NULL,
  email      TEXT   NOT NULL,
  expires_at BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX email_tokens_account ON email_tokens (account_id, purpose);

-- Accounts whose address has not been confirmed yet (made at sign-up;
-- deleted when confirmed). Accounts from before e-mail have none.
CREATE TABLE unconfirmed_emails (
  account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL
) WITHOUT ROWID;
