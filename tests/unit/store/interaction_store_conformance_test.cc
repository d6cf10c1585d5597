// The InteractionStore contract (store/interaction_store.h) on every backend
// that instantiates StoreConformanceTest.
#include <algorithm>
#include <thread>
#include <vector>

#include "store/interaction_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

class Interactions {
 public:
  static Post NewPost(IdGenerator& ids, int64_t account_id, std::optional<int64_t> reply_to = {},
                      std::optional<int64_t> reply_to_account = {}) {
    Post p;
    p.id = ids.Next();
    p.account_id = account_id;
    p.text = "text";
    p.content = "<p>text</p>";
    p.in_reply_to_id = reply_to;
    p.in_reply_to_account_id = reply_to_account;
    p.created_at = p.updated_at = 1700000000000;
    return p;
  }
  static Mark NewMark(IdGenerator& ids, int64_t account_id, int64_t status_id) {
    return Mark{ids.Next(), account_id, status_id, 1700000000000};
  }
};

// Relation rows written directly: the graph's own use cases are tested elsewhere.
Status Relate(Database& db, const char* table, int64_t id, int64_t from, int64_t to) {
  static constexpr Statement kFollow{"test_insert_follow",
                                     "INSERT INTO follows (id, account_id, target_account_id, created_at) "
                                     "VALUES (?, ?, ?, 0)"};
  static constexpr Statement kBlock{"test_insert_block",
                                    "INSERT INTO blocks (id, account_id, target_account_id, created_at) "
                                    "VALUES (?, ?, ?, 0)"};
  static constexpr Statement kMute{"test_insert_mute",
                                   "INSERT INTO mutes (id, account_id, target_account_id, created_at) "
                                   "VALUES (?, ?, ?, 0)"};
  const Statement& st = std::string_view(table) == "follows" ? kFollow
                        : std::string_view(table) == "blocks" ? kBlock
                                                              : kMute;
  return db.Write([&](Connection& conn) -> Status {
    auto n = conn.Exec(st, {id, from, to});
    if (!n) return std::move(n).error();
    return Ok();
  });
}

std::vector<int64_t> StatusIds(const std::vector<Mark>& marks) {
  std::vector<int64_t> out;
  for (const Mark& m : marks) out.push_back(m.status_id);
  return out;
}

std::vector<int64_t> EntryIds(const std::vector<ThreadEntry>& entries) {
  std::vector<int64_t> out;
  for (const ThreadEntry& e : entries) out.push_back(e.id);
  return out;
}

TEST_P(StoreConformanceTest, FavouriteCountsOnceAndUnfavouriteUncountsOnce) {
  Account author = CreateAccount("fav_author");
  Account fan = CreateAccount("fav_fan");
  Post post = Interactions::NewPost(ids_, author.id);
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  int hooks = 0;
  auto hook = [&](Connection&) -> Status {
    ++hooks;
    return Ok();
  };
  auto first = store_->interactions().Favourite(Interactions::NewMark(ids_, fan.id, post.id), hook);
  ASSERT_TRUE(first.ok()) << Describe(first);
  EXPECT_TRUE(*first);
  auto again = store_->interactions().Favourite(Interactions::NewMark(ids_, fan.id, post.id), hook);
  ASSERT_TRUE(again.ok()) << Describe(again);
  EXPECT_FALSE(*again);
  EXPECT_EQ(hooks, 1);
  EXPECT_EQ((*store_->statuses().FindById(post.id))->favourites_count, 1);
  EXPECT_TRUE(*store_->interactions().HasFavourited(fan.id, post.id));
  EXPECT_FALSE(*store_->interactions().HasFavourited(author.id, post.id));

  EXPECT_TRUE(*store_->interactions().Unfavourite(fan.id, post.id));
  EXPECT_FALSE(*store_->interactions().Unfavourite(fan.id, post.id));
  EXPECT_EQ((*store_->statuses().FindById(post.id))->favourites_count, 0);
  EXPECT_FALSE(*store_->interactions().HasFavourited(fan.id, post.id));
}

