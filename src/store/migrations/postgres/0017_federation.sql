-- ActivityPub federation (docs/federation.md): remote accounts, actors'
-- keys, the outbox of local changes that federate, and the delivery queue.
--
-- The same SQL as migrations/sqlite/0017_federation.sql except for the key
-- column types (BIGINT PRIMARY KEY is SQLite's rowid) and.

-- Remote accounts are rows of accounts, as on Mastodon, so that follows,
-- likes, comments, blocks, reports and notifications work on them as on
-- local ones. A remote account has its host (lower case, with the port when
-- it is not the scheme's) in domain, "name@domain" as its username (local
-- names never hold "@", so the two never collide) and its profile page in
-- url; local accounts have NULL in both. Nobody signs in to a remote
-- account: its password_hash stays empty.
ALTER TABLE accounts ADD COLUMN domain TEXT;
ALTER TABLE accounts ADD COLUMN url TEXT;

-- A local account's actor key: RSA-2048, PKCS#8 and SubjectPublicKeyInfo
-- PEM. Every local account has a row from its creation on, pending (empty
-- PEMs) until the key is first needed, when it is made once. A local account
-- without a row, or with a key that does not parse, is an error that stops
-- federation for it; a key is never made again.
CREATE TABLE actor_keys (
  account_id  BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  public_pem  TEXT    NOT NULL DEFAULT '',
  private_pem TEXT    NOT NULL DEFAULT '',
  created_at  BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO actor_keys (account_id) SELECT id FROM accounts;

-- The instance actor's key (/actor, which signs the server's own fetches):
-- one row, written when first needed.
CREATE TABLE instance_actor_key (
  id          BIGINT PRIMARY KEY CHECK (id = 1),
  public_pem  TEXT    NOT NULL DEFAULT '',
  private_pem TEXT    NOT NULL DEFAULT '',
  created_at  BIGINT  NOT NULL DEFAULT 0
);

-- What a remote account's actor document said when last fetched: where to
-- deliver to it and the key it signs with.
CREATE TABLE remote_actors (
  account_id     BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  uri            TEXT    NOT NULL UNIQUE,
  inbox          TEXT    NOT NULL,
  shared_inbox   TEXT    NOT NULL DEFAULT '',
  followers_uri  TEXT    NOT NULL DEFAULT '',
  key_id         TEXT    NOT NULL,
  public_key_pem TEXT    NOT NULL,
  actor_type     TEXT    NOT NULL DEFAULT 'Person',
  avatar_url     TEXT    NOT NULL DEFAULT '',
  fetched_at     BIGINT  NOT NULL
);
CREATE INDEX remote_actors_key_id ON remote_actors (key_id);

-- The id of the remote Follow activity a follow or request came from: the
-- Accept or Reject that answers it names it.
ALTER TABLE follows ADD COLUMN uri TEXT;
ALTER TABLE follow_requests ADD COLUMN uri TEXT;

-- A remote status's ActivityPub id (NULL for local ones), so that its
-- author's Update and Delete find it. federate = 0 keeps a public post on
-- this server only.
ALTER TABLE statuses ADD COLUMN uri TEXT;
CREATE UNIQUE INDEX statuses_uri ON statuses (uri) WHERE uri IS NOT NULL;
ALTER TABLE statuses ADD COLUMN federate INTEGER NOT NULL DEFAULT 1 CHECK (federate IN (0, 1));

-- Local changes that federate, written in the change's own transaction by
-- the service that makes it (a post published, edited or deleted, a follow
-- answered, a profile changed). The federation worker turns each into an
-- activity and its deliveries, in one transaction that deletes the row, so
-- a change is delivered exactly when it committed, after any restart.
-- detail: what the activity needs that the database will no longer hold
-- (a deleted post's visibility, an answered follow's activity id).
CREATE TABLE federation_outbox (
  id         BIGINT PRIMARY KEY,
  account_id BIGINT  NOT NULL,
  kind       TEXT    NOT NULL,
  object_id  BIGINT  NOT NULL DEFAULT 0,
  detail     TEXT    NOT NULL DEFAULT '{}',
  created_at BIGINT  NOT NULL
);

-- An activity to deliver, signed at each attempt with its account's key
-- (account_id NULL: the instance actor's).
CREATE TABLE federation_activities (
  id         BIGINT PRIMARY KEY,
  account_id BIGINT  REFERENCES accounts (id) ON DELETE CASCADE,
  body       TEXT    NOT NULL,
  created_at BIGINT  NOT NULL
);

-- One row per (activity, inbox); a host's followers share its shared inbox.
-- A worker claims a due row by moving claimed_until past now (a lease: a
-- worker that dies lets it go when the lease ends); success deletes it, a
-- failure sets the next attempt.
CREATE TABLE deliveries (
  id              BIGINT PRIMARY KEY,
  activity_id     BIGINT  NOT NULL REFERENCES federation_activities (id) ON DELETE CASCADE,
  inbox           TEXT    NOT NULL,
  host            TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT  NOT NULL,
  claimed_until   BIGINT  NOT NULL DEFAULT 0,
  last_error      TEXT    NOT NULL DEFAULT '',
  created_at      BIGINT  NOT NULL,
  UNIQUE (activity_id, inbox)
);
CREATE INDEX deliveries_next_attempt_at ON deliveries (next_attempt_at);

-- Hosts that stopped answering: deliveries to them are dropped until one
-- of their requests reaches us again.
CREATE TABLE federation_hosts (
  host              TEXT   NOT NULL PRIMARY KEY,
  unavailable_since BIGINT NOT NULL
);

-- Domain blocks (docs/federation.md, "Control"): suspend (nothing in or
-- out), silence (their comments held for review), reject_media.
CREATE TABLE domain_blocks (
  domain     TEXT   NOT NULL PRIMARY KEY,
  severity   TEXT   NOT NULL CHECK (severity IN ('suspend', 'silence', 'reject_media')),
  reason     TEXT   NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
