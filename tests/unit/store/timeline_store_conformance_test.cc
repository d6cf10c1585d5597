// The TimelineStore contract (store/timeline_store.h) and the fan-out of
// StatusStore::Create on every backend that instantiates StoreConformanceTest:
// inboxes written on post, home timelines merging inboxes with pulled
// accounts, the policy in each list's SQL, paging both ways, the render
// facts, trending and search.
#include <algorithm>
#include <vector>

#include "store/graph_store.h"
#include "store/timeline_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

constexpr Statement kInbox{"test_timeline_inbox",
                           "SELECT status_id FROM home_feed WHERE account_id = ? ORDER BY status_id DESC"};
constexpr Statement kSetFeedPull{"test_timeline_set_feed_pull", "UPDATE accounts SET feed_pull = 1 WHERE id = ?"};
constexpr Statement kInsertFavourite{
    "test_timeline_insert_favourite",
    "INSERT INTO favourites (id, account_id, status_id, created_at) VALUES (?, ?, ?, ?)"};
constexpr Statement kInsertBookmark{
    "test_timeline_insert_bookmark",
    "INSERT INTO bookmarks (id, account_id, status_id, created_at) VALUES (?, ?, ?, ?)"};

class TimelineFixture {
 public:
  TimelineFixture(Store& store, Database& db, IdGenerator& ids) : store_(store), db_(db), ids_(ids) {}

  TimelineStore& timelines() { return store_.timelines(); }

  Post Publish(int64_t author, Visibility visibility = Visibility::kPublic, std::optional<int64_t> reply_to = {},
               std::vector<TagRef> tags = {}) {
    Post p;
    p.id = ids_.Next();
    p.account_id = author;
    p.text = "post";
    p.content = "<p>post</p>";
    p.visibility = visibility;
    p.in_reply_to_id = reply_to;
    p.is_comment = reply_to.has_value();
    p.tags = std::move(tags);
    p.created_at = p.updated_at = NowUnixMs();
    auto created = store_.statuses().Create(p, {});
    EXPECT_TRUE(created.ok()) << Describe(created);
    return created.ok() ? created->post : p;
  }

  void Follow(int64_t from, int64_t to) {
    FollowWrite w;
    w.account_id = from;
    w.target_account_id = to;
    w.row_id = ids_.Next();
    w.notification_id = ids_.Next();
    w.now = NowUnixMs();
    w.feed_pull_followers = 10000;
    auto followed = store_.graph().Follow(w);
    ASSERT_TRUE(followed.ok()) << Describe(followed);
  }

  void Exec(const Statement& st, std::vector<Value> args) {
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto done = conn.Exec(st, args);
      if (!done) return std::move(done).error();
      return Ok();
    });
    ASSERT_TRUE(status.ok()) << Describe(status);
  }

  std::vector<int64_t> Inbox(int64_t account_id) {
    std::vector<int64_t> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto rows = conn.Query(kInbox, {account_id});
      if (!rows) return std::move(rows).error();
      out.clear();
      for (const Row& row : *rows) out.push_back(row.Int(0));
      return Ok();
    });
    EXPECT_TRUE(status.ok()) << Describe(status);
    return out;
  }

  std::vector<int64_t> Home(int64_t viewer, PageQuery page = {}) {
    auto ids = timelines().Home(viewer, page);
    EXPECT_TRUE(ids.ok()) << Describe(ids);
    return ids.ok() ? *ids : std::vector<int64_t>{};
  }

  std::vector<int64_t> Public(PublicQuery query, PageQuery page = {}) {
    auto ids = timelines().Public(query, page);
    EXPECT_TRUE(ids.ok()) << Describe(ids);
    return ids.ok() ? *ids : std::vector<int64_t>{};
  }

  std::vector<int64_t> OfAccount(AccountStatusesQuery query, PageQuery page = {}) {
    auto ids = timelines().AccountStatuses(query, page);
    EXPECT_TRUE(ids.ok()) << Describe(ids);
    return ids.ok() ? *ids : std::vector<int64_t>{};
  }

  TagRef Tag(const std::string& name) { return TagRef{ids_.Next(), name, name}; }

 private:
  Store& store_;
  Database& db_;
  IdGenerator& ids_;
};

