-- Joining an organisation's staff is an invitation the person accepts
-- (docs/organisations.md, "Organisations and staff"): until then they are
-- not staff and nothing of theirs reaches the organisation's audit log.
--
-- The same SQL as migrations/postgres/0016_staff_invitations.sql except for
-- WITHOUT ROWID.

-- An owner's invitation: the roles offered, space-separated. Accepting turns
-- it into organisation_roles rows; declining or withdrawing deletes it.
CREATE TABLE organisation_invitations (
  organisation_id BIGINT NOT NULL REFERENCES organisations (account_id) ON DELETE CASCADE,
  account_id      BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  roles           TEXT   NOT NULL,
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (organisation_id, account_id)
) WITHOUT ROWID;
CREATE INDEX organisation_invitations_account_id ON organisation_invitations (account_id);

-- The sessions (tokens) recorded as signed in for an organisation: a staff
-- member's sign-in goes into an organisation's audit log once per session,
-- when the session first acts for that organisation.
CREATE TABLE organisation_sessions (
  organisation_id BIGINT NOT NULL REFERENCES organisations (account_id) ON DELETE CASCADE,
  token_id        BIGINT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (organisation_id, token_id)
) WITHOUT ROWID;
CREATE INDEX organisation_sessions_token_id ON organisation_sessions (token_id);
