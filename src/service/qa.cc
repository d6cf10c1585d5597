#include "service/qa.h"

#include <algorithm>
#include <memory>

#include "core/id.h"
#include "core/text.h"
#include "service/accounts.h"
#include "service/drafts.h"
#include "store/event_bus.h"
#include "store/event_store.h"

namespace vantage::service {

using store::QaSession;
using store::QaSessionChange;
using store::QaSessionState;
using store::Question;
using store::QuestionChange;
using store::QuestionState;

namespace {

// The store holds nothing but the database: one per call costs an allocation.
std::unique_ptr<store::QaStore> Qa(ServiceContext& ctx) { return store::MakeSqlQaStore(ctx.store.database()); }

bool Has(const std::vector<store::StaffRole>& roles, store::StaffRole role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// Control characters, and the bidirectional overrides and isolates that
// would let a name reorder the text around it.
bool HasControlCharacters(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xe2 && i + 2 < text.size()) {
      unsigned char b = static_cast<unsigned char>(text[i + 1]), d = static_cast<unsigned char>(text[i + 2]);
      if (b == 0x80 && d >= 0xaa && d <= 0xae) return true;  // U+202A-U+202E
      if (b == 0x81 && d >= 0xa6 && d <= 0xa9) return true;  // U+2066-U+2069
    }
  }
  return false;
}

Result<std::string> CheckedText(std::string_view field, std::string_view raw, size_t max, bool required,
                                bool one_line) {
  std::string_view text = Trim(raw);
  std::string name(field);
  if (!IsValidUtf8(text)) return Error::Invalid(name, name + " must be UTF-8");
  if (required && text.empty()) return Error::Invalid(name, name + " must not be empty", "missing_field");
  if (Utf8Length(text) > max)
    return Error::Invalid(name, name + " must be at most " + std::to_string(max) + " characters", "too_long");
  if (one_line && HasControlCharacters(text))
    return Error::Invalid(name, name + " must be one line without control or direction characters");
  return std::string(text);
}

// An ISO 8601 time from a day ago to a year ahead.
Result<int64_t> ParseQaTime(std::string_view field, std::string_view text, int64_t now) {
  constexpr int64_t kDayMs = 24LL * 3600 * 1000;
  // ParseScheduledAt takes times 5 s to a year after the `now` it is given.
  auto parsed = ParseScheduledAt(text, now - kDayMs - kMinScheduleAheadMs);
  if (!parsed)
    return Error::Invalid(std::string(field), std::string(field) +
                                                  " must be an ISO 8601 time (such as 2026-11-28T10:00:00Z) from "
                                                  "a day ago to a year ahead");
  return *parsed;
}

Error SessionArchived() {
  return Error::Conflict("session_archived", "This Q&A session is archived: it can no longer change");
}

Error InvalidTransition(const Question& question, std::string_view what) {
  return Error::Conflict("invalid_transition", "A " + std::string(store::QuestionStateName(question.state)) +
                                                   " question cannot be " + std::string(what));
}

// The pseudonym as it would be stored (none: removed), checked against the
// confusables guard: answers under it must not pass for a verified account
// (another organisation's, or a person's); the organisation's own is fine.
// Reads the database: call it outside any transaction.
Result<std::optional<std::string>> CheckPseudonym(ServiceContext& ctx, const std::string& raw,
                                                  int64_t organisation_id) {
  auto pseudonym = CheckedText("pseudonym", raw, kMaxPseudonymChars, false, true);
  if (!pseudonym) return std::move(pseudonym).error();
  if (pseudonym->empty()) return std::optional<std::string>();
  VANTAGE_TRY(CheckNotImpersonating(ctx, "pseudonym", *pseudonym, organisation_id));
  return std::optional<std::string>(std::move(*pseudonym));
}

// Applies `input` to `change`, checking every field it names but the
// pseudonym (CheckPseudonym, before the transaction).
Status ApplySessionInput(const QaSessionInput& input, const std::optional<std::optional<std::string>>& pseudonym,
                         QaSessionChange& change, bool open) {
  int64_t now = NowUnixMs();
  if (input.title || open) {
    auto title = CheckedText("title", input.title.value_or(""), kMaxQaTitleChars, true, true);
    if (!title) return std::move(title).error();
    change.title = std::move(*title);
  }
  if (input.description) {
    auto description = CheckedText("description", *input.description, kMaxQaDescriptionChars, false, false);
    if (!description) return std::move(description).error();
    change.description = std::move(*description);
  }
  if (input.starts_at && !Trim(*input.starts_at).empty()) {
    auto at = ParseQaTime("starts_at", *input.starts_at, now);
    if (!at) return std::move(at).error();
    change.starts_at = *at;
  } else if (open) {
    change.starts_at = now;
  }
  if (input.ends_at && !Trim(*input.ends_at).empty()) {
    auto at = ParseQaTime("ends_at", *input.ends_at, now);
    if (!at) return std::move(at).error();
    change.ends_at = *at;
  } else if (open) {
    return Error::Invalid("ends_at", "ends_at is required (an ISO 8601 time)", "missing_field");
  }
  if (change.ends_at <= change.starts_at)
    return Error::Invalid("ends_at", "ends_at must be after starts_at");
  if (change.ends_at - change.starts_at > kMaxQaDurationMs)
    return Error::Invalid("ends_at", "A Q&A session lasts at most 30 days");
  if (pseudonym) change.pseudonym = *pseudonym;
  return Ok();
}

// The events one change writes, told to the buses once it has committed.
class Events {
 public:
  explicit Events(ServiceContext& ctx) : ctx_(ctx) {}