TEST_P(StoreConformanceTest, FavouriteHookErrorRollsTheFavouriteBack) {
  Account author = CreateAccount("hook_author");
  Post post = Interactions::NewPost(ids_, author.id);
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  auto failed = store_->interactions().Favourite(Interactions::NewMark(ids_, author.id, post.id),
                                                 [](Connection&) -> Status { return Error::Internal("no"); });
  ASSERT_FALSE(failed.ok());
  EXPECT_FALSE(*store_->interactions().HasFavourited(author.id, post.id));
  EXPECT_EQ((*store_->statuses().FindById(post.id))->favourites_count, 0);
}

TEST_P(StoreConformanceTest, MarkingAMissingStatusIsNotFound) {
  Account fan = CreateAccount("missing_fan");
  auto fav = store_->interactions().Favourite(Interactions::NewMark(ids_, fan.id, ids_.Next()));
  ASSERT_FALSE(fav.ok());
  EXPECT_EQ(fav.error().kind, ErrorKind::kNotFound);
  auto bookmark = store_->interactions().Bookmark(Interactions::NewMark(ids_, fan.id, ids_.Next()));
  ASSERT_FALSE(bookmark.ok());
  EXPECT_EQ(bookmark.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(*store_->interactions().Unfavourite(fan.id, ids_.Next()));
  EXPECT_FALSE(*store_->interactions().Unbookmark(fan.id, ids_.Next()));
}

TEST_P(StoreConformanceTest, ConcurrentFavouritesKeepTheCountExact) {
  Account author = CreateAccount("busy_author");
  Post post = Interactions::NewPost(ids_, author.id);
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  constexpr int kFans = 8;
  std::vector<Account> fans;
  for (int i = 0; i < kFans; ++i) fans.push_back(CreateAccount("busy_fan_" + std::to_string(i)));
  // Every fan likes three times and unlikes the odd ones once, all at once.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kFans; ++i) {
    for (int round = 0; round < 3; ++round) {
      threads.emplace_back([&, i] {
        auto r = store_->interactions().Favourite(Mark{ids_.Next(), fans[i].id, post.id, 1});
        if (!r.ok()) failures++;
      });
    }
  }
  for (auto& t : threads) t.join();
  threads.clear();
  for (int i = 1; i < kFans; i += 2) {
    for (int round = 0; round < 2; ++round) {
      threads.emplace_back([&, i] {
        if (!store_->interactions().Unfavourite(fans[i].id, post.id).ok()) failures++;
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*store_->statuses().FindById(post.id))->favourites_count, kFans / 2);
}

TEST_P(StoreConformanceTest, OwnFavouritesPageNewestFirstAndSkipStatusesNoLongerVisible) {
  Account me = CreateAccount("lister");
  Account open = CreateAccount("open_author");
  Account closed = CreateAccount("closed_author");
  Account blocker = CreateAccount("blocker_author");
  std::vector<int64_t> visible;
  for (int i = 0; i < 5; ++i) {
    Post p = Interactions::NewPost(ids_, open.id);
    ASSERT_TRUE(store_->statuses().Create(p, {}).ok());
    ASSERT_TRUE(store_->interactions().Favourite(Interactions::NewMark(ids_, me.id, p.id)).ok());
    ASSERT_TRUE(store_->interactions().Bookmark(Interactions::NewMark(ids_, me.id, p.id)).ok());
    visible.insert(visible.begin(), p.id);
  }
  Post hidden_private = Interactions::NewPost(ids_, closed.id);
  hidden_private.visibility = Visibility::kPrivate;
  Post hidden_archived = Interactions::NewPost(ids_, open.id);
  Post hidden_blocked = Interactions::NewPost(ids_, blocker.id);
  for (Post* p : {&hidden_private, &hidden_archived, &hidden_blocked}) {
    ASSERT_TRUE(store_->statuses().Create(*p, {}).ok());
    ASSERT_TRUE(store_->interactions().Favourite(Interactions::NewMark(ids_, me.id, p->id)).ok());
  }
  ASSERT_TRUE(store_->statuses().Archive(hidden_archived.id, open.id, 5).ok());
  ASSERT_TRUE(Relate(*db_, "blocks", ids_.Next(), blocker.id, me.id).ok());

  PageQuery page;
  page.limit = 3;
  auto first = store_->interactions().Favourites(me.id, page);
  ASSERT_TRUE(first.ok()) << Describe(first);
  EXPECT_EQ(StatusIds(*first), std::vector<int64_t>(visible.begin(), visible.begin() + 3));
  page.below = first->back().id;
  auto second = store_->interactions().Favourites(me.id, page);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(StatusIds(*second), std::vector<int64_t>(visible.begin() + 3, visible.end()));

  // min_id: the marks just above the cursor, still newest first.
  PageQuery up;
  up.above = second->back().id;
  up.from_above = true;
  up.limit = 2;
  auto above = store_->interactions().Favourites(me.id, up);
  ASSERT_TRUE(above.ok());
  EXPECT_EQ(StatusIds(*above), std::vector<int64_t>({visible[2], visible[3]}));

  // A private post becomes visible with a follow.
  ASSERT_TRUE(Relate(*db_, "follows", ids_.Next(), me.id, closed.id).ok());
  auto all = store_->interactions().Favourites(me.id, PageQuery{});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 6u);
  EXPECT_EQ(all->front().status_id, hidden_private.id);

  auto bookmarks = store_->interactions().Bookmarks(me.id, PageQuery{});
  ASSERT_TRUE(bookmarks.ok());
  EXPECT_EQ(StatusIds(*bookmarks), visible);
  EXPECT_TRUE(*store_->interactions().Unbookmark(me.id, visible[0]));
  EXPECT_EQ(store_->interactions().Bookmarks(me.id, PageQuery{})->size(), 4u);
}

TEST_P(StoreConformanceTest, FavouritedByLeavesOutBlocksEitherWay) {
  Account author = CreateAccount("liked_author");
  Account viewer = CreateAccount("liked_viewer");
  Account a = CreateAccount("liker_a");
  Account blocked = CreateAccount("liker_blocked");
  Account blocking = CreateAccount("liker_blocking");
  Post post = Interactions::NewPost(ids_, author.id);
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  for (const Account* fan : {&a, &blocked, &blocking, &viewer})
    ASSERT_TRUE(store_->interactions().Favourite(Interactions::NewMark(ids_, fan->id, post.id)).ok());
  ASSERT_TRUE(Relate(*db_, "blocks", ids_.Next(), viewer.id, blocked.id).ok());
  ASSERT_TRUE(Relate(*db_, "blocks", ids_.Next(), blocking.id, viewer.id).ok());

  auto seen = store_->interactions().FavouritedBy(post.id, viewer.id, PageQuery{});
  ASSERT_TRUE(seen.ok()) << Describe(seen);
  std::vector<int64_t> accounts;
  for (const Mark& m : *seen) accounts.push_back(m.account_id);
  EXPECT_EQ(accounts, std::vector<int64_t>({viewer.id, a.id}));

  auto anonymous = store_->interactions().FavouritedBy(post.id, 0, PageQuery{});
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->size(), 4u);
  PageQuery page;
  page.limit = 2;
  page.below = (*anonymous)[1].id;
  auto next = store_->interactions().FavouritedBy(post.id, 0, page);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ((*next)[0].account_id, blocked.id);
  EXPECT_EQ((*next)[1].account_id, a.id);
}

