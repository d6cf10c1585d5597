// QaStore over the backend-neutral SQL layer; runs unchanged on SQLite and
// PostgreSQL.
//
// Isolation: every change of a session or of one of its questions starts
// with an UPDATE of the session's row (its version), so on PostgreSQL a
// concurrent change waits for it and then reads what it left, and a merge
// never races another change of either question; SQLite's single writer
// serialises them anyway. Submissions lock it too (their only shared row),
// so a question that arrives as the session closes is either taken before
// the close or refused after it: at READ COMMITTED a read alone would let a
// question read "open" and commit after the close.
#include <utility>

#include "store/qa_store.h"
#include "store/sql_rows.h"

namespace vantage::store {

namespace {

#define VANTAGE_QA_SESSION_COLUMNS                                                                 \
  "id, organisation_id, title, description, starts_at, ends_at, pseudonym, state, version, created_at, " \
  "updated_at, closed_at, archived_at"
#define VANTAGE_QUESTION_COLUMNS                                                                         \
  "id, session_id, account_id, show_name, text, state, merged_into, duplicates_count, answer_text, answer_as, " \
  "answered_at, answer_edited_at, created_at, updated_at"

constexpr Statement kInsertSession{
    "qa_session_insert",
    "INSERT INTO qa_sessions (id, organisation_id, title, description, starts_at, ends_at, pseudonym, state, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)"};
constexpr Statement kSelectSession{
    "qa_session_select", "SELECT " VANTAGE_QA_SESSION_COLUMNS " FROM qa_sessions WHERE id = ?"};
constexpr Statement kListSessions{
    "qa_session_list",
    "SELECT " VANTAGE_QA_SESSION_COLUMNS " FROM qa_sessions WHERE organisation_id = ? AND id < ? "
    "ORDER BY id DESC LIMIT ?"};
constexpr Statement kLockSession{"qa_session_lock", "UPDATE qa_sessions SET version = version + 1 WHERE id = ?"};
constexpr Statement kUpdateSession{
    "qa_session_update",
    "UPDATE qa_sessions SET title = ?, description = ?, starts_at = ?, ends_at = ?, pseudonym = ?, state = ?, "
    "updated_at = ?, closed_at = CASE WHEN ? = 'closed' AND closed_at IS NULL THEN ? ELSE closed_at END, "
    "archived_at = CASE WHEN ? = 'archived' AND archived_at IS NULL THEN ? ELSE archived_at END WHERE id = ?"};
constexpr Statement kOrganisationBlocks{
    "qa_organisation_blocks",
    "SELECT 1 FROM blocks WHERE account_id = ? AND target_account_id = ?"};
constexpr Statement kInsertQuestion{
    "qa_question_insert",
    "INSERT INTO qa_questions (id, session_id, account_id, show_name, text, state, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, 'held', ?, ?)"};
constexpr Statement kSelectQuestion{
    "qa_question_select",
    "SELECT " VANTAGE_QUESTION_COLUMNS " FROM qa_questions WHERE id = ? AND session_id = ?"};
constexpr Statement kSelectQuestionById{
    "qa_question_select_by_id", "SELECT " VANTAGE_QUESTION_COLUMNS " FROM qa_questions WHERE id = ?"};
constexpr Statement kListQuestions{
    "qa_question_list",
    "SELECT " VANTAGE_QUESTION_COLUMNS " FROM qa_questions WHERE session_id = ? AND (? = '' OR state = ?) "
    "AND (? = 0 OR (state = 'approved' AND answered_at IS NOT NULL)) AND id > ? ORDER BY id LIMIT ?"};
constexpr Statement kUpdateQuestion{
    "qa_question_update",
    "UPDATE qa_questions SET state = ?, merged_into = ?, updated_at = ? WHERE id = ?"};
constexpr Statement kAnswerQuestion{
    "qa_question_answer",
    "UPDATE qa_questions SET answer_text = ?, answer_as = ?, "
    "answer_edited_at = CASE WHEN answer_text IS NULL THEN answer_edited_at ELSE ? END, "
    "answered_at = CASE WHEN answered_at IS NULL THEN ? ELSE answered_at END WHERE id = ?"};
constexpr Statement kMarkAnswered{
    "qa_question_mark_answered",
    "UPDATE qa_questions SET answered_at = ? WHERE id = ? AND answered_at IS NULL"};
// The target takes the merged question and the duplicates it had counted.
constexpr Statement kCountDuplicates{
    "qa_question_count_duplicates",
    "UPDATE qa_questions SET duplicates_count = duplicates_count + ?, updated_at = ? "
    "WHERE id = ? AND session_id = ? AND state IN ('held', 'approved')"};
constexpr Statement kInsertRevision{
    "qa_answer_revision_insert",
    "INSERT INTO qa_answer_revisions (question_id, revision, text, created_at) "
    "SELECT ?, COALESCE(MAX(revision), 0) + 1, ?, ? FROM qa_answer_revisions WHERE question_id = ?"};
constexpr Statement kSelectRevisions{
    "qa_answer_revision_select",
    "SELECT text, created_at FROM qa_answer_revisions WHERE question_id = ? ORDER BY revision"};

constexpr Statement kSelectAccount{
    "qa_account_select", "SELECT " VANTAGE_ACCOUNT_COLUMNS_OF("") " FROM accounts WHERE id = ?"};

#undef VANTAGE_QA_SESSION_COLUMNS
#undef VANTAGE_QUESTION_COLUMNS

std::optional<QaSessionState> ParseSessionState(std::string_view name) {
  for (QaSessionState state : {QaSessionState::kOpen, QaSessionState::kClosed, QaSessionState::kArchived})
    if (name == QaSessionStateName(state)) return state;
  return std::nullopt;
}

Result<QaSession> DecodeSession(const Row& row) {
  QaSession s;
  s.id = row.Int(0);
  s.organisation_id = row.Int(1);
  s.title = row.Text(2);
  s.description = row.Text(3);
  s.starts_at = row.Int(4);
  s.ends_at = row.Int(5);
  s.pseudonym = row.OptText(6);
  auto state = ParseSessionState(row.Text(7));
  if (!state) return Error::Internal("qa_sessions.state holds an unknown state: " + row.Text(7));
  s.state = *state;
  s.version = row.Int(8);
  s.created_at = row.Int(9);
  s.updated_at = row.Int(10);
  s.closed_at = row.OptInt(11);
  s.archived_at = row.OptInt(12);
  return s;
}

Result<Question> DecodeQuestion(const Row& row) {
  Question q;
  q.id = row.Int(0);
  q.session_id = row.Int(1);
  q.account_id = row.OptInt(2);
  q.show_name = row.Bool(3);
  q.text = row.Text(4);
  auto state = ParseQuestionState(row.Text(5));
  if (!state) return Error::Internal("qa_questions.state holds an unknown state: " + row.Text(5));
  q.state = *state;
  q.merged_into = row.OptInt(6);
  q.duplicates_count = row.Int(7);
  q.answer_text = row.OptText(8);
  if (!row.IsNull(9)) q.answer_as = row.Text(9) == "pseudonym" ? AnswerAs::kPseudonym : AnswerAs::kOrganisation;
  q.answered_at = row.OptInt(10);
  q.answer_edited_at = row.OptInt(11);
  q.created_at = row.Int(12);
  q.updated_at = row.Int(13);
  return q;
}

Result<std::optional<QaSession>> SessionOn(Connection& conn, int64_t id) {
  auto row = conn.QueryOne(kSelectSession, {id});
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<QaSession>();
  auto session = DecodeSession(**row);
  if (!session) return std::move(session).error();
  return std::optional<QaSession>(std::move(*session));
}

Result<std::optional<Question>> QuestionOn(Connection& conn, int64_t session_id, int64_t id) {
  auto row = conn.QueryOne(kSelectQuestion, {id, session_id});
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<Question>();
  auto question = DecodeQuestion(**row);
  if (!question) return std::move(question).error();
  return std::optional<Question>(std::move(*question));
}

// Locks the session's row, then reads it as the lock left it.
Result<QaSession> LockSession(Connection& conn, int64_t id) {
  auto locked = conn.Exec(kLockSession, {id});
  if (!locked) return std::move(locked).error();
  if (*locked == 0) return Error::NotFound("No such Q&A session", "not_found");
  auto session = SessionOn(conn, id);
  if (!session) return std::move(session).error();
  if (!*session) return Error::NotFound("No such Q&A session", "not_found");
  return std::move(**session);
}

Result<std::optional<Account>> AccountOn(Connection& conn, std::optional<int64_t> id) {
  if (!id) return std::optional<Account>();
  auto row = conn.QueryOne(kSelectAccount, {*id});
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<Account>();
  auto account = DecodeAccount(**row);
  if (!account) return std::move(account).error();
  return std::optional<Account>(std::move(*account));
}

// The change as written, with the accounts its events show.
Result<QaEventView> ViewOn(Connection& conn, const QaSession& session, const Question* question) {
  QaEventView view;
  view.session = &session;
  view.question = question;
  auto organisation = AccountOn(conn, session.organisation_id);
  if (!organisation) return std::move(organisation).error();
  view.organisation = std::move(*organisation);
  if (question) {
    auto asker = AccountOn(conn, question->account_id);
    if (!asker) return std::move(asker).error();
    view.asker = std::move(*asker);
  }
  return view;
}

// Hands `after` the change as written.
Status RunAfter(Connection& conn, const AfterQaChange& after, const QaSession& session, const Question* question,
                const Question* merge_target = nullptr) {
  if (!after) return Ok();
  auto view = ViewOn(conn, session, question);
  if (!view) return std::move(view).error();
  std::optional<QaEventView> target;
  if (merge_target) {
    auto loaded = ViewOn(conn, session, merge_target);
    if (!loaded) return std::move(loaded).error();
    target = std::move(*loaded);
    view->merge_target = &*target;
  }
  return after(conn, *view);
}

Status AppendFor(Connection& conn, int64_t organisation_id, const std::string& type, int64_t target,
                 AuditEntry entry, int64_t now) {
  entry.organisation_id = organisation_id;
  entry.target_type = type;
  entry.target_id = target;
  if (entry.created_at == 0) entry.created_at = now;
  auto appended = AppendAuditEntryOn(conn, std::move(entry));
  if (!appended) return std::move(appended).error();
  return Ok();
}

class SqlQaStore final : public QaStore {
 public:
  explicit SqlQaStore(Database& db) : db_(db) {}

