// The StatusStore contract (store/status_store.h) on every backend that
// instantiates StoreConformanceTest.
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "store_backend.h"

namespace vantage::store::testing {
namespace {

Post NewPost(IdGenerator& ids, int64_t account_id, const std::string& text) {
  Post p;
  p.id = ids.Next();
  p.account_id = account_id;
  p.text = text;
  p.content = "<p>" + text + "</p>";
  p.created_at = p.updated_at = 1700000000000;
  return p;
}

TagRef Tag(IdGenerator& ids, const std::string& name, const std::string& key) {
  return TagRef{ids.Next(), name, key};
}

TEST_P(StoreConformanceTest, StatusRoundTripsEveryField) {
  Account author = CreateAccount("author");
  Account other = CreateAccount("other");
  App app = CreateApp("status-app");
  Post p = NewPost(ids_, author.id, "Hello 🚓 «world» 'q' \"d\"");
  p.visibility = Visibility::kUnlisted;
  p.sensitive = true;
  p.spoiler_text = "cw";
  p.language = "de";
  p.application_id = app.id;
  p.idempotency_key = "key-1";
  p.tags = {Tag(ids_, "Museum", "museum"), Tag(ids_, "Archiv", "archiv")};
  auto created = store_->statuses().Create(p, {other.id});
  ASSERT_TRUE(created.ok()) << Describe(created);
  EXPECT_FALSE(created->replayed);

  auto found = store_->statuses().FindById(p.id);
  ASSERT_TRUE(found.ok()) << Describe(found);
  ASSERT_TRUE(found->has_value());
  const Post& f = **found;
  EXPECT_EQ(f.account_id, author.id);
  EXPECT_EQ(f.text, p.text);
  EXPECT_EQ(f.content, p.content);
  EXPECT_EQ(f.visibility, Visibility::kUnlisted);
  EXPECT_TRUE(f.sensitive);
  EXPECT_EQ(f.spoiler_text, "cw");
  EXPECT_EQ(f.language, "de");
  EXPECT_EQ(f.application_id, app.id);
  EXPECT_EQ(f.application_name, app.name);
  EXPECT_EQ(f.application_website, app.website);
  EXPECT_EQ(f.idempotency_key, "key-1");
  EXPECT_FALSE(f.in_reply_to_id);
  EXPECT_FALSE(f.pinned_at);
  EXPECT_FALSE(f.archived_at);
  EXPECT_FALSE(f.edited_at);
  EXPECT_EQ(f.created_at, p.created_at);
  ASSERT_EQ(f.tags.size(), 2u);
  EXPECT_EQ(f.tags[0].name, "Museum");  // order of first appearance
  EXPECT_EQ(f.tags[1].name, "Archiv");
  ASSERT_EQ(f.mentions.size(), 1u);
  EXPECT_EQ(f.mentions[0].account_id, other.id);
  EXPECT_EQ(f.mentions[0].username, "other");

  auto none = store_->statuses().FindById(ids_.Next());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(StoreConformanceTest, StatusCountersMoveWithRowsAndReplies) {
  Account author = CreateAccount("poster");
  Account commenter = CreateAccount("commenter");
  Post post = NewPost(ids_, author.id, "post");
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  Post reply = NewPost(ids_, commenter.id, "nice");
  reply.in_reply_to_id = post.id;
  reply.in_reply_to_account_id = author.id;
  ASSERT_TRUE(store_->statuses().Create(reply, {}).ok());

  EXPECT_EQ((*store_->accounts().FindById(author.id))->statuses_count, 1);
  EXPECT_EQ((*store_->accounts().FindById(commenter.id))->statuses_count, 1);
  EXPECT_EQ((*store_->statuses().FindById(post.id))->replies_count, 1);

  auto deleted = store_->statuses().Delete(reply.id, commenter.id);
  ASSERT_TRUE(deleted.ok()) << Describe(deleted);
  EXPECT_EQ(deleted->text, "nice");
  EXPECT_EQ((*store_->statuses().FindById(post.id))->replies_count, 0);
  EXPECT_EQ((*store_->accounts().FindById(commenter.id))->statuses_count, 0);
}

TEST_P(StoreConformanceTest, ReplyToAMissingStatusIsNotFoundAndWritesNothing) {
  Account author = CreateAccount("orphan");
  Post reply = NewPost(ids_, author.id, "hello?");
  reply.in_reply_to_id = ids_.Next();
  auto created = store_->statuses().Create(reply, {});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(store_->statuses().FindById(reply.id)->has_value());
  EXPECT_EQ((*store_->accounts().FindById(author.id))->statuses_count, 0);
}

TEST_P(StoreConformanceTest, DeletingAPostDetachesItsComments) {
  Account author = CreateAccount("parent");
  Post post = NewPost(ids_, author.id, "post");
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  Post reply = NewPost(ids_, author.id, "self reply");
  reply.in_reply_to_id = post.id;
  reply.in_reply_to_account_id = author.id;
  ASSERT_TRUE(store_->statuses().Create(reply, {}).ok());
  ASSERT_TRUE(store_->statuses().Delete(post.id, author.id).ok());
  auto left = store_->statuses().FindById(reply.id);
  ASSERT_TRUE(left.ok() && left->has_value());
  EXPECT_FALSE((*left)->in_reply_to_id);
  EXPECT_EQ((*left)->in_reply_to_account_id, author.id);
  EXPECT_EQ((*store_->accounts().FindById(author.id))->statuses_count, 1);
}

TEST_P(StoreConformanceTest, OnlyTheAuthorDeletesEditsPinsAndArchives) {
  Account author = CreateAccount("owner");
  Account other = CreateAccount("intruder");
  Post post = NewPost(ids_, author.id, "mine");
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  PostChange change;
  change.text = "hacked";
  change.original_edit_id = ids_.Next();
  change.edit_id = ids_.Next();
  change.now = 1700000001000;
  EXPECT_EQ(store_->statuses().Delete(post.id, other.id).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->statuses().Edit(post.id, other.id, change).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->statuses().Pin(post.id, other.id, 3, 1).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->statuses().Unpin(post.id, other.id).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->statuses().Archive(post.id, other.id, 1).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->statuses().Unarchive(post.id, other.id).error().kind, ErrorKind::kNotFound);
  auto still = store_->statuses().FindById(post.id);
  ASSERT_TRUE(still.ok() && still->has_value());
  EXPECT_EQ((*still)->text, "mine");
  EXPECT_FALSE((*still)->pinned_at);
  EXPECT_FALSE((*still)->archived_at);
  auto history = store_->statuses().History(post.id);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
}

TEST_P(StoreConformanceTest, IdempotencyKeyReturnsTheEarlierPostPerAccount) {
  Account a = CreateAccount("idem_a");
  Account b = CreateAccount("idem_b");
  Post first = NewPost(ids_, a.id, "first");
  first.idempotency_key = "same";
  ASSERT_TRUE(store_->statuses().Create(first, {}).ok());
  Post again = NewPost(ids_, a.id, "second");
  again.idempotency_key = "same";
  auto replay = store_->statuses().Create(again, {});
  ASSERT_TRUE(replay.ok()) << Describe(replay);
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->post.id, first.id);
  EXPECT_EQ(replay->post.text, "first");
  EXPECT_FALSE(store_->statuses().FindById(again.id)->has_value());
  EXPECT_EQ((*store_->accounts().FindById(a.id))->statuses_count, 1);

  Post others = NewPost(ids_, b.id, "b's");
  others.idempotency_key = "same";
  auto own = store_->statuses().Create(others, {});
  ASSERT_TRUE(own.ok());
  EXPECT_FALSE(own->replayed);
  auto by_key = store_->statuses().FindByIdempotencyKey(b.id, "same");
  ASSERT_TRUE(by_key.ok() && by_key->has_value());
  EXPECT_EQ((*by_key)->id, others.id);
}

TEST_P(StoreConformanceTest, TagsAreSharedByKeyAndKeepTheirFirstName) {
  Account a = CreateAccount("tagger");
  Post p1 = NewPost(ids_, a.id, "#Photo");
  p1.tags = {Tag(ids_, "Photo", "photo")};
  ASSERT_TRUE(store_->statuses().Create(p1, {}).ok());
  Post p2 = NewPost(ids_, a.id, "#PHOTO #photo");
  p2.tags = {Tag(ids_, "PHOTO", "photo")};
  ASSERT_TRUE(store_->statuses().Create(p2, {}).ok());
  auto f1 = *store_->statuses().FindById(p1.id);
  auto f2 = *store_->statuses().FindById(p2.id);
  ASSERT_EQ(f2->tags.size(), 1u);
  EXPECT_EQ(f2->tags[0].id, f1->tags[0].id);
  EXPECT_EQ(f2->tags[0].name, "Photo");
}

TEST_P(StoreConformanceTest, ConcurrentPostsCreateOneTag) {
  Account a = CreateAccount("racer");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      Post p = NewPost(ids_, a.id, "#race");
      p.tags = {Tag(ids_, "race", "race")};
      if (!store_->statuses().Create(p, {}).ok()) failures++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*store_->accounts().FindById(a.id))->statuses_count, 6);
}

