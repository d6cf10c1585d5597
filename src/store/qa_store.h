// Live Q&A sessions: an organisation's sessions, the questions the public
// submits to them, and the history of each answer (docs/organisations.md,
// "Live Q&A").
//
// The store keeps the rows and applies changes the service decides: a change
// first locks the session's row (an UPDATE bumping its version), so changes
// of one session's questions (a merge touches two) run one after the other
// and see the session's state as it is; it reads what it changes, asks the
// caller's `decide` and writes the answer with its audit entries in the same
// transaction. Nothing here records who answered a question except the
// audit entries the caller passes. Who may do what is the service's policy
// (service/qa.h).
//
// The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/audit_store.h"
#include "store/sql.h"
#include "store/store.h"

namespace vantage::store {

enum class QaSessionState { kOpen, kClosed, kArchived };
const char* QaSessionStateName(QaSessionState state);

enum class QuestionState { kHeld, kApproved, kRejected, kMerged };
const char* QuestionStateName(QuestionState state);
std::optional<QuestionState> ParseQuestionState(std::string_view name);

enum class AnswerAs { kOrganisation, kPseudonym };
const char* AnswerAsName(AnswerAs as);

struct QaSession {
  int64_t id = 0;
  int64_t organisation_id = 0;
  std::string title;
  std::string description;
  int64_t starts_at = 0;
  int64_t ends_at = 0;
  std::optional<std::string> pseudonym;
  QaSessionState state = QaSessionState::kOpen;
  int64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> closed_at;
  std::optional<int64_t> archived_at;
};

struct Question {
  int64_t id = 0;
  int64_t session_id = 0;
  std::optional<int64_t> account_id;  // the asker; none once their account is gone
  bool show_name = false;
  std::string text;
  QuestionState state = QuestionState::kHeld;
  std::optional<int64_t> merged_into;
  int64_t duplicates_count = 0;
  std::optional<std::string> answer_text;  // none: not answered in words
  std::optional<AnswerAs> answer_as;
  std::optional<int64_t> answered_at;      // set by an answer or by marking it answered
  std::optional<int64_t> answer_edited_at;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct AnswerRevision {
  std::string text;
  int64_t created_at = 0;
};

// What a session becomes: start from Keep(current).
struct QaSessionChange {
  std::string title;
  std::string description;
  int64_t starts_at = 0;
  int64_t ends_at = 0;
  std::optional<std::string> pseudonym;
  QaSessionState state = QaSessionState::kOpen;
  // Appended in this order; the store sets organisation, target and time.
  std::vector<AuditEntry> audit;

  static QaSessionChange Keep(const QaSession& current);
};

// What a question becomes: start from Keep(current).
struct QuestionChange {
  QuestionState state = QuestionState::kHeld;
  // With state kMerged: the question it is merged into, which must be a held
  // or approved question of the same session (Invalid "into",
  // merge_target_invalid, otherwise); it counts this one and its duplicates.
  std::optional<int64_t> merged_into;
  // A new answer text: recorded as the answer and as its next revision.
  std::optional<std::string> answer_text;
  std::optional<AnswerAs> answer_as;
  bool mark_answered = false;  // sets answered_at when not set yet
  std::vector<AuditEntry> audit;

  static QuestionChange Keep(const Question& current);
};

using DecideQaSessionChange = std::function<Result<QaSessionChange>(const QaSession& current)>;
using DecideQuestionChange =
    std::function<Result<QuestionChange>(const QaSession& session, const Question& current)>;
// What a change looks like once written, read in its transaction for the
// live events it causes.
struct QaEventView {
  const QaSession* session = nullptr;    // as it is after the change
  const Question* question = nullptr;    // none for a change of the session
  std::optional<Account> organisation;   // the organisation's account
  std::optional<Account> asker;          // the question's asker, when there is one
  const QaEventView* merge_target = nullptr;  // a merge: the question merged into, with its new count
};
// Inside the transaction of a change, after its rows are written: what else
// the change causes (the live events of service/qa.cc). An error rolls back.
using AfterQaChange = std::function<Status(Connection& conn, const QaEventView& view)>;

// Which questions a list returns.
struct QuestionFilter {
  std::optional<QuestionState> state;  // none: every state
  bool answered_only = false;          // approved and answered: what the public sees
};

class QaStore {
 public:
  virtual ~QaStore() = default;

  // Inserts `session` and appends `audit` for it.
  virtual Result<QaSession> CreateSession(const QaSession& session, const AuditEntry& audit) = 0;
  virtual Result<std::optional<QaSession>> FindSession(int64_t id) = 0;
  // The organisation's sessions, newest first, below `max_id`, at most `limit`.
  virtual Result<std::vector<QaSession>> ListSessions(int64_t organisation_id, std::optional<int64_t> max_id,
                                                      int limit) = 0;
  // Locks the session, applies what `decide` answers at `now`. NotFound when
  // there is no such session; `decide`'s errors as they are.
  virtual Result<QaSession> ChangeSession(int64_t id, const DecideQaSessionChange& decide, int64_t now,
                                          const AfterQaChange& after = {}) = 0;

  // Inserts a held question after `check` accepted the session as read in
  // the same transaction. Forbidden "blocked" when the organisation blocks
  // the asker.
  virtual Result<Question> AddQuestion(const Question& question,
                                       const std::function<Status(const QaSession& session)>& check,
                                       const AfterQaChange& after = {}) = 0;
  // The session's question, or nullopt (also for another session's).
  virtual Result<std::optional<Question>> FindQuestion(int64_t session_id, int64_t id) = 0;
  // A question by its id alone, whatever its session (reports name a
  // question by id), or nullopt.
  virtual Result<std::optional<Question>> FindQuestionById(int64_t id) = 0;
  // Oldest first (a queue is worked from its oldest), above `since_id`, at
  // most `limit`.
  virtual Result<std::vector<Question>> ListQuestions(int64_t session_id, const QuestionFilter& filter,
                                                      std::optional<int64_t> since_id, int limit) = 0;
  // Locks the session, reads the question, applies what `decide` answers.
  // NotFound when the session has no such question.
  virtual Result<Question> ChangeQuestion(int64_t session_id, int64_t id, const DecideQuestionChange& decide,
                                          int64_t now, const AfterQaChange& after = {}) = 0;
  // Every text the question's answer has had, oldest first.
  virtual Result<std::vector<AnswerRevision>> AnswerHistory(int64_t question_id) = 0;
};

std::unique_ptr<QaStore> MakeSqlQaStore(Database& db);

}  // namespace vantage::store
