-- The approval workflow of organisations (docs/organisations.md): drafts of
-- posts, their photos, who edited them and who approved them.
--
-- The same SQL as migrations/sqlite/0009_drafts.sql except for the key
-- column types (BIGINT: PostgreSQL's INTEGER is 32-bit) and WITHOUT ROWID.

-- A post in the making. state: draft -> submitted -> approved -> published
-- (or scheduled, then published), or rejected. scheduled_at is the time
-- asked for until the draft is scheduled, then its release time. version
-- counts changes: every transition first bumps it, which also locks the row.
CREATE TABLE drafts (
  id               BIGINT  PRIMARY KEY,
  organisation_id  BIGINT  NOT NULL REFERENCES organisations (account_id) ON DELETE CASCADE,
  author_id        BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
  state            TEXT    NOT NULL DEFAULT 'draft'
                           CHECK (state IN ('draft', 'submitted', 'approved', 'scheduled', 'published', 'rejected')),
  text             TEXT    NOT NULL DEFAULT '',
  spoiler_text     TEXT    NOT NULL DEFAULT '',
  sensitive        INTEGER NOT NULL DEFAULT 0,
  visibility       TEXT    NOT NULL DEFAULT 'public',
  language         TEXT    NOT NULL DEFAULT '',
  cta_url          TEXT    NOT NULL DEFAULT '',
  cta_label        TEXT    NOT NULL DEFAULT '',
  scheduled_at     BIGINT,
  rejection_reason TEXT,
  rejected_by      BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
  publish_error    TEXT,
  status_id        BIGINT  REFERENCES statuses (id) ON DELETE SET NULL,
  published_at     BIGINT,
  version          BIGINT  NOT NULL DEFAULT 1,
  created_at       BIGINT  NOT NULL,
  updated_at       BIGINT  NOT NULL
);
-- The staff lists, most recently updated first.
CREATE INDEX drafts_organisation_updated ON drafts (organisation_id, updated_at, id);
-- The scheduler's look for due drafts.
CREATE INDEX drafts_scheduled ON drafts (scheduled_at) WHERE state = 'scheduled';

-- A draft's photos in carousel order. A media attachment is in at most one
-- draft, and the cleanup of unattached uploads leaves these alone.
CREATE TABLE draft_media (
  draft_id BIGINT  NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  media_id BIGINT  NOT NULL UNIQUE REFERENCES media_attachments (id) ON DELETE CASCADE,
  PRIMARY KEY (draft_id, position)
);

-- Everyone who wrote a version of the draft (its author first): none of them
-- may approve it.
CREATE TABLE draft_editors (
  draft_id   BIGINT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (draft_id, account_id)
);

-- Approvals of the draft's current version (an edit clears them).
CREATE TABLE draft_approvals (
  draft_id   BIGINT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (draft_id, account_id)
);
