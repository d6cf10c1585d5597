-- Federation, second migration (docs/federation.md): boosts of local posts
-- by remote accounts, the domains an allowlisted instance federates with,
-- and whether a draft's post federates.
--
-- The same SQL as migrations/postgres/0018_federation_interactions.sql
-- except for the key column types (INTEGER PRIMARY KEY is SQLite's rowid),
-- WITHOUT ROWID, and the notifications type check: SQLite cannot change a
-- CHECK constraint, so the table is rebuilt with its rows and indexes.

-- An Announce of a local post: counted in its reblogs_count and notified.
CREATE TABLE announces (
  id         INTEGER PRIMARY KEY,
  account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  status_id  BIGINT  NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  uri        TEXT    NOT NULL,
  created_at BIGINT  NOT NULL,
  UNIQUE (account_id, status_id)
);
CREATE INDEX announces_status_id ON announces (status_id);

-- With --federation allowlist, the only domains anything comes from or goes to.
CREATE TABLE domain_allows (
  domain     TEXT   NOT NULL PRIMARY KEY,
  created_at BIGINT NOT NULL
) WITHOUT ROWID;

-- vantage_federate of the post a draft becomes.
ALTER TABLE drafts ADD COLUMN federate INTEGER NOT NULL DEFAULT 1 CHECK (federate IN (0, 1));

-- Notifications of boosts ('reblog', Mastodon's name).
CREATE TABLE notifications_new (
  id              INTEGER PRIMARY KEY,
  account_id      BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  from_account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type            TEXT    NOT NULL
                          CHECK (type IN ('follow', 'follow_request', 'favourite', 'mention', 'reply', 'reblog')),
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
