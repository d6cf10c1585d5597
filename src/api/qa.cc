// Live Q&A: /api/vantage/v1/organisations/:id/qa and /api/vantage/v1/qa/...
// (docs/api.md, docs/organisations.md "Live Q&A"). Public reads show a
// session and its approved, answered questions; staff call the rest with
// their own credentials (Vantage-Act-As or not), and outsiders get 404 from
// staff routes as for a missing session. No answer names the staff member
// who answered: answers carry the organisation or the session's pseudonym.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <functional>
#include <map>
#include <set>

#include "api/api.h"
#include "api/event_streams.h"
#include "api/params.h"
#include "api/serializers.h"
#include "core/id.h"
#include "core/text.h"
#include "service/organisations.h"
#include "service/policy.h"
#include "service/qa.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;
using store::QaSession;
using store::Question;

namespace {

constexpr int kMaxQuestionsPerPage = 200;
constexpr const char* kAnonymousAsker = "a member of the public";

json::value OptTime(const std::optional<int64_t>& ms) {
  return ms ? json::value(FormatIsoTime(*ms)) : json::value(nullptr);
}

std::unique_ptr<store::QaStore> Qa(ApiContext& ctx) { return store::MakeSqlQaStore(ctx.services.store.database()); }

Result<store::Account> OrganisationAccount(ApiContext& ctx, int64_t id) {
  auto account = ctx.services.store.accounts().FindById(id);
  if (!account) return std::move(account).error();
  if (!*account) return Error::NotFound("No such Q&A session", "not_found");
  return std::move(**account);
}

json::object SessionJson(const service::Settings& settings, const QaSession& s, const store::Account& organisation) {
  json::object o;
  o["id"] = std::to_string(s.id);
  o["organisation"] = AccountJson(settings, organisation);
  o["title"] = s.title;
  o["description"] = s.description;
  o["starts_at"] = FormatIsoTime(s.starts_at);
  o["ends_at"] = FormatIsoTime(s.ends_at);
  o["pseudonym"] = s.pseudonym ? json::value(*s.pseudonym) : json::value(nullptr);
  o["state"] = store::QaSessionStateName(s.state);
  int64_t now = NowUnixMs();
  o["accepting_questions"] =
      s.state == store::QaSessionState::kOpen && now >= s.starts_at && now < s.ends_at;
  o["created_at"] = FormatIsoTime(s.created_at);
  o["closed_at"] = OptTime(s.closed_at);
  o["archived_at"] = OptTime(s.archived_at);
  return o;
}

// A question as the public sees it, or (`staff`) as the organisation's staff
// do: with its state and asker (`asker`: none when gone or not read).
json::object QuestionJson(const service::Settings& settings, const QaSession& session,
                          const store::Account& organisation, const store::Account* asker, const Question& q,
                          bool staff) {
  json::object o;
  o["id"] = std::to_string(q.id);
  o["text"] = q.text;
  if (q.show_name && asker) {
    o["asker"] = AccountJson(settings, *asker);
    o["asker_name"] = asker->display_name.empty() ? asker->username : asker->display_name;
  } else {
    o["asker"] = nullptr;
    o["asker_name"] = kAnonymousAsker;
  }
  o["duplicates_count"] = q.duplicates_count;
  o["created_at"] = FormatIsoTime(q.created_at);
  o["answered"] = q.answered_at.has_value();
  if (q.answer_text) {
    json::object answer;
    answer["text"] = *q.answer_text;
    bool pseudonym = q.answer_as == store::AnswerAs::kPseudonym && session.pseudonym;
    answer["as"] = pseudonym ? "pseudonym" : "organisation";
    answer["name"] = pseudonym ? *session.pseudonym
                               : (organisation.display_name.empty() ? organisation.username
                                                                    : organisation.display_name);
    answer["answered_at"] = OptTime(q.answered_at);
    answer["edited_at"] = OptTime(q.answer_edited_at);
    o["answer"] = std::move(answer);
  } else {
    o["answer"] = nullptr;
  }
  if (staff) {
    o["state"] = store::QuestionStateName(q.state);
    o["merged_into"] = q.merged_into ? json::value(std::to_string(*q.merged_into)) : json::value(nullptr);
    o["show_name"] = q.show_name;
    // Moderators see who asked (to block an abusive asker); the public
    // only when the asker chose so.
    o["account"] = asker ? json::value(AccountJson(settings, *asker)) : json::value(nullptr);
  }
  return o;
}

// QuestionJson of each question, their askers read in one query.
Result<json::array> QuestionsJson(ApiContext& ctx, const QaSession& session, const store::Account& organisation,
                                  const std::vector<Question>& questions, bool staff) {
  std::set<int64_t> people;
  for (const Question& q : questions)
    if (q.account_id && (staff || q.show_name)) people.insert(*q.account_id);
  auto accounts = ctx.services.store.accounts().FindByIds(std::vector<int64_t>(people.begin(), people.end()));
  if (!accounts) return std::move(accounts).error();
  std::map<int64_t, const store::Account*> by_id;
  for (const store::Account& account : *accounts) by_id[account.id] = &account;
  json::array out;
  for (const Question& q : questions) {
    const store::Account* asker = nullptr;
    if (q.account_id) {
      auto it = by_id.find(*q.account_id);
      if (it != by_id.end()) asker = it->second;
    }
    out.push_back(QuestionJson(ctx.services.settings, session, organisation, asker, q, staff));
  }
  return out;
}

// The live events' data: the same JSON as the REST reads.
class QaEventJson final : public service::QaEventRenderer {
 public:
  explicit QaEventJson(const service::Settings& settings) : settings_(settings) {}

