// Timelines (home, public, tag), an account's statuses, search, the tag
// entity and the explore extension.
#include <charconv>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/api.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/serializers.h"
#include "api/status_json.h"
#include "core/text.h"
#include "service/status_text.h"
#include "service/timelines.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

std::optional<int64_t> ViewerId(const std::optional<store::Account>& viewer) {
  if (viewer) return viewer->id;
  return std::nullopt;
}

// The page as Status[] with its Link header; cursors are the ids the store
// walked, so a status deleted meanwhile does not stall the paging.
Result<Response> PageResponse(ApiContext& ctx, const Request& request, Result<service::StatusPage> page,
                              std::optional<int64_t> viewer_id) {
  if (!page) return std::move(page).error();
  auto body = StatusesJsonText(ctx, page->ids, viewer_id);
  if (!body) return std::move(body).error();
  Response response;
  response.body = std::move(*body);
  if (!page->ids.empty())
    AddLinkHeader(ctx.services.settings.base_url, request, response, page->ids.front(), page->ids.back());
  return response;
}

Result<bool> Flag(const Params& params, const std::string& name) {
  auto value = params.Bool(name);
  if (!value) return std::move(value).error();
  return value->value_or(false);
}

Result<service::PublicFilter> ReadPublicFilter(const Params& params) {
  service::PublicFilter filter;
  auto only_media = Flag(params, "only_media");
  if (!only_media) return std::move(only_media).error();
  auto local = Flag(params, "local");
  if (!local) return std::move(local).error();
  auto remote = Flag(params, "remote");
  if (!remote) return std::move(remote).error();
  filter.only_media = *only_media;
  filter.local = *local;
  filter.remote = *remote;
  return filter;
}

// A whole number in [0, max] (or `fallback` when absent); Invalid naming it.
Result<int> Number(const Params& params, const std::string& name, int fallback, int min, int max, bool clamp) {
  auto text = params.String(name, 20);
  if (!text) return std::move(text).error();
  if (!*text || (*text)->empty()) return fallback;
  long long value = 0;
  const std::string& s = **text;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size())
    return Error::Invalid(name, name + " must be a whole number");
  if (clamp) return static_cast<int>(std::clamp<long long>(value, min, max));
  if (value < min || value > max)
    return Error::Invalid(name, name + " must be between " + std::to_string(min) + " and " + std::to_string(max),
                          "out_of_range");
  return static_cast<int>(value);
}

json::object TagJson(const service::Settings& settings, const std::string& name) {
  json::object out;
  out["name"] = name;
  out["url"] = settings.base_url + "/tags/" + PercentEncode(name);
  out["history"] = json::array();
  out["following"] = false;
  return out;
}

}  // namespace

void RegisterTimelineRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/timelines/home", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:statuses");
    if (!principal) return std::move(principal).error();
    auto page = ParsePage(request, kDefaultLimit, kMaxLimit);
    if (!page) return std::move(page).error();
    int64_t me = principal->account->id;
    return PageResponse(ctx, request, service::HomeTimeline(ctx.services, me, *page), me);
  }));

  router.Add("GET", "/api/v1/timelines/public", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:statuses");
    if (!viewer) return std::move(viewer).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto filter = ReadPublicFilter(*params);
    if (!filter) return std::move(filter).error();
    auto page = ParsePage(request, kDefaultLimit, kMaxLimit);
    if (!page) return std::move(page).error();
    auto viewer_id = ViewerId(*viewer);
    return PageResponse(ctx, request, service::PublicTimeline(ctx.services, viewer_id, *filter, *page), viewer_id);
  }));

  router.Add("GET", "/api/v1/timelines/tag/:hashtag", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:statuses");
    if (!viewer) return std::move(viewer).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto filter = ReadPublicFilter(*params);
    if (!filter) return std::move(filter).error();
    service::TagFilter tags;
    for (auto [name, list] : {std::pair{"any", &tags.any}, {"all", &tags.all}, {"none", &tags.none}}) {
      auto names = params->StringList(name, store::kMaxFilterTags);
      if (!names) return std::move(names).error();
      *list = std::move(*names);
    }
    auto page = ParsePage(request, kDefaultLimit, kMaxLimit);
    if (!page) return std::move(page).error();
    auto viewer_id = ViewerId(*viewer);
    return PageResponse(ctx, request,
                        service::TagTimeline(ctx.services, viewer_id, request.path_params[0], *filter, tags, *page),
                        viewer_id);
  }));

  router.Add("GET", "/api/v1/accounts/:id/statuses", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:statuses");
    if (!viewer) return std::move(viewer).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    service::AccountStatusesFilter filter;
    for (auto [name, flag] : {std::pair{"only_media", &filter.only_media}, {"pinned", &filter.pinned},
                              {"exclude_replies", &filter.exclude_replies}}) {
      auto value = Flag(*params, name);
      if (!value) return std::move(value).error();
      *flag = *value;
    }
    auto tagged = params->String("tagged", 200);
    if (!tagged) return std::move(tagged).error();
    filter.tagged = std::move(*tagged);
    auto page = ParsePage(request, kDefaultLimit, kMaxLimit);
    if (!page) return std::move(page).error();
    auto viewer_id = ViewerId(*viewer);
    auto statuses = service::AccountStatuses(ctx.services, viewer_id, *id, filter, *page);
    if (filter.pinned && statuses) {
      // Pinned posts are one short list in pin order, not pages of ids.
      auto body = StatusesJsonText(ctx, statuses->ids, viewer_id);
      if (!body) return std::move(body).error();
      Response response;
      response.body = std::move(*body);
      return response;
    }
    return PageResponse(ctx, request, std::move(statuses), viewer_id);
  }));

  router.Add("GET", "/api/v2/search", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:search");
    if (!viewer) return std::move(viewer).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    service::SearchQuery query;
    auto q = params->String("q", 500);
    if (!q) return std::move(q).error();
    if (!*q || Trim(**q).empty()) return Error::Invalid("q", "q must name what to search for", "missing_field");
    query.q = std::string(Trim(**q));
    auto type = params->String("type", 40);
    if (!type) return std::move(type).error();
    if (*type && !(*type)->empty()) {
      if (**type == "accounts") {
        query.type = service::SearchType::kAccounts;
      } else if (**type == "hashtags") {
        query.type = service::SearchType::kHashtags;
      } else if (**type == "statuses") {
        query.type = service::SearchType::kStatuses;
      } else {
        return Error::Invalid("type", "type must be accounts, hashtags or statuses");
      }
    }
    auto limit = Number(*params, "limit", kDefaultLimit, 1, kMaxLimit, true);
    if (!limit) return std::move(limit).error();
    auto offset = Number(*params, "offset", 0, 0, service::kMaxSearchOffset, false);
    if (!offset) return std::move(offset).error();
    query.limit = *limit;
    query.offset = *offset;
    auto resolve = params->Bool("resolve");
    if (!resolve) return std::move(resolve).error();
    query.resolve = resolve->value_or(false);
    auto viewer_id = ViewerId(*viewer);
    auto found = service::Search(ctx.services, viewer_id, query);
    if (!found) return std::move(found).error();
    json::object out;
    json::array accounts;
    for (const store::Account& account : found->accounts) accounts.push_back(AccountJson(ctx.services.settings, account));
    out["accounts"] = std::move(accounts);
    auto statuses = StatusesJsonText(ctx, found->statuses, viewer_id);
    if (!statuses) return std::move(statuses).error();
    out["statuses"] = json::parse(*statuses);
    json::array hashtags;
    for (const store::TagHit& tag : found->hashtags) hashtags.push_back(TagJson(ctx.services.settings, tag.name));
    out["hashtags"] = std::move(hashtags);
    return Json(out);
  }), http::Pool::kRemote);  // resolve=true waits on other servers

  router.Add("GET", "/api/v1/tags/:name", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:statuses");
    if (!viewer) return std::move(viewer).error();
    auto tag = service::FindTag(ctx.services, ViewerId(*viewer), request.path_params[0]);
    if (!tag) return std::move(tag).error();
    return Json(TagJson(ctx.services.settings, tag->name));
  }));

  router.Add("GET", "/api/vantage/v1/explore", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:statuses");
    if (!viewer) return std::move(viewer).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto limit = Number(*params, "limit", kDefaultLimit, 1, kMaxLimit, true);
    if (!limit) return std::move(limit).error();
    auto offset = Number(*params, "offset", 0, 0, service::kExploreDepth, false);
    if (!offset) return std::move(offset).error();
    auto viewer_id = ViewerId(*viewer);
    auto posts = service::Explore(ctx.services, viewer_id, *offset, *limit);
    if (!posts) return std::move(posts).error();
    return StatusesResponse(ctx, *posts, viewer_id);
  }));
}

}  // namespace vantage::api