PageQuery Page(int limit, int64_t below = std::numeric_limits<int64_t>::max(), int64_t above = 0,
               bool from_above = false) {
  PageQuery p;
  p.limit = limit;
  p.below = below;
  p.above = above;
  p.from_above = from_above;
  return p;
}

TEST_P(StoreConformanceTest, FanOutWritesPostsIntoFollowersInboxesButNotComments) {
  TimelineFixture f(*store_, *db_, ids_);
  Account author = CreateAccount("fan_author");
  Account follower = CreateAccount("fan_follower");
  Account stranger = CreateAccount("fan_stranger");
  f.Follow(follower.id, author.id);
  Post post = f.Publish(author.id, Visibility::kPrivate);
  Post comment = f.Publish(follower.id, Visibility::kPublic, post.id);
  EXPECT_EQ(f.Inbox(author.id), std::vector<int64_t>{post.id});
  EXPECT_EQ(f.Inbox(follower.id), std::vector<int64_t>{post.id});
  EXPECT_TRUE(f.Inbox(stranger.id).empty());
  (void)comment;

  // A feed_pull author's posts reach only its own inbox.
  f.Exec(kSetFeedPull, {author.id});
  Post pulled = f.Publish(author.id);
  EXPECT_EQ(f.Inbox(author.id), (std::vector<int64_t>{pulled.id, post.id}));
  EXPECT_EQ(f.Inbox(follower.id), std::vector<int64_t>{post.id});
  // ... and still reach the follower's home timeline, once.
  EXPECT_EQ(f.Home(follower.id), (std::vector<int64_t>{pulled.id, post.id}));
  EXPECT_EQ(f.Home(author.id), (std::vector<int64_t>{pulled.id, post.id}));
}

TEST_P(StoreConformanceTest, HomeFiltersByCurrentFollowsBlocksMutesAndArchive) {
  TimelineFixture f(*store_, *db_, ids_);
  Account viewer = CreateAccount("home_viewer");
  Account a = CreateAccount("home_a");
  Account b = CreateAccount("home_b");
  Account pull = CreateAccount("home_pull");
  f.Exec(kSetFeedPull, {pull.id});
  f.Follow(viewer.id, a.id);
  f.Follow(viewer.id, b.id);
  f.Follow(viewer.id, pull.id);
  Post a1 = f.Publish(a.id);
  Post p1 = f.Publish(pull.id, Visibility::kPrivate);
  Post b1 = f.Publish(b.id, Visibility::kUnlisted);
  Post own = f.Publish(viewer.id);
  Post a2 = f.Publish(a.id);
  f.Publish(a.id, Visibility::kPublic, b1.id);  // a comment
  EXPECT_EQ(f.Home(viewer.id), (std::vector<int64_t>{a2.id, own.id, b1.id, p1.id, a1.id}));

  // Pages both ways, each newest first.
  EXPECT_EQ(f.Home(viewer.id, Page(2)), (std::vector<int64_t>{a2.id, own.id}));
  EXPECT_EQ(f.Home(viewer.id, Page(2, own.id)), (std::vector<int64_t>{b1.id, p1.id}));
  EXPECT_EQ(f.Home(viewer.id, Page(2, std::numeric_limits<int64_t>::max(), a1.id, true)),
            (std::vector<int64_t>{b1.id, p1.id}));
  EXPECT_EQ(f.Home(viewer.id, Page(10, std::numeric_limits<int64_t>::max(), b1.id)),
            (std::vector<int64_t>{a2.id, own.id}));

  ASSERT_TRUE(store_->statuses().Archive(a2.id, a.id, NowUnixMs()).ok());
  ASSERT_TRUE(store_->graph().Mute(viewer.id, b.id, true, ids_.Next(), NowUnixMs()).ok());
  EXPECT_EQ(f.Home(viewer.id), (std::vector<int64_t>{own.id, p1.id, a1.id}));
  ASSERT_TRUE(store_->graph().Unfollow(viewer.id, a.id).ok());
  ASSERT_TRUE(store_->graph().Block(pull.id, viewer.id, ids_.Next(), NowUnixMs()).ok());
  EXPECT_EQ(f.Home(viewer.id), (std::vector<int64_t>{own.id}));
}