  // For the store: appends what `write` asks for; a retried transaction
  // starts again from nothing.
  store::AfterQaChange After(std::function<Status(Events&, store::Connection&, const store::QaEventView&)> write) {
    if (!ctx_.qa_events) return {};
    return [this, write = std::move(write)](store::Connection& conn, const store::QaEventView& view) -> Status {
      written_.clear();
      return write(*this, conn, view);
    };
  }

  Status Append(store::Connection& conn, const std::string& topic, const char* type, const std::string& data) {
    auto id = store::AppendEventOn(conn, topic, type, data, NowUnixMs());
    if (!id) return std::move(id).error();
    written_.emplace_back(topic, *id);
    return Ok();
  }

  const QaEventRenderer& render() const { return *ctx_.qa_events; }

  // After the commit.
  void Tell() {
    if (ctx_.events)
      for (const auto& [topic, id] : written_) ctx_.events->Notify(topic, id);
  }

 private:
  ServiceContext& ctx_;
  std::vector<std::pair<std::string, int64_t>> written_;
};

// A change of the session, told on both topics as `type`.
Result<QaSession> ChangeSession(ServiceContext& ctx, int64_t session_id, const char* type,
                                const store::DecideQaSessionChange& decide) {
  Events events(ctx);
  auto changed = Qa(ctx)->ChangeSession(
      session_id, decide, NowUnixMs(),
      events.After([type](Events& e, store::Connection& conn, const store::QaEventView& view) -> Status {
        std::string data = e.render().Session(view);
        VANTAGE_TRY(e.Append(conn, QaPublicTopic(view.session->id), type, data));
        return e.Append(conn, QaQueueTopic(view.session->id), type, data);
      }));
  if (changed) events.Tell();
  return changed;
}

// A change of a question: the staff topic always; the public one with
// `public_type` when the question is public after it.
Result<Question> ChangeQuestion(ServiceContext& ctx, int64_t session_id, int64_t id, const char* public_type,
                                const store::DecideQuestionChange& decide) {
  Events events(ctx);
  auto changed = Qa(ctx)->ChangeQuestion(
      session_id, id, decide, NowUnixMs(),
      events.After([public_type](Events& e, store::Connection& conn, const store::QaEventView& view) -> Status {
        VANTAGE_TRY(e.Append(conn, QaQueueTopic(view.session->id), "question", e.render().StaffQuestion(view)));
        // The question merged into counts one more asker: the queue sees it.
        if (view.merge_target)
          VANTAGE_TRY(e.Append(conn, QaQueueTopic(view.session->id), "question",
                               e.render().StaffQuestion(*view.merge_target)));
        if (public_type && QuestionIsPublic(*view.question))
          VANTAGE_TRY(e.Append(conn, QaPublicTopic(view.session->id), public_type, e.render().PublicQuestion(view)));
        return Ok();
      }));
  if (changed) events.Tell();
  return changed;
}

Result<std::string> AnswerText(const std::string& raw) {
  return CheckedText("text", raw, kMaxAnswerChars, true, false);
}

}  // namespace

