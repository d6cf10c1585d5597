-- Profile pictures and profile fields (docs/api.md, Accounts).
-- avatar_key / avatar_small_key: the blob store keys of the 400x400 and
-- 96x96 JPEGs (media/blob_store.h), null without a picture. Indexed because
-- /avatars/<key>.jpg serves a file only while some account shows it.
-- fields: Mastodon's profile fields as a JSON array of {"name", "value"}.
ALTER TABLE accounts ADD COLUMN avatar_key TEXT;
ALTER TABLE accounts ADD COLUMN avatar_small_key TEXT;
ALTER TABLE accounts ADD COLUMN fields TEXT NOT NULL DEFAULT '[]';
CREATE INDEX accounts_avatar_key ON accounts (avatar_key) WHERE avatar_key IS NOT NULL;
CREATE INDEX accounts_avatar_small_key ON accounts (avatar_small_key) WHERE avatar_small_key IS NOT NULL;
