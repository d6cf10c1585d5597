// Reports: POST /api/v1/reports (Mastodon's) and the admin queue under
// /api/vantage/v1/admin/reports (instance admins, admin:read/admin:write).
// The Report a reporter gets back names the reported account, never the
// other way round: nothing the reported account can read mentions reports.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/serializers.h"
#include "core/text.h"
#include "service/reports.h"
#include "store/qa_store.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

json::value OptionalTime(const std::optional<int64_t>& at) {
  return at ? json::value(FormatIsoTime(*at)) : json::value(nullptr);
}

// Mastodon's Report entity, plus `vantage_status` (open, resolved,
// dismissed); admins also get the reporter, who last closed it and, for a
// question, the question itself (`vantage_question`).
Result<json::object> ReportJson(ApiContext& ctx, const store::Report& r, bool admin) {
  json::object out;
  out["id"] = std::to_string(r.id);
  out["action_taken"] = r.state == "resolved";
  out["action_taken_at"] = r.state == "resolved" ? OptionalTime(r.resolved_at) : json::value(nullptr);
  out["category"] = r.category;
  out["comment"] = r.comment;
  out["forwarded"] = false;
  out["created_at"] = FormatIsoTime(r.created_at);
  json::array statuses;
  for (int64_t id : r.status_ids) statuses.emplace_back(std::to_string(id));
  out["status_ids"] = std::move(statuses);
  out["rule_ids"] = json::array();
  out["vantage_status"] = r.state;
  out["vantage_question_id"] = r.question_id ? json::value(std::to_string(*r.question_id)) : json::value(nullptr);
  // A question's asker may be anonymous to the public: only admins see who
  // the report of a question is about.
  if (r.question_id && !admin) {
    out["target_account"] = nullptr;
  } else {
    auto target = ctx.services.store.accounts().FindById(r.target_account_id);
    if (!target) return std::move(target).error();
    out["target_account"] = *target ? json::value(AccountJson(ctx.services.settings, **target)) : json::value(nullptr);
  }
  if (admin && r.question_id) {
    auto question = store::MakeSqlQaStore(ctx.services.store.database())->FindQuestionById(*r.question_id);
    if (!question) return std::move(question).error();
    json::value q = nullptr;
    if (*question) {
      json::object o;
      o["id"] = std::to_string((*question)->id);
      o["session_id"] = std::to_string((*question)->session_id);
      o["text"] = (*question)->text;
      o["state"] = store::QuestionStateName((*question)->state);
      o["answered"] = (*question)->answered_at.has_value();
      o["created_at"] = FormatIsoTime((*question)->created_at);
      q = std::move(o);
    }
    out["vantage_question"] = std::move(q);
  }
  if (admin) {
    auto reporter = ctx.services.store.accounts().FindById(r.reporter_id);
    if (!reporter) return std::move(reporter).error();
    out["account"] = *reporter ? json::value(AccountJson(ctx.services.settings, **reporter)) : json::value(nullptr);
    out["updated_at"] = FormatIsoTime(r.updated_at);
    out["closed_at"] = r.state == "open" ? json::value(nullptr) : OptionalTime(r.resolved_at);
    out["closed_by_id"] = r.state != "open" && r.resolved_by ? json::value(std::to_string(*r.resolved_by))
                                                               : json::value(nullptr);
  }
  return out;
}


}  // namespace

void RegisterReportRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/reports", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:reports");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    service::NewReport input;
    auto account_id = params->String("account_id", 40);
    if (!account_id) return std::move(account_id).error();
    auto status_ids = params->StringList("status_ids", 10 * service::kMaxReportedStatuses);
    if (!status_ids) return std::move(status_ids).error();
    auto comment = params->String("comment", 10 * service::kMaxReportCommentChars);
    if (!comment) return std::move(comment).error();
    auto category = params->String("category", 40);
    if (!category) return std::move(category).error();
    auto question = params->String("vantage_question_id", 40);
    if (!question) return std::move(question).error();
    auto forward = params->Bool("forward");
    if (!forward) return std::move(forward).error();
    input.forward = forward->value_or(false);
    input.account_id = account_id->value_or("");
    input.status_ids = std::move(*status_ids);
    input.comment = comment->value_or("");
    input.category = category->value_or("");
    input.question_id = question->value_or("");
    auto filed = service::FileReport(ctx.services, *principal->account, input);
    if (!filed) return std::move(filed).error();
    auto body = ReportJson(ctx, filed->report, false);
    if (!body) return std::move(body).error();
    (*body)["forwarded"] = filed->forwarded;
    return Json(*body);
  }));

  router.Add("GET", "/api/vantage/v1/admin/reports", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = AuthorizeAdmin(ctx, request, "admin:read", "handle reports");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto state = params->String("status", 40);
    if (!state) return std::move(state).error();
    auto page = ParsePage(request, kDefaultLimit, kMaxLimit);
    if (!page) return std::move(page).error();
    auto reports = service::ListReports(ctx.services, state->value_or(""), page->below, page->limit);
    if (!reports) return std::move(reports).error();
    json::array out;
    for (const store::Report& report : *reports) {
      auto body = ReportJson(ctx, report, true);
      if (!body) return std::move(body).error();
      out.push_back(std::move(*body));
    }
    Response response = Json(out);
    if (!reports->empty())
      AddLinkHeader(ctx.services.settings.base_url, request, response, reports->front().id, reports->back().id);
    return response;
  }));

  router.Add("GET", "/api/vantage/v1/admin/reports/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = AuthorizeAdmin(ctx, request, "admin:read", "handle reports");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto report = service::FindReport(ctx.services, *id);
    if (!report) return std::move(report).error();
    auto body = ReportJson(ctx, *report, true);
    if (!body) return std::move(body).error();
    return Json(*body);
  }));

  for (auto [action, state] : {std::pair{"resolve", "resolved"}, std::pair{"dismiss", "dismissed"},
                               std::pair{"reopen", "open"}}) {
    router.Add("POST", std::string("/api/vantage/v1/admin/reports/:id/") + action,
               Wrap([&ctx, state = std::string(state)](Request& request) -> Result<Response> {
                 auto principal = AuthorizeAdmin(ctx, request, "admin:write", "handle reports");
                 if (!principal) return std::move(principal).error();
                 auto id = PathId(request);
                 if (!id) return std::move(id).error();
                 auto moved = service::MoveReport(ctx.services, *id, state, principal->account->id);
                 if (!moved) return std::move(moved).error();
                 auto body = ReportJson(ctx, *moved, true);
                 if (!body) return std::move(body).error();
                 return Json(*body);
               }));
  }
}

}  // namespace vantage::api
