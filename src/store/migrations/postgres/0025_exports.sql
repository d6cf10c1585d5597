-- Archives of an account's data (docs/account-security.md, "Data rights").

-- One row per archive asked for: pending until a server builds it (a
-- server claims it for a while, claimed_until, so that two never build it),
-- then ready (its file under DATA/exports, until expires_at) or failed.
CREATE TABLE account_exports (
  id            BIGINT  PRIMARY KEY,
  account_id    BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  state         TEXT    NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
  requested_at  BIGINT  NOT NULL,
  claimed_until BIGINT  NOT NULL DEFAULT 0,
  completed_at  BIGINT,
  expires_at    BIGINT,
  file_name     TEXT    NOT NULL DEFAULT '',
  size_bytes    BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX account_exports_account ON account_exports (account_id, requested_at);
CREATE INDEX account_exports_state ON account_exports (state, expires_at);

-- Notifications that an archive is ready ('export_ready', from the account
-- itself).
ALTER TABLE notifications DROP CONSTRAINT notifications_type_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_type_check
  CHECK (type IN ('follow', 'follow_request', 'favourite', 'mention', 'reply', 'reblog', 'export_ready'));
