-- Accounts, OAuth apps, authorization codes, tokens and sessions.
--
-- The same tables, columns, constraints and indexes as
-- migrations/sqlite/0001_init.sql, which the stores' SQL runs on unchanged,
-- with two differences:
--   * ids are BIGINT PRIMARY KEY (SQLite's INTEGER PRIMARY KEY is already
--     64-bit; PostgreSQL's INTEGER is 32-bit).
--   * `nocase` is an ICU collation that compares case-insensitively (and,
--     unlike SQLite's ASCII-only NOCASE, for every script). Being
--     nondeterministic it keeps `username = ?` lookups and the UNIQUE
--     constraints case-insensitive. PostgreSQL 15 does not allow LIKE or
--     other pattern matching on such columns; search will need its own index.
-- Times are BIGINT milliseconds since the Unix epoch; booleans INTEGER 0/1,
-- read back the same way on both engines.

CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2',
                                       deterministic = false);

CREATE TABLE accounts (
  id                  BIGINT  PRIMARY KEY,
  username            TEXT    NOT NULL COLLATE nocase UNIQUE,
  -- NULL when the account has no address; several NULLs never conflict.
  email               TEXT    COLLATE nocase UNIQUE,
  display_name        TEXT    NOT NULL DEFAULT '',
  note                TEXT    NOT NULL DEFAULT '',
  password_hash       TEXT    NOT NULL DEFAULT '',
  role                TEXT    NOT NULL DEFAULT 'user'
                              CHECK (role IN ('user', 'moderator', 'admin')),
  locked              INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
  approved            INTEGER NOT NULL DEFAULT 1 CHECK (approved IN (0, 1)),
  verified            INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  registration_reason TEXT    NOT NULL DEFAULT '',
  created_at          BIGINT  NOT NULL,
  updated_at          BIGINT  NOT NULL,
  followers_count     BIGINT  NOT NULL DEFAULT 0,
  following_count     BIGINT  NOT NULL DEFAULT 0,
  statuses_count      BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE apps (
  id                 BIGINT  PRIMARY KEY,
  name               TEXT    NOT NULL,
  website            TEXT    NOT NULL DEFAULT '',
  redirect_uris      TEXT    NOT NULL DEFAULT '',
  scopes             TEXT    NOT NULL DEFAULT '',
  client_id          TEXT    NOT NULL UNIQUE,
  client_secret_hash TEXT    NOT NULL,
  created_at         BIGINT  NOT NULL
);

CREATE TABLE authorization_codes (
  code_hash      TEXT   PRIMARY KEY,
  app_id         BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  account_id     BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  redirect_uri   TEXT   NOT NULL,
  scopes         TEXT   NOT NULL DEFAULT '',
  code_challenge TEXT   NOT NULL DEFAULT '',
  expires_at     BIGINT NOT NULL
);
CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);
-- Foreign keys are not indexed by either engine; cascades need these.
CREATE INDEX authorization_codes_app_id ON authorization_codes (app_id);
CREATE INDEX authorization_codes_account_id ON authorization_codes (account_id);

CREATE TABLE tokens (
  id           BIGINT  PRIMARY KEY,
  token_hash   TEXT    NOT NULL UNIQUE,
  kind         TEXT    NOT NULL CHECK (kind IN ('oauth', 'session')),
  -- NULL for sessions; set for OAuth tokens.
  app_id       BIGINT  REFERENCES apps (id) ON DELETE CASCADE,
  -- NULL for client_credentials tokens, which act for an app, not a person.
  account_id   BIGINT  REFERENCES accounts (id) ON DELETE CASCADE,
  scopes       TEXT    NOT NULL DEFAULT '',
  csrf_token   TEXT    NOT NULL DEFAULT '',
  user_agent   TEXT    NOT NULL DEFAULT '',
  ip           TEXT    NOT NULL DEFAULT '',
  created_at   BIGINT  NOT NULL,
  last_used_at BIGINT  NOT NULL
);
-- Serves "sessions of this account" and the account_id cascade.
CREATE INDEX tokens_account_id_kind ON tokens (account_id, kind);
CREATE INDEX tokens_app_id ON tokens (app_id);