// The walks are bounded by the candidates already in hand; paging both ways
// through interleaved inbox and pulled posts still sees each post once, in
// order, whether the viewer follows a few pulled accounts (walked before the
// inbox) or many (walked after it).
TEST_P(StoreConformanceTest, HomePagesThroughInboxAndSeveralPulledAccounts) {
  for (int pulled_count : {2, 6}) {
    SCOPED_TRACE(::testing::Message() << pulled_count << " pulled accounts");
    TimelineFixture f(*store_, *db_, ids_);
    std::string tag = "m" + std::to_string(pulled_count) + "_";
    Account viewer = CreateAccount(tag + "viewer");
    Account fanned = CreateAccount(tag + "fanned");
    std::vector<int64_t> authors_by_slot = {fanned.id};
    for (int i = 0; i < pulled_count; ++i) {
      Account pull = CreateAccount(tag + "pull" + std::to_string(i));
      f.Exec(kSetFeedPull, {pull.id});
      authors_by_slot.push_back(pull.id);
    }
    for (int64_t author : authors_by_slot) f.Follow(viewer.id, author);
    std::vector<int64_t> all;  // newest first
    const int slots[] = {0, 1, 1, 2, 0, 0, 2, 1, 0, 2, 2, 1, 0, 3, 0, 1};
    for (int slot : slots) {
      int64_t author = authors_by_slot[slot % authors_by_slot.size()];
      all.insert(all.begin(), f.Publish(author).id);
    }
    EXPECT_EQ(f.Home(viewer.id, Page(40)), all);

    for (int limit : {1, 3, 4}) {
      std::vector<int64_t> down;
      for (int64_t below = std::numeric_limits<int64_t>::max();;) {
        std::vector<int64_t> page = f.Home(viewer.id, Page(limit, below));
        if (page.empty()) break;
        ASSERT_LE(page.size(), static_cast<size_t>(limit));
        down.insert(down.end(), page.begin(), page.end());
        below = page.back();
      }
      EXPECT_EQ(down, all) << "limit " << limit;

      std::vector<int64_t> up;  // min_id paging: each page newest first, pages oldest first
      for (int64_t above = 0;;) {
        std::vector<int64_t> page =
            f.Home(viewer.id, Page(limit, std::numeric_limits<int64_t>::max(), above, true));
        if (page.empty()) break;
        ASSERT_LE(page.size(), static_cast<size_t>(limit));
        up.insert(up.begin(), page.begin(), page.end());
        above = page.front();
      }
      EXPECT_EQ(up, all) << "limit " << limit;
    }
  }
}