std::string QaPublicTopic(int64_t session_id) { return "qa:" + std::to_string(session_id); }
std::string QaQueueTopic(int64_t session_id) { return "qa:" + std::to_string(session_id) + ":queue"; }

bool QaStaffMay(const std::vector<store::StaffRole>& roles, QaAction action) {
  if (Has(roles, store::StaffRole::kOwner)) return true;
  bool editor = Has(roles, store::StaffRole::kEditor);
  bool moderator = Has(roles, store::StaffRole::kModerator);
  switch (action) {
    case QaAction::kManage:
      return editor;
    case QaAction::kTriage:
      return moderator;
    case QaAction::kReadQueue:
    case QaAction::kAnswer:
      return editor || moderator;
  }
  return false;
}

Status AuthorizeQaStaff(ServiceContext& ctx, int64_t organisation_id, int64_t viewer_id, QaAction action) {
  auto roles = ctx.store.organisations().RolesOf(organisation_id, viewer_id);
  if (!roles) return std::move(roles).error();
  if (roles->empty()) return Error::NotFound();
  if (!QaStaffMay(*roles, action))
    return Error::Forbidden("Your roles in this organisation do not allow this", "role_required");
  return Ok();
}

Result<QaSession> OpenQaSession(ServiceContext& ctx, int64_t organisation_id, const QaSessionInput& input,
                                const Actor& actor) {
  std::optional<std::optional<std::string>> pseudonym;
  if (input.pseudonym) {
    auto checked = CheckPseudonym(ctx, *input.pseudonym, organisation_id);
    if (!checked) return std::move(checked).error();
    pseudonym = std::move(*checked);
  }
  QaSessionChange fields;
  VANTAGE_TRY(ApplySessionInput(input, pseudonym, fields, /*open=*/true));
  QaSession session;
  session.id = ctx.ids.Next();
  session.organisation_id = organisation_id;
  session.title = fields.title;
  session.description = fields.description;
  session.starts_at = fields.starts_at;
  session.ends_at = fields.ends_at;
  session.pseudonym = fields.pseudonym;
  session.created_at = session.updated_at = NowUnixMs();
  return Qa(ctx)->CreateSession(session, ActorEntry(actor, "qa.opened", "{\"title\":" + JsonQuote(session.title) + "}"));
}

Result<QaSession> EditQaSession(ServiceContext& ctx, int64_t session_id, const QaSessionInput& input,
                                const Actor& actor) {
  std::optional<std::optional<std::string>> pseudonym;
  if (input.pseudonym) {
    auto session = Qa(ctx)->FindSession(session_id);
    if (!session) return std::move(session).error();
    if (!*session) return Error::NotFound("No such Q&A session", "not_found");
    auto checked = CheckPseudonym(ctx, *input.pseudonym, (*session)->organisation_id);
    if (!checked) return std::move(checked).error();
    pseudonym = std::move(*checked);
  }
  return ChangeSession(ctx, session_id, "session", [&](const QaSession& current) -> Result<QaSessionChange> {
    if (current.state == QaSessionState::kArchived) return SessionArchived();
    if (current.state == QaSessionState::kClosed)
      return Error::Conflict("session_closed", "This Q&A session is closed: its details no longer change");
    QaSessionChange change = QaSessionChange::Keep(current);
    VANTAGE_TRY(ApplySessionInput(input, pseudonym, change, /*open=*/false));
    change.audit.push_back(ActorEntry(actor, "qa.edited"));
    return change;
  });
}

Result<QaSession> CloseQaSession(ServiceContext& ctx, int64_t session_id, const Actor& actor) {
  return ChangeSession(ctx, session_id, "closed", [&](const QaSession& current) -> Result<QaSessionChange> {
    if (current.state == QaSessionState::kArchived) return SessionArchived();
    if (current.state != QaSessionState::kOpen)
      return Error::Conflict("invalid_transition", "This Q&A session is already closed");
    QaSessionChange change = QaSessionChange::Keep(current);
    change.state = QaSessionState::kClosed;
    change.audit.push_back(ActorEntry(actor, "qa.closed"));
    return change;
  });
}

