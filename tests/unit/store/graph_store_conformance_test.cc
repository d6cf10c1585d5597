// The GraphStore contract (store/graph_store.h) on every backend that
// instantiates StoreConformanceTest: follows, requests, blocks and mutes, the
// counters, notifications and home-feed rows written with them, and paging.
#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "store/graph_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

constexpr Statement kCountNotifications{
    "test_count_graph_notifications",
    "SELECT COUNT(*) FROM notifications WHERE account_id = ? AND from_account_id = ? AND type = ?"};
constexpr Statement kCountFollowRows{
    "test_count_follow_rows",
    "SELECT (SELECT COUNT(*) FROM follows WHERE target_account_id = ?), "
    "(SELECT COUNT(*) FROM follows WHERE account_id = ?)"};
constexpr Statement kSelectHomeFeed{
    "test_select_home_feed", "SELECT status_id FROM home_feed WHERE account_id = ? ORDER BY status_id DESC"};
constexpr Statement kSelectFeedPull{"test_select_feed_pull", "SELECT feed_pull FROM accounts WHERE id = ?"};

// What the tests below share: writes with fresh ids, and reads of the rows
// that come with them.
class GraphFixture {
 public:
  GraphFixture(Store& store, Database& db, IdGenerator& ids) : store_(store), db_(db), ids_(ids) {}

  GraphStore& graph() { return store_.graph(); }

  FollowWrite Write(int64_t from, int64_t to, int64_t feed_pull_followers = 10000) {
    FollowWrite w;
    w.account_id = from;
    w.target_account_id = to;
    w.row_id = ids_.Next();
    w.notification_id = ids_.Next();
    w.now = 1700000000000;
    w.feed_pull_followers = feed_pull_followers;
    return w;
  }

  std::vector<int64_t> Column(const Statement& st, std::vector<Value> args, size_t column = 0) {
    std::vector<int64_t> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto rows = conn.Query(st, args);
      if (!rows) return std::move(rows).error();
      out.clear();
      for (const Row& row : *rows) out.push_back(row.Int(column));
      return Ok();
    });
    EXPECT_TRUE(status.ok()) << Describe(status);
    return out;
  }

  int64_t Notifications(int64_t to, int64_t from, const std::string& type) {
    auto counts = Column(kCountNotifications, {to, from, type});
    return counts.empty() ? -1 : counts[0];
  }

  Account Reload(int64_t id) {
    auto found = store_.accounts().FindById(id);
    EXPECT_TRUE(found.ok() && found->has_value());
    return found.ok() && *found ? **found : Account{};
  }

  void Lock(int64_t id) {
    AccountPatch patch;
    patch.locked = true;
    auto updated = store_.accounts().Update(id, patch, 1700000000000);
    EXPECT_TRUE(updated.ok()) << Describe(updated);
  }

  Relation RelationOf(int64_t viewer, int64_t account) {
    auto relation = graph().RelationBetween(viewer, account);
    EXPECT_TRUE(relation.ok()) << Describe(relation);
    return relation.ok() ? *relation : Relation{};
  }

  int64_t Post(int64_t author, bool comment = false) {
    store::Post p;
    p.id = ids_.Next();
    p.account_id = author;
    p.text = "post";
    p.content = "<p>post</p>";
    p.is_comment = comment;
    p.created_at = p.updated_at = 1700000000000;
    auto created = store_.statuses().Create(p, {});
    EXPECT_TRUE(created.ok()) << Describe(created);
    return p.id;
  }

 private:
  Store& store_;
  Database& db_;
  IdGenerator& ids_;
};

std::vector<int64_t> AccountIds(const Result<std::vector<GraphEdge>>& edges) {
  EXPECT_TRUE(edges.ok()) << Describe(edges);
  std::vector<int64_t> out;
  if (edges.ok())
    for (const GraphEdge& edge : *edges) out.push_back(edge.account_id);
  return out;
}

