-- Following accounts on other servers (docs/federation.md, "Following
-- remote accounts"): their posts are kept here, with their photos fetched
-- by this server and run through the media pipeline.

-- A remote post's photo: where its original is (never shown to readers;
-- fetched by the server). State 'processing' with no files: not fetched yet,
-- or evicted from the remote media cache (fetched again when viewed);
-- 'failed': it did not pass the pipeline ('image unavailable'), or it is no
-- image at all (error_code 'not_an_image': a video or audio, shown as a link
-- to the original). viewed_at: when it was last served, for the cache's
-- least-recently-used eviction.
ALTER TABLE media_attachments ADD COLUMN remote_url TEXT;
ALTER TABLE media_attachments ADD COLUMN viewed_at BIGINT;
CREATE INDEX media_attachments_remote ON media_attachments (viewed_at) WHERE remote_url IS NOT NULL;

-- A remote status's page on its own server (its url; NULL: its id).
ALTER TABLE statuses ADD COLUMN url TEXT;

-- Where a remote account's posts are listed, and when its first page was
-- last read here (NULL: never; read when its profile is first viewed).
ALTER TABLE remote_actors ADD COLUMN outbox_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE remote_actors ADD COLUMN posts_fetched_at BIGINT;
