// The social graph: follow, unfollow, follow requests, followers and following, relationships, blocks and mutes.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/serializers.h"
#include "core/id.h"
#include "service/social.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

// Mastodon's Relationship entity. An account that blocks the viewer is
// hidden from it like a missing one, so blocked_by is never told.
json::object RelationshipJson(int64_t account_id, const store::Relation& r) {
  json::object out;
  out["id"] = std::to_string(account_id);
  out["following"] = r.following;
  out["showing_reblogs"] = r.following || r.requested;
  out["notifying"] = false;
  out["languages"] = nullptr;
  out["followed_by"] = r.followed_by;
  out["blocking"] = r.blocking;
  out["blocked_by"] = false;
  out["muting"] = r.muting;
  out["muting_notifications"] = r.muting && r.muting_notifications;
  out["requested"] = r.requested;
  out["requested_by"] = r.requested_by;
  out["domain_blocking"] = r.domain_blocking;
  out["endorsed"] = false;
  out["note"] = "";
  return out;
}

Result<Response> RelationshipResponse(int64_t account_id, Result<store::Relation> relation) {
  if (!relation) return std::move(relation).error();
  return Json(RelationshipJson(account_id, *relation));
}

Result<Response> AccountPageResponse(ApiContext& ctx, const Request& request,
                                     Result<service::AccountPage> page) {
  if (!page) return std::move(page).error();
  json::array out;
  for (const store::Account& account : page->accounts) out.push_back(AccountJson(ctx.services.settings, account));
  Response response = Json(out);
  AddLinkHeader(ctx.services.settings.base_url, request, response, page->newest, page->oldest);
  return response;
}

// POST /api/v1/accounts/:id/<action> and /api/v1/follow_requests/:id/<action>:
// the signed-in account acts on another; the answer is the Relationship.
using GraphAction = Result<store::Relation> (*)(service::ServiceContext&, int64_t, int64_t);

http::Handler ActOn(ApiContext& ctx, std::string scope, GraphAction action) {
  return Wrap([&ctx, scope, action](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, scope);
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    return RelationshipResponse(*id, action(ctx.services, principal->account->id, *id));
  });
}

// GET /api/v1/accounts/:id/followers and /following: public lists, hidden
// from a viewer the account blocks.
using PublicList = Result<service::AccountPage> (*)(service::ServiceContext&, int64_t, std::optional<int64_t>,
                                                    const store::PageQuery&);

http::Handler ListOf(ApiContext& ctx, PublicList list) {
  return Wrap([&ctx, list](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:accounts");
    if (!viewer) return std::move(viewer).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto page = ParsePage(request, kDefaultAccountLimit, kMaxAccountLimit);
    if (!page) return std::move(page).error();
    std::optional<int64_t> viewer_id;
    if (*viewer) viewer_id = (*viewer)->id;
    return AccountPageResponse(ctx, request, list(ctx.services, *id, viewer_id, *page));
  });
}

// GET /api/v1/follow_requests, /blocks, /mutes: the signed-in account's own.
using OwnList = Result<service::AccountPage> (*)(service::ServiceContext&, int64_t, const store::PageQuery&);

http::Handler OwnListOf(ApiContext& ctx, std::string scope, OwnList list) {
  return Wrap([&ctx, scope, list](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, scope);
    if (!principal) return std::move(principal).error();
    auto page = ParsePage(request, kDefaultAccountLimit, kMaxAccountLimit);
    if (!page) return std::move(page).error();
    return AccountPageResponse(ctx, request, list(ctx.services, principal->account->id, *page));
  });
}

}  // namespace

void RegisterGraphRoutes(http::Router& router, ApiContext& ctx) {
  // The request body (Mastodon's reblogs, notify, languages) is not read:
  // clients send nothing, `{}` or a form, and every follow shows reblogs.
  router.Add("POST", "/api/v1/accounts/:id/follow", ActOn(ctx, "write:follows", &service::FollowAccount));
  router.Add("POST", "/api/v1/accounts/:id/unfollow", ActOn(ctx, "write:follows", &service::UnfollowAccount));
  router.Add("POST", "/api/v1/accounts/:id/block", ActOn(ctx, "write:blocks", &service::BlockAccount));
  router.Add("POST", "/api/v1/accounts/:id/unblock", ActOn(ctx, "write:blocks", &service::UnblockAccount));
  router.Add("POST", "/api/v1/accounts/:id/unmute", ActOn(ctx, "write:mutes", &service::UnmuteAccount));
  router.Add("POST", "/api/v1/follow_requests/:id/authorize",
             ActOn(ctx, "write:follows", &service::AuthorizeFollowRequest));
  router.Add("POST", "/api/v1/follow_requests/:id/reject",
             ActOn(ctx, "write:follows", &service::RejectFollowRequest));

  router.Add("POST", "/api/v1/accounts/:id/mute", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:mutes");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto notifications = params->Bool("notifications");
    if (!notifications) return std::move(notifications).error();
    // Timed mutes are not kept; refusing them beats muting for ever unasked.
    // Clients send the number as JSON (`"duration": 0`) or as form text.
    auto duration = params->Integer("duration");
    if (!duration) return std::move(duration).error();
    if (*duration && **duration != 0)
      return Error::Invalid("duration", "duration: timed mutes are not supported; send 0 or leave it out",
                            "unsupported");
    return RelationshipResponse(*id, service::MuteAccount(ctx.services, principal->account->id, *id,
                                                          notifications->value_or(true)));
  }));

  router.Add("GET", "/api/v1/accounts/relationships", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:follows");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto texts = params->StringList("id", service::kMaxRelationshipIds);
    if (!texts) return std::move(texts).error();
    // Unknown ids are left out, as Mastodon does; so are ids that are not ids.
    std::vector<int64_t> ids;
    for (const std::string& text : *texts)
      if (auto id = ParseId(text)) ids.push_back(*id);
    auto relations = service::Relationships(ctx.services, principal->account->id, ids);
    if (!relations) return std::move(relations).error();
    json::array out;
    for (const auto& [id, relation] : *relations) out.push_back(RelationshipJson(id, relation));
    return Json(out);
  }));

  router.Add("GET", "/api/v1/accounts/:id/followers", ListOf(ctx, &service::Followers));
  router.Add("GET", "/api/v1/accounts/:id/following", ListOf(ctx, &service::Following));
  router.Add("GET", "/api/v1/follow_requests", OwnListOf(ctx, "read:follows", &service::FollowRequests));
  router.Add("GET", "/api/v1/blocks", OwnListOf(ctx, "read:blocks", &service::BlockedAccounts));
  router.Add("GET", "/api/v1/mutes", OwnListOf(ctx, "read:mutes", &service::MutedAccounts));
}

}  // namespace vantage::api
