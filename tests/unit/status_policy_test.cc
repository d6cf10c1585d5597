// Who may see a status (service::CanSeeStatus), as a permission matrix:
// visibility x archived x viewer.
#include <gtest/gtest.h>

#include "service/statuses.h"

namespace vantage::service {
namespace {

constexpr int64_t kAuthor = 1;
constexpr int64_t kOther = 2;

TEST(StatusPolicy, VisibilityByViewer) {
  struct Case {
    store::Visibility visibility;
    bool archived;
    bool anonymous, other, author;
  };
  const Case cases[] = {
      {store::Visibility::kPublic, false, true, true, true},
      {store::Visibility::kUnlisted, false, true, true, true},
      {store::Visibility::kPrivate, false, false, false, true},
      {store::Visibility::kPublic, true, false, false, true},
      {store::Visibility::kUnlisted, true, false, false, true},
      {store::Visibility::kPrivate, true, false, false, true},
  };
  for (const Case& c : cases) {
    store::Post post;
    post.account_id = kAuthor;
    post.visibility = c.visibility;
    if (c.archived) post.archived_at = 1700000000000;
    std::string what = std::string(store::VisibilityName(c.visibility)) + (c.archived ? " archived" : "");
    EXPECT_EQ(CanSeeStatus(post, std::nullopt), c.anonymous) << what << " / anonymous";
    EXPECT_EQ(CanSeeStatus(post, kOther), c.other) << what << " / other user";
    EXPECT_EQ(CanSeeStatus(post, kAuthor), c.author) << what << " / author";
  }
}

}  // namespace
}  // namespace vantage::service
