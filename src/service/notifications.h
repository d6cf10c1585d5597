// Notification use cases: writing the ones a new status causes, and reading,
// dismissing and clearing one's own.
//
// Types: follow and follow_request (written by the graph's use cases),
// favourite (service/interactions.h), mention and reply (here, for
// PublishStatus). All functions block (database): call them from a pool
// thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/notification_store.h"
#include "store/page.h"
#include "store/sql.h"
#include "store/status_store.h"

namespace vantage::service {

// Writes, on `conn` inside the new status's own transaction, a mention
// notification for each account it mentions and a reply notification for
// the author of the status it answers; never to its own author, and a
// reply that also mentions the parent's author notifies that author once,
// as a reply.
Status NotifyNewStatus(ServiceContext& ctx, store::Connection& conn, const store::Post& post);

// Mastodon's `types[]`, `exclude_types[]` and `account_id` as sent. `mention`
// takes in replies too (clients see replies as mentions), `reply` only
// replies. Types Mastodon knows but Vantage never sends (reblog, status,
// poll, update, admin.sign_up, admin.report...) are accepted and match
// nothing; anything else is Invalid naming the field ("types[]" or
// "exclude_types[]", code unknown_type); an account_id that is not an id is
// Invalid "account_id".
Result<store::NotificationFilter> ParseNotificationFilter(const std::vector<std::string>& types,
                                                          const std::vector<std::string>& exclude_types,
                                                          const std::optional<std::string>& account_id);

Result<std::vector<store::Notification>> ListNotifications(ServiceContext& ctx, int64_t account_id,
                                                           const store::NotificationFilter& filter,
                                                           const store::PageQuery& page);
// NotFound when missing, someone else's, or one the list leaves out.
Result<store::Notification> GetNotification(ServiceContext& ctx, int64_t account_id, int64_t id);
// NotFound when missing or someone else's.
Status DismissNotification(ServiceContext& ctx, int64_t account_id, int64_t id);
Status ClearNotifications(ServiceContext& ctx, int64_t account_id);

}  // namespace vantage::service
