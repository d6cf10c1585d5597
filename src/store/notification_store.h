// Notifications: follow, follow_request, favourite, mention and reply.
//
// The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <memory>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

class NotificationStore {
 public:
  virtual ~NotificationStore() = default;
};

std::unique_ptr<NotificationStore> MakeSqlNotificationStore(Database& db);

}  // namespace vantage::store