TEST_P(StoreConformanceTest, GraphFollowIsIdempotentAndMovesCountersOnce) {
  GraphFixture g(*store_, *db_, ids_);
  Account alice = CreateAccount("alice");
  Account bob = CreateAccount("bob");

  for (int i = 0; i < 2; ++i) {
    auto followed = g.graph().Follow(g.Write(alice.id, bob.id));
    ASSERT_TRUE(followed.ok()) << Describe(followed);
    EXPECT_EQ(*followed, FollowOutcome::kFollowing);
  }
  EXPECT_EQ(g.Reload(alice.id).following_count, 1);
  EXPECT_EQ(g.Reload(bob.id).followers_count, 1);
  EXPECT_EQ(g.Notifications(bob.id, alice.id, "follow"), 1);
  Relation r = g.RelationOf(alice.id, bob.id);
  EXPECT_TRUE(r.following);
  EXPECT_FALSE(r.followed_by);
  EXPECT_TRUE(g.RelationOf(bob.id, alice.id).followed_by);

  for (bool expected : {true, false}) {
    auto removed = g.graph().Unfollow(alice.id, bob.id);
    ASSERT_TRUE(removed.ok()) << Describe(removed);
    EXPECT_EQ(*removed, expected);
  }
  EXPECT_EQ(g.Reload(alice.id).following_count, 0);
  EXPECT_EQ(g.Reload(bob.id).followers_count, 0);
  EXPECT_FALSE(g.RelationOf(alice.id, bob.id).following);

  // Following again does not notify twice.
  ASSERT_TRUE(g.graph().Follow(g.Write(alice.id, bob.id)).ok());
  EXPECT_EQ(g.Notifications(bob.id, alice.id, "follow"), 1);

  auto missing = g.graph().Follow(g.Write(alice.id, ids_.Next()));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, GraphLockedAccountGetsRequestsThatBecomeFollows) {
  GraphFixture g(*store_, *db_, ids_);
  Account carol = CreateAccount("carol");
  Account dave = CreateAccount("dave");
  Account erin = CreateAccount("erin");
  g.Lock(carol.id);

  for (int i = 0; i < 2; ++i) {
    auto asked = g.graph().Follow(g.Write(dave.id, carol.id));
    ASSERT_TRUE(asked.ok()) << Describe(asked);
    EXPECT_EQ(*asked, FollowOutcome::kRequested);
  }
  ASSERT_TRUE(g.graph().Follow(g.Write(erin.id, carol.id)).ok());
  EXPECT_EQ(g.Reload(carol.id).followers_count, 0);
  EXPECT_TRUE(g.RelationOf(dave.id, carol.id).requested);
  EXPECT_TRUE(g.RelationOf(carol.id, dave.id).requested_by);
  EXPECT_EQ(g.Notifications(carol.id, dave.id, "follow_request"), 1);
  EXPECT_EQ(AccountIds(g.graph().FollowRequests(carol.id, PageQuery{})),
            (std::vector<int64_t>{erin.id, dave.id}));
  auto pending = g.graph().CountFollowRequests(carol.id);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, 2);

  ASSERT_TRUE(g.graph().AuthorizeRequest(g.Write(dave.id, carol.id)).ok());
  Relation r = g.RelationOf(dave.id, carol.id);
  EXPECT_TRUE(r.following);
  EXPECT_FALSE(r.requested);
  EXPECT_EQ(g.Reload(carol.id).followers_count, 1);
  EXPECT_EQ(g.Reload(dave.id).following_count, 1);
  EXPECT_EQ(g.Notifications(carol.id, dave.id, "follow_request"), 0);
  EXPECT_EQ(g.Notifications(carol.id, dave.id, "follow"), 1);
  // A follower of a locked account follows again without asking.
  auto again = g.graph().Follow(g.Write(dave.id, carol.id));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, FollowOutcome::kFollowing);

  auto twice = g.graph().AuthorizeRequest(g.Write(dave.id, carol.id));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind, ErrorKind::kNotFound);

  ASSERT_TRUE(g.graph().RejectRequest(carol.id, erin.id).ok());
  EXPECT_FALSE(g.RelationOf(erin.id, carol.id).requested);
  EXPECT_EQ(g.Notifications(carol.id, erin.id, "follow_request"), 0);
  auto rejected = g.graph().RejectRequest(carol.id, erin.id);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(AccountIds(g.graph().FollowRequests(carol.id, PageQuery{})).empty());

  // A request left from when the account was locked is answered by a follow
  // once it is not.
  Account kim = CreateAccount("kim");
  ASSERT_TRUE(g.graph().Follow(g.Write(kim.id, carol.id)).ok());
  AccountPatch unlock;
  unlock.locked = false;
  ASSERT_TRUE(store_->accounts().Update(carol.id, unlock, 1700000000000).ok());
  auto followed = g.graph().Follow(g.Write(kim.id, carol.id));
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(*followed, FollowOutcome::kFollowing);
  EXPECT_FALSE(g.RelationOf(kim.id, carol.id).requested);
  EXPECT_EQ(g.Notifications(carol.id, kim.id, "follow_request"), 0);
  EXPECT_EQ(g.Reload(carol.id).followers_count, 2);
  g.Lock(carol.id);

  // Unfollow withdraws a pending request.
  ASSERT_TRUE(g.graph().Follow(g.Write(erin.id, carol.id)).ok());
  auto withdrawn = g.graph().Unfollow(erin.id, carol.id);
  ASSERT_TRUE(withdrawn.ok());
  EXPECT_TRUE(*withdrawn);
  EXPECT_FALSE(g.RelationOf(erin.id, carol.id).requested);
  EXPECT_EQ(g.Notifications(carol.id, erin.id, "follow_request"), 0);
}

