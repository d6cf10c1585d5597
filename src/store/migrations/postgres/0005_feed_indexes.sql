-- The posts a home timeline pulls from a followed feed_pull account: a walk
-- of this index alone, without reading each status row to skip archived ones.
CREATE INDEX statuses_visible_posts_account_id_id ON statuses (account_id, id)
  WHERE is_comment = 0 AND archived_at IS NULL;
