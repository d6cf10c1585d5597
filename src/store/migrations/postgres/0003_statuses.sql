-- Statuses (photo posts and their comments), their edit history, hashtags
-- and mentions.
--
-- The same SQL as migrations/sqlite/0003_statuses.sql except for the id
-- column types (BIGINT PRIMARY KEY here; SQLite uses its 64-bit rowid).
-- Counters are columns kept by the statements that change them (`n = n + 1`
-- in the same transaction), never COUNT(*) on a read.
--
-- media_attachments.status_id (0002) gets no foreign key here: SQLite cannot
-- add one to an existing table without rebuilding it. StatusStore::Delete
-- removes a post's media rows in the post's own transaction instead, and an
-- account's deletion cascades to both its posts and its media.

CREATE TABLE statuses (
  id                     BIGINT  PRIMARY KEY,
  account_id             BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- A comment's post (or comment). Deleting the parent leaves the comment
  -- detached, as Mastodon does; in_reply_to_account_id keeps who it answered.
  in_reply_to_id         BIGINT  REFERENCES statuses (id) ON DELETE SET NULL,
  in_reply_to_account_id BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
  text                   TEXT    NOT NULL DEFAULT '',  -- the caption as written
  content                TEXT    NOT NULL DEFAULT '',  -- rendered HTML
  visibility             TEXT    NOT NULL DEFAULT 'public'
                                 CHECK (visibility IN ('public', 'unlisted', 'private')),
  sensitive              INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
  spoiler_text           TEXT    NOT NULL DEFAULT '',
  language               TEXT,
  application_id         BIGINT  REFERENCES apps (id) ON DELETE SET NULL,
  pinned_at              BIGINT,
  archived_at            BIGINT,
  edited_at              BIGINT,
  -- Idempotency-Key header; unique per account (NULLs never conflict).
  idempotency_key        TEXT,
  replies_count          BIGINT  NOT NULL DEFAULT 0,
  favourites_count       BIGINT  NOT NULL DEFAULT 0,
  reblogs_count          BIGINT  NOT NULL DEFAULT 0,
  created_at             BIGINT  NOT NULL,
  updated_at             BIGINT  NOT NULL,
  UNIQUE (account_id, idempotency_key)
);
-- Profile grids and pinned lookups walk (account_id, id); the unique
-- constraint above covers account_id alone for the cascade.
CREATE INDEX statuses_account_id_id ON statuses (account_id, id);
CREATE INDEX statuses_in_reply_to_id ON statuses (in_reply_to_id);
CREATE INDEX statuses_in_reply_to_account_id ON statuses (in_reply_to_account_id);
CREATE INDEX statuses_application_id ON statuses (application_id);

-- One row per version of an edited status: the original (written at the
-- first edit) and every edit after it.
CREATE TABLE status_edits (
  id           BIGINT  PRIMARY KEY,
  status_id    BIGINT  NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  text         TEXT    NOT NULL DEFAULT '',
  content      TEXT    NOT NULL DEFAULT '',
  spoiler_text TEXT    NOT NULL DEFAULT '',
  sensitive    INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
  -- The media of that version: a JSON array of {"id": "...", "description": "..."}.
  media        TEXT    NOT NULL DEFAULT '[]',
  created_at   BIGINT  NOT NULL
);
CREATE INDEX status_edits_status_id ON status_edits (status_id, id);

-- name as first written; name_key its NFKC case fold, which decides identity
-- (the same on both engines, unlike either's collations).
CREATE TABLE tags (
  id         BIGINT  PRIMARY KEY,
  name       TEXT    NOT NULL,
  name_key   TEXT    NOT NULL UNIQUE,
  created_at BIGINT  NOT NULL
);

CREATE TABLE status_tags (
  status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  tag_id    BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL DEFAULT 0,  -- order of first appearance in the caption
  PRIMARY KEY (status_id, tag_id)
);
CREATE INDEX status_tags_tag_id ON status_tags (tag_id, status_id);

CREATE TABLE mentions (
  status_id  BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  position   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (status_id, account_id)
);
CREATE INDEX mentions_account_id ON mentions (account_id, status_id);