TEST_P(StoreConformanceTest, PublicAndTagTimelinesShowPublicPostsOnly) {
  TimelineFixture f(*store_, *db_, ids_);
  Account author = CreateAccount("pub_author");
  Account blocker = CreateAccount("pub_blocker");
  Account muter = CreateAccount("pub_muter");
  TagRef sun = f.Tag("sun");
  TagRef moon = f.Tag("moon");
  Post pub = f.Publish(author.id, Visibility::kPublic, {}, {sun});
  f.Publish(author.id, Visibility::kUnlisted, {}, {sun});
  f.Publish(author.id, Visibility::kPrivate, {}, {sun});
  Post archived = f.Publish(author.id, Visibility::kPublic, {}, {sun});
  ASSERT_TRUE(store_->statuses().Archive(archived.id, author.id, NowUnixMs()).ok());
  f.Publish(author.id, Visibility::kPublic, pub.id, {sun});  // a comment
  Post both = f.Publish(author.id, Visibility::kPublic, {}, {sun, moon});
  Post moon_only = f.Publish(author.id, Visibility::kPublic, {}, {moon});
  ASSERT_TRUE(store_->graph().Block(blocker.id, author.id, ids_.Next(), NowUnixMs()).ok());
  ASSERT_TRUE(store_->graph().Mute(muter.id, author.id, true, ids_.Next(), NowUnixMs()).ok());

  EXPECT_EQ(f.Public({}), (std::vector<int64_t>{moon_only.id, both.id, pub.id}));
  PublicQuery blocked;
  blocked.viewer_id = blocker.id;
  EXPECT_TRUE(f.Public(blocked).empty());
  PublicQuery muted;
  muted.viewer_id = muter.id;
  EXPECT_TRUE(f.Public(muted).empty());

  auto found = f.timelines().FindTag("sun");
  ASSERT_TRUE(found.ok() && found->has_value()) << Describe(found);
  auto moon_found = f.timelines().FindTag("moon");
  ASSERT_TRUE(moon_found.ok() && moon_found->has_value()) << Describe(moon_found);
  int64_t sun_id = (*found)->id;
  int64_t moon_id = (*moon_found)->id;
  PublicQuery tag;
  tag.tag_id = sun_id;
  EXPECT_EQ(f.Public(tag), (std::vector<int64_t>{both.id, pub.id}));
  EXPECT_EQ(f.Public(tag, Page(1, both.id)), std::vector<int64_t>{pub.id});
  EXPECT_EQ(f.Public(tag, Page(1, std::numeric_limits<int64_t>::max(), 0, true)), std::vector<int64_t>{pub.id});
  PublicQuery any = tag;
  any.any_tags = {moon_id};
  EXPECT_EQ(f.Public(any), (std::vector<int64_t>{moon_only.id, both.id, pub.id}));
  PublicQuery all = tag;
  all.all_tags = {moon_id, moon_id};
  EXPECT_EQ(f.Public(all), std::vector<int64_t>{both.id});
  PublicQuery none = tag;
  none.none_tags = {moon_id};
  EXPECT_EQ(f.Public(none), std::vector<int64_t>{pub.id});
  tag.viewer_id = muter.id;
  EXPECT_TRUE(f.Public(tag).empty());
}

TEST_P(StoreConformanceTest, AccountStatusesApplyTheViewersSide) {
  TimelineFixture f(*store_, *db_, ids_);
  Account author = CreateAccount("acct_author");
  Account other = CreateAccount("acct_other");
  TagRef grid = f.Tag("grid");
  Post elsewhere = f.Publish(other.id);
  Post pub = f.Publish(author.id, Visibility::kPublic, {}, {grid});
  Post unlisted = f.Publish(author.id, Visibility::kUnlisted);
  Post priv = f.Publish(author.id, Visibility::kPrivate);
  Post archived = f.Publish(author.id);
  ASSERT_TRUE(store_->statuses().Archive(archived.id, author.id, NowUnixMs()).ok());
  Post reply = f.Publish(author.id, Visibility::kPublic, elsewhere.id);
  ASSERT_TRUE(store_->statuses().Pin(pub.id, author.id, 3, NowUnixMs()).ok());
  ASSERT_TRUE(store_->statuses().Pin(priv.id, author.id, 3, NowUnixMs() + 1).ok());

  AccountStatusesQuery q;
  q.account_id = author.id;
  EXPECT_EQ(f.OfAccount(q), (std::vector<int64_t>{reply.id, unlisted.id, pub.id}));
  q.include_private = true;
  EXPECT_EQ(f.OfAccount(q), (std::vector<int64_t>{reply.id, priv.id, unlisted.id, pub.id}));
  q.include_archived = true;
  EXPECT_EQ(f.OfAccount(q), (std::vector<int64_t>{reply.id, archived.id, priv.id, unlisted.id, pub.id}));
  EXPECT_EQ(f.OfAccount(q, Page(2, priv.id)), (std::vector<int64_t>{unlisted.id, pub.id}));
  EXPECT_EQ(f.OfAccount(q, Page(2, std::numeric_limits<int64_t>::max(), unlisted.id, true)),
            (std::vector<int64_t>{archived.id, priv.id}));
  q.exclude_replies = true;
  EXPECT_EQ(f.OfAccount(q), (std::vector<int64_t>{archived.id, priv.id, unlisted.id, pub.id}));
  q.exclude_replies = false;
  auto tag = f.timelines().FindTag("grid");
  ASSERT_TRUE(tag.ok() && tag->has_value());
  q.tag_id = (*tag)->id;
  EXPECT_EQ(f.OfAccount(q), std::vector<int64_t>{pub.id});
  q.tag_id = 0;
  q.pinned = true;
  EXPECT_EQ(f.OfAccount(q), (std::vector<int64_t>{priv.id, pub.id}));
  q.include_private = false;
  EXPECT_EQ(f.OfAccount(q), std::vector<int64_t>{pub.id});
}

