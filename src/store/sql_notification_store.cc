// NotificationStore over the backend-neutral SQL layer; runs unchanged on
// SQLite and PostgreSQL.
//
// Isolation: InsertNotification is one INSERT ... ON CONFLICT DO NOTHING
// against the unique (account_id, type, from_account_id, status) index, so
// two racing causes leave one row. Lists, Find, Dismiss and Clear are single
// statements.
#include <algorithm>
#include <utility>

#include "store/notification_store.h"
#include "store/visibility_sql.h"

namespace vantage::store {

const char* NotificationTypeName(NotificationType type) {
  switch (type) {
    case NotificationType::kFollow:
      return "follow";
    case NotificationType::kFollowRequest:
      return "follow_request";
    case NotificationType::kFavourite:
      return "favourite";
    case NotificationType::kMention:
      return "mention";
    case NotificationType::kReply:
      return "reply";
    case NotificationType::kReblog:
      return "reblog";
    case NotificationType::kExportReady:
      return "export_ready";
  }
  return "mention";
}

std::optional<NotificationType> ParseNotificationType(std::string_view name) {
  if (name == "follow") return NotificationType::kFollow;
  if (name == "follow_request") return NotificationType::kFollowRequest;
  if (name == "favourite") return NotificationType::kFavourite;
  if (name == "mention") return NotificationType::kMention;
  if (name == "reply") return NotificationType::kReply;
  if (name == "reblog") return NotificationType::kReblog;
  if (name == "export_ready") return NotificationType::kExportReady;
  return std::nullopt;
}

namespace {

constexpr Statement kInsertNotification{
    "insert_notification",
    "INSERT INTO notifications (id, account_id, from_account_id, type, status_id, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"};

// What the recipient (`n.account_id`) is shown: nothing from accounts they
// block, that block them, that they mute with notifications or of a server
// they block, and nothing
// about a status they may not see (the policy of service/policy.h, for the
// recipient).
#define VANTAGE_NOTIFICATION_SHOWN                                                                           \
  "NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = n.account_id "                                    \
  "AND b.target_account_id = n.from_account_id) "                                                           \
  "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = n.from_account_id "                           \
  "AND b.target_account_id = n.account_id) "                                                                \
  "AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = n.account_id "                                 \
  "AND m.target_account_id = n.from_account_id AND m.notifications = 1) "                                   \
  "AND NOT " VANTAGE_DOMAIN_BLOCKED("n.account_id", "n.from_account_id") " "                                \
  "AND (n.status_id IS NULL OR EXISTS (SELECT 1 FROM statuses s WHERE s.id = n.status_id AND "               \
  VANTAGE_VISIBLE_TO("n.account_id") "))"

#define VANTAGE_NOTIFICATION_COLUMNS "n.id, n.account_id, n.from_account_id, n.type, n.status_id, n.created_at"

// One flag per type (1: include), in NotificationType order, then the
// optional actor (0: any).
#define VANTAGE_SELECT_NOTIFICATIONS(order)                                                                 \
  "SELECT " VANTAGE_NOTIFICATION_COLUMNS " FROM notifications n "                                          \
  "WHERE n.account_id = ? AND n.id < ? AND n.id > ? "                                                      \
  "AND ((n.type = 'follow' AND ? = 1) OR (n.type = 'follow_request' AND ? = 1) "                           \
  "OR (n.type = 'favourite' AND ? = 1) OR (n.type = 'mention' AND ? = 1) OR (n.type = 'reply' AND ? = 1) "   \
  "OR (n.type = 'reblog' AND ? = 1) OR (n.type = 'export_ready' AND ? = 1)) "                                                                     \
  "AND (CAST(? AS BIGINT) = 0 OR n.from_account_id = ?) AND " VANTAGE_NOTIFICATION_SHOWN " ORDER BY n.id " order " LIMIT ?"

constexpr Statement kListDesc{"list_notifications_desc", VANTAGE_SELECT_NOTIFICATIONS("DESC")};
constexpr Statement kListAsc{"list_notifications_asc", VANTAGE_SELECT_NOTIFICATIONS("ASC")};
constexpr Statement kFind{"find_notification",
                          "SELECT " VANTAGE_NOTIFICATION_COLUMNS " FROM notifications n "
                          "WHERE n.id = ? AND n.account_id = ? AND " VANTAGE_NOTIFICATION_SHOWN};
constexpr Statement kDismiss{"dismiss_notification", "DELETE FROM notifications WHERE id = ? AND account_id = ?"};
constexpr Statement kClear{"clear_notifications", "DELETE FROM notifications WHERE account_id = ?"};
constexpr Statement kClearType{"clear_notifications_of_type",
                               "DELETE FROM notifications WHERE account_id = ? AND type = ?"};

#undef VANTAGE_SELECT_NOTIFICATIONS
#undef VANTAGE_NOTIFICATION_COLUMNS
#undef VANTAGE_NOTIFICATION_SHOWN

Result<Notification> Decode(const Row& row) {
  auto type = ParseNotificationType(row.Text(3));
  if (!type) return Error::Internal("Notification " + std::to_string(row.Int(0)) + " has unknown type");
  Notification n;
  n.id = row.Int(0);
  n.account_id = row.Int(1);
  n.from_account_id = row.Int(2);
  n.type = *type;
  n.status_id = row.OptInt(4);
  n.created_at = row.Int(5);
  return n;
}

class SqlNotificationStore final : public NotificationStore {
 public:
  explicit SqlNotificationStore(Database& db) : db_(db) {}

