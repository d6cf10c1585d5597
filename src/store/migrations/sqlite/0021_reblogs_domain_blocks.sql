-- Boosts by followed remote accounts, and the domains a user blocks
-- (docs/federation.md, "Boosts" and "Moderation of remote content").

-- A boost of a status by a remote account a local account follows, as
-- Mastodon keeps it: a status row of the booster's with no content of its
-- own, naming the boosted status, so that it takes its place in followers'
-- home timelines by its own id. uri is the Announce's id. It goes with the
-- boosted status.
ALTER TABLE statuses ADD COLUMN reblog_of_id BIGINT REFERENCES statuses (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX statuses_reblog_of_id ON statuses (reblog_of_id, account_id) WHERE reblog_of_id IS NOT NULL;

-- Whole servers a user blocks (/api/v1/domain_blocks): their accounts' posts,
-- boosts and notifications are not shown to the user, and follows between
-- the user and them end.
CREATE TABLE account_domain_blocks (
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  domain     TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, domain)
) WITHOUT ROWID;

-- Remote posts from silenced servers, held for the moderators
-- (comment_state 1 on a post), listed newest first.
CREATE INDEX statuses_held_posts ON statuses (id) WHERE comment_state = 1 AND is_comment = 0;