TEST_P(StoreConformanceTest, FindByIdsKeepsTheOrderGivenAndSkipsMissing) {
  TimelineFixture f(*store_, *db_, ids_);
  Account author = CreateAccount("batch_author");
  Account mentioned = CreateAccount("batch_mentioned");
  std::vector<int64_t> ids;
  for (int i = 0; i < 45; ++i) ids.push_back(f.Publish(author.id, Visibility::kPublic, {}, {f.Tag("t" + std::to_string(i % 3))}).id);
  Post p;
  p.id = ids_.Next();
  p.account_id = author.id;
  p.created_at = p.updated_at = NowUnixMs();
  ASSERT_TRUE(store_->statuses().Create(p, {mentioned.id}).ok());
  std::vector<int64_t> wanted = {ids[44], ids_.Next(), p.id, ids[0], ids[44]};
  for (int i = 1; i < 44; ++i) wanted.push_back(ids[i]);
  auto found = store_->statuses().FindByIds(wanted);
  ASSERT_TRUE(found.ok()) << Describe(found);
  ASSERT_EQ(found->size(), 46u);
  EXPECT_EQ((*found)[0].id, ids[44]);
  EXPECT_EQ((*found)[1].id, p.id);
  EXPECT_EQ((*found)[2].id, ids[0]);
  EXPECT_EQ((*found)[45].id, ids[43]);
  ASSERT_EQ((*found)[1].mentions.size(), 1u);
  EXPECT_EQ((*found)[1].mentions[0].username, "batch_mentioned");
  for (const Post& post : *found) {
    if (post.id == p.id) continue;
    ASSERT_EQ(post.tags.size(), 1u) << post.id;
    auto single = store_->statuses().FindById(post.id);
    ASSERT_TRUE(single.ok() && single->has_value());
    EXPECT_EQ((**single).tags[0].id, post.tags[0].id);
  }
}

