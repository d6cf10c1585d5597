#include "service/notifications.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/id.h"

namespace vantage::service {

namespace {

// Mastodon's notification types that Vantage never writes: filtering on them
// is valid and matches nothing.
constexpr std::array<std::string_view, 8> kForeignTypes = {
    "status", "poll", "update", "admin.sign_up", "admin.report", "severed_relationships",
    "moderation_warning", "quote"};

// The stored types a filter word stands for, as flags; nullopt when unknown.
std::optional<std::array<bool, store::kNotificationTypeCount>> TypesOf(std::string_view word) {
  std::array<bool, store::kNotificationTypeCount> flags{};
  if (std::find(kForeignTypes.begin(), kForeignTypes.end(), word) != kForeignTypes.end()) return flags;
  auto type = store::ParseNotificationType(word);
  if (!type) return std::nullopt;
  flags[static_cast<int>(*type)] = true;
  // Replies are served as mentions, so a client asking for mentions means them too.
  if (*type == store::NotificationType::kMention) flags[static_cast<int>(store::NotificationType::kReply)] = true;
  return flags;
}

Error UnknownType(const std::string& field, const std::string& word) {
  return Error::Invalid(field, field + " contains an unknown notification type: " + word.substr(0, 64),
                        "unknown_type");
}

}  // namespace

Status NotifyNewStatus(ServiceContext& ctx, store::Connection& conn, const store::Post& post) {
  std::optional<int64_t> replied_to;
  if (post.in_reply_to_id && post.in_reply_to_account_id && *post.in_reply_to_account_id != post.account_id)
    replied_to = *post.in_reply_to_account_id;
  store::Notification n;
  n.from_account_id = post.account_id;
  n.status_id = post.id;
  n.created_at = post.created_at;
  if (replied_to) {
    n.id = ctx.ids.Next();
    n.account_id = *replied_to;
    n.type = store::NotificationType::kReply;
    auto written = store::InsertNotification(conn, n);
    if (!written) return std::move(written).error();
  }
  for (const store::MentionRef& mention : post.mentions) {
    if (mention.account_id == post.account_id || mention.account_id == replied_to) continue;
    n.id = ctx.ids.Next();
    n.account_id = mention.account_id;
    n.type = store::NotificationType::kMention;
    auto written = store::InsertNotification(conn, n);
    if (!written) return std::move(written).error();
  }
  return Ok();
}

Result<store::NotificationFilter> ParseNotificationFilter(const std::vector<std::string>& types,
                                                          const std::vector<std::string>& exclude_types,
                                                          const std::optional<std::string>& account_id) {
  store::NotificationFilter filter;
  if (!types.empty()) {
    std::fill(std::begin(filter.types), std::end(filter.types), false);
    for (const std::string& word : types) {
      auto flags = TypesOf(word);
      if (!flags) return UnknownType("types[]", word);
      for (int i = 0; i < store::kNotificationTypeCount; ++i) filter.types[i] = filter.types[i] || (*flags)[i];
    }
  }
  for (const std::string& word : exclude_types) {
    auto flags = TypesOf(word);
    if (!flags) return UnknownType("exclude_types[]", word);
    for (int i = 0; i < store::kNotificationTypeCount; ++i) filter.types[i] = filter.types[i] && !(*flags)[i];
  }
  if (account_id && !account_id->empty()) {
    auto id = ParseId(*account_id);
    if (!id) return Error::Invalid("account_id", "account_id must be an id");
    filter.from_account_id = *id;
  }
  return filter;
}

Result<std::vector<store::Notification>> ListNotifications(ServiceContext& ctx, int64_t account_id,
                                                           const store::NotificationFilter& filter,
                                                           const store::PageQuery& page) {
  if (std::none_of(std::begin(filter.types), std::end(filter.types), [](bool b) { return b; }))
    return std::vector<store::Notification>();
  return ctx.store.notifications().List(account_id, filter, page);
}

Result<store::Notification> GetNotification(ServiceContext& ctx, int64_t account_id, int64_t id) {
  auto found = ctx.store.notifications().Find(account_id, id);
  if (!found) return std::move(found).error();
  if (!*found) return Error::NotFound();
  return std::move(**found);
}

Status DismissNotification(ServiceContext& ctx, int64_t account_id, int64_t id) {
  auto dismissed = ctx.store.notifications().Dismiss(account_id, id);
  if (!dismissed) return std::move(dismissed).error();
  if (!*dismissed) return Error::NotFound();
  return Ok();
}

Status ClearNotifications(ServiceContext& ctx, int64_t account_id) {
  auto cleared = ctx.store.notifications().Clear(account_id);
  if (!cleared) return std::move(cleared).error();
  return Ok();
}

}  // namespace vantage::service
