-- Live Q&A sessions of organisations (docs/organisations.md, "Live Q&A"):
-- the sessions, the questions the public submits, and the history of each
-- answer's text.
--
-- The same SQL as migrations/sqlite/0012_qa.sql except for the key column
-- types (BIGINT: PostgreSQL's INTEGER is 32-bit) and WITHOUT ROWID.

-- state: open -> closed -> archived. Questions are taken while open and
-- between starts_at and ends_at. pseudonym: the name answers carry when
-- staff answer under it (none: only as the organisation). version counts
-- changes: every change first bumps it, which also locks the row.
CREATE TABLE qa_sessions (
  id              BIGINT  PRIMARY KEY,
  organisation_id BIGINT  NOT NULL REFERENCES organisations (account_id) ON DELETE CASCADE,
  title           TEXT    NOT NULL,
  description     TEXT    NOT NULL DEFAULT '',
  starts_at       BIGINT  NOT NULL,
  ends_at         BIGINT  NOT NULL,
  pseudonym       TEXT,
  state           TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'archived')),
  version         BIGINT  NOT NULL DEFAULT 1,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  closed_at       BIGINT,
  archived_at     BIGINT
);
-- An organisation's sessions, newest first.
CREATE INDEX qa_sessions_organisation ON qa_sessions (organisation_id, id);

-- state: held -> approved | rejected | merged (into merged_into). answered_at
-- is set by an answer or by marking the question answered; answer_as is
-- 'organisation' or 'pseudonym'. Who answered is only in the audit log.
-- duplicates_count: the questions merged into this one.
CREATE TABLE qa_questions (
  id               BIGINT  PRIMARY KEY,
  session_id       BIGINT  NOT NULL REFERENCES qa_sessions (id) ON DELETE CASCADE,
  account_id       BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
  show_name        INTEGER NOT NULL DEFAULT 0,
  text             TEXT    NOT NULL,
  state            TEXT    NOT NULL DEFAULT 'held'
                           CHECK (state IN ('held', 'approved', 'rejected', 'merged')),
  merged_into      BIGINT  REFERENCES qa_questions (id) ON DELETE SET NULL,
  duplicates_count BIGINT  NOT NULL DEFAULT 0,
  answer_text      TEXT,
  answer_as        TEXT    CHECK (answer_as IN ('organisation', 'pseudonym')),
  answered_at      BIGINT,
  answer_edited_at BIGINT,
  created_at       BIGINT  NOT NULL,
  updated_at       BIGINT  NOT NULL
);
-- A session's questions by state (the queue, the public page).
CREATE INDEX qa_questions_session_state ON qa_questions (session_id, state, id);

-- Every text an answer has had, oldest first; no author.
CREATE TABLE qa_answer_revisions (
  question_id BIGINT  NOT NULL REFERENCES qa_questions (id) ON DELETE CASCADE,
  revision    INTEGER NOT NULL,
  text        TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  PRIMARY KEY (question_id, revision)
);