TEST_P(StoreConformanceTest, RenderPageReadsStatusesTheViewersMarksAndParents) {
  TimelineFixture f(*store_, *db_, ids_);
  Account author = CreateAccount("facts_author");
  Account viewer = CreateAccount("facts_viewer");
  Account blocker = CreateAccount("facts_blocker");
  Post priv = f.Publish(author.id, Visibility::kPrivate, {}, {f.Tag("facts")});
  Post pub = f.Publish(author.id);
  Post reply1 = f.Publish(viewer.id, Visibility::kPublic, priv.id);
  Post reply2 = f.Publish(viewer.id, Visibility::kPublic, pub.id);
  f.Exec(kInsertFavourite, {ids_.Next(), viewer.id, pub.id, NowUnixMs()});
  f.Exec(kInsertBookmark, {ids_.Next(), viewer.id, reply1.id, NowUnixMs()});
  f.Exec(kInsertFavourite, {ids_.Next(), blocker.id, priv.id, NowUnixMs()});

  auto page = f.timelines().LoadRenderPage({pub.id, ids_.Next(), reply1.id, reply2.id, priv.id, pub.id}, viewer.id);
  ASSERT_TRUE(page.ok()) << Describe(page);
  std::vector<int64_t> order;
  for (const Post& p : page->posts) order.push_back(p.id);
  EXPECT_EQ(order, (std::vector<int64_t>{pub.id, reply1.id, reply2.id, priv.id}));
  EXPECT_EQ(page->detailed, std::vector<bool>(4, true));
  EXPECT_EQ(page->media_versions, std::vector<int64_t>(4, 0));
  ASSERT_EQ(page->posts[3].tags.size(), 1u);
  EXPECT_EQ(page->posts[3].tags[0].name, "facts");
  EXPECT_EQ(page->posts[1].in_reply_to_id, priv.id);
  std::vector<int64_t> authors;
  for (const Account& a : page->authors) authors.push_back(a.id);
  std::sort(authors.begin(), authors.end());
  std::vector<int64_t> expected_authors = {author.id, viewer.id};
  std::sort(expected_authors.begin(), expected_authors.end());
  EXPECT_EQ(authors, expected_authors);
  EXPECT_EQ(page->favourited, std::vector<int64_t>{pub.id});
  EXPECT_EQ(page->bookmarked, std::vector<int64_t>{reply1.id});
  ASSERT_EQ(page->parents.size(), 2u);
  for (const auto& parent : page->parents) {
    EXPECT_EQ(parent.post.account_id, author.id);
    EXPECT_FALSE(parent.relation.following);
    EXPECT_EQ(parent.post.visibility, parent.post.id == priv.id ? Visibility::kPrivate : Visibility::kPublic);
  }

  EXPECT_EQ(page->author_detailed, std::vector<bool>(2, true));
  for (const Account& a : page->authors) EXPECT_FALSE(a.username.empty());

  // Only the statuses picked get their details, only the authors picked
  // their whole rows; the others carry their state.
  page = f.timelines().LoadRenderPage(
      {priv.id, pub.id, reply2.id}, viewer.id, [&](const Post& p, int64_t) { return p.id == pub.id; },
      [&](const Account& state) {
        EXPECT_GT(state.updated_at, 0);
        return state.id == viewer.id;
      });
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->detailed, (std::vector<bool>{false, true, false}));
  EXPECT_TRUE(page->posts[0].tags.empty());
  ASSERT_EQ(page->authors.size(), 2u);
  for (size_t i = 0; i < page->authors.size(); ++i) {
    const Account& a = page->authors[i];
    EXPECT_EQ(page->author_detailed[i], a.id == viewer.id);
    EXPECT_EQ(a.username.empty(), a.id != viewer.id);
    if (a.id == author.id) EXPECT_EQ(a.statuses_count, author.statuses_count + 2);
  }

  f.Follow(viewer.id, author.id);
  ASSERT_TRUE(store_->graph().Block(author.id, blocker.id, ids_.Next(), NowUnixMs()).ok());
  page = f.timelines().LoadRenderPage({reply1.id}, viewer.id);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->parents.size(), 1u);
  EXPECT_TRUE(page->parents[0].relation.following);
  page = f.timelines().LoadRenderPage({reply1.id}, blocker.id);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->parents[0].relation.blocked_by);
  EXPECT_TRUE(page->favourited.empty());
  // Signed out: no marks at all.
  page = f.timelines().LoadRenderPage({pub.id}, 0);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->favourited.empty());
}