TEST_P(StoreConformanceTest, ThreadsWalkUpAndDownUnderThePolicy) {
  Account op = CreateAccount("thread_op");
  Account viewer = CreateAccount("thread_viewer");
  Account closed = CreateAccount("thread_closed");
  Account muted = CreateAccount("thread_muted");
  Account blocker = CreateAccount("thread_blocker");
  auto post = [&](const Account& who, std::optional<int64_t> parent, Visibility v = Visibility::kPublic) {
    std::optional<int64_t> parent_account;
    if (parent) parent_account = (*store_->statuses().FindById(*parent))->account_id;
    Post p = Interactions::NewPost(ids_, who.id, parent, parent_account);
    p.visibility = v;
    EXPECT_TRUE(store_->statuses().Create(p, {}).ok());
    return p.id;
  };
  // root
  //  ├ c1 (op)
  //  │  ├ c1a (viewer)
  //  │  │  └ c1a1 (op)
  //  │  └ c1b (closed, private) ── c1b1 (viewer): hidden with its parent
  //  ├ c2 (muted) ── c2a (op): hidden with its parent
  //  ├ c3 (blocker) : hidden
  //  └ c4 (viewer)
  int64_t root = post(op, {});
  int64_t c1 = post(op, root);
  int64_t c1a = post(viewer, c1);
  int64_t c1b = post(closed, c1, Visibility::kPrivate);
  int64_t c2 = post(muted, root);
  int64_t c3 = post(blocker, root);
  int64_t c4 = post(viewer, root);
  int64_t c1a1 = post(op, c1a);
  int64_t c1b1 = post(viewer, c1b);
  int64_t c2a = post(op, c2);
  ASSERT_TRUE(Relate(*db_, "mutes", ids_.Next(), viewer.id, muted.id).ok());
  ASSERT_TRUE(Relate(*db_, "blocks", ids_.Next(), blocker.id, viewer.id).ok());

  auto down = store_->interactions().Descendants(root, viewer.id, 100);
  ASSERT_TRUE(down.ok()) << Describe(down);
  EXPECT_EQ(EntryIds(*down), std::vector<int64_t>({c1, c1a, c1a1, c4}));
  EXPECT_EQ((*down)[2].in_reply_to_id, c1a);

  auto anonymous = store_->interactions().Descendants(root, 0, 100);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(EntryIds(*anonymous), std::vector<int64_t>({c1, c1a, c1a1, c2, c2a, c3, c4}));

  // The private comment shows to its author's followers, with its reply.
  ASSERT_TRUE(Relate(*db_, "follows", ids_.Next(), viewer.id, closed.id).ok());
  auto followed = store_->interactions().Descendants(root, viewer.id, 100);
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(EntryIds(*followed), std::vector<int64_t>({c1, c1a, c1a1, c1b, c1b1, c4}));

  // A limit keeps upper levels whole.
  auto limited = store_->interactions().Descendants(root, 0, 4);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(EntryIds(*limited), std::vector<int64_t>({c1, c2, c3, c4}));

  auto up = store_->interactions().Ancestors(c1b1, viewer.id, 40);
  ASSERT_TRUE(up.ok()) << Describe(up);
  EXPECT_EQ(EntryIds(*up), std::vector<int64_t>({c1b, c1, root}));
  auto up_anonymous = store_->interactions().Ancestors(c1b1, 0, 40);
  ASSERT_TRUE(up_anonymous.ok());
  EXPECT_EQ(EntryIds(*up_anonymous), std::vector<int64_t>({c1, root}));  // the private link is skipped
  auto up_short = store_->interactions().Ancestors(c1b1, 0, 2);
  ASSERT_TRUE(up_short.ok());
  EXPECT_EQ(EntryIds(*up_short), std::vector<int64_t>({c1}));
  EXPECT_TRUE(store_->interactions().Ancestors(root, 0, 40)->empty());
  EXPECT_TRUE(store_->interactions().Descendants(c4, 0, 40)->empty());
}

}  // namespace
}  // namespace vantage::store::testing
