// The NotificationStore contract (store/notification_store.h) on every
// backend that instantiates StoreConformanceTest.
#include <vector>

#include "store/notification_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

class Notifications {
 public:
  static Post NewPost(IdGenerator& ids, int64_t account_id, Visibility visibility = Visibility::kPublic) {
    Post p;
    p.id = ids.Next();
    p.account_id = account_id;
    p.text = "text";
    p.content = "<p>text</p>";
    p.visibility = visibility;
    p.created_at = p.updated_at = 1700000000000;
    return p;
  }
};

Result<bool> Notify(Database& db, IdGenerator& ids, int64_t to, int64_t from, NotificationType type,
                    std::optional<int64_t> status_id = {}) {
  bool written = false;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto r = InsertNotification(conn, Notification{ids.Next(), to, from, type, status_id, 1700000000000});
    if (!r) return std::move(r).error();
    written = *r;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return written;
}

Status Relate(Database& db, const Statement& st, int64_t id, int64_t from, int64_t to) {
  return db.Write([&](Connection& conn) -> Status {
    auto n = conn.Exec(st, {id, from, to});
    if (!n) return std::move(n).error();
    return Ok();
  });
}
constexpr Statement kBlock{"test_notification_block",
                           "INSERT INTO blocks (id, account_id, target_account_id, created_at) VALUES (?, ?, ?, 0)"};
constexpr Statement kMute{"test_notification_mute",
                          "INSERT INTO mutes (id, account_id, target_account_id, created_at) VALUES (?, ?, ?, 0)"};
constexpr Statement kFollow{"test_notification_follow",
                            "INSERT INTO follows (id, account_id, target_account_id, created_at) VALUES (?, ?, ?, 0)"};

std::vector<NotificationType> Types(const std::vector<Notification>& list) {
  std::vector<NotificationType> out;
  for (const Notification& n : list) out.push_back(n.type);
  return out;
}

TEST_P(StoreConformanceTest, NotificationTypesRoundTripByName) {
  for (auto type : {NotificationType::kFollow, NotificationType::kFollowRequest, NotificationType::kFavourite,
                    NotificationType::kMention, NotificationType::kReply, NotificationType::kReblog})
    EXPECT_EQ(ParseNotificationType(NotificationTypeName(type)), type);
  EXPECT_EQ(NotificationTypeName(NotificationType::kReblog), std::string("reblog"));
  EXPECT_FALSE(ParseNotificationType("status"));
}

TEST_P(StoreConformanceTest, NotificationsAreWrittenOncePerCause) {
  Account me = CreateAccount("notified");
  Account fan = CreateAccount("notifier");
  Post post = Notifications::NewPost(ids_, me.id);
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  auto first = Notify(*db_, ids_, me.id, fan.id, NotificationType::kFavourite, post.id);
  ASSERT_TRUE(first.ok()) << Describe(first);
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*Notify(*db_, ids_, me.id, fan.id, NotificationType::kFavourite, post.id));
  // Without a status too.
  EXPECT_TRUE(*Notify(*db_, ids_, me.id, fan.id, NotificationType::kFollow));
  EXPECT_FALSE(*Notify(*db_, ids_, me.id, fan.id, NotificationType::kFollow));
  // Another type or another status is another notification.
  EXPECT_TRUE(*Notify(*db_, ids_, me.id, fan.id, NotificationType::kMention, post.id));
  auto list = store_->notifications().List(me.id, NotificationFilter{}, PageQuery{});
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(Types(*list), std::vector<NotificationType>({NotificationType::kMention, NotificationType::kFollow,
                                                         NotificationType::kFavourite}));
  EXPECT_EQ((*list)[0].status_id, post.id);
  EXPECT_EQ((*list)[0].from_account_id, fan.id);
  EXPECT_EQ((*list)[0].account_id, me.id);
  EXPECT_FALSE((*list)[1].status_id);
  // Others see none of them.
  EXPECT_TRUE(store_->notifications().List(fan.id, NotificationFilter{}, PageQuery{})->empty());
}

TEST_P(StoreConformanceTest, NotificationListsFilterAndPage) {
  Account me = CreateAccount("paged");
  Account a = CreateAccount("actor_a");
  Account b = CreateAccount("actor_b");
  Post post = Notifications::NewPost(ids_, me.id);
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  ASSERT_TRUE(Notify(*db_, ids_, me.id, a.id, NotificationType::kFollow).ok());
  ASSERT_TRUE(Notify(*db_, ids_, me.id, a.id, NotificationType::kFavourite, post.id).ok());
  ASSERT_TRUE(Notify(*db_, ids_, me.id, b.id, NotificationType::kFollowRequest).ok());
  ASSERT_TRUE(Notify(*db_, ids_, me.id, b.id, NotificationType::kReply, post.id).ok());
  ASSERT_TRUE(Notify(*db_, ids_, me.id, b.id, NotificationType::kMention, post.id).ok());

  NotificationFilter only_b;
  only_b.from_account_id = b.id;
  auto from_b = store_->notifications().List(me.id, only_b, PageQuery{});
  ASSERT_TRUE(from_b.ok()) << Describe(from_b);
  EXPECT_EQ(Types(*from_b),
            std::vector<NotificationType>(
                {NotificationType::kMention, NotificationType::kReply, NotificationType::kFollowRequest}));
  NotificationFilter follows{{true, false, false, false, false}, std::nullopt};
  EXPECT_EQ(Types(*store_->notifications().List(me.id, follows, PageQuery{})),
            std::vector<NotificationType>({NotificationType::kFollow}));
  NotificationFilter none{{false, false, false, false, false}, std::nullopt};
  EXPECT_TRUE(store_->notifications().List(me.id, none, PageQuery{})->empty());

  PageQuery page;
  page.limit = 2;
  auto first = store_->notifications().List(me.id, NotificationFilter{}, page);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  page.below = first->back().id;
  auto second = store_->notifications().List(me.id, NotificationFilter{}, page);
  ASSERT_EQ(Types(*second),
            std::vector<NotificationType>({NotificationType::kFollowRequest, NotificationType::kFavourite}));
  PageQuery up;
  up.above = (*second)[1].id;
  up.from_above = true;
  up.limit = 2;
  EXPECT_EQ(Types(*store_->notifications().List(me.id, NotificationFilter{}, up)),
            std::vector<NotificationType>({NotificationType::kReply, NotificationType::kFollowRequest}));
}