TEST_P(StoreConformanceTest, GraphBlockRemovesFollowsAndRequestsBothWays) {
  GraphFixture g(*store_, *db_, ids_);
  Account frank = CreateAccount("frank");
  Account gina = CreateAccount("gina");
  Account hal = CreateAccount("hal");
  ASSERT_TRUE(g.graph().Follow(g.Write(frank.id, gina.id)).ok());
  ASSERT_TRUE(g.graph().Follow(g.Write(gina.id, frank.id)).ok());
  ASSERT_TRUE(g.graph().Follow(g.Write(hal.id, frank.id)).ok());
  g.Lock(hal.id);
  ASSERT_TRUE(g.graph().Follow(g.Write(gina.id, hal.id)).ok());  // a request
  ASSERT_TRUE(g.RelationOf(gina.id, hal.id).requested);

  for (int i = 0; i < 2; ++i) ASSERT_TRUE(g.graph().Block(frank.id, gina.id, ids_.Next(), 1).ok());
  ASSERT_TRUE(g.graph().Block(hal.id, gina.id, ids_.Next(), 1).ok());
  Relation r = g.RelationOf(frank.id, gina.id);
  EXPECT_TRUE(r.blocking);
  EXPECT_FALSE(r.following);
  EXPECT_FALSE(r.followed_by);
  EXPECT_TRUE(g.RelationOf(gina.id, frank.id).blocked_by);
  EXPECT_FALSE(g.RelationOf(gina.id, hal.id).requested);
  EXPECT_EQ(g.Notifications(hal.id, gina.id, "follow_request"), 0);
  EXPECT_EQ(g.Reload(frank.id).followers_count, 1);  // hal
  EXPECT_EQ(g.Reload(frank.id).following_count, 0);
  EXPECT_EQ(g.Reload(gina.id).followers_count, 0);
  EXPECT_EQ(g.Reload(gina.id).following_count, 0);

  auto blocked = g.graph().Follow(g.Write(gina.id, frank.id));
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().kind, ErrorKind::kNotFound);
  auto blocking = g.graph().Follow(g.Write(frank.id, gina.id));
  ASSERT_FALSE(blocking.ok());
  EXPECT_EQ(blocking.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(blocking.error().code, "blocking");
  EXPECT_EQ(AccountIds(g.graph().Blocks(frank.id, PageQuery{})), (std::vector<int64_t>{gina.id}));

  // Followers lists leave out accounts that block the viewer.
  EXPECT_EQ(AccountIds(g.graph().Followers(frank.id, 0, PageQuery{})), (std::vector<int64_t>{hal.id}));
  EXPECT_TRUE(AccountIds(g.graph().Followers(frank.id, gina.id, PageQuery{})).empty());

  ASSERT_TRUE(g.graph().Unblock(frank.id, gina.id).ok());
  ASSERT_TRUE(g.graph().Unblock(frank.id, gina.id).ok());
  EXPECT_FALSE(g.RelationOf(frank.id, gina.id).blocking);
  EXPECT_TRUE(g.graph().Follow(g.Write(gina.id, frank.id)).ok());
  EXPECT_TRUE(AccountIds(g.graph().Blocks(frank.id, PageQuery{})).empty());
}

