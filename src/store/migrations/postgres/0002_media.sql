-- Media attachments (uploaded images) and the files made from them.
--
-- A media attachment is one upload: who uploaded it, where processing is,
-- the alt text and focal point, and, once a post takes it, the post and its
-- place in the carousel. Its files are the scrubbed variants (large, small,
-- thumb) in each format (webp, jpeg), named by the SHA-256 of their bytes in
-- the media directory; the original upload is never stored.
--
-- status_id has no foreign key yet: the statuses table arrives in a later
-- migration, which will add the constraint. Focus x/y are thousandths
-- (-1000..1000), NULL when no focal point was given. The same as
-- migrations/sqlite/0002_media.sql except BIGINT PRIMARY KEY for the id.

CREATE TABLE media_attachments (
  id              BIGINT  PRIMARY KEY,
  account_id      BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  state           TEXT    NOT NULL DEFAULT 'processing'
                          CHECK (state IN ('processing', 'ready', 'failed')),
  error_code      TEXT    NOT NULL DEFAULT '',
  description     TEXT    NOT NULL DEFAULT '',
  focus_x         INTEGER CHECK (focus_x BETWEEN -1000 AND 1000),
  focus_y         INTEGER CHECK (focus_y BETWEEN -1000 AND 1000),
  blurhash        TEXT    NOT NULL DEFAULT '',
  original_width  INTEGER NOT NULL DEFAULT 0,
  original_height INTEGER NOT NULL DEFAULT 0,
  status_id       BIGINT,
  position        INTEGER NOT NULL DEFAULT 0,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL
);
-- "This account's media" and the account_id cascade.
CREATE INDEX media_attachments_account_id ON media_attachments (account_id, id);
CREATE INDEX media_attachments_status_id ON media_attachments (status_id, position);
-- The cleanup of media never attached to a post.
CREATE INDEX media_attachments_unattached ON media_attachments (created_at)
  WHERE status_id IS NULL;

CREATE TABLE media_files (
  media_id   BIGINT  NOT NULL REFERENCES media_attachments (id) ON DELETE CASCADE,
  variant    TEXT    NOT NULL CHECK (variant IN ('large', 'small', 'thumb')),
  format     TEXT    NOT NULL CHECK (format IN ('webp', 'jpeg')),
  -- Lower-case hex SHA-256 of the file's bytes; the file is KEY.EXT.
  file_key   TEXT    NOT NULL,
  width      INTEGER NOT NULL,
  height     INTEGER NOT NULL,
  size_bytes BIGINT  NOT NULL,
  PRIMARY KEY (media_id, variant, format)
);
-- "Does any row still use this file?" when deleting and sweeping.
CREATE INDEX media_files_file_key ON media_files (file_key);
