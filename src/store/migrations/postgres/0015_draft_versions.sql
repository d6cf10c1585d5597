-- What an approval is of (docs/organisations.md, "Two-person approval"):
-- content_version rises with every change of what a draft would post (its
-- text, photos, their alt text and focus points, link, sensitivity,
-- visibility, language and the time asked for) and with nothing else. The
-- API shows it as the draft's `version`; approving, rejecting, publishing
-- and scheduling name the version the caller read, and a draft changed
-- since is refused. (`version` counts every transition and locks the row.)
ALTER TABLE drafts ADD COLUMN content_version BIGINT NOT NULL DEFAULT 1;
