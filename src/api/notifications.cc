// Notifications: GET /api/v1/notifications (types[], exclude_types[],
// account_id, pagination), GET /api/v1/notifications/:id, POST
// /api/v1/notifications/:id/dismiss and POST /api/v1/notifications/clear.
#include <algorithm>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value_to.hpp>

#include "api/api.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/serializers.h"
#include "api/status_json.h"
#include "core/id.h"
#include "core/text.h"
#include "service/notifications.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

// Mastodon's default and maximum for notifications.
constexpr int kDefaultNotificationLimit = 40;
constexpr int kMaxNotificationLimit = 80;

// Mastodon's Notification entities of `list` for its recipient, in order.
// `reply` is served as "mention": that is how Mastodon notifies replies, and
// clients know no other type for them. Notifications whose actor or status
// went away since the list was read are left out. Statuses are read and
// rendered as one batch; each actor once.
Result<json::array> NotificationsJson(ApiContext& ctx, int64_t recipient_id,
                                      const std::vector<store::Notification>& list) {
  std::vector<int64_t> status_ids;
  for (const store::Notification& n : list)
    if (n.status_id) status_ids.push_back(*n.status_id);
  auto posts = ctx.services.store.statuses().FindByIds(status_ids);
  if (!posts) return std::move(posts).error();
  auto rendered = StatusesJson(ctx, *posts, recipient_id);
  if (!rendered) return std::move(rendered).error();
  std::unordered_map<int64_t, json::value*> statuses;
  for (json::value& status : *rendered) {
    auto id = ParseId(json::value_to<std::string>(status.as_object().at("id")));
    if (id) statuses[*id] = &status;
  }
  std::vector<int64_t> actor_ids;
  for (const store::Notification& n : list) actor_ids.push_back(n.from_account_id);
  std::sort(actor_ids.begin(), actor_ids.end());
  actor_ids.erase(std::unique(actor_ids.begin(), actor_ids.end()), actor_ids.end());
  auto accounts = ctx.services.store.accounts().FindByIds(actor_ids);
  if (!accounts) return std::move(accounts).error();
  std::unordered_map<int64_t, json::object> actors;
  for (const store::Account& a : *accounts) actors.emplace(a.id, AccountJson(ctx.services.settings, a));
  json::array out;
  for (const store::Notification& n : list) {
    auto actor = actors.find(n.from_account_id);
    if (actor == actors.end()) continue;
    json::object entry;
    entry["id"] = std::to_string(n.id);
    entry["type"] = n.type == store::NotificationType::kReply ? "mention" : store::NotificationTypeName(n.type);
    entry["created_at"] = FormatIsoTime(n.created_at);
    entry["group_key"] = "ungrouped-" + std::to_string(n.id);
    entry["account"] = actor->second;
    if (n.status_id) {
      auto status = statuses.find(*n.status_id);
      if (status == statuses.end()) continue;
      entry["status"] = *status->second;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

void RegisterNotificationRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/notifications", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:notifications");
    if (!principal) return std::move(principal).error();
    auto page = ParsePage(request, kDefaultNotificationLimit, kMaxNotificationLimit);
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
    auto out = NotificationsJson(ctx, me, *list);
    if (!out) return std::move(out).error();
    Response response = Json(*out);
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
    auto body = NotificationsJson(ctx, principal->account->id, {*n});
    if (!body) return std::move(body).error();
    if (body->empty()) return Error::NotFound();
    return Json(body->front());
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