  Result<QaSession> CreateSession(const QaSession& s, const AuditEntry& audit) override {
    if (s.id <= 0) return Error::Internal("A new Q&A session needs an id from the IdGenerator");
    std::optional<QaSession> out;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto inserted = conn.Exec(kInsertSession, {s.id, s.organisation_id, s.title, s.description, s.starts_at,
                                                 s.ends_at, Opt(s.pseudonym), s.created_at, s.updated_at});
      if (!inserted) return std::move(inserted).error();
      VANTAGE_TRY(AppendFor(conn, s.organisation_id, "qa_session", s.id, audit, s.created_at));
      auto loaded = SessionOn(conn, s.id);
      if (!loaded) return std::move(loaded).error();
      out = std::move(*loaded);
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (!out) return Error::Internal("The new Q&A session is gone");
    return std::move(*out);
  }

  Result<std::optional<QaSession>> FindSession(int64_t id) override {
    std::optional<QaSession> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto loaded = SessionOn(conn, id);
      if (!loaded) return std::move(loaded).error();
      out = std::move(*loaded);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<std::vector<QaSession>> ListSessions(int64_t organisation_id, std::optional<int64_t> max_id,
                                              int limit) override {
    std::vector<QaSession> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kListSessions, {organisation_id, max_id.value_or(INT64_MAX), int64_t{limit}});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        auto session = DecodeSession(row);
        if (!session) return std::move(session).error();
        out.push_back(std::move(*session));
      }
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<QaSession> ChangeSession(int64_t id, const DecideQaSessionChange& decide, int64_t now,
                                  const AfterQaChange& after) override {
    std::optional<QaSession> out;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto current = LockSession(conn, id);
      if (!current) return std::move(current).error();
      auto change = decide(*current);
      if (!change) return std::move(change).error();
      std::string state = QaSessionStateName(change->state);
      auto updated = conn.Exec(kUpdateSession, {change->title, change->description, change->starts_at,
                                                change->ends_at, Opt(change->pseudonym), state, now, state, now,
                                                state, now, id});
      if (!updated) return std::move(updated).error();
      for (AuditEntry& entry : change->audit)
        VANTAGE_TRY(AppendFor(conn, current->organisation_id, "qa_session", id, std::move(entry), now));
      auto loaded = SessionOn(conn, id);
      if (!loaded) return std::move(loaded).error();
      out = std::move(*loaded);
      if (out) VANTAGE_TRY(RunAfter(conn, after, *out, nullptr));
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (!out) return Error::NotFound("No such Q&A session", "not_found");
    return std::move(*out);
  }

