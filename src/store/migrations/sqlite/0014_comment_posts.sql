-- Comments written before 0011 have no comment_post_id: each gets the post at
-- the root of its thread, so that the post's author moderates them (hide,
-- approve, pin, delete) as any later comment. One statement, safe to run
-- again: it fills only what is empty, and a thread whose root is gone stays
-- empty.
WITH RECURSIVE up (comment_id, ancestor_id) AS (
  SELECT id, in_reply_to_id FROM statuses
  WHERE is_comment = 1 AND comment_post_id IS NULL AND in_reply_to_id IS NOT NULL
  UNION ALL
  SELECT up.comment_id, s.in_reply_to_id FROM up JOIN statuses s ON s.id = up.ancestor_id
  WHERE s.is_comment = 1 AND s.in_reply_to_id IS NOT NULL
)
UPDATE statuses SET comment_post_id = (
  SELECT up.ancestor_id FROM up JOIN statuses p ON p.id = up.ancestor_id
  WHERE up.comment_id = statuses.id AND p.is_comment = 0)
WHERE is_comment = 1 AND comment_post_id IS NULL;
