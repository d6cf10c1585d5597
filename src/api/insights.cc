// Insights for an account about itself: /api/vantage/v1/insights/...
// Aggregates only (store/insight_store.h); nobody else's, never per viewer.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/params.h"
#include "core/id.h"
#include "core/text.h"
#include "store/insight_store.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr int64_t kDefaultHours = 7 * 24;
constexpr int64_t kMaxHours = 366 * 24;

// `hours` back from now (default a week, at most a year): the series' start.
Result<int64_t> Since(const Params& params) {
  auto hours = params.Integer("hours");
  if (!hours) return std::move(hours).error();
  int64_t count = hours->value_or(kDefaultHours);
  if (count < 1 || count > kMaxHours)
    return Error::Invalid("hours", "hours must be 1 to " + std::to_string(kMaxHours));
  int64_t now = NowUnixMs();
  return now - now % store::kHourMs - (count - 1) * store::kHourMs;
}

}  // namespace

void RegisterInsightRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/vantage/v1/insights/followers", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:accounts");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto since = Since(*params);
    if (!since) return std::move(since).error();
    auto counts = store::FollowerCounts(ctx.services.store.database(), principal->account->id, *since);
    if (!counts) return std::move(counts).error();
    json::array hours;
    for (const store::FollowerCount& c : *counts) {
      json::object hour;
      hour["hour"] = FormatIsoTime(c.hour);
      hour["followers_count"] = c.followers_count;
      hours.push_back(std::move(hour));
    }
    json::object out;
    out["followers_count"] = principal->account->followers_count;
    out["hours"] = std::move(hours);
    return Json(out);
  }));

  router.Add("GET", "/api/vantage/v1/insights/statuses/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:statuses");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto since = Since(*params);
    if (!since) return std::move(since).error();
    auto post = ctx.services.store.statuses().FindById(*id);
    if (!post) return std::move(post).error();
    // Someone else's post answers like a missing one.
    if (!*post || (*post)->account_id != principal->account->id) return Error::NotFound();
    auto counts = store::StatusCountsOf(ctx.services.store.database(), *id, *since);
    if (!counts) return std::move(counts).error();
    json::array hours;
    for (const store::StatusCounts& c : *counts) {
      json::object hour;
      hour["hour"] = FormatIsoTime(c.hour);
      hour["favourites_count"] = c.favourites_count;
      hour["replies_count"] = c.replies_count;
      hours.push_back(std::move(hour));
    }
    json::object out;
    out["id"] = std::to_string((*post)->id);
    out["favourites_count"] = (*post)->favourites_count;
    out["replies_count"] = (*post)->replies_count;
    out["hours"] = std::move(hours);
    return Json(out);
  }));
}

}  // namespace vantage::api
