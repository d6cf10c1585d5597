-- The social graph (follows, follow requests, blocks, mutes), interactions
-- (favourites, bookmarks), notifications and the home-feed inboxes.
--
-- The same SQL as migrations/postgres/0004_social.sql except for the id
-- column types (INTEGER PRIMARY KEY is SQLite's rowid) and WITHOUT ROWID.
-- Every relation row has its own time-ordered id: lists page by it (the
-- "internal cursor" Mastodon uses for followers, blocks and favourites).
-- Counters (followers_count, following_count, favourites_count) change in
-- the same transaction as the row, and only when a row was really added or
-- removed, so concurrent requests keep them exact.

-- A post or a comment. Set when written; a comment whose parent is deleted
-- stays a comment. Existing rows: anything answering something, or without
-- photos, is a comment.
ALTER TABLE statuses ADD COLUMN is_comment INTEGER NOT NULL DEFAULT 0 CHECK (is_comment IN (0, 1));
UPDATE statuses SET is_comment = 1
 WHERE in_reply_to_id IS NOT NULL OR in_reply_to_account_id IS NOT NULL
    OR NOT EXISTS (SELECT 1 FROM media_attachments m WHERE m.status_id = statuses.id);
-- Timelines of posts walk (id) skipping comments; profiles walk (account_id, id).
CREATE INDEX statuses_posts_account_id_id ON statuses (account_id, is_comment, id);

-- Accounts whose posts are pulled into home timelines at read time instead
-- of being written into every follower's inbox (see docs/architecture.md).
-- Set once an account's followers pass the fan-out limit; never unset, so
-- no post falls between the two paths.
ALTER TABLE accounts ADD COLUMN feed_pull INTEGER NOT NULL DEFAULT 0 CHECK (feed_pull IN (0, 1));

-- Accepted follows: account_id follows target_account_id.
CREATE TABLE follows (
  id                INTEGER PRIMARY KEY,
  account_id        BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at        BIGINT  NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX follows_account_id_id ON follows (account_id, id);
CREATE INDEX follows_target_account_id_id ON follows (target_account_id, id);

-- Pending requests to follow a locked account.
CREATE TABLE follow_requests (
  id                INTEGER PRIMARY KEY,
  account_id        BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at        BIGINT  NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX follow_requests_target_account_id_id ON follow_requests (target_account_id, id);

CREATE TABLE blocks (
  id                INTEGER PRIMARY KEY,
  account_id        BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at        BIGINT  NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_account_id_id ON blocks (account_id, id);
CREATE INDEX blocks_target_account_id ON blocks (target_account_id, account_id);

CREATE TABLE mutes (
  id                INTEGER PRIMARY KEY,
  account_id        BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at        BIGINT  NOT NULL,
  -- Whether the mute also silences the account's notifications (Mastodon's
  -- `notifications` parameter, default true).
  notifications     INTEGER NOT NULL DEFAULT 1 CHECK (notifications IN (0, 1)),
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX mutes_account_id_id ON mutes (account_id, id);
CREATE INDEX mutes_target_account_id ON mutes (target_account_id);

CREATE TABLE favourites (
  id         INTEGER PRIMARY KEY,
  account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  status_id  BIGINT  NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  created_at BIGINT  NOT NULL,
  UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_account_id_id ON favourites (account_id, id);
CREATE INDEX favourites_status_id_id ON favourites (status_id, id);

CREATE TABLE bookmarks (
  id         INTEGER PRIMARY KEY,
  account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  status_id  BIGINT  NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  created_at BIGINT  NOT NULL,
  UNIQUE (account_id, status_id)
);
CREATE INDEX bookmarks_account_id_id ON bookmarks (account_id, id);
CREATE INDEX bookmarks_status_id ON bookmarks (status_id);

-- account_id is notified of what from_account_id did (to status_id).
-- One notification per (recipient, type, actor, status): liking a post
-- again after unliking it does not notify twice.
CREATE TABLE notifications (
  id              INTEGER PRIMARY KEY,
  account_id      BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  from_account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type            TEXT    NOT NULL
                          CHECK (type IN ('follow', 'follow_request', 'favourite', 'mention', 'reply')),
  status_id       BIGINT  REFERENCES statuses (id) ON DELETE CASCADE,
  created_at      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX notifications_unique
  ON notifications (account_id, type, from_account_id, COALESCE(status_id, 0));
CREATE INDEX notifications_account_id_id ON notifications (account_id, id);
CREATE INDEX notifications_from_account_id ON notifications (from_account_id);
CREATE INDEX notifications_status_id ON notifications (status_id);

-- Home-feed inboxes: fan-out on write puts each new post of an author who
-- is not feed_pull into every follower's inbox (and the author's own).
-- Reads join statuses and the viewer's follows, so deleted posts, unfollows,
-- blocks and mutes need no rewrite of the inboxes.
CREATE TABLE home_feed (
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  status_id  BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  author_id  BIGINT NOT NULL,
  PRIMARY KEY (account_id, status_id)
) WITHOUT ROWID;
CREATE INDEX home_feed_status_id ON home_feed (status_id);
-- The few feed_pull accounts, so that a home timeline finds those its viewer
-- follows by testing each against the viewer's follows.
CREATE INDEX accounts_feed_pull ON accounts (id) WHERE feed_pull = 1;
-- The public timeline walks public, unarchived posts newest first without
-- stepping over comments, unlisted, private or archived ones.
CREATE INDEX statuses_public_posts ON statuses (id)
  WHERE is_comment = 0 AND visibility = 'public' AND archived_at IS NULL;
-- Rendering tells whether a post's kept JSON still holds by the newest
-- updated_at of its media (alt text changes without touching the post): one
-- seek in this index per post.
CREATE INDEX media_attachments_status_id_updated_at ON media_attachments (status_id, updated_at);

-- Secrets every server sharing this database must agree on (the media URL
-- signing key), created by the first server to start.
CREATE TABLE instance_secrets (
  name  TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