TEST_P(StoreConformanceTest, NotificationsHideBlockedMutedAndInvisible) {
  Account me = CreateAccount("guarded");
  Account blocked = CreateAccount("n_blocked");
  Account blocker = CreateAccount("n_blocker");
  Account muted = CreateAccount("n_muted");
  Account closed = CreateAccount("n_closed");
  Account fine = CreateAccount("n_fine");
  Post mine = Notifications::NewPost(ids_, me.id);
  Post private_mention = Notifications::NewPost(ids_, closed.id, Visibility::kPrivate);
  ASSERT_TRUE(store_->statuses().Create(mine, {}).ok());
  // Not mentioning `me` (a mention would let `me` see it): the notification
  // below is about a status its recipient may not see.
  ASSERT_TRUE(store_->statuses().Create(private_mention, {}).ok());
  for (const Account* who : {&blocked, &blocker, &muted, &fine})
    ASSERT_TRUE(Notify(*db_, ids_, me.id, who->id, NotificationType::kFavourite, mine.id).ok());
  ASSERT_TRUE(Notify(*db_, ids_, me.id, closed.id, NotificationType::kMention, private_mention.id).ok());
  ASSERT_TRUE(Relate(*db_, kBlock, ids_.Next(), me.id, blocked.id).ok());
  ASSERT_TRUE(Relate(*db_, kBlock, ids_.Next(), blocker.id, me.id).ok());
  ASSERT_TRUE(Relate(*db_, kMute, ids_.Next(), me.id, muted.id).ok());

  auto list = store_->notifications().List(me.id, NotificationFilter{}, PageQuery{});
  ASSERT_TRUE(list.ok()) << Describe(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].from_account_id, fine.id);
  for (const Notification& n : *list) EXPECT_TRUE(store_->notifications().Find(me.id, n.id)->has_value());

  // The private post shows once its author is followed.
  ASSERT_TRUE(Relate(*db_, kFollow, ids_.Next(), me.id, closed.id).ok());
  list = store_->notifications().List(me.id, NotificationFilter{}, PageQuery{});
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].from_account_id, closed.id);

  // Archiving hides it again; deleting takes it away.
  ASSERT_TRUE(store_->statuses().Archive(private_mention.id, closed.id, 5).ok());
  int64_t mention_id = (*list)[0].id;
  EXPECT_FALSE(store_->notifications().Find(me.id, mention_id)->has_value());
  ASSERT_TRUE(store_->statuses().Delete(private_mention.id, closed.id).ok());
  EXPECT_FALSE(*store_->notifications().Dismiss(me.id, mention_id));
}

TEST_P(StoreConformanceTest, NotificationsAreDismissedAndClearedByTheirRecipientOnly) {
  Account me = CreateAccount("dismisser");
  Account other = CreateAccount("dismiss_other");
  ASSERT_TRUE(Notify(*db_, ids_, me.id, other.id, NotificationType::kFollow).ok());
  ASSERT_TRUE(Notify(*db_, ids_, me.id, other.id, NotificationType::kFollowRequest).ok());
  ASSERT_TRUE(Notify(*db_, ids_, other.id, me.id, NotificationType::kFollow).ok());
  auto mine = *store_->notifications().List(me.id, NotificationFilter{}, PageQuery{});
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_FALSE(*store_->notifications().Dismiss(other.id, mine[0].id));
  EXPECT_FALSE(store_->notifications().Find(other.id, mine[0].id)->has_value());
  EXPECT_TRUE(*store_->notifications().Dismiss(me.id, mine[0].id));
  EXPECT_FALSE(*store_->notifications().Dismiss(me.id, mine[0].id));
  EXPECT_FALSE(store_->notifications().Find(me.id, mine[0].id)->has_value());
  EXPECT_EQ(*store_->notifications().Clear(me.id), 1);
  EXPECT_TRUE(store_->notifications().List(me.id, NotificationFilter{}, PageQuery{})->empty());
  EXPECT_EQ(store_->notifications().List(other.id, NotificationFilter{}, PageQuery{})->size(), 1u);
}

}  // namespace
}  // namespace vantage::store::testing