TEST_P(StoreConformanceTest, TrendingCountsRecentFavouritesOfPublicPosts) {
  TimelineFixture f(*store_, *db_, ids_);
  Account author = CreateAccount("trend_author");
  std::vector<Account> fans;
  for (int i = 0; i < 3; ++i) fans.push_back(CreateAccount("trend_fan" + std::to_string(i)));
  Post one = f.Publish(author.id);
  Post three = f.Publish(author.id);
  Post unlisted = f.Publish(author.id, Visibility::kUnlisted);
  int64_t now = NowUnixMs();
  for (const Account& fan : fans) {
    f.Exec(kInsertFavourite, {ids_.Next(), fan.id, three.id, now});
    f.Exec(kInsertFavourite, {ids_.Next(), fan.id, unlisted.id, now});
  }
  f.Exec(kInsertFavourite, {ids_.Next(), fans[0].id, one.id, now});
  auto ranked = f.timelines().Trending(now - 60'000, 10);
  ASSERT_TRUE(ranked.ok()) << Describe(ranked);
  EXPECT_EQ(*ranked, (std::vector<int64_t>{three.id, one.id}));
  ranked = f.timelines().Trending(now + 60'000, 10);
  ASSERT_TRUE(ranked.ok());
  EXPECT_TRUE(ranked->empty());
}

TEST_P(StoreConformanceTest, SearchFindsAccountsAndTagsByPrefix) {
  TimelineFixture f(*store_, *db_, ids_);
  Account viewer = CreateAccount("searcher");
  Account museum = CreateAccount("museum_x");
  Account exact = CreateAccount("museum");
  Account blocked = CreateAccount("museum_blocked");
  ASSERT_TRUE(store_->graph().Block(viewer.id, blocked.id, ids_.Next(), NowUnixMs()).ok());
  auto found = f.timelines().SearchAccounts("MUSEUM", viewer.id, 10, 0);
  ASSERT_TRUE(found.ok()) << Describe(found);
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].id, exact.id);
  EXPECT_EQ((*found)[1].id, museum.id);
  found = f.timelines().SearchAccounts("display museum", viewer.id, 10, 1);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 1u);

  f.Publish(viewer.id, Visibility::kPublic, {}, {f.Tag("café"), f.Tag("cafés"), f.Tag("tea")});
  auto tags = f.timelines().SearchTags("caf", 0, 10, 0);
  ASSERT_TRUE(tags.ok()) << Describe(tags);
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ((*tags)[0].name, "café");
  EXPECT_EQ((*tags)[1].name, "cafés");
  tags = f.timelines().SearchTags("café", 0, 10, 1);
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->size(), 1u);
  EXPECT_EQ((*tags)[0].name, "cafés");
}

// Regression: hashtags of non-public content leaked. A tag used only in a
// followers-only post was listed by search and found by name for anyone.
TEST_P(StoreConformanceTest, ATagIsKnownOnlyThroughAStatusTheViewerMaySee) {
  TimelineFixture f(*store_, *db_, ids_);
  Account author = CreateAccount("secret_author");
  Account follower = CreateAccount("secret_follower");
  Account stranger = CreateAccount("secret_stranger");
  f.Follow(follower.id, author.id);
  f.Publish(author.id, Visibility::kPrivate, {}, {f.Tag("operationnightjar")});
  f.Publish(author.id, Visibility::kPublic, {}, {f.Tag("operationpublic")});

  auto found = [&](int64_t viewer) {
    auto tag = f.timelines().FindVisibleTag("operationnightjar", viewer);
    EXPECT_TRUE(tag.ok()) << Describe(tag);
    return tag.ok() && tag->has_value();
  };
  auto listed = [&](int64_t viewer) {
    auto tags = f.timelines().SearchTags("operation", viewer, 10, 0);
    EXPECT_TRUE(tags.ok()) << Describe(tags);
    std::vector<std::string> names;
    for (const TagHit& tag : *tags) names.push_back(tag.name);
    return names;
  };
  EXPECT_FALSE(found(0));
  EXPECT_FALSE(found(stranger.id));
  EXPECT_TRUE(found(follower.id));
  EXPECT_TRUE(found(author.id));
  EXPECT_EQ(listed(0), std::vector<std::string>{"operationpublic"});
  EXPECT_EQ(listed(stranger.id), std::vector<std::string>{"operationpublic"});
  EXPECT_EQ(listed(follower.id), (std::vector<std::string>{"operationpublic", "operationnightjar"}));
  // Filtering by a tag still finds it (the statuses are filtered instead).
  EXPECT_TRUE(f.timelines().FindTag("operationnightjar")->has_value());
}

}  // namespace
}  // namespace vantage::store::testing
