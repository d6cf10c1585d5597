// Notifications: list, get, dismiss and clear.
#include "api/api.h"

namespace vantage::api {

void RegisterNotificationRoutes(http::Router& router, ApiContext& ctx) {
  (void)router;
  (void)ctx;
}

}  // namespace vantage::api
