-- Organisation accounts, their staff, and the hash-chained audit log
-- (docs/organisations.md).
--
-- The same SQL as migrations/sqlite/0007_organisations.sql except for the
-- key column types (BIGINT: PostgreSQL's INTEGER is 32-bit) and WITHOUT ROWID.

-- An organisation is an account that nobody signs in to: its staff act as it.
-- approvals_required: approvals a post needs besides its author's.
CREATE TABLE organisations (
  account_id         BIGINT  PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  approvals_required INTEGER NOT NULL DEFAULT 1 CHECK (approvals_required BETWEEN 1 AND 10),
  created_at         BIGINT  NOT NULL
);

-- Staff: one row per role an account holds in an organisation; an account
-- with no row is not staff. Never exposed publicly.
CREATE TABLE organisation_roles (
  organisation_id BIGINT NOT NULL REFERENCES organisations (account_id) ON DELETE CASCADE,
  account_id      BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  role            TEXT   NOT NULL
                         CHECK (role IN ('owner', 'editor', 'approver', 'moderator', 'analyst')),
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (organisation_id, account_id, role)
);
CREATE INDEX organisation_roles_account_id ON organisation_roles (account_id);

-- Append-only and hash-chained: hash is the SHA-256 of the canonical
-- encoding of every other column (prev_hash included), and prev_hash is the
-- hash of entry seq - 1 (64 zeros for the first). No foreign keys: an entry
-- outlives the accounts it names. organisation_id is the organisation whose
-- owners may read the entry (NULL: instance administration).
CREATE TABLE audit_log (
  seq             BIGINT  PRIMARY KEY,
  created_at      BIGINT  NOT NULL,
  organisation_id BIGINT,
  actor_id        BIGINT,
  action          TEXT    NOT NULL,
  target_type     TEXT    NOT NULL DEFAULT '',
  target_id       BIGINT,
  ip              TEXT    NOT NULL DEFAULT '',
  detail          TEXT    NOT NULL DEFAULT '{}',
  prev_hash       TEXT    NOT NULL,
  hash            TEXT    NOT NULL
);
CREATE INDEX audit_log_organisation_id_seq ON audit_log (organisation_id, seq);

-- The chain's head: its length and last hash. Appends lock this row, so the
-- chain never forks; verification compares it with the last entry, so
-- entries cut off the end are found too. Created by the first append.
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  BIGINT  NOT NULL,
  hash TEXT    NOT NULL
);
