-- Passkeys (WebAuthn) as a second factor (docs/account-security.md).

-- An account's registered credentials: the authenticator's credential id and
-- COSE public key (base64url), its algorithm and last signature counter.
CREATE TABLE webauthn_credentials (
  id            BIGINT PRIMARY KEY,
  account_id    BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  credential_id TEXT   NOT NULL UNIQUE,
  public_key    TEXT   NOT NULL,
  algorithm     BIGINT NOT NULL,
  sign_count    BIGINT NOT NULL DEFAULT 0,
  name          TEXT   NOT NULL,
  created_at    BIGINT NOT NULL,
  last_used_at  BIGINT
);
CREATE INDEX webauthn_credentials_account ON webauthn_credentials (account_id);

-- The challenge of a registration under way (one per account, 5 minutes).
CREATE TABLE webauthn_registrations (
  account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  challenge  TEXT   NOT NULL,
  expires_at BIGINT NOT NULL
);
