// The QaStore contract (store/qa_store.h) on every backend that instantiates
// StoreConformanceTest: sessions and questions are written with their audit
// entries, a merge moves the duplicates to a question of the same session
// only, answers keep every text in their history, submissions see the
// session in their transaction and refuse accounts the organisation blocks,
// and a refused change writes nothing.
#include <optional>
#include <vector>

#include "store/audit_store.h"
#include "store/graph_store.h"
#include "store/organisation_store.h"
#include "store/qa_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

constexpr int64_t kT = 1700000000000;

AuditEntry By(int64_t actor_id, std::string action) {
  AuditEntry e;
  e.created_at = kT;
  e.actor_id = actor_id;
  e.action = std::move(action);
  return e;
}

class QaFixture {
 public:
  QaFixture(Store& store, IdGenerator& ids, Database& db) : store_(store), ids_(ids), qa_(MakeSqlQaStore(db)) {}

  int64_t Organisation(const std::string& username, int64_t owner_id) {
    Account a;
    a.id = ids_.Next();
    a.username = username;
    a.created_at = a.updated_at = kT;
    auto created = store_.organisations().Create(a, owner_id, By(owner_id, "organisation.created"));
    EXPECT_TRUE(created.ok()) << Describe(created);
    return a.id;
  }

  QaSession Session(int64_t organisation_id, int64_t actor_id) {
    QaSession s;
    s.id = ids_.Next();
    s.organisation_id = organisation_id;
    s.title = "Ask us";
    s.starts_at = kT;
    s.ends_at = kT + 3600000;
    s.pseudonym = "Officer A";
    s.created_at = s.updated_at = kT;
    auto created = qa_->CreateSession(s, By(actor_id, "qa.opened"));
    EXPECT_TRUE(created.ok()) << Describe(created);
    return created.ok() ? *created : s;
  }

  Result<Question> Ask(int64_t session_id, int64_t account_id, std::string text = "Why?") {
    Question q;
    q.id = ids_.Next();
    q.session_id = session_id;
    q.account_id = account_id;
    q.text = std::move(text);
    q.created_at = q.updated_at = kT;
    return qa_->AddQuestion(q, [](const QaSession&) { return Ok(); });
  }

  Result<Question> Set(int64_t session_id, int64_t id, QuestionState state, std::optional<int64_t> into = {},
                       std::optional<std::string> answer = {}) {
    return qa_->ChangeQuestion(
        session_id, id,
        [&](const QaSession&, const Question& current) -> Result<QuestionChange> {
          QuestionChange change = QuestionChange::Keep(current);
          change.state = state;
          change.merged_into = into;
          change.answer_text = answer;
          change.answer_as = AnswerAs::kPseudonym;
          change.audit.push_back(By(1, "qa.test"));
          return change;
        },
        kT + 1000);
  }

  QaStore& qa() { return *qa_; }

 private:
  Store& store_;
  IdGenerator& ids_;
  std::unique_ptr<QaStore> qa_;
};

TEST_P(StoreConformanceTest, QaSessionsAndTheirChanges) {
  Account owner = CreateAccount("qa_owner");
  QaFixture f(*store_, ids_, *db_);
  int64_t org = f.Organisation("qa_org", owner.id);
  QaSession first = f.Session(org, owner.id);
  QaSession second = f.Session(org, owner.id);
  EXPECT_EQ(first.state, QaSessionState::kOpen);
  EXPECT_EQ(first.pseudonym, std::optional<std::string>("Officer A"));

  auto listed = f.qa().ListSessions(org, std::nullopt, 10);
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, second.id);
  auto older = f.qa().ListSessions(org, second.id, 10);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 1u);
  EXPECT_EQ((*older)[0].id, first.id);

  auto closed = f.qa().ChangeSession(first.id, [&](const QaSession& current) -> Result<QaSessionChange> {
    QaSessionChange change = QaSessionChange::Keep(current);
    change.state = QaSessionState::kClosed;
    change.pseudonym.reset();
    change.audit.push_back(By(owner.id, "qa.closed"));
    return change;
  }, kT + 5000);
  ASSERT_TRUE(closed.ok()) << Describe(closed);
  EXPECT_EQ(closed->state, QaSessionState::kClosed);
  EXPECT_EQ(closed->closed_at, std::optional<int64_t>(kT + 5000));
  EXPECT_FALSE(closed->pseudonym);
  EXPECT_GT(closed->version, first.version);

  // A refused change writes nothing, audit included.
  auto refused = f.qa().ChangeSession(first.id, [&](const QaSession&) -> Result<QaSessionChange> {
    return Error::Conflict("invalid_transition", "no");
  }, kT + 6000);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "invalid_transition");
  auto missing = f.qa().ChangeSession(999, [&](const QaSession& c) -> Result<QaSessionChange> {
    return QaSessionChange::Keep(c);
  }, kT);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);

  auto entries = store_->audit().ListForOrganisation(org, std::nullopt, 50);
  ASSERT_TRUE(entries.ok()) << Describe(entries);
  std::vector<std::string> actions;
  for (const AuditEntry& e : *entries)
    if (e.target_type == "qa_session") actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"qa.closed", "qa.opened", "qa.opened"}));
}