  Result<Question> AddQuestion(const Question& q, const std::function<Status(const QaSession& session)>& check,
                               const AfterQaChange& after) override {
    if (q.id <= 0) return Error::Internal("A new question needs an id from the IdGenerator");
    std::optional<Question> out;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto session = LockSession(conn, q.session_id);
      if (!session) return std::move(session).error();
      VANTAGE_TRY(check(*session));
      if (q.account_id) {
        auto blocked = conn.QueryOne(kOrganisationBlocks, {session->organisation_id, *q.account_id});
        if (!blocked) return std::move(blocked).error();
        if (*blocked)
          return Error::Forbidden("This organisation does not take questions from you", "blocked");
      }
      auto inserted = conn.Exec(kInsertQuestion, {q.id, q.session_id, Opt(q.account_id),
                                                  int64_t{q.show_name ? 1 : 0}, q.text, q.created_at,
                                                  q.updated_at});
      if (!inserted) return std::move(inserted).error();
      auto loaded = QuestionOn(conn, q.session_id, q.id);
      if (!loaded) return std::move(loaded).error();
      out = std::move(*loaded);
      if (out) VANTAGE_TRY(RunAfter(conn, after, *session, &*out));
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (!out) return Error::Internal("The new question is gone");
    return std::move(*out);
  }