  std::string PublicQuestion(const store::QaEventView& view) const override { return Render(view, false); }
  std::string StaffQuestion(const store::QaEventView& view) const override { return Render(view, true); }
  std::string Session(const store::QaEventView& view) const override {
    return json::serialize(SessionJson(settings_, *view.session, Organisation(view)));
  }

 private:
  std::string Render(const store::QaEventView& view, bool staff) const {
    const store::Account* asker = view.asker ? &*view.asker : nullptr;
    return json::serialize(QuestionJson(settings_, *view.session, Organisation(view), asker, *view.question, staff));
  }
  static store::Account Organisation(const store::QaEventView& view) {
    return view.organisation.value_or(store::Account{});
  }

  const service::Settings& settings_;
};

Result<QaSession> LoadSession(ApiContext& ctx, const Request& request) {
  auto id = ParseId(request.path_params.at(0));
  if (!id) return Error::NotFound("No such Q&A session", "not_found");
  auto session = Qa(ctx)->FindSession(*id);
  if (!session) return std::move(session).error();
  if (!*session) return Error::NotFound("No such Q&A session", "not_found");
  return std::move(**session);
}

// Not found for a signed-in reader the organisation blocks, as its posts
// are. One who blocks the organisation still reads and asks.
// `reader`, when given, is set to who reads (nobody when signed out).
Status CheckNotBlocked(ApiContext& ctx, const Request& request, int64_t organisation_id,
                       std::optional<service::Principal>* reader = nullptr) {
  auto principal = OptionalPrincipal(ctx, request, "read:statuses");
  if (!principal) return std::move(principal).error();
  if (*principal) {
    auto relation = service::RelationTo(ctx.services, (*principal)->account->id, organisation_id);
    if (!relation) return std::move(relation).error();
    if (relation->blocked_by) return Error::NotFound("No such Q&A session", "not_found");
  }
  if (reader) *reader = std::move(*principal);
  return Ok();
}

// The session of the path for a public reader (`reader` as CheckNotBlocked).
Result<QaSession> LoadReadableSession(ApiContext& ctx, const Request& request,
                                      std::optional<service::Principal>* reader = nullptr) {
  auto session = LoadSession(ctx, request);
  if (!session) return std::move(session).error();
  VANTAGE_TRY(CheckNotBlocked(ctx, request, session->organisation_id, reader));
  return session;
}

// The staff member asking about the session of the path, allowed `action`.
struct StaffRequest {
  QaSession session;
  service::Actor actor;
  store::AccessGrant grant;  // for a stream: checked_after is the caller's
};

Result<StaffRequest> AuthorizeSessionStaff(ApiContext& ctx, Request& request, std::string_view scope,
                                           service::QaAction action) {
  auto principal = Authorize(ctx, request, scope);
  if (!principal) return std::move(principal).error();
  const store::Account& staff = principal->acting_staff ? *principal->acting_staff : *principal->account;
  auto session = LoadSession(ctx, request);
  if (!session) return std::move(session).error();
  Status allowed = service::AuthorizeQaStaff(ctx.services, session->organisation_id, staff.id, action);
  if (!allowed) {
    if (allowed.error().kind == ErrorKind::kNotFound) return Error::NotFound("No such Q&A session", "not_found");
    return std::move(allowed).error();
  }
  VANTAGE_TRY(service::AdmitStaffVisit(ctx.services, session->organisation_id, StaffVisitOf(*principal, request)));
  store::AccessGrant grant = GrantOf(*principal, session->organisation_id, 0);
  return StaffRequest{std::move(*session), service::Actor{staff.id, request.remote_ip}, grant};
}

Result<int64_t> QuestionId(const Request& request) {
  auto id = ParseId(request.path_params.at(1));
  if (!id) return Error::NotFound("No such question", "not_found");
  return *id;
}

Result<Response> SessionResponse(ApiContext& ctx, Result<QaSession> session) {
  if (!session) return std::move(session).error();
  auto organisation = OrganisationAccount(ctx, session->organisation_id);
  if (!organisation) return std::move(organisation).error();
  return Json(SessionJson(ctx.services.settings, *session, *organisation));
}

Result<Response> QuestionResponse(ApiContext& ctx, const QaSession& session, Result<Question> question,
                                  bool staff) {
  if (!question) return std::move(question).error();
  auto organisation = OrganisationAccount(ctx, session.organisation_id);
  if (!organisation) return std::move(organisation).error();
  auto body = QuestionsJson(ctx, session, *organisation, {*question}, staff);
  if (!body) return std::move(body).error();
  return Json(body->at(0));
}

Result<service::QaSessionInput> SessionInputFrom(const Params& params) {
  service::QaSessionInput input;
  struct Field {
    const char* name;
    std::optional<std::string>* into;
    size_t max;
  } fields[] = {{"title", &input.title, service::kMaxQaTitleChars * 4},
                {"description", &input.description, service::kMaxQaDescriptionChars * 4},
                {"starts_at", &input.starts_at, 100},
                {"ends_at", &input.ends_at, 100},
                {"pseudonym", &input.pseudonym, service::kMaxPseudonymChars * 4}};
  for (const Field& field : fields) {
    auto value = params.String(field.name, field.max);
    if (!value) return std::move(value).error();
    *field.into = std::move(*value);
  }
  return input;
}

// `since_id` and `limit` (1-200, default 100) of a question list.
struct QuestionPage {
  std::optional<int64_t> since_id;
  int limit = 100;
};

Result<QuestionPage> QuestionPageFrom(const Params& params) {
  QuestionPage page;
  auto since = params.String("since_id", 40);
  if (!since) return std::move(since).error();
  if (*since && !(*since)->empty()) {
    auto id = ParseId(**since);
    if (!id) return Error::Invalid("since_id", "since_id must be a question id");
    page.since_id = *id;
  }
  auto limit = params.Integer("limit");
  if (!limit) return std::move(limit).error();
  if (*limit) {
    if (**limit < 1 || **limit > kMaxQuestionsPerPage)
      return Error::Invalid("limit", "limit must be 1 to " + std::to_string(kMaxQuestionsPerPage));
    page.limit = static_cast<int>(**limit);
  }
  return page;
}

Result<bool> AsPseudonym(const Params& params, std::optional<bool>* out) {
  auto as = params.String("as", 40);
  if (!as) return std::move(as).error();
  if (!*as || (*as)->empty()) {
    if (out) *out = std::nullopt;
    return false;
  }
  if (**as != "organisation" && **as != "pseudonym")
    return Error::Invalid("as", "as must be organisation or pseudonym");
  bool pseudonym = **as == "pseudonym";
  if (out) *out = pseudonym;
  return pseudonym;
}

Result<std::string> AnswerTextParam(const Params& params) {
  auto text = params.String("text", service::kMaxAnswerChars * 4);
  if (!text) return std::move(text).error();
  if (!*text) return Error::Invalid("text", "text is required", "missing_field");
  return std::move(**text);
}

using QuestionTransition = std::function<Result<Question>(ApiContext&, const StaffRequest&, int64_t, const Params&)>;

// POST /qa/:id/questions/:question_id/<transition>.
http::Handler QuestionRoute(ApiContext& ctx, service::QaAction action, QuestionTransition transition) {
  return Wrap([&ctx, action, transition](Request& request) -> Result<Response> {
    auto staff = AuthorizeSessionStaff(ctx, request, "write:statuses", action);
    if (!staff) return std::move(staff).error();
    auto id = QuestionId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    return QuestionResponse(ctx, staff->session, transition(ctx, *staff, *id, *params), /*staff=*/true);
  });
}

using SessionTransition = Result<QaSession> (*)(service::ServiceContext&, int64_t, const service::Actor&);

http::Handler SessionRoute(ApiContext& ctx, SessionTransition transition) {
  return Wrap([&ctx, transition](Request& request) -> Result<Response> {
    auto staff = AuthorizeSessionStaff(ctx, request, "write:statuses", service::QaAction::kManage);
    if (!staff) return std::move(staff).error();
    return SessionResponse(ctx, transition(ctx.services, staff->session.id, staff->actor));
  });
}

}  // namespace

