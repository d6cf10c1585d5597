-- Second factors (docs/account-security.md).

-- An account's TOTP secret (base32), pending until confirmed with a code
-- (enabled_at set). last_step is the newest 30-second step whose code was
-- accepted: it and every earlier step are spent.
CREATE TABLE totp_credentials (
  account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  secret     TEXT   NOT NULL,
  last_step  BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  enabled_at BIGINT
);

-- Single-use recovery codes, as SHA-256 digests; a used code is deleted.
CREATE TABLE recovery_codes (
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  code_hash  TEXT   NOT NULL,
  PRIMARY KEY (account_id, code_hash)
);

-- A sign-in whose password was right and whose second factor is still to
-- come: the digest of the token the client carries to the second step, and
-- (for passkeys) the challenge it was given.
CREATE TABLE sign_in_challenges (
  token_hash TEXT   PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  challenge  TEXT   NOT NULL DEFAULT '',
  expires_at BIGINT NOT NULL
);
CREATE INDEX sign_in_challenges_expiry ON sign_in_challenges (expires_at);

-- Organisations that require their staff to use a second factor. New
-- organisations are created with it on; those that existed before it keep
-- it off until an owner turns it on, so that no staff member is locked out
-- by an upgrade.
ALTER TABLE organisations ADD COLUMN require_second_factor BIGINT NOT NULL DEFAULT 0;

-- When the holder of a token or session last proved again who they are
-- (a password or a second factor), for the actions that need a recent
-- sign-in; 0: only when it was issued (created_at).
ALTER TABLE tokens ADD COLUMN reauthenticated_at BIGINT NOT NULL DEFAULT 0;
