// Endpoints Mastodon clients call at start-up for features Vantage does not
// have (custom emoji, filters, markers, announcements, lists, trends). They
// answer valid empty results with the scope Mastodon asks for, never 404:
// clients such as Tusky and Ice Cubes stop at a failed start-up call.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

// An empty result behind a scope check (an empty scope: no token needed).
http::Handler Empty(ApiContext& ctx, std::string scope, json::value body) {
  return Wrap([&ctx, scope = std::move(scope), body = std::move(body)](Request& request) -> Result<Response> {
    if (!scope.empty()) {
      auto principal = Authorize(ctx, request, scope);
      if (!principal) return std::move(principal).error();
    }
    return Json(body);
  });
}

}  // namespace

void RegisterClientStartupRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/custom_emojis", Empty(ctx, "", json::array()));
  router.Add("GET", "/api/v1/announcements", Empty(ctx, "read", json::array()));
  router.Add("GET", "/api/v1/filters", Empty(ctx, "read:filters", json::array()));
  router.Add("GET", "/api/v2/filters", Empty(ctx, "read:filters", json::array()));
  router.Add("GET", "/api/v1/lists", Empty(ctx, "read:lists", json::array()));
  router.Add("GET", "/api/v1/markers", Empty(ctx, "read:statuses", json::object()));
  for (const char* path : {"/api/v1/trends", "/api/v1/trends/tags", "/api/v1/trends/statuses",
                           "/api/v1/trends/links"})
    router.Add("GET", path, Empty(ctx, "", json::array()));
  router.Add("GET", "/api/v1/preferences",
             Empty(ctx, "read:accounts",
                   json::object{{"posting:default:visibility", "public"},
                                {"posting:default:sensitive", false},
                                {"posting:default:language", nullptr},
                                {"reading:expand:media", "default"},
                                {"reading:expand:spoilers", false}}));
}

}  // namespace vantage::api