Result<QaSession> ArchiveQaSession(ServiceContext& ctx, int64_t session_id, const Actor& actor) {
  return ChangeSession(ctx, session_id, "archived", [&](const QaSession& current) -> Result<QaSessionChange> {
    if (current.state == QaSessionState::kArchived) return SessionArchived();
    if (current.state != QaSessionState::kClosed)
      return Error::Conflict("invalid_transition", "Only a closed Q&A session can be archived: close it first");
    QaSessionChange change = QaSessionChange::Keep(current);
    change.state = QaSessionState::kArchived;
    change.audit.push_back(ActorEntry(actor, "qa.archived"));
    return change;
  });
}

Result<Question> SubmitQuestion(ServiceContext& ctx, int64_t session_id, const store::Account& asker,
                                const QuestionInput& input, const std::string& ip) {
  auto text = CheckedText("text", input.text, kMaxQuestionChars, true, false);
  if (!text) return std::move(text).error();
  int64_t now = NowUnixMs();
  // Counted before the database is asked, so a flood costs no writes.
  if (int wait = ctx.questions_by_account.Hit(std::to_string(asker.id), now)) return Error::RateLimited(wait);
  if (int wait = ctx.questions_by_ip.Hit(AddressKey(ip), now)) return Error::RateLimited(wait);
  Question question;
  question.id = ctx.ids.Next();
  question.session_id = session_id;
  question.account_id = asker.id;
  question.show_name = input.show_name;
  question.text = std::move(*text);
  question.created_at = question.updated_at = now;
  Events events(ctx);
  auto added = Qa(ctx)->AddQuestion(question, [&](const QaSession& session) -> Status {
    if (session.organisation_id == asker.id)
      return Error::Forbidden("An organisation does not ask its own Q&A questions", "organisation_cannot_ask");
    if (session.state == QaSessionState::kArchived) return SessionArchived();
    if (session.state == QaSessionState::kClosed)
      return Error::Conflict("session_closed", "This Q&A session is closed: it takes no more questions");
    if (now < session.starts_at)
      return Error::Conflict("session_not_started", "This Q&A session has not started yet; it opens at " +
                                                        FormatIsoTime(session.starts_at));
    if (now >= session.ends_at)
      return Error::Conflict("session_ended", "This Q&A session has ended: it takes no more questions");
    return Ok();
  }, events.After([](Events& e, store::Connection& conn, const store::QaEventView& view) -> Status {
    return e.Append(conn, QaQueueTopic(view.session->id), "question", e.render().StaffQuestion(view));
  }));
  if (added) events.Tell();
  return added;
}

Result<Question> ApproveQuestion(ServiceContext& ctx, int64_t session_id, int64_t id, const Actor& actor) {
  return ChangeQuestion(ctx, session_id, id, nullptr, [&](const QaSession& session, const Question& current)
                                                 -> Result<QuestionChange> {
    if (session.state == QaSessionState::kArchived) return SessionArchived();
    if (current.state != QuestionState::kHeld) return InvalidTransition(current, "approved");
    QuestionChange change = QuestionChange::Keep(current);
    change.state = QuestionState::kApproved;
    change.audit.push_back(ActorEntry(actor, "qa.question_approved"));
    return change;
  });
}

Result<Question> RejectQuestion(ServiceContext& ctx, int64_t session_id, int64_t id, const Actor& actor) {
  return ChangeQuestion(ctx, session_id, id, nullptr, [&](const QaSession& session, const Question& current)
                                                 -> Result<QuestionChange> {
    if (session.state == QaSessionState::kArchived) return SessionArchived();
    // An answered question stays: rejecting it would unpublish an answer.
    if (current.state == QuestionState::kRejected || current.state == QuestionState::kMerged ||
        current.answered_at)
      return InvalidTransition(current, current.answered_at ? "rejected once answered" : "rejected");
    QuestionChange change = QuestionChange::Keep(current);
    change.state = QuestionState::kRejected;
    change.audit.push_back(ActorEntry(actor, "qa.question_rejected"));
    return change;
  });
}