  Result<std::vector<Notification>> List(int64_t account_id, const NotificationFilter& filter,
                                         const PageQuery& page) override {
    std::vector<Notification> out;
    auto flag = [&](NotificationType type) { return int64_t{filter.types[static_cast<int>(type)] ? 1 : 0}; };
    int64_t from = filter.from_account_id.value_or(0);
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(page.from_above ? kListAsc : kListDesc,
                             {account_id, page.below, page.above, flag(NotificationType::kFollow),
                              flag(NotificationType::kFollowRequest), flag(NotificationType::kFavourite),
                              flag(NotificationType::kMention), flag(NotificationType::kReply),
                              flag(NotificationType::kReblog), flag(NotificationType::kExportReady), from, from,
                              int64_t{page.limit}});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        auto n = Decode(row);
        if (!n) return std::move(n).error();
        out.push_back(std::move(*n));
      }
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (page.from_above) std::reverse(out.begin(), out.end());
    return out;
  }

  Result<std::optional<Notification>> Find(int64_t account_id, int64_t id) override {
    std::optional<Notification> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.reset();
      auto row = conn.QueryOne(kFind, {id, account_id});
      if (!row) return std::move(row).error();
      if (!*row) return Ok();
      auto n = Decode(**row);
      if (!n) return std::move(n).error();
      out = std::move(*n);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<bool> Dismiss(int64_t account_id, int64_t id) override {
    int64_t deleted = 0;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto n = conn.Exec(kDismiss, {id, account_id});
      if (!n) return std::move(n).error();
      deleted = *n;
      return Ok();
    });
    if (!status) return std::move(status).error();
    return deleted > 0;
  }

  Result<int64_t> Clear(int64_t account_id) override {
    int64_t deleted = 0;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto n = conn.Exec(kClear, {account_id});
      if (!n) return std::move(n).error();
      deleted = *n;
      return Ok();
    });
    if (!status) return std::move(status).error();
    return deleted;
  }

 private:
  Database& db_;
};

}  // namespace

Result<bool> InsertNotification(Connection& conn, const Notification& n) {
  if (n.id <= 0) return Error::Internal("A new notification needs an id from the IdGenerator");
  auto inserted = conn.Exec(kInsertNotification, {n.id, n.account_id, n.from_account_id,
                                                  std::string(NotificationTypeName(n.type)), Opt(n.status_id),
                                                  n.created_at});
  if (!inserted) return std::move(inserted).error();
  return *inserted > 0;
}

Status DeleteNotificationsOfType(Connection& conn, int64_t account_id, NotificationType type) {
  auto deleted = conn.Exec(kClearType, {account_id, std::string(NotificationTypeName(type))});
  if (!deleted) return std::move(deleted).error();
  return Ok();
}

std::unique_ptr<NotificationStore> MakeSqlNotificationStore(Database& db) {
  return std::make_unique<SqlNotificationStore>(db);
}

}  // namespace vantage::store
