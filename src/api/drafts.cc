// The approval workflow: /api/vantage/v1/organisations/:id/drafts/... and
// /organisations/:id/settings (docs/api.md). Staff call these with their own
// credentials; drafts are shown to the organisation's staff only, and
// outsiders get 404 as for a missing organisation (service/organisations.h).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <limits>
#include <set>

#include "api/api.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/serializers.h"
#include "api/status_json.h"
#include "core/id.h"
#include "core/text.h"
#include "service/call_to_action.h"
#include "service/drafts.h"
#include "service/organisations.h"
#include "service/statuses.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;
using store::Draft;

namespace {

json::value OptTime(const std::optional<int64_t>& ms) {
  return ms ? json::value(FormatIsoTime(*ms)) : json::value(nullptr);
}

json::value OptText(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

// The Draft entities of `drafts`, their people read in one query.
Result<json::array> DraftsJson(ApiContext& ctx, const std::vector<Draft>& drafts) {
  std::set<int64_t> people;
  for (const Draft& d : drafts) {
    if (d.author_id) people.insert(*d.author_id);
    if (d.rejected_by) people.insert(*d.rejected_by);
    for (const store::DraftApproval& a : d.approvals) people.insert(a.account_id);
  }
  auto accounts = ctx.services.store.accounts().FindByIds(std::vector<int64_t>(people.begin(), people.end()));
  if (!accounts) return std::move(accounts).error();
  std::map<int64_t, json::value> account_json;
  for (const store::Account& account : *accounts)
    account_json[account.id] = AccountJson(ctx.services.settings, account);
  auto person = [&](const std::optional<int64_t>& id) -> json::value {
    if (!id) return nullptr;
    auto it = account_json.find(*id);
    return it == account_json.end() ? json::value(nullptr) : it->second;
  };

  json::array out;
  for (const Draft& d : drafts) {
    json::object o;
    o["id"] = std::to_string(d.id);
    o["version"] = d.content_version;
    o["state"] = store::DraftStateName(d.state);
    o["status"] = d.content.text;
    o["spoiler_text"] = d.content.spoiler_text;
    o["sensitive"] = d.content.sensitive;
    o["visibility"] = d.content.visibility;
    o["language"] = d.content.language.empty() ? json::value(nullptr) : json::value(d.content.language);
    auto media = MediaJson(ctx, d.content.media_ids);
    if (!media) return std::move(media).error();
    o["media_attachments"] = std::move(*media);
    if (d.content.cta_url.empty()) {
      o["vantage_cta"] = nullptr;
    } else {
      json::object cta;
      cta["url"] = d.content.cta_url;
      cta["label"] = d.content.cta_label;
      cta["domain"] = service::CallToActionDomain(d.content.cta_url);
      o["vantage_cta"] = std::move(cta);
    }
    o["vantage_federate"] = d.content.federate;
    o["scheduled_at"] = OptTime(d.scheduled_at);
    o["published_at"] = OptTime(d.published_at);
    o["status_id"] = d.status_id ? json::value(std::to_string(*d.status_id)) : json::value(nullptr);
    o["rejection_reason"] = OptText(d.rejection_reason);
    o["publish_error"] = OptText(d.publish_error);
    o["approvals_required"] = d.approvals_required;
    json::array approvals;
    for (const store::DraftApproval& a : d.approvals) {
      json::object approval;
      approval["account"] = person(a.account_id);
      approval["created_at"] = FormatIsoTime(a.created_at);
      approvals.push_back(std::move(approval));
    }
    o["approvals"] = std::move(approvals);
    o["author"] = person(d.author_id);
    o["rejected_by"] = person(d.rejected_by);
    o["created_at"] = FormatIsoTime(d.created_at);
    o["updated_at"] = FormatIsoTime(d.updated_at);
    out.push_back(std::move(o));
  }
  return out;
}

Result<Response> DraftResponse(ApiContext& ctx, Result<Draft> draft) {
  if (!draft) return std::move(draft).error();
  auto body = DraftsJson(ctx, {*draft});
  if (!body) return std::move(body).error();
  return Json(body->at(0));
}

// The staff member asking, allowed `action` in the organisation of the path.
struct StaffRequest {
  int64_t organisation_id = 0;
  service::Actor actor;
};

// `recent`: the action needs a sign-in from the last 15 minutes
// (service::RequireRecentSignIn).
Result<StaffRequest> AuthorizeDraftRequest(ApiContext& ctx, Request& request, std::string_view scope,
                                           service::StaffAction action, bool recent = false) {
  auto principal = Authorize(ctx, request, scope);
  if (!principal) return std::move(principal).error();
  auto id = PathId(request);
  if (!id) return std::move(id).error();
  // Staff use their own credentials; with Vantage-Act-As they are still who asks.
  const store::Account& staff = principal->acting_staff ? *principal->acting_staff : *principal->account;
  auto allowed = service::AuthorizeStaff(ctx.services, *id, staff.id, action);
  if (!allowed) return std::move(allowed).error();
  service::StaffVisit visit = StaffVisitOf(*principal, request);
  VANTAGE_TRY(service::AdmitStaffVisit(ctx.services, *id, visit));
  if (recent) VANTAGE_TRY(service::RequireRecentSignIn(ctx.services, *id, visit));
  return StaffRequest{*id, service::Actor{staff.id, request.remote_ip}};
}

Result<int64_t> DraftId(const Request& request) {
  auto id = ParseId(request.path_params.at(1));
  if (!id) return Error::NotFound("No such draft", "not_found");
  return *id;
}

// The fields of POST /api/v1/statuses, plus scheduled_at (a time asked for).
Result<service::DraftInput> DraftInputFrom(const Params& params, bool edit) {
  service::DraftInput input;
  auto text = params.String("status", service::kMaxCaptionChars);
  if (!text) return std::move(text).error();
  auto media_ids = params.StringList("media_ids", 1000);
  if (!media_ids) return std::move(media_ids).error();
  auto visibility = params.String("visibility", 40);
  if (!visibility) return std::move(visibility).error();
  auto sensitive = params.Bool("sensitive");
  if (!sensitive) return std::move(sensitive).error();
  auto spoiler = params.String("spoiler_text", service::kMaxSpoilerChars);
  if (!spoiler) return std::move(spoiler).error();
  auto language = params.String("language", 40);
  if (!language) return std::move(language).error();
  auto fields = params.Object("vantage_cta", {"url", "label"}, 10 * service::kMaxCallToActionUrlChars);
  if (!fields) return std::move(fields).error();
  auto federate = params.Bool("vantage_federate");
  if (!federate) return std::move(federate).error();
  input.federate = *federate;
  input.text = text->value_or("");
  input.media_ids = std::move(*media_ids);
  if (*visibility && !(*visibility)->empty()) input.visibility = std::move(**visibility);
  input.sensitive = sensitive->value_or(false);
  input.spoiler_text = spoiler->value_or("");
  input.language = language->value_or("");
  if (*fields) input.call_to_action = service::CallToAction{(**fields)["url"], (**fields)["label"]};
  if (params.Has("scheduled_at")) {
    auto at = params.String("scheduled_at", 100);
    if (!at) return std::move(at).error();
    if (*at && !(*at)->empty()) {
      auto parsed = service::ParseScheduledAt(**at, NowUnixMs());
      if (!parsed) return std::move(parsed).error();
      input.scheduled_at = std::optional<int64_t>(*parsed);
    } else {
      input.scheduled_at = std::optional<int64_t>();
    }
  } else if (!edit) {
    input.scheduled_at = std::optional<int64_t>();
  }
  return input;
}

Result<std::optional<int64_t>> ScheduledAtParam(const Params& params, bool required) {
  auto at = params.String("scheduled_at", 100);
  if (!at) return std::move(at).error();
  if (!*at || (*at)->empty()) {
    if (required) return Error::Invalid("scheduled_at", "scheduled_at is required", "missing_field");
    return std::optional<int64_t>();
  }
  auto parsed = service::ParseScheduledAt(**at, NowUnixMs());
  if (!parsed) return std::move(parsed).error();
  return std::optional<int64_t>(*parsed);
}

// The draft's `version` as the caller read it (a number, or its decimal
// text as forms send it): what approving, rejecting, publishing and
// scheduling are of.
Result<int64_t> SeenVersion(const Params& params) {
  auto version = params.Integer("version");
  if (!version) return std::move(version).error();
  if (!*version)
    return Error::Invalid("version", "version is required: the draft's version as you read it", "missing_field");
  if (**version < 1) return Error::Invalid("version", "version must be a draft's version (1 or more)");
  return **version;
}

using Transition = Result<Draft> (*)(ApiContext&, const StaffRequest&, int64_t, const Params&);

// POST /organisations/:id/drafts/:draft_id/<transition>.
http::Handler TransitionRoute(ApiContext& ctx, service::StaffAction action, Transition transition,
                              bool recent = false) {
  return Wrap([&ctx, action, transition, recent](Request& request) -> Result<Response> {
    auto staff = AuthorizeDraftRequest(ctx, request, "write:statuses", action, recent);
    if (!staff) return std::move(staff).error();
    auto id = DraftId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    return DraftResponse(ctx, transition(ctx, *staff, *id, *params));
  });
}

Result<Response> SettingsResponse(ApiContext& ctx, int64_t organisation_id) {
  auto organisation = ctx.services.store.organisations().Find(organisation_id);
  if (!organisation) return std::move(organisation).error();
  if (!*organisation) return Error::NotFound();
  json::object out;
  out["approvals_required"] = (*organisation)->approvals_required;
  out["require_second_factor"] = (*organisation)->require_second_factor;
  return Json(out);
}

}  // namespace

void RegisterDraftRoutes(http::Router& router, ApiContext& ctx) {
  const std::string base = "/api/vantage/v1/organisations/:id/";

  router.Add("POST", base + "drafts", Wrap([&ctx](Request& request) -> Result<Response> {
    auto staff = AuthorizeDraftRequest(ctx, request, "write:statuses", service::StaffAction::kWriteDrafts);
    if (!staff) return std::move(staff).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto input = DraftInputFrom(*params, /*edit=*/false);
    if (!input) return std::move(input).error();
    return DraftResponse(ctx, service::CreateDraft(ctx.services, staff->organisation_id, *input, staff->actor));
  }));

  router.Add("GET", base + "drafts", Wrap([&ctx](Request& request) -> Result<Response> {
    auto staff = AuthorizeDraftRequest(ctx, request, "read:statuses", service::StaffAction::kReadDrafts);
    if (!staff) return std::move(staff).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    std::optional<store::DraftState> state;
    auto state_name = params->String("state", 40);
    if (!state_name) return std::move(state_name).error();
    if (*state_name && !(*state_name)->empty()) {
      state = store::ParseDraftState(**state_name);
      if (!state)
        return Error::Invalid("state", "state must be one of draft, submitted, approved, scheduled, published, "
                                       "rejected");
    }
    auto page = ParsePage(request, kDefaultLimit, kMaxLimit);
    if (!page) return std::move(page).error();
    std::optional<int64_t> after;
    if (page->below != std::numeric_limits<int64_t>::max()) after = page->below;
    auto drafts = service::ListDrafts(ctx.services, staff->organisation_id, state, after, page->limit);
    if (!drafts) return std::move(drafts).error();
    auto body = DraftsJson(ctx, *drafts);
    if (!body) return std::move(body).error();
    Response response = Json(*body);
    // Drafts run by last update, not by id: max_id continues after the draft
    // it names wherever that draft now stands (since_id and min_id are not read).
    if (!drafts->empty())
      AddLinkHeader(ctx.services.settings.base_url, request, response, drafts->front().id, drafts->back().id);
    return response;
  }));

  router.Add("GET", base + "drafts/:draft_id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto staff = AuthorizeDraftRequest(ctx, request, "read:statuses", service::StaffAction::kReadDrafts);
    if (!staff) return std::move(staff).error();
    auto id = DraftId(request);
    if (!id) return std::move(id).error();
    auto draft = service::FindDraft(ctx.services, staff->organisation_id, *id);
    if (!draft) return std::move(draft).error();
    if (!*draft) return Error::NotFound("No such draft", "not_found");
    return DraftResponse(ctx, std::move(**draft));
  }));

  router.Add("PUT", base + "drafts/:draft_id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto staff = AuthorizeDraftRequest(ctx, request, "write:statuses", service::StaffAction::kWriteDrafts);
    if (!staff) return std::move(staff).error();
    auto id = DraftId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto input = DraftInputFrom(*params, /*edit=*/true);
    if (!input) return std::move(input).error();
    return DraftResponse(ctx, service::EditDraft(ctx.services, staff->organisation_id, *id, *input, staff->actor));
  }));

  router.Add("DELETE", base + "drafts/:draft_id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto staff = AuthorizeDraftRequest(ctx, request, "write:statuses", service::StaffAction::kWriteDrafts);
    if (!staff) return std::move(staff).error();
    auto id = DraftId(request);
    if (!id) return std::move(id).error();
    VANTAGE_TRY(service::DeleteDraft(ctx.services, staff->organisation_id, *id, staff->actor));
    return Json(json::object());
  }));

  router.Add("POST", base + "drafts/:draft_id/submit",
             TransitionRoute(ctx, service::StaffAction::kWriteDrafts,
                             [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params&) {
                               return service::SubmitDraft(ctx.services, s.organisation_id, id, s.actor);
                             }));
  router.Add("POST", base + "drafts/:draft_id/withdraw",
             TransitionRoute(ctx, service::StaffAction::kWriteDrafts,
                             [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params&) {
                               return service::WithdrawDraft(ctx.services, s.organisation_id, id, s.actor);
                             }));
  router.Add("POST", base + "drafts/:draft_id/approve",
             TransitionRoute(ctx, service::StaffAction::kApprove,
                             [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params& params)
                                 -> Result<Draft> {
                               auto version = SeenVersion(params);
                               if (!version) return std::move(version).error();
                               auto at = ScheduledAtParam(params, /*required=*/false);
                               if (!at) return std::move(at).error();
                               return service::ApproveDraft(ctx.services, s.organisation_id, id, *version, *at,
                                                            s.actor);
                             }, /*recent=*/true));
  router.Add("POST", base + "drafts/:draft_id/reject",
             TransitionRoute(ctx, service::StaffAction::kApprove,
                             [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params& params)
                                 -> Result<Draft> {
                               auto version = SeenVersion(params);
                               if (!version) return std::move(version).error();
                               auto reason = params.String("reason", service::kMaxRejectionReasonChars);
                               if (!reason) return std::move(reason).error();
                               if (!*reason || Trim(**reason).empty())
                                 return Error::Invalid("reason", "reason is required (1-500 characters)",
                                                       "missing_field");
                               return service::RejectDraft(ctx.services, s.organisation_id, id, *version,
                                                           std::string(Trim(**reason)), s.actor);
                             }));
  router.Add("POST", base + "drafts/:draft_id/publish",
             TransitionRoute(ctx, service::StaffAction::kRelease,
                             [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params& params)
                                 -> Result<Draft> {
                               auto version = SeenVersion(params);
                               if (!version) return std::move(version).error();
                               return service::PublishDraft(ctx.services, s.organisation_id, id, s.actor, *version);
                             }, /*recent=*/true));
  router.Add("POST", base + "drafts/:draft_id/schedule",
             TransitionRoute(ctx, service::StaffAction::kRelease,
                             [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params& params)
                                 -> Result<Draft> {
                               auto version = SeenVersion(params);
                               if (!version) return std::move(version).error();
                               auto at = ScheduledAtParam(params, /*required=*/true);
                               if (!at) return std::move(at).error();
                               return service::ScheduleDraft(ctx.services, s.organisation_id, id, *version, **at,
                                                             s.actor);
                             }, /*recent=*/true));
  router.Add("POST", base + "drafts/:draft_id/unschedule",
             TransitionRoute(ctx, service::StaffAction::kRelease,
                             [](ApiContext& ctx, const StaffRequest& s, int64_t id, const Params& params)
                                 -> Result<Draft> {
                               std::optional<int64_t> version;
                               if (params.Has("version")) {
                                 auto seen = SeenVersion(params);
                                 if (!seen) return std::move(seen).error();
                                 version = *seen;
                               }
                               return service::UnscheduleDraft(ctx.services, s.organisation_id, id, version,
                                                               s.actor);
                             }));

  router.Add("GET", base + "settings", Wrap([&ctx](Request& request) -> Result<Response> {
    auto staff = AuthorizeDraftRequest(ctx, request, "read:statuses", service::StaffAction::kReadSettings);
    if (!staff) return std::move(staff).error();
    return SettingsResponse(ctx, staff->organisation_id);
  }));

  router.Add("PUT", base + "settings", Wrap([&ctx](Request& request) -> Result<Response> {
    auto staff = AuthorizeDraftRequest(ctx, request, "write:statuses", service::StaffAction::kChangeSettings,
                                       /*recent=*/true);
    if (!staff) return std::move(staff).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto approvals = params->Integer("approvals_required");
    if (!approvals) return std::move(approvals).error();
    auto require = params->Bool("require_second_factor");
    if (!require) return std::move(require).error();
    if (!*approvals && !*require)
      return Error::Invalid("approvals_required", "approvals_required (1-5) or require_second_factor is required",
                            "missing_field");
    if (*approvals && (**approvals < 1 || **approvals > service::kMaxApprovalsRequired))
      return Error::Invalid("approvals_required", "approvals_required must be 1 to 5");
    if (*approvals)
      VANTAGE_TRY(service::SetApprovalsRequired(ctx.services, staff->organisation_id,
                                                static_cast<int>(**approvals), staff->actor));
    if (*require)
      VANTAGE_TRY(service::SetRequireSecondFactor(ctx.services, staff->organisation_id, **require, staff->actor));
    return SettingsResponse(ctx, staff->organisation_id);
  }));
}

}  // namespace vantage::api