// The batch form answers what RelationBetween answers, account by account.
TEST_P(StoreConformanceTest, GraphRelationsBetweenManyMatchesOneByOne) {
  GraphFixture g(*store_, *db_, ids_);
  Account me = CreateAccount("rel_me");
  std::vector<int64_t> ids{me.id, 999999};  // oneself, and an account that does not exist
  for (int i = 0; i < 45; ++i) ids.push_back(CreateAccount("rel_" + std::to_string(i)).id);
  ASSERT_TRUE(g.graph().Follow(g.Write(me.id, ids[2])).ok());
  ASSERT_TRUE(g.graph().Follow(g.Write(ids[3], me.id)).ok());
  ASSERT_TRUE(g.graph().Block(me.id, ids[4], ids_.Next(), 1).ok());
  ASSERT_TRUE(g.graph().Block(ids[5], me.id, ids_.Next(), 1).ok());
  ASSERT_TRUE(g.graph().Mute(me.id, ids[6], false, ids_.Next(), 1).ok());
  g.Lock(ids[44]);
  ASSERT_TRUE(g.graph().Follow(g.Write(me.id, ids[44])).ok());  // past the first batch of 40
  ids.push_back(ids[2]);                                          // asked twice
  auto many = g.graph().RelationsBetween(me.id, ids);
  ASSERT_TRUE(many.ok()) << Describe(many);
  EXPECT_EQ(many->size(), ids.size() - 2);  // not the missing one, and each once
  for (const auto& [id, relation] : *many) {
    Relation one = g.RelationOf(me.id, id);
    EXPECT_EQ(relation.self, one.self) << id;
    EXPECT_EQ(relation.following, one.following) << id;
    EXPECT_EQ(relation.followed_by, one.followed_by) << id;
    EXPECT_EQ(relation.requested, one.requested) << id;
    EXPECT_EQ(relation.blocking, one.blocking) << id;
    EXPECT_EQ(relation.blocked_by, one.blocked_by) << id;
    EXPECT_EQ(relation.muting, one.muting) << id;
    EXPECT_EQ(relation.muting_notifications, one.muting_notifications) << id;
  }
  EXPECT_TRUE(g.RelationOf(me.id, ids[44]).requested);
}