TEST_P(StoreConformanceTest, QaQuestionsMergeAnswerAndBlocks) {
  Account owner = CreateAccount("qaq_owner");
  Account asker = CreateAccount("qaq_asker");
  Account troll = CreateAccount("qaq_troll");
  QaFixture f(*store_, ids_, *db_);
  int64_t org = f.Organisation("qaq_org", owner.id);
  QaSession session = f.Session(org, owner.id);
  QaSession other = f.Session(org, owner.id);

  auto target = f.Ask(session.id, asker.id, "Patrol hours?");
  auto dup = f.Ask(session.id, asker.id, "When are patrols?");
  auto dup2 = f.Ask(session.id, asker.id, "Patrol times");
  auto elsewhere = f.Ask(other.id, asker.id, "Elsewhere");
  ASSERT_TRUE(target.ok() && dup.ok() && dup2.ok() && elsewhere.ok()) << Describe(target);
  EXPECT_EQ(target->state, QuestionState::kHeld);

  // The check sees the session and can refuse.
  Question refused_question;
  refused_question.id = ids_.Next();
  refused_question.session_id = session.id;
  refused_question.account_id = asker.id;
  refused_question.text = "Late";
  refused_question.created_at = refused_question.updated_at = kT;
  auto late = f.qa().AddQuestion(refused_question, [&](const QaSession& s) -> Status {
    EXPECT_EQ(s.id, session.id);
    return Error::Conflict("session_closed", "closed");
  });
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "session_closed");

  // Blocked by the organisation: refused; blocking the other way is not.
  ASSERT_TRUE(store_->graph().Block(org, troll.id, ids_.Next(), kT).ok());
  auto blocked = f.Ask(session.id, troll.id);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, "blocked");
  ASSERT_TRUE(store_->graph().Block(asker.id, org, ids_.Next(), kT).ok());
  EXPECT_TRUE(f.Ask(session.id, asker.id).ok());

  // Merges: only into a held or approved question of the same session.
  auto cross = f.Set(session.id, dup->id, QuestionState::kMerged, elsewhere->id);
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().code, "merge_target_invalid");
  auto self = f.Set(session.id, dup->id, QuestionState::kMerged, dup->id);
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().code, "merge_target_invalid");
  ASSERT_TRUE(f.Set(session.id, dup2->id, QuestionState::kMerged, dup->id).ok());
  auto merged = f.Set(session.id, dup->id, QuestionState::kMerged, target->id);
  ASSERT_TRUE(merged.ok()) << Describe(merged);
  EXPECT_EQ(merged->merged_into, std::optional<int64_t>(target->id));
  auto into_merged = f.Set(session.id, target->id, QuestionState::kMerged, dup->id);
  ASSERT_FALSE(into_merged.ok());

  // Answers keep their history; the public list is approved and answered.
  ASSERT_TRUE(f.Set(session.id, target->id, QuestionState::kApproved).ok());
  QuestionFilter public_only;
  public_only.answered_only = true;
  auto none = f.qa().ListQuestions(session.id, public_only, std::nullopt, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto answered = f.Set(session.id, target->id, QuestionState::kApproved, std::nullopt, "From 22:00");
  ASSERT_TRUE(answered.ok()) << Describe(answered);
  EXPECT_EQ(answered->duplicates_count, 2);
  EXPECT_EQ(answered->answer_text, std::optional<std::string>("From 22:00"));
  EXPECT_EQ(answered->answer_as, std::optional<AnswerAs>(AnswerAs::kPseudonym));
  EXPECT_EQ(answered->answered_at, std::optional<int64_t>(kT + 1000));
  EXPECT_FALSE(answered->answer_edited_at);
  auto edited = f.Set(session.id, target->id, QuestionState::kApproved, std::nullopt, "From 22:30");
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->answer_edited_at, std::optional<int64_t>(kT + 1000));
  auto history = f.qa().AnswerHistory(target->id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].text, "From 22:00");
  EXPECT_EQ((*history)[1].text, "From 22:30");
  auto shown = f.qa().ListQuestions(session.id, public_only, std::nullopt, 10);
  ASSERT_TRUE(shown.ok());
  ASSERT_EQ(shown->size(), 1u);
  EXPECT_EQ((*shown)[0].id, target->id);

  QuestionFilter held;
  held.state = QuestionState::kHeld;
  auto queue = f.qa().ListQuestions(session.id, held, std::nullopt, 10);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);  // the question asked by the one who blocks the organisation
  auto after = f.qa().ListQuestions(session.id, QuestionFilter{}, dup->id, 10);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 2u);  // dup2 and the last one

  auto wrong_session = f.qa().FindQuestion(other.id, target->id);
  ASSERT_TRUE(wrong_session.ok());
  EXPECT_FALSE(*wrong_session);
  // By id alone, whatever the session.
  auto by_id = f.qa().FindQuestionById(elsewhere->id);
  ASSERT_TRUE(by_id.ok()) << Describe(by_id);
  ASSERT_TRUE(*by_id);
  EXPECT_EQ((*by_id)->session_id, other.id);
  EXPECT_EQ((*by_id)->text, "Elsewhere");
  EXPECT_EQ((*by_id)->account_id, std::optional<int64_t>(asker.id));
  auto no_such = f.qa().FindQuestionById(ids_.Next());
  ASSERT_TRUE(no_such.ok());
  EXPECT_FALSE(*no_such);
}

}  // namespace
}  // namespace vantage::store::testing