  Result<std::optional<Question>> FindQuestion(int64_t session_id, int64_t id) override {
    std::optional<Question> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto loaded = QuestionOn(conn, session_id, id);
      if (!loaded) return std::move(loaded).error();
      out = std::move(*loaded);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<std::optional<Question>> FindQuestionById(int64_t id) override {
    std::optional<Question> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.reset();
      auto row = conn.QueryOne(kSelectQuestionById, {id});
      if (!row) return std::move(row).error();
      if (!*row) return Ok();
      auto question = DecodeQuestion(**row);
      if (!question) return std::move(question).error();
      out = std::move(*question);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<std::vector<Question>> ListQuestions(int64_t session_id, const QuestionFilter& filter,
                                              std::optional<int64_t> since_id, int limit) override {
    std::vector<Question> out;
    std::string state = filter.state ? QuestionStateName(*filter.state) : "";
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kListQuestions, {session_id, state, state, int64_t{filter.answered_only ? 1 : 0},
                                              since_id.value_or(0), int64_t{limit}});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        auto question = DecodeQuestion(row);
        if (!question) return std::move(question).error();
        out.push_back(std::move(*question));
      }
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<Question> ChangeQuestion(int64_t session_id, int64_t id, const DecideQuestionChange& decide, int64_t now,
                                  const AfterQaChange& after) override {
    std::optional<Question> out;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto session = LockSession(conn, session_id);
      if (!session) return std::move(session).error();
      auto current = QuestionOn(conn, session_id, id);
      if (!current) return std::move(current).error();
      if (!*current) return Error::NotFound("No such question", "not_found");
      auto change = decide(*session, **current);
      if (!change) return std::move(change).error();
      if (change->state == QuestionState::kMerged && (*current)->state != QuestionState::kMerged) {
        if (!change->merged_into || *change->merged_into == id)
          return Error::Invalid("into", "into must name another question of this session", "merge_target_invalid");
        auto counted = conn.Exec(kCountDuplicates, {1 + (*current)->duplicates_count, now, *change->merged_into,
                                                    session_id});
        if (!counted) return std::move(counted).error();
        if (*counted == 0)
          return Error::Invalid("into", "into must name a held or approved question of this session",
                                "merge_target_invalid");
      }
      auto updated = conn.Exec(kUpdateQuestion, {std::string(QuestionStateName(change->state)),
                                                 Opt(change->merged_into), now, id});
      if (!updated) return std::move(updated).error();
      if (change->answer_text) {
        auto answered = conn.Exec(kAnswerQuestion, {*change->answer_text,
                                                    std::string(AnswerAsName(change->answer_as.value_or(
                                                        AnswerAs::kOrganisation))),
                                                    now, now, id});
        if (!answered) return std::move(answered).error();
        auto revision = conn.Exec(kInsertRevision, {id, *change->answer_text, now, id});
        if (!revision) return std::move(revision).error();
      } else if (change->mark_answered) {
        auto marked = conn.Exec(kMarkAnswered, {now, id});
        if (!marked) return std::move(marked).error();
      }
      for (AuditEntry& entry : change->audit)
        VANTAGE_TRY(AppendFor(conn, session->organisation_id, "qa_question", id, std::move(entry), now));
      auto loaded = QuestionOn(conn, session_id, id);
      if (!loaded) return std::move(loaded).error();
      out = std::move(*loaded);
      std::optional<Question> target;
      if (out && out->state == QuestionState::kMerged && (*current)->state != QuestionState::kMerged) {
        auto merged_into = QuestionOn(conn, session_id, *change->merged_into);
        if (!merged_into) return std::move(merged_into).error();
        target = std::move(*merged_into);
      }
      if (out) VANTAGE_TRY(RunAfter(conn, after, *session, &*out, target ? &*target : nullptr));
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (!out) return Error::NotFound("No such question", "not_found");
    return std::move(*out);
  }

  Result<std::vector<AnswerRevision>> AnswerHistory(int64_t question_id) override {
    std::vector<AnswerRevision> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kSelectRevisions, {question_id});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) out.push_back(AnswerRevision{row.Text(0), row.Int(1)});
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