void RegisterQaRoutes(http::Router& router, ApiContext& ctx) {
  const std::string qa = "/api/vantage/v1/qa/:id";
  ctx.services.qa_events = std::make_shared<QaEventJson>(ctx.services.settings);

  router.Add("POST", "/api/vantage/v1/organisations/:id/qa", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:statuses");
    if (!principal) return std::move(principal).error();
    auto organisation_id = PathId(request);
    if (!organisation_id) return std::move(organisation_id).error();
    const store::Account& staff = principal->acting_staff ? *principal->acting_staff : *principal->account;
    VANTAGE_TRY(service::AuthorizeQaStaff(ctx.services, *organisation_id, staff.id, service::QaAction::kManage));
    VANTAGE_TRY(service::AdmitStaffVisit(ctx.services, *organisation_id, StaffVisitOf(*principal, request)));
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto input = SessionInputFrom(*params);
    if (!input) return std::move(input).error();
    return SessionResponse(ctx, service::OpenQaSession(ctx.services, *organisation_id, *input,
                                                       service::Actor{staff.id, request.remote_ip}));
  }));

  // Public: an organisation's sessions, newest first (max_id, limit).
  router.Add("GET", "/api/vantage/v1/organisations/:id/qa", Wrap([&ctx](Request& request) -> Result<Response> {
    auto organisation_id = PathId(request);
    if (!organisation_id) return std::move(organisation_id).error();
    auto is_organisation = service::IsOrganisation(ctx.services, *organisation_id);
    if (!is_organisation) return std::move(is_organisation).error();
    if (!*is_organisation) return Error::NotFound();
    VANTAGE_TRY(CheckNotBlocked(ctx, request, *organisation_id));
    auto organisation = OrganisationAccount(ctx, *organisation_id);
    if (!organisation) return std::move(organisation).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    std::optional<int64_t> max_id;
    auto max = params->String("max_id", 40);
    if (!max) return std::move(max).error();
    if (*max && !(*max)->empty()) {
      auto id = ParseId(**max);
      if (!id) return Error::Invalid("max_id", "max_id must be a session id");
      max_id = *id;
    }
    auto limit = params->Integer("limit");
    if (!limit) return std::move(limit).error();
    if (*limit && (**limit < 1 || **limit > 40)) return Error::Invalid("limit", "limit must be 1 to 40");
    auto sessions = Qa(ctx)->ListSessions(*organisation_id, max_id, *limit ? static_cast<int>(**limit) : 20);
    if (!sessions) return std::move(sessions).error();
    json::array out;
    for (const QaSession& s : *sessions) out.push_back(SessionJson(ctx.services.settings, s, *organisation));
    return Json(out);
  }));

  // Public: the session with its approved, answered questions (the first
  // 200; /questions pages through the rest).
  router.Add("GET", qa, Wrap([&ctx](Request& request) -> Result<Response> {
    auto session = LoadReadableSession(ctx, request);
    if (!session) return std::move(session).error();
    auto organisation = OrganisationAccount(ctx, session->organisation_id);
    if (!organisation) return std::move(organisation).error();
    store::QuestionFilter filter;
    filter.answered_only = true;
    auto questions = Qa(ctx)->ListQuestions(session->id, filter, std::nullopt, kMaxQuestionsPerPage);
    if (!questions) return std::move(questions).error();
    auto body = QuestionsJson(ctx, *session, *organisation, *questions, /*staff=*/false);
    if (!body) return std::move(body).error();
    json::object out = SessionJson(ctx.services.settings, *session, *organisation);
    out["questions"] = std::move(*body);
    return Json(out);
  }));

  router.Add("GET", qa + "/questions", Wrap([&ctx](Request& request) -> Result<Response> {
    auto session = LoadReadableSession(ctx, request);
    if (!session) return std::move(session).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto page = QuestionPageFrom(*params);
    if (!page) return std::move(page).error();
    auto organisation = OrganisationAccount(ctx, session->organisation_id);
    if (!organisation) return std::move(organisation).error();
    store::QuestionFilter filter;
    filter.answered_only = true;
    auto questions = Qa(ctx)->ListQuestions(session->id, filter, page->since_id, page->limit);
    if (!questions) return std::move(questions).error();
    auto body = QuestionsJson(ctx, *session, *organisation, *questions, /*staff=*/false);
    if (!body) return std::move(body).error();
    return Json(*body);
  }));

  // Public: the texts an answer has had, oldest first, without authors.
  router.Add("GET", qa + "/questions/:question_id/history", Wrap([&ctx](Request& request) -> Result<Response> {
    auto session = LoadReadableSession(ctx, request);
    if (!session) return std::move(session).error();
    auto id = QuestionId(request);
    if (!id) return std::move(id).error();
    auto question = Qa(ctx)->FindQuestion(session->id, *id);
    if (!question) return std::move(question).error();
    if (!*question || !service::QuestionIsPublic(**question)) return Error::NotFound("No such question", "not_found");
    auto history = Qa(ctx)->AnswerHistory(*id);
    if (!history) return std::move(history).error();
    json::array out;
    for (const store::AnswerRevision& revision : *history) {
      json::object o;
      o["text"] = revision.text;
      o["created_at"] = FormatIsoTime(revision.created_at);
      out.push_back(std::move(o));
    }
    return Json(out);
  }));

  router.Add("PUT", qa, Wrap([&ctx](Request& request) -> Result<Response> {
    auto staff = AuthorizeSessionStaff(ctx, request, "write:statuses", service::QaAction::kManage);
    if (!staff) return std::move(staff).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto input = SessionInputFrom(*params);
    if (!input) return std::move(input).error();
    return SessionResponse(ctx, service::EditQaSession(ctx.services, staff->session.id, *input, staff->actor));
  }));
  router.Add("POST", qa + "/close", SessionRoute(ctx, service::CloseQaSession));
  router.Add("POST", qa + "/archive", SessionRoute(ctx, service::ArchiveQaSession));

  // A signed-in member of the public asks.
  router.Add("POST", qa + "/questions", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:statuses");
    if (!principal) return std::move(principal).error();
    auto session_id = ParseId(request.path_params.at(0));
    if (!session_id) return Error::NotFound("No such Q&A session", "not_found");
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto text = params->String("text", service::kMaxQuestionChars * 4);
    if (!text) return std::move(text).error();
    auto show_name = params->Bool("show_name");
    if (!show_name) return std::move(show_name).error();
    service::QuestionInput input{text->value_or(""), show_name->value_or(false)};
    auto question = service::SubmitQuestion(ctx.services, *session_id, *principal->account, input,
                                            request.remote_ip);
    if (!question) return std::move(question).error();
    auto session = Qa(ctx)->FindSession(*session_id);
    if (!session) return std::move(session).error();
    if (!*session) return Error::NotFound("No such Q&A session", "not_found");
    auto organisation = OrganisationAccount(ctx, (*session)->organisation_id);
    if (!organisation) return std::move(organisation).error();
    auto body = QuestionsJson(ctx, **session, *organisation, {*question}, /*staff=*/false);
    if (!body) return std::move(body).error();
    // The asker learns that their question waits for a moderator.
    json::object out = std::move(body->at(0).as_object());
    out["state"] = store::QuestionStateName(question->state);
    return Json(out);
  }));

  // Live: the public topic for anyone who may read the session, the queue
  // topic for the staff who may read the queue (docs/organisations.md, "Live Q&A").
  // A stream's reader is authorized as it opens and again whenever a change
  // takes a right away (store/access_events.h): a signed-in reader the
  // organisation then blocks, staff whose roles change, a revoked token or
  // session, a changed password: their streams end (docs/security.md).
  router.Add("GET", qa + "/stream", Wrap([&ctx](Request& request) -> Result<Response> {
    auto checkpoint = AccessCheckpoint(ctx, request);
    if (!checkpoint) return std::move(checkpoint).error();
    std::optional<service::Principal> reader;
    auto session = LoadReadableSession(ctx, request, &reader);
    if (!session) return std::move(session).error();
    auto after = LastEventId(request);
    if (!after) return std::move(after).error();
    std::optional<store::AccessGrant> grant;
    if (reader) grant = GrantOf(*reader, session->organisation_id, *checkpoint);
    return EventStreamResponse(ctx, service::QaPublicTopic(session->id), *after, grant);
  }));
  // The staff's stream also ends once the session is archived: nothing more
  // can happen in its queue.
  router.Add("GET", qa + "/queue/stream", Wrap([&ctx](Request& request) -> Result<Response> {
    auto checkpoint = AccessCheckpoint(ctx, request);
    if (!checkpoint) return std::move(checkpoint).error();
    auto staff = AuthorizeSessionStaff(ctx, request, "read:statuses", service::QaAction::kReadQueue);
    if (!staff) return std::move(staff).error();
    if (staff->session.state == store::QaSessionState::kArchived)
      return Error::Conflict("session_archived", "This Q&A session is archived: its queue has no live events");
    auto after = LastEventId(request);
    if (!after) return std::move(after).error();
    staff->grant.checked_after = *checkpoint;
    return EventStreamResponse(ctx, service::QaQueueTopic(staff->session.id), *after, staff->grant, "archived");
  }));

  // Staff: every question (state=held|approved|rejected|merged to filter),
  // oldest first.
  router.Add("GET", qa + "/queue", Wrap([&ctx](Request& request) -> Result<Response> {
    auto staff = AuthorizeSessionStaff(ctx, request, "read:statuses", service::QaAction::kReadQueue);
    if (!staff) return std::move(staff).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    store::QuestionFilter filter;
    auto state = params->String("state", 40);
    if (!state) return std::move(state).error();
    if (*state && !(*state)->empty()) {
      filter.state = store::ParseQuestionState(**state);
      if (!filter.state) return Error::Invalid("state", "state must be one of held, approved, rejected, merged");
    }
    auto page = QuestionPageFrom(*params);
    if (!page) return std::move(page).error();
    auto organisation = OrganisationAccount(ctx, staff->session.organisation_id);
    if (!organisation) return std::move(organisation).error();
    auto questions = Qa(ctx)->ListQuestions(staff->session.id, filter, page->since_id, page->limit);
    if (!questions) return std::move(questions).error();
    auto body = QuestionsJson(ctx, staff->session, *organisation, *questions, /*staff=*/true);
    if (!body) return std::move(body).error();
    return Json(*body);
  }));

  const std::string question = qa + "/questions/:question_id/";
  // A triage step that reads nothing from the request.
  using Step = Result<Question> (*)(service::ServiceContext&, int64_t, int64_t, const service::Actor&);
  auto triage = [&ctx](Step step) {
    return QuestionRoute(ctx, service::QaAction::kTriage,
                         [step](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params&) {
                           return step(ctx.services, s.session.id, id, s.actor);
                         });
  };
  router.Add("POST", question + "approve", triage(&service::ApproveQuestion));
  router.Add("POST", question + "reject", triage(&service::RejectQuestion));
  router.Add("POST", question + "merge",
             QuestionRoute(ctx, service::QaAction::kTriage,
                           [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params& params)
                               -> Result<Question> {
                             auto into = params.String("into", 40);
                             if (!into) return std::move(into).error();
                             if (!*into || (*into)->empty())
                               return Error::Invalid("into", "into is required (a question id)", "missing_field");
                             auto target = ParseId(**into);
                             if (!target)
                               return Error::Invalid("into", "into must name another question of this session",
                                                     "merge_target_invalid");
                             return service::MergeQuestion(ctx.services, s.session.id, id, *target, s.actor);
                           }));
  router.Add("POST", question + "mark_answered", triage(&service::MarkQuestionAnswered));
  router.Add("POST", question + "answer",
             QuestionRoute(ctx, service::QaAction::kAnswer,
                           [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params& params)
                               -> Result<Question> {
                             auto text = AnswerTextParam(params);
                             if (!text) return std::move(text).error();
                             auto as = AsPseudonym(params, nullptr);
                             if (!as) return std::move(as).error();
                             return service::AnswerQuestion(ctx.services, s.session.id, id, *text, *as, s.actor);
                           }));
  router.Add("PUT", qa + "/questions/:question_id/answer",
             QuestionRoute(ctx, service::QaAction::kAnswer,
                           [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params& params)
                               -> Result<Question> {
                             auto text = AnswerTextParam(params);
                             if (!text) return std::move(text).error();
                             std::optional<bool> as;
                             auto parsed = AsPseudonym(params, &as);
                             if (!parsed) return std::move(parsed).error();
                             return service::EditAnswer(ctx.services, s.session.id, id, *text, as, s.actor);
                           }));
}

}  // namespace vantage::api
