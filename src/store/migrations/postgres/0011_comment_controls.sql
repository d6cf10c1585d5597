-- Comment controls (docs/organisations.md, "Comment controls").
-- comments_policy, of a post: who may comment: on, off, followers, held.
-- comment_state, of a comment: 0 shown, 1 held for the post's author's
-- review, 2 hidden by the post's author. Held and hidden comments are seen
-- by their writer only (store/visibility_sql.h) and are not counted in the
-- post's replies_count.
-- comment_pinned_at: when the post's author pinned the comment on the post.
-- comment_post_id, of a comment written from now on: the post at the root
-- of its thread, whose policy and author's hidden words apply to it.
ALTER TABLE statuses ADD COLUMN comments_policy TEXT NOT NULL DEFAULT 'on';
ALTER TABLE statuses ADD COLUMN comment_state INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN comment_pinned_at BIGINT;
ALTER TABLE statuses ADD COLUMN comment_post_id BIGINT;
CREATE INDEX statuses_held_comments ON statuses (comment_post_id, id) WHERE comment_state = 1;
-- An account's hidden words (service/hidden_words.h): the owner's words and
-- phrases as written, one a line, and whether the default list applies too.
-- No row: the default list alone.
CREATE TABLE hidden_words (
  account_id  BIGINT  PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  words       TEXT    NOT NULL DEFAULT '',
  use_default INTEGER NOT NULL DEFAULT 1,
  updated_at  BIGINT  NOT NULL
);
-- Reports to the instance's admins (docs/organisations.md, "Reports").
-- target_key names what is reported (the account, and the sorted status ids
-- or the question): one reporter has at most one open report per target.
-- The reported account is never shown who reported.
CREATE TABLE reports (
  id                 BIGINT PRIMARY KEY,
  reporter_id        BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id  BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_key         TEXT    NOT NULL,
  status_ids         TEXT    NOT NULL DEFAULT '',
  question_id        BIGINT,
  comment            TEXT    NOT NULL DEFAULT '',
  category           TEXT    NOT NULL DEFAULT 'other',
  state              TEXT    NOT NULL DEFAULT 'open',
  created_at         BIGINT  NOT NULL,
  updated_at         BIGINT  NOT NULL,
  resolved_at        BIGINT,
  resolved_by        BIGINT  REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX reports_open_once ON reports (reporter_id, target_key) WHERE state = 'open';
CREATE INDEX reports_by_state ON reports (state, id);