Result<Question> MergeQuestion(ServiceContext& ctx, int64_t session_id, int64_t id, int64_t into,
                               const Actor& actor) {
  return ChangeQuestion(ctx, session_id, id, nullptr, [&](const QaSession& session, const Question& current)
                                                 -> Result<QuestionChange> {
    if (session.state == QaSessionState::kArchived) return SessionArchived();
    if (current.state == QuestionState::kRejected || current.state == QuestionState::kMerged ||
        current.answered_at)
      return InvalidTransition(current, current.answered_at ? "merged once answered" : "merged");
    QuestionChange change = QuestionChange::Keep(current);
    change.state = QuestionState::kMerged;
    change.merged_into = into;
    change.audit.push_back(ActorEntry(actor, "qa.question_merged", "{\"into\":\"" + std::to_string(into) + "\"}"));
    return change;
  });
}

Result<Question> MarkQuestionAnswered(ServiceContext& ctx, int64_t session_id, int64_t id, const Actor& actor) {
  return ChangeQuestion(ctx, session_id, id, "answer", [&](const QaSession& session, const Question& current)
                                                 -> Result<QuestionChange> {
    if (session.state == QaSessionState::kArchived) return SessionArchived();
    if (current.state != QuestionState::kApproved || current.answered_at)
      return InvalidTransition(current, current.answered_at ? "marked answered twice" : "marked answered");
    QuestionChange change = QuestionChange::Keep(current);
    change.mark_answered = true;
    change.audit.push_back(ActorEntry(actor, "qa.question_marked_answered"));
    return change;
  });
}

Result<Question> AnswerQuestion(ServiceContext& ctx, int64_t session_id, int64_t id, const std::string& raw,
                                bool as_pseudonym, const Actor& actor) {
  auto text = AnswerText(raw);
  if (!text) return std::move(text).error();
  return ChangeQuestion(ctx, session_id, id, "answer", [&](const QaSession& session, const Question& current)
                                                 -> Result<QuestionChange> {
    if (session.state == QaSessionState::kArchived) return SessionArchived();
    if (current.state != QuestionState::kApproved) return InvalidTransition(current, "answered");
    if (current.answer_text)
      return Error::Conflict("already_answered", "This question has an answer: edit it instead");
    if (as_pseudonym && !session.pseudonym)
      return Error::Invalid("as", "This Q&A session has no pseudonym: answer as the organisation", "no_pseudonym");
    QuestionChange change = QuestionChange::Keep(current);
    change.answer_text = *text;
    change.answer_as = as_pseudonym ? store::AnswerAs::kPseudonym : store::AnswerAs::kOrganisation;
    change.audit.push_back(ActorEntry(actor, "qa.answered",
                                 std::string("{\"as\":\"") + store::AnswerAsName(*change.answer_as) + "\"}"));
    return change;
  });
}

Result<Question> EditAnswer(ServiceContext& ctx, int64_t session_id, int64_t id, const std::string& raw,
                            std::optional<bool> as_pseudonym, const Actor& actor) {
  auto text = AnswerText(raw);
  if (!text) return std::move(text).error();
  return ChangeQuestion(ctx, session_id, id, "answer_edited", [&](const QaSession& session, const Question& current)
                                                 -> Result<QuestionChange> {
    if (session.state == QaSessionState::kArchived) return SessionArchived();
    if (!current.answer_text) return InvalidTransition(current, "edited before it is answered");
    bool pseudonym = as_pseudonym.value_or(current.answer_as == store::AnswerAs::kPseudonym);
    if (pseudonym && !session.pseudonym)
      return Error::Invalid("as", "This Q&A session has no pseudonym: answer as the organisation", "no_pseudonym");
    QuestionChange change = QuestionChange::Keep(current);
    change.answer_text = *text;
    change.answer_as = pseudonym ? store::AnswerAs::kPseudonym : store::AnswerAs::kOrganisation;
    change.audit.push_back(ActorEntry(actor, "qa.answer_edited",
                                 std::string("{\"as\":\"") + store::AnswerAsName(*change.answer_as) + "\"}"));
    return change;
  });
}

bool QuestionIsPublic(const Question& question) {
  return question.state == QuestionState::kApproved && question.answered_at.has_value();
}

}  // namespace vantage::service
