// Live Q&A (docs/organisations.md, "Live Q&A"): an organisation opens a
// session, signed-in members of the public submit questions, moderators
// triage them, staff answer as the organisation or under the session's
// pseudonym, and the public reads the questions that were approved and
// answered.
//
// Sessions: open -> closed (no new questions) -> archived (read-only). A
// session takes questions while open and between its start and end.
// Questions: held -> approved | rejected | merged; an approved question is
// answered (in words, or marked answered), and its answer may be edited with
// history. A transition not allowed from the current state is Conflict
// "invalid_transition"; anything done to an archived session is Conflict
// "session_archived". Every staff action is audited in its transaction, with
// the staff member as actor: the audit log is the only place that names who
// answered.
//
// All functions block (database): call them from a pool thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "service/organisations.h"
#include "store/organisation_store.h"
#include "store/qa_store.h"

namespace vantage::service {

inline constexpr size_t kMaxQaTitleChars = 100;
inline constexpr size_t kMaxQaDescriptionChars = 2000;
inline constexpr size_t kMaxPseudonymChars = 30;
inline constexpr size_t kMaxQuestionChars = 500;
inline constexpr size_t kMaxAnswerChars = 5000;
inline constexpr int64_t kMaxQaDurationMs = 30LL * 24 * 3600 * 1000;

// What staff may do with an organisation's Q&A. Owners may do everything.
enum class QaAction {
  kManage,     // owner, editor: open, edit, close and archive sessions
  kReadQueue,  // owner, editor, moderator: every question, held ones included
  kTriage,     // owner, moderator: approve, reject, merge, mark answered
  kAnswer,     // owner, editor, moderator: answer and edit answers
};

// The live events of the Q&A (docs/architecture.md, "Live events"): each
// change writes, in its transaction, an event to the session's public topic
// (QaPublicTopic: a question made public by an answer or by being marked
// answered, "answer"; an edited answer, "answer_edited"; the session edited,
// closed or archived, "session", "closed", "archived") and to its staff
// topic (QaQueueTopic: every question asked or changed, "question"; the
// session's changes as above), then tells ctx.events after the commit.
std::string QaPublicTopic(int64_t session_id);
std::string QaQueueTopic(int64_t session_id);

// Renders an event's data (api/qa.cc: the JSON of the REST reads). Called
// inside the change's transaction: it must not use the database.
class QaEventRenderer {
 public:
  virtual ~QaEventRenderer() = default;
  virtual std::string PublicQuestion(const store::QaEventView& view) const = 0;
  virtual std::string StaffQuestion(const store::QaEventView& view) const = 0;
  virtual std::string Session(const store::QaEventView& view) const = 0;
};

// Whether `roles` allow `action` (the policy, pure, tested as a matrix).
bool QaStaffMay(const std::vector<store::StaffRole>& roles, QaAction action);

// NotFound for outsiders (and missing organisations), Forbidden
// "role_required" for staff without the role.
Status AuthorizeQaStaff(ServiceContext& ctx, int64_t organisation_id, int64_t viewer_id, QaAction action);

struct QaSessionInput {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> starts_at;  // ISO 8601; on open, absent: now
  std::optional<std::string> ends_at;    // ISO 8601; required on open
  // Absent: unchanged (none on open); an empty string removes it.
  std::optional<std::string> pseudonym;
};

Result<store::QaSession> OpenQaSession(ServiceContext& ctx, int64_t organisation_id, const QaSessionInput& input,
                                       const Actor& actor);
// Only an open session's fields change (Conflict "session_closed" or
// "session_archived").
Result<store::QaSession> EditQaSession(ServiceContext& ctx, int64_t session_id, const QaSessionInput& input,
                                       const Actor& actor);
Result<store::QaSession> CloseQaSession(ServiceContext& ctx, int64_t session_id, const Actor& actor);
Result<store::QaSession> ArchiveQaSession(ServiceContext& ctx, int64_t session_id, const Actor& actor);

struct QuestionInput {
  std::string text;
  bool show_name = false;
};

// A question from `asker`, held for moderation. Invalid "text" (1-500
// characters), Conflict "session_not_started", "session_ended",
// "session_closed" or "session_archived", Forbidden "blocked" when the
// organisation blocks the asker, Forbidden "organisation_cannot_ask" for the
// organisation's own account, RateLimited per account and per IP.
Result<store::Question> SubmitQuestion(ServiceContext& ctx, int64_t session_id, const store::Account& asker,
                                       const QuestionInput& input, const std::string& ip);

Result<store::Question> ApproveQuestion(ServiceContext& ctx, int64_t session_id, int64_t id, const Actor& actor);
Result<store::Question> RejectQuestion(ServiceContext& ctx, int64_t session_id, int64_t id, const Actor& actor);
// Merges a held or approved question into another held or approved question
// of the session, which counts it (and the duplicates it had counted).
Result<store::Question> MergeQuestion(ServiceContext& ctx, int64_t session_id, int64_t id, int64_t into,
                                      const Actor& actor);
Result<store::Question> MarkQuestionAnswered(ServiceContext& ctx, int64_t session_id, int64_t id,
                                             const Actor& actor);
// Answers an approved question (or replaces its answer: the edit is kept in
// its history). `as_pseudonym` needs a session with a pseudonym (Invalid
// "as", no_pseudonym).
Result<store::Question> AnswerQuestion(ServiceContext& ctx, int64_t session_id, int64_t id, const std::string& text,
                                       bool as_pseudonym, const Actor& actor);
Result<store::Question> EditAnswer(ServiceContext& ctx, int64_t session_id, int64_t id, const std::string& text,
                                   std::optional<bool> as_pseudonym, const Actor& actor);

// Whether the public sees the question: approved and answered.
bool QuestionIsPublic(const store::Question& question);

}  // namespace vantage::service
