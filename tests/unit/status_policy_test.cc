// Who may see a status (service::CanSeeStatus), as a permission matrix:
// visibility x archived x viewer. The same rules over HTTP, surface by
// surface, are in tests/api/privacy.test.mjs.
#include <gtest/gtest.h>

#include "service/policy.h"

namespace vantage::service {
namespace {

constexpr int64_t kAuthor = 1;
constexpr int64_t kOther = 2;

store::Relation Follower() { return store::Relation{.following = true}; }
store::Relation Requester() { return store::Relation{.requested = true}; }
store::Relation Blocked() { return store::Relation{.following = true, .blocked_by = true}; }
store::Relation Blocking() { return store::Relation{.following = true, .blocking = true}; }
store::Relation Muting() { return store::Relation{.following = true, .muting = true}; }

TEST(StatusPolicy, VisibilityByViewer) {
  struct Case {
    store::Visibility visibility;
    bool archived;
    bool anonymous, stranger, follower, requester, blocked, blocking, muting, author;
  };
  using V = store::Visibility;
  const Case cases[] = {
      {V::kPublic, false, true, true, true, true, false, false, true, true},
      {V::kUnlisted, false, true, true, true, true, false, false, true, true},
      {V::kPrivate, false, false, false, true, false, false, false, true, true},
      {V::kPublic, true, false, false, false, false, false, false, false, true},
      {V::kUnlisted, true, false, false, false, false, false, false, false, true},
      {V::kPrivate, true, false, false, false, false, false, false, false, true},
  };
  for (const Case& c : cases) {
    store::Post post;
    post.account_id = kAuthor;
    post.visibility = c.visibility;
    if (c.archived) post.archived_at = 1700000000000;
    std::string what = std::string(store::VisibilityName(c.visibility)) + (c.archived ? " archived" : "");
    EXPECT_EQ(CanSeeStatus(post, std::nullopt, {}), c.anonymous) << what << " / anonymous";
    EXPECT_EQ(CanSeeStatus(post, kOther, {}), c.stranger) << what << " / stranger";
    EXPECT_EQ(CanSeeStatus(post, kOther, Follower()), c.follower) << what << " / follower";
    EXPECT_EQ(CanSeeStatus(post, kOther, Requester()), c.requester) << what << " / pending requester";
    EXPECT_EQ(CanSeeStatus(post, kOther, Blocked()), c.blocked) << what << " / blocked by the author";
    EXPECT_EQ(CanSeeStatus(post, kOther, Blocking()), c.blocking) << what << " / blocking the author";
    EXPECT_EQ(CanSeeStatus(post, kOther, Muting()), c.muting) << what << " / muting the author";
    EXPECT_EQ(CanSeeStatus(post, kAuthor, store::Relation{.self = true}), c.author) << what << " / author";
  }
}

// A followers-only comment is also seen by the account it answers, and a
// followers-only status by the accounts it mentions; a block still wins.
TEST(StatusPolicy, PrivateReachesTheAnsweredAndTheMentioned) {
  store::Post comment;
  comment.account_id = kAuthor;
  comment.visibility = store::Visibility::kPrivate;
  comment.in_reply_to_account_id = kOther;
  EXPECT_TRUE(CanSeeStatus(comment, kOther, {}));
  EXPECT_FALSE(CanSeeStatus(comment, kOther, Blocked()));
  EXPECT_FALSE(CanSeeStatus(comment, int64_t{3}, {}));
  store::Post post;
  post.account_id = kAuthor;
  post.visibility = store::Visibility::kPrivate;
  post.mentions = {store::MentionRef{kOther, "other"}};
  EXPECT_TRUE(CanSeeStatus(post, kOther, {}));
  EXPECT_FALSE(CanSeeStatus(post, kOther, Blocking()));
  EXPECT_FALSE(CanSeeStatus(post, std::nullopt, {}));
  EXPECT_FALSE(CanSeeStatus(post, int64_t{3}, {}));
}

// Signed out, a relation (which cannot exist) changes nothing.
// Held and hidden comments (docs/organisations.md, "Comment controls") are
// their writer's alone: not the post's author's (who reviews held ones in a
// list of their own), not a follower's, not even on a public post.
TEST(StatusPolicy, HeldAndHiddenCommentsAreTheirWritersAlone) {
  constexpr int64_t kPostAuthor = 3;
  for (store::CommentState state : {store::CommentState::kHeld, store::CommentState::kHidden}) {
    store::Post comment;
    comment.account_id = kAuthor;
    comment.is_comment = true;
    comment.in_reply_to_account_id = kPostAuthor;
    comment.visibility = store::Visibility::kPublic;
    comment.comment_state = state;
    SCOPED_TRACE(state == store::CommentState::kHeld ? "held" : "hidden");
    EXPECT_TRUE(CanSeeStatus(comment, kAuthor, store::Relation{.self = true}));
    EXPECT_FALSE(CanSeeStatus(comment, kPostAuthor, store::Relation{.following = true}));
    EXPECT_FALSE(CanSeeStatus(comment, kOther, Follower()));
    EXPECT_FALSE(CanSeeStatus(comment, std::nullopt, store::Relation{}));
    comment.comment_state = store::CommentState::kShown;
    EXPECT_TRUE(CanSeeStatus(comment, kPostAuthor, store::Relation{}));
    EXPECT_TRUE(CanSeeStatus(comment, std::nullopt, store::Relation{}));
  }
}

TEST(StatusPolicy, AnonymousIgnoresRelation) {
  store::Post post;
  post.account_id = kAuthor;
  post.visibility = store::Visibility::kPrivate;
  EXPECT_FALSE(CanSeeStatus(post, std::nullopt, Follower()));
}

}  // namespace
}  // namespace vantage::service
