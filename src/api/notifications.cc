// Notifications: GET /api/v1/notifications (types[], exclude_types[],
// account_id, pagination), GET /api/v1/notifications/:id, POST
// /api/v1/notifications/:id/dismiss and POST /api/v1/notifications/clear.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/serializers.h"
#include "api/status_json.h"
#include "core/text.h"
#include "service/notifications.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr int kDefaultLimit = 40;  // Mastodon's default and maximum for notifications
constexpr int kMaxLimit = 80;

// Mastodon's Notification entity. `reply` is served as "mention": that is
// how Mastodon notifies replies, and clients know no other type for them.
// nullopt when the actor or the status went away since the list was read.
Result<std::optional<json::object>> NotificationJson(ApiContext& ctx, const store::Notification& n) {
  auto actor = ctx.services.store.accounts().FindById(n.from_account_id);
  if (!actor) return std::move(actor).error();
  if (!*actor) return std::optional<json::object>();
  json::object out;
  out["id"] = std::to_string(n.id);
  out["type"] = n.type == store::NotificationType::kReply ? "mention" : store::NotificationTypeName(n.type);
  out["created_at"] = FormatIsoTime(n.created_at);
  out["group_key"] = "ungrouped-" + std::to_string(n.id);
  out["account"] = AccountJson(ctx.services.settings, **actor);
  if (n.status_id) {
    auto post = ctx.services.store.statuses().FindById(*n.status_id);
    if (!post) return std::move(post).error();
    if (!*post) return std::optional<json::object>();
    auto status = StatusJson(ctx, **post, n.account_id);
    if (!status) return std::move(status).error();
    out["status"] = std::move(*status);
  }
  return std::optional<json::object>(std::move(out));
}

}  // namespace

void RegisterNotificationRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/notifications", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:notifications");
    if (!principal) return std::move(principal).error();
    auto page = ParsePage(request, kDefaultLimit, kMaxLimit);
    if (!page) return std::move(page).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto types = params->StringList("types", 20);
    if (!types) return std::move(types).error();
    auto exclude = params->StringList("exclude_types", 20);
    if (!exclude) return std::move(exclude).error();
    auto account_id = params->String("account_id", 40);
    if (!account_id) return std::move(account_id).error();
    auto filter = service::ParseNotificationFilter(*types, *exclude, *account_id);
    if (!filter) return std::move(filter).error();

    int64_t me = principal->account->id;
    auto list = service::ListNotifications(ctx.services, me, *filter, *page);
    if (!list) return std::move(list).error();
    json::array out;
    for (const store::Notification& n : *list) {
      auto body = NotificationJson(ctx, n);
      if (!body) return std::move(body).error();
      if (*body) out.push_back(std::move(**body));
    }
    Response response = Json(out);
    if (!list->empty())
      AddLinkHeader(ctx.services.settings.base_url, request, response, list->front().id, list->back().id);
    return response;
  }));

  router.Add("POST", "/api/v1/notifications/clear", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:notifications");
    if (!principal) return std::move(principal).error();
    auto cleared = service::ClearNotifications(ctx.services, principal->account->id);
    if (!cleared) return std::move(cleared).error();
    return Json(json::object());
  }));

  router.Add("GET", "/api/v1/notifications/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:notifications");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto n = service::GetNotification(ctx.services, principal->account->id, *id);
    if (!n) return std::move(n).error();
    auto body = NotificationJson(ctx, *n);
    if (!body) return std::move(body).error();
    if (!*body) return Error::NotFound();
    return Json(**body);
  }));

  router.Add("POST", "/api/v1/notifications/:id/dismiss", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:notifications");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto dismissed = service::DismissNotification(ctx.services, principal->account->id, *id);
    if (!dismissed) return std::move(dismissed).error();
    return Json(json::object());
  }));
}

}  // namespace vantage::api
