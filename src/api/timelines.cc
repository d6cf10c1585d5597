// Timelines (home, public, tag), an account's statuses, search and explore.
#include "api/api.h"

namespace vantage::api {

void RegisterTimelineRoutes(http::Router& router, ApiContext& ctx) {
  (void)router;
  (void)ctx;
}

}  // namespace vantage::api
