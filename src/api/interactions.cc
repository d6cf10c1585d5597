// Favourites, bookmarks, likers and a status's context.
#include "api/api.h"

namespace vantage::api {

void RegisterInteractionRoutes(http::Router& router, ApiContext& ctx) {
  (void)router;
  (void)ctx;
}

}  // namespace vantage::api
