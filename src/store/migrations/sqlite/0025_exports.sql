-- Archives of an account's data (docs/account-security.md, "Data rights").
--
-- The same SQL as migrations/postgres/0025_exports.sql except for the key
-- column type and the notifications type check: SQLite cannot change a
-- CHECK constraint, so the table is rebuilt with its rows and indexes.

-- One row per archive asked for: pending until a server builds it (a
-- server claims it for a while, claimed_until, so that two never build it),
-- then ready (its file under DATA/exports, until expires_at) or failed.
CREATE TABLE account_exports (
  id            INTEGER PRIMARY KEY,
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
CREATE TABLE notifications_new (
  id              INTEGER PRIMARY KEY,
  account_id      BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  from_account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type            TEXT    NOT NULL
                          CHECK (type IN ('follow', 'follow_request', 'favourite', 'mention', 'reply', 'reblog',
                                          'export_ready')),
  status_id       BIGINT  REFERENCES statuses (id) ON DELETE CASCADE,
  created_at      BIGINT  NOT NULL
);
INSERT INTO notifications_new (id, account_id, from_account_id, type, status_id, created_at)
  SELECT id, account_id, from_account_id, type, status_id, created_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE UNIQUE INDEX notifications_unique
  ON notifications (account_id, type, from_account_id, COALESCE(status_id, 0));
CREATE INDEX notifications_account_id_id ON notifications (account_id, id);
CREATE INDEX notifications_from_account_id ON notifications (from_account_id);
CREATE INDEX notifications_status_id ON notifications (status_id);