TEST_P(StoreConformanceTest, GraphMuteKeepsItsNotificationsFlag) {
  GraphFixture g(*store_, *db_, ids_);
  Account ivy = CreateAccount("ivy");
  Account jon = CreateAccount("jon");
  ASSERT_TRUE(g.graph().Mute(ivy.id, jon.id, true, ids_.Next(), 1).ok());
  Relation r = g.RelationOf(ivy.id, jon.id);
  EXPECT_TRUE(r.muting);
  EXPECT_TRUE(r.muting_notifications);
  EXPECT_FALSE(g.RelationOf(jon.id, ivy.id).muting);
  ASSERT_TRUE(g.graph().Mute(ivy.id, jon.id, false, ids_.Next(), 2).ok());
  r = g.RelationOf(ivy.id, jon.id);
  EXPECT_TRUE(r.muting);
  EXPECT_FALSE(r.muting_notifications);
  EXPECT_EQ(AccountIds(g.graph().Mutes(ivy.id, PageQuery{})), (std::vector<int64_t>{jon.id}));
  ASSERT_TRUE(g.graph().Unmute(ivy.id, jon.id).ok());
  EXPECT_FALSE(g.RelationOf(ivy.id, jon.id).muting);
  EXPECT_TRUE(AccountIds(g.graph().Mutes(ivy.id, PageQuery{})).empty());
  auto missing = g.graph().Mute(ivy.id, ids_.Next(), true, ids_.Next(), 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, GraphFollowBackfillsTheInboxUntilTheAccountIsPulled) {
  GraphFixture g(*store_, *db_, ids_);
  Account star = CreateAccount("star");
  Account fan1 = CreateAccount("fan1");
  Account fan2 = CreateAccount("fan2");
  std::vector<int64_t> posts;
  for (int i = 0; i < 42; ++i) posts.push_back(g.Post(star.id));
  g.Post(star.id, true);  // a comment stays out of inboxes

  // With a limit of 2 followers, the first follow backfills and the second
  // marks the account feed_pull.
  ASSERT_TRUE(g.graph().Follow(g.Write(fan1.id, star.id, 2)).ok());
  std::vector<int64_t> inbox = g.Column(kSelectHomeFeed, {fan1.id});
  std::vector<int64_t> newest(posts.rbegin(), posts.rbegin() + 40);
  EXPECT_EQ(inbox, newest);
  EXPECT_EQ(g.Column(kSelectFeedPull, {star.id}), (std::vector<int64_t>{0}));

  ASSERT_TRUE(g.graph().Follow(g.Write(fan2.id, star.id, 2)).ok());
  EXPECT_EQ(g.Column(kSelectFeedPull, {star.id}), (std::vector<int64_t>{1}));
  EXPECT_EQ(g.Column(kSelectHomeFeed, {fan2.id}).size(), 40u);  // marked after its backfill

  // Once pulled, new followers get no copies; never unset by unfollows.
  ASSERT_TRUE(g.graph().Unfollow(fan2.id, star.id).ok());
  ASSERT_TRUE(g.graph().Unfollow(fan1.id, star.id).ok());
  Account fan3 = CreateAccount("fan3");
  ASSERT_TRUE(g.graph().Follow(g.Write(fan3.id, star.id, 2)).ok());
  EXPECT_TRUE(g.Column(kSelectHomeFeed, {fan3.id}).empty());
  EXPECT_EQ(g.Column(kSelectFeedPull, {star.id}), (std::vector<int64_t>{1}));
}

TEST_P(StoreConformanceTest, GraphListsPageByTheirRowIds) {
  GraphFixture g(*store_, *db_, ids_);
  Account idol = CreateAccount("idol");
  std::vector<int64_t> followers;  // in follow order
  for (int i = 0; i < 5; ++i) {
    Account f = CreateAccount("follower" + std::to_string(i));
    ASSERT_TRUE(g.graph().Follow(g.Write(f.id, idol.id)).ok());
    ASSERT_TRUE(g.graph().Follow(g.Write(idol.id, f.id)).ok());
    followers.push_back(f.id);
  }
  PageQuery page;
  page.limit = 2;
  auto first = g.graph().Followers(idol.id, 0, page);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(AccountIds(first), (std::vector<int64_t>{followers[4], followers[3]}));
  page.below = first->back().id;
  auto second = g.graph().Followers(idol.id, 0, page);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(AccountIds(second), (std::vector<int64_t>{followers[2], followers[1]}));
  page.below = second->back().id;
  EXPECT_EQ(AccountIds(g.graph().Followers(idol.id, 0, page)), (std::vector<int64_t>{followers[0]}));

  // min_id: the entries just above the cursor, still newest first.
  PageQuery above;
  above.limit = 2;
  above.above = second->back().id;
  above.from_above = true;
  EXPECT_EQ(AccountIds(g.graph().Followers(idol.id, 0, above)),
            (std::vector<int64_t>{followers[3], followers[2]}));
  above.from_above = false;  // since_id: the newest above the cursor
  EXPECT_EQ(AccountIds(g.graph().Followers(idol.id, 0, above)),
            (std::vector<int64_t>{followers[4], followers[3]}));

  PageQuery all;
  all.limit = 80;
  std::vector<int64_t> following = AccountIds(g.graph().Following(idol.id, 0, all));
  EXPECT_EQ(following, std::vector<int64_t>(followers.rbegin(), followers.rend()));
}

// Many accounts following and unfollowing one at once, each from its own
// thread: the counters end equal to the rows.
TEST_P(StoreConformanceTest, GraphConcurrentFollowsKeepCountersExact) {
  GraphFixture g(*store_, *db_, ids_);
  Account target = CreateAccount("crowded");
  std::vector<Account> fans;
  for (int i = 0; i < 12; ++i) fans.push_back(CreateAccount("crowd" + std::to_string(i)));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < fans.size(); ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int round = 0; round < 8; ++round) {
        bool ok = random() % 3 == 0 ? g.graph().Unfollow(fans[t].id, target.id).ok()
                                    : g.graph().Follow(g.Write(fans[t].id, target.id)).ok();
        // Both directions at once: the pair lock orders them without deadlocks.
        if (round % 2 == 0) ok = ok && g.graph().Follow(g.Write(target.id, fans[t].id)).ok();
        else ok = ok && g.graph().Unfollow(target.id, fans[t].id).ok();
        if (!ok) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  std::vector<int64_t> rows = g.Column(kCountFollowRows, {target.id, target.id});
  std::vector<int64_t> following = g.Column(kCountFollowRows, {target.id, target.id}, 1);
  Account after = g.Reload(target.id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(after.followers_count, rows[0]);
  EXPECT_EQ(after.following_count, following[0]);
  for (const Account& fan : fans) {
    Account reloaded = g.Reload(fan.id);
    EXPECT_EQ(reloaded.following_count, g.RelationOf(fan.id, target.id).following ? 1 : 0);
    EXPECT_EQ(reloaded.followers_count, g.RelationOf(fan.id, target.id).followed_by ? 1 : 0);
  }
}

}  // namespace
}  // namespace vantage::store::testing