TEST_P(StoreConformanceTest, EditKeepsTheOriginalAndEveryVersion) {
  Account a = CreateAccount("editor");
  Account m = CreateAccount("mentioned");
  Post p = NewPost(ids_, a.id, "v1 #old");
  p.tags = {Tag(ids_, "old", "old")};
  ASSERT_TRUE(store_->statuses().Create(p, {}).ok());
  for (int v = 2; v <= 3; ++v) {
    PostChange c;
    c.text = "v" + std::to_string(v) + " #new";
    c.content = "<p>" + c.text + "</p>";
    c.spoiler_text = "s" + std::to_string(v);
    c.sensitive = v == 3;
    c.tags = {Tag(ids_, "new", "new")};
    c.mention_account_ids = {m.id};
    c.original_edit_id = ids_.Next();
    c.edit_id = ids_.Next();
    c.now = 1700000000000 + v * 1000;
    auto edited = store_->statuses().Edit(p.id, a.id, c);
    ASSERT_TRUE(edited.ok()) << Describe(edited);
    EXPECT_EQ(edited->text, c.text);
    EXPECT_EQ(edited->edited_at, c.now);
    ASSERT_EQ(edited->tags.size(), 1u);
    EXPECT_EQ(edited->tags[0].name, "new");
    ASSERT_EQ(edited->mentions.size(), 1u);
    EXPECT_EQ(edited->mentions[0].username, "mentioned");
  }
  auto history = store_->statuses().History(p.id);
  ASSERT_TRUE(history.ok()) << Describe(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].text, "v1 #old");
  EXPECT_EQ((*history)[0].created_at, p.created_at);
  EXPECT_EQ((*history)[1].text, "v2 #new");
  EXPECT_EQ((*history)[2].text, "v3 #new");
  EXPECT_TRUE((*history)[2].sensitive);
  EXPECT_EQ((*history)[2].media_json, "[]");
}

