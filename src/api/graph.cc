// The social graph: follow, unfollow, follow requests, followers and following, relationships, blocks and mutes.
#include "api/api.h"

namespace vantage::api {

void RegisterGraphRoutes(http::Router& router, ApiContext& ctx) {
  (void)router;
  (void)ctx;
}

}  // namespace vantage::api