 private:
  Database& db_;
};

}  // namespace

const char* QaSessionStateName(QaSessionState state) {
  switch (state) {
    case QaSessionState::kOpen:
      return "open";
    case QaSessionState::kClosed:
      return "closed";
    case QaSessionState::kArchived:
      return "archived";
  }
  return "open";
}

const char* QuestionStateName(QuestionState state) {
  switch (state) {
    case QuestionState::kHeld:
      return "held";
    case QuestionState::kApproved:
      return "approved";
    case QuestionState::kRejected:
      return "rejected";
    case QuestionState::kMerged:
      return "merged";
  }
  return "held";
}

std::optional<QuestionState> ParseQuestionState(std::string_view name) {
  for (QuestionState state : {QuestionState::kHeld, QuestionState::kApproved, QuestionState::kRejected,
                              QuestionState::kMerged})
    if (name == QuestionStateName(state)) return state;
  return std::nullopt;
}

const char* AnswerAsName(AnswerAs as) { return as == AnswerAs::kPseudonym ? "pseudonym" : "organisation"; }

QaSessionChange QaSessionChange::Keep(const QaSession& current) {
  QaSessionChange change;
  change.title = current.title;
  change.description = current.description;
  change.starts_at = current.starts_at;
  change.ends_at = current.ends_at;
  change.pseudonym = current.pseudonym;
  change.state = current.state;
  return change;
}

QuestionChange QuestionChange::Keep(const Question& current) {
  QuestionChange change;
  change.state = current.state;
  change.merged_into = current.merged_into;
  return change;
}

std::unique_ptr<QaStore> MakeSqlQaStore(Database& db) { return std::make_unique<SqlQaStore>(db); }

}  // namespace vantage::store
