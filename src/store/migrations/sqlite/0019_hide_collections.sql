-- Whether an account shows who follows it and whom it follows, to other
-- servers and in its collections (docs/federation.md): 1 hides them (the
-- counts stay), 0 shows them, NULL is the default (organisations hide,
-- people show). Mastodon's hide_collections.
ALTER TABLE accounts ADD COLUMN hide_collections INTEGER CHECK (hide_collections IN (0, 1));
