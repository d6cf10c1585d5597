-- Federation, second migration (docs/federation.md): boosts of local posts
-- by remote accounts, the domains an allowlisted instance federates with,
-- and whether a draft's post federates.
--
-- The same SQL as migrations/sqlite/0018_federation_interactions.sql except
-- for WITHOUT ROWID and the notifications type check, which PostgreSQL
-- changes in place (SQLite rebuilds the table).

-- An Announce of a local post: counted in its reblogs_count and notified.
CREATE TABLE announces (
  id         BIGINT  PRIMARY KEY,
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
);

-- vantage_federate of the post a draft becomes.
ALTER TABLE drafts ADD COLUMN federate INTEGER NOT NULL DEFAULT 1 CHECK (federate IN (0, 1));

-- Notifications of boosts ('reblog', Mastodon's name).
ALTER TABLE notifications DROP CONSTRAINT notifications_type_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_type_check
  CHECK (type IN ('follow', 'follow_request', 'favourite', 'mention', 'reply', 'reblog'));
