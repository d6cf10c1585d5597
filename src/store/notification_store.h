// Notifications: follow, follow_request, favourite, mention and reply.
//
// The conventions of store.h hold here. A notification is written inside the
// transaction of what caused it (a favourite, a post, a follow) with
// InsertNotification, so it exists exactly when its cause does. There is at
// most one per (recipient, type, actor, status): liking, unliking and liking
// again notifies once.
//
// Lists apply the visibility policy (service/policy.h) in SQL for the
// recipient: notifications from accounts the recipient blocks, is blocked by
// or mutes (with notifications, the default) are left out, and so are those
// whose status the recipient can no longer see. A deleted status takes its
// notifications with it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/page.h"
#include "store/sql.h"

namespace vantage::store {

enum class NotificationType { kFollow, kFollowRequest, kFavourite, kMention, kReply, kReblog, kExportReady };
inline constexpr int kNotificationTypeCount = 7;
// The stored name: "follow", "follow_request", "favourite", "mention",
// "reply", "reblog" (a remote account boosted the status), "export_ready"
// (the account's archive can be downloaded; from the account itself).
const char* NotificationTypeName(NotificationType type);
std::optional<NotificationType> ParseNotificationType(std::string_view name);

struct Notification {
  int64_t id = 0;               // time-ordered; the list cursor
  int64_t account_id = 0;       // the recipient
  int64_t from_account_id = 0;  // who did it
  NotificationType type = NotificationType::kMention;
  std::optional<int64_t> status_id;  // favourite: the liked status; mention, reply: the new status
  int64_t created_at = 0;
};

// Writes `notification` on `conn`, inside the caller's write transaction,
// unless one with the same recipient, type, actor and status exists. Whether
// a row was written. Writing to oneself is the caller's bug to avoid.
Result<bool> InsertNotification(Connection& conn, const Notification& notification);
// Deletes the account's notifications of `type`, inside the caller's write
// transaction (the one kept of a kind, such as export_ready).
Status DeleteNotificationsOfType(Connection& conn, int64_t account_id, NotificationType type);

struct NotificationFilter {
  // Types to include, indexed by NotificationType; all by default.
  bool types[kNotificationTypeCount] = {true, true, true, true, true, true, true};
  std::optional<int64_t> from_account_id;  // only those from this account
};

class NotificationStore {
 public:
  virtual ~NotificationStore() = default;

  // The recipient's notifications matching `filter`, newest first.
  virtual Result<std::vector<Notification>> List(int64_t account_id, const NotificationFilter& filter,
                                                 const PageQuery& page) = 0;
  // One of the recipient's notifications, nullopt when missing, someone
  // else's or left out of the list by the rules above.
  virtual Result<std::optional<Notification>> Find(int64_t account_id, int64_t id) = 0;
  // Deletes one of the recipient's notifications; whether it existed.
  virtual Result<bool> Dismiss(int64_t account_id, int64_t id) = 0;
  // Deletes all of the recipient's notifications; how many.
  virtual Result<int64_t> Clear(int64_t account_id) = 0;
};

std::unique_ptr<NotificationStore> MakeSqlNotificationStore(Database& db);

}  // namespace vantage::store
