// NotificationStore over the backend-neutral SQL layer.
#include "store/notification_store.h"

namespace vantage::store {

namespace {

class SqlNotificationStore final : public NotificationStore {
 public:
  explicit SqlNotificationStore(Database& db) : db_(db) {}

 private:
  [[maybe_unused]] Database& db_;
};

}  // namespace

std::unique_ptr<NotificationStore> MakeSqlNotificationStore(Database& db) { return std::make_unique<SqlNotificationStore>(db); }

}  // namespace vantage::store
