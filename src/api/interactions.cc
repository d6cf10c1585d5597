// Favourites, bookmarks, likers and a status's context:
// /api/v1/statuses/:id/{favourite,unfavourite,bookmark,unbookmark,favourited_by,context},
// /api/v1/favourites and /api/v1/bookmarks.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/pagination.h"
#include "api/serializers.h"
#include "api/status_json.h"
#include "service/interactions.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

using MarkList = Result<std::vector<service::MarkedStatus>> (*)(service::ServiceContext&, int64_t,
                                                                const store::PageQuery&);

// GET /api/v1/favourites and /api/v1/bookmarks: the viewer's own marks.
http::Handler OwnMarkList(ApiContext& ctx, std::string scope, MarkList list) {
  return Wrap([&ctx, scope, list](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, scope);
    if (!principal) return std::move(principal).error();
    auto page = ParsePage(request, kDefaultLimit, kMaxLimit);
    if (!page) return std::move(page).error();
    int64_t me = principal->account->id;
    auto marked = list(ctx.services, me, *page);
    if (!marked) return std::move(marked).error();
    std::vector<store::Post> posts;
    posts.reserve(marked->size());
    for (service::MarkedStatus& item : *marked) posts.push_back(std::move(item.post));
    auto response = StatusesResponse(ctx, posts, me);
    if (!response) return std::move(response).error();
    if (!marked->empty())
      AddLinkHeader(ctx.services.settings.base_url, request, *response, marked->front().cursor,
                    marked->back().cursor);
    return response;
  });
}

}  // namespace

void RegisterInteractionRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/statuses/:id/favourite",
             StatusAction(ctx, "write:favourites", &service::FavouriteStatus));
  router.Add("POST", "/api/v1/statuses/:id/unfavourite",
             StatusAction(ctx, "write:favourites", &service::UnfavouriteStatus));
  router.Add("POST", "/api/v1/statuses/:id/bookmark",
             StatusAction(ctx, "write:bookmarks", &service::BookmarkStatus));
  router.Add("POST", "/api/v1/statuses/:id/unbookmark",
             StatusAction(ctx, "write:bookmarks", &service::UnbookmarkStatus));
  router.Add("GET", "/api/v1/favourites", OwnMarkList(ctx, "read:favourites", &service::ListFavourites));
  router.Add("GET", "/api/v1/bookmarks", OwnMarkList(ctx, "read:bookmarks", &service::ListBookmarks));

  router.Add("GET", "/api/v1/statuses/:id/favourited_by", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:statuses");
    if (!viewer) return std::move(viewer).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto page = ParsePage(request, kDefaultAccountLimit, kMaxAccountLimit);
    if (!page) return std::move(page).error();
    std::optional<int64_t> viewer_id;
    if (*viewer) viewer_id = (*viewer)->id;
    auto likers = service::FavouritedBy(ctx.services, *id, viewer_id, *page);
    if (!likers) return std::move(likers).error();
    json::array out;
    for (const service::Liker& liker : *likers) out.push_back(AccountJson(ctx.services.settings, liker.account));
    Response response = Json(out);
    if (!likers->empty())
      AddLinkHeader(ctx.services.settings.base_url, request, response, likers->front().cursor,
                    likers->back().cursor);
    return response;
  }));

  router.Add("GET", "/api/v1/statuses/:id/context", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:statuses");
    if (!viewer) return std::move(viewer).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    std::optional<int64_t> viewer_id;
    if (*viewer) viewer_id = (*viewer)->id;
    auto thread = service::ThreadOf(ctx.services, *id, viewer_id);
    if (!thread) return std::move(thread).error();
    auto ancestors = StatusesJsonText(ctx, thread->ancestors, viewer_id);
    if (!ancestors) return std::move(ancestors).error();
    auto descendants = StatusesJsonText(ctx, thread->descendants, viewer_id);
    if (!descendants) return std::move(descendants).error();
    Response response;
    response.body.reserve(ancestors->size() + descendants->size() + 34);
    response.body += "{\"ancestors\":";
    response.body += *ancestors;
    response.body += ",\"descendants\":";
    response.body += *descendants;
    response.body += '}';
    return response;
  }));
}

}  // namespace vantage::api