TEST_P(StoreConformanceTest, AtMostThreePinsEvenWhenRacing) {
  Account a = CreateAccount("pinner");
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    Post p = NewPost(ids_, a.id, "p" + std::to_string(i));
    ASSERT_TRUE(store_->statuses().Create(p, {}).ok());
    ids.push_back(p.id);
  }
  std::atomic<int> pinned{0}, limited{0};
  std::vector<std::thread> threads;
  for (int64_t id : ids) {
    threads.emplace_back([&, id] {
      auto r = store_->statuses().Pin(id, a.id, 3, 1700000000000);
      if (r.ok()) pinned++;
      else if (r.error().code == "pin_limit") limited++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(pinned.load(), 3);
  EXPECT_EQ(limited.load(), 3);

  // Pinning a pinned post again is a no-op; unpinning frees a slot.
  int64_t some_pinned = 0, some_unpinned = 0;
  for (int64_t id : ids) {
    auto p = *store_->statuses().FindById(id);
    (p->pinned_at ? some_pinned : some_unpinned) = id;
  }
  EXPECT_TRUE(store_->statuses().Pin(some_pinned, a.id, 3, 1).ok());
  EXPECT_EQ(store_->statuses().Pin(some_unpinned, a.id, 3, 1).error().code, "pin_limit");
  auto unpinned = store_->statuses().Unpin(some_pinned, a.id);
  ASSERT_TRUE(unpinned.ok());
  EXPECT_FALSE(unpinned->pinned_at);
  EXPECT_TRUE(store_->statuses().Pin(some_unpinned, a.id, 3, 1).ok());
}

TEST_P(StoreConformanceTest, ArchiveAndUnarchive) {
  Account a = CreateAccount("archivist");
  Post p = NewPost(ids_, a.id, "old news");
  ASSERT_TRUE(store_->statuses().Create(p, {}).ok());
  auto archived = store_->statuses().Archive(p.id, a.id, 1700000005000);
  ASSERT_TRUE(archived.ok());
  EXPECT_EQ(archived->archived_at, 1700000005000);
  auto again = store_->statuses().Archive(p.id, a.id, 1700000009000);
  EXPECT_EQ(again->archived_at, 1700000005000);  // the first time stays
  auto restored = store_->statuses().Unarchive(p.id, a.id);
  ASSERT_TRUE(restored.ok());
  EXPECT_FALSE(restored->archived_at);
}

TEST_P(StoreConformanceTest, InTransactionFailureRollsTheStatusBack) {
  Account a = CreateAccount("rollback");
  Post p = NewPost(ids_, a.id, "never");
  p.tags = {Tag(ids_, "ghost", "ghost")};
  auto created = store_->statuses().Create(p, {}, [](Connection&, const Post&) -> vantage::Status {
    return Error::Invalid("media_ids", "nope", "media_not_found");
  });
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, "media_not_found");
  EXPECT_FALSE(store_->statuses().FindById(p.id)->has_value());
  EXPECT_EQ((*store_->accounts().FindById(a.id))->statuses_count, 0);
}

MediaAttachment NewMedia(IdGenerator& ids, int64_t account_id) {
  MediaAttachment m;
  m.id = ids.Next();
  m.account_id = account_id;
  m.created_at = m.updated_at = 1700000000000;
  return m;
}

TEST_P(StoreConformanceTest, PostsAttachOnlyOwnReadyUnattachedMediaNamingTheId) {
  Account a = CreateAccount("photographer");
  Account b = CreateAccount("thief");
  auto ready = [&](int64_t owner, const std::string& key) {
    MediaAttachment m = NewMedia(ids_, owner);
    EXPECT_TRUE(store_->media().Create(m).ok());
    std::vector<MediaFile> files = {{"large", "jpeg", key, 1080, 720, 100}};
    EXPECT_TRUE(store_->media().MarkReady(m.id, files, "LEHV6nWB2yk8", 4000, 3000, 1).ok());
    return m.id;
  };
  int64_t first = ready(a.id, "k1"), second = ready(a.id, "shared");
  int64_t foreign = ready(b.id, "k3");
  MediaAttachment processing = NewMedia(ids_, a.id);
  ASSERT_TRUE(store_->media().Create(processing).ok());

  auto attempt = [&](std::vector<int64_t> media) {
    Post p = NewPost(ids_, a.id, "carousel");
    p.media_ids = std::move(media);
    return store_->statuses().Create(p, {});
  };
  auto refused = attempt({first, foreign});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "media_not_found");
  EXPECT_EQ(refused.error().field, "media_ids");
  EXPECT_NE(refused.error().message.find(std::to_string(foreign)), std::string::npos);
  EXPECT_EQ(attempt({processing.id}).error().code, "media_processing");
  EXPECT_EQ(attempt({ids_.Next()}).error().code, "media_not_found");
  // Nothing of a refused post stuck: the first media is still free.
  EXPECT_FALSE((*store_->media().FindById(first))->status_id);
  EXPECT_EQ((*store_->accounts().FindById(a.id))->statuses_count, 0);

  auto posted = attempt({second, first});
  ASSERT_TRUE(posted.ok()) << Describe(posted);
  EXPECT_EQ(posted->post.media_ids, (std::vector<int64_t>{second, first}));
  EXPECT_EQ((*store_->media().FindById(second))->position, 0);
  EXPECT_EQ((*store_->media().FindById(first))->position, 1);
  EXPECT_EQ(attempt({first}).error().code, "media_attached");

  PostChange change;
  change.text = "carousel";
  change.media_descriptions = {{first, "A \"quoted\" harbour\n"}};
  change.original_edit_id = ids_.Next();
  change.edit_id = ids_.Next();
  change.now = 1700000002000;
  auto edited = store_->statuses().Edit(posted->post.id, a.id, change);
  ASSERT_TRUE(edited.ok()) << Describe(edited);
  EXPECT_EQ((*store_->media().FindById(first))->description, "A \"quoted\" harbour\n");
  auto history = *store_->statuses().History(posted->post.id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].media_json, "[{\"id\":\"" + std::to_string(second) + "\",\"description\":\"\"},"
                                   "{\"id\":\"" + std::to_string(first) + "\",\"description\":\"\"}]");
  EXPECT_EQ(history[1].media_json, "[{\"id\":\"" + std::to_string(second) + "\",\"description\":\"\"},"
                                   "{\"id\":\"" + std::to_string(first) +
                                   "\",\"description\":\"A \\\"quoted\\\" harbour\\u000a\"}]");
  change.media_descriptions = {{foreign, "not mine"}};
  change.original_edit_id = ids_.Next();
  change.edit_id = ids_.Next();
  EXPECT_EQ(store_->statuses().Edit(posted->post.id, a.id, change).error().field, "media_attributes");

  std::vector<std::string> keys;
  auto deleted = store_->statuses().Delete(posted->post.id, a.id, &keys);
  ASSERT_TRUE(deleted.ok()) << Describe(deleted);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"k1", "shared"}));
  EXPECT_FALSE(store_->media().FindById(first)->has_value());
  EXPECT_FALSE(store_->media().FindById(second)->has_value());
}

}  // namespace
}  // namespace vantage::store::testing
