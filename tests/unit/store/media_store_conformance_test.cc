// The MediaStore contract (store/media_store.h), on every backend that
// instantiates StoreConformanceTest.
#include <algorithm>
#include <limits>

#include "store_backend.h"

namespace vantage::store::testing {
namespace {

MediaFile File(const std::string& variant, const std::string& format, const std::string& key,
               int width, int height) {
  return MediaFile{variant, format, key, width, height, int64_t{width} * height / 10};
}

std::vector<MediaFile> SixFiles(const std::string& prefix) {
  std::vector<MediaFile> files;
  for (const char* variant : {"large", "small", "thumb"})
    for (const char* format : {"jpeg", "webp"})
      files.push_back(File(variant, format, prefix + variant + "_" + format, 100, 80));
  return files;
}

class MediaConformance {
 public:
  static MediaAttachment New(IdGenerator& ids, int64_t account_id, int64_t created_at = 1700000000000) {
    MediaAttachment m;
    m.id = ids.Next();
    m.account_id = account_id;
    m.created_at = m.updated_at = created_at;
    return m;
  }
};

TEST_P(StoreConformanceTest, MediaRoundTripsEveryField) {
  Account owner = CreateAccount("uploader");
  MediaAttachment m = MediaConformance::New(ids_, owner.id);
  m.description = "A police horse in the snow — «Schnee» 🐴";
  m.focus_x = -500;
  m.focus_y = 1000;
  ASSERT_TRUE(store_->media().Create(m).ok());

  auto found = store_->media().FindById(m.id);
  ASSERT_TRUE(found.ok()) << Describe(found);
  ASSERT_TRUE(found->has_value());
  const MediaAttachment& f = **found;
  EXPECT_EQ(f.account_id, owner.id);
  EXPECT_EQ(f.state, MediaState::kProcessing);
  EXPECT_EQ(f.description, m.description);
  EXPECT_EQ(f.focus_x, -500);
  EXPECT_EQ(f.focus_y, 1000);
  EXPECT_FALSE(f.status_id.has_value());
  EXPECT_TRUE(f.files.empty());
  EXPECT_EQ(f.created_at, 1700000000000);

  auto ready = store_->media().MarkReady(m.id, SixFiles("k"), "LEHV6nWB2yk8", 4000, 3000, 1700000001000);
  ASSERT_TRUE(ready.ok()) << Describe(ready);
  EXPECT_EQ(ready->state, MediaState::kReady);
  EXPECT_EQ(ready->blurhash, "LEHV6nWB2yk8");
  EXPECT_EQ(ready->original_width, 4000);
  EXPECT_EQ(ready->original_height, 3000);
  EXPECT_EQ(ready->updated_at, 1700000001000);
  ASSERT_EQ(ready->files.size(), 6u);
  EXPECT_EQ(ready->files[0].variant, "large");
  EXPECT_EQ(ready->files[0].format, "jpeg");
  EXPECT_EQ(ready->files[0].key, "klarge_jpeg");
  EXPECT_EQ(ready->files[0].width, 100);
  EXPECT_EQ(ready->files[0].size_bytes, 800);
  EXPECT_EQ(ready->files[5].variant, "thumb");
  EXPECT_EQ(ready->files[5].format, "webp");

  auto again = store_->media().FindById(m.id);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->files.size(), 6u);
}

TEST_P(StoreConformanceTest, MediaWithoutFocusKeepsNone) {
  Account owner = CreateAccount("nofocus");
  MediaAttachment m = MediaConformance::New(ids_, owner.id);
  ASSERT_TRUE(store_->media().Create(m).ok());
  auto found = store_->media().FindById(m.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_FALSE((*found)->focus_x.has_value());
  EXPECT_FALSE((*found)->focus_y.has_value());
  EXPECT_FALSE(store_->media().FindById(ids_.Next())->has_value());
}

TEST_P(StoreConformanceTest, MediaFinishesOnlyOnce) {
  Account owner = CreateAccount("once");
  MediaAttachment m = MediaConformance::New(ids_, owner.id);
  ASSERT_TRUE(store_->media().Create(m).ok());
  ASSERT_TRUE(store_->media().MarkFailed(m.id, "invalid_image", 1700000002000).ok());
  auto found = store_->media().FindById(m.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->state, MediaState::kFailed);
  EXPECT_EQ((*found)->error_code, "invalid_image");

  auto late = store_->media().MarkReady(m.id, SixFiles("x"), "", 1, 1, 1700000003000);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(late.error().code, "not_processing");
  // Nothing of the late result was kept.
  EXPECT_TRUE((*store_->media().FindById(m.id))->files.empty());

  auto missing = store_->media().MarkFailed(ids_.Next(), "invalid_image", 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, MediaUpdateChangesOnlyThePatchedFields) {
  Account owner = CreateAccount("editor");
  MediaAttachment m = MediaConformance::New(ids_, owner.id);
  m.description = "old";
  m.focus_x = 100;
  m.focus_y = 200;
  ASSERT_TRUE(store_->media().Create(m).ok());

  MediaPatch text_only;
  text_only.description = "new alt text";
  auto updated = store_->media().Update(m.id, text_only, 1700000005000);
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->description, "new alt text");
  EXPECT_EQ(updated->focus_x, 100);
  EXPECT_EQ(updated->focus_y, 200);
  EXPECT_EQ(updated->updated_at, 1700000005000);

  MediaPatch focus_only;
  focus_only.focus_x = -1000;
  focus_only.focus_y = 0;
  updated = store_->media().Update(m.id, focus_only, 1700000006000);
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->description, "new alt text");
  EXPECT_EQ(updated->focus_x, -1000);
  EXPECT_EQ(updated->focus_y, 0);

  auto missing = store_->media().Update(ids_.Next(), text_only, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, MediaAttachesOnceToItsOwnersPost) {
  Account owner = CreateAccount("poster");
  Account other = CreateAccount("stranger");
  MediaAttachment processing = MediaConformance::New(ids_, owner.id);
  MediaAttachment ready = MediaConformance::New(ids_, owner.id);
  ASSERT_TRUE(store_->media().Create(processing).ok());
  ASSERT_TRUE(store_->media().Create(ready).ok());
  ASSERT_TRUE(store_->media().MarkReady(ready.id, SixFiles("a"), "", 10, 10, 1).ok());
  int64_t post = ids_.Next();

  EXPECT_FALSE(*store_->media().Attach(processing.id, owner.id, post, 0, 2));  // not ready
  EXPECT_FALSE(*store_->media().Attach(ready.id, other.id, post, 0, 2));       // not theirs
  EXPECT_TRUE(*store_->media().Attach(ready.id, owner.id, post, 3, 2));
  EXPECT_FALSE(*store_->media().Attach(ready.id, owner.id, ids_.Next(), 0, 2));  // taken
  auto found = store_->media().FindById(ready.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->status_id, post);
  EXPECT_EQ((*found)->position, 3);
}

TEST_P(StoreConformanceTest, UnattachedMediaIsListedOldestFirst) {
  Account owner = CreateAccount("cleaner");
  MediaAttachment old1 = MediaConformance::New(ids_, owner.id, 1000);
  MediaAttachment old2 = MediaConformance::New(ids_, owner.id, 2000);
  MediaAttachment attached = MediaConformance::New(ids_, owner.id, 500);
  MediaAttachment fresh = MediaConformance::New(ids_, owner.id, 9000);
  for (const auto* m : {&old2, &old1, &attached, &fresh}) ASSERT_TRUE(store_->media().Create(*m).ok());
  ASSERT_TRUE(store_->media().MarkReady(attached.id, {}, "", 1, 1, 600).ok());
  ASSERT_TRUE(*store_->media().Attach(attached.id, owner.id, ids_.Next(), 0, 700));

  auto listed = store_->media().ListUnattachedBefore(5000, 10);
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  EXPECT_EQ(*listed, (std::vector<int64_t>{old1.id, old2.id}));
  auto limited = store_->media().ListUnattachedBefore(5000, 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(*limited, (std::vector<int64_t>{old1.id}));
}

TEST_P(StoreConformanceTest, DeletingMediaReportsKeysAndSharedKeysStayReferenced) {
  Account owner = CreateAccount("deleter");
  MediaAttachment a = MediaConformance::New(ids_, owner.id);
  MediaAttachment b = MediaConformance::New(ids_, owner.id);
  ASSERT_TRUE(store_->media().Create(a).ok());
  ASSERT_TRUE(store_->media().Create(b).ok());
  // The same picture twice: both share "shared_*" files; a has one of its own.
  std::vector<MediaFile> files_a = {File("large", "jpeg", "shared_l", 10, 10),
                                    File("small", "jpeg", "only_a", 5, 5)};
  std::vector<MediaFile> files_b = {File("large", "jpeg", "shared_l", 10, 10)};
  ASSERT_TRUE(store_->media().MarkReady(a.id, files_a, "", 10, 10, 1).ok());
  ASSERT_TRUE(store_->media().MarkReady(b.id, files_b, "", 10, 10, 1).ok());

  auto all = store_->media().AllKeys();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::vector<std::string>{"only_a", "shared_l"}));

  auto keys = store_->media().Delete(a.id);
  ASSERT_TRUE(keys.ok()) << Describe(keys);
  ASSERT_TRUE(keys->has_value());
  std::vector<std::string> sorted = **keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::string>{"only_a", "shared_l"}));
  auto unused = store_->media().UnreferencedKeys(sorted);
  ASSERT_TRUE(unused.ok());
  EXPECT_EQ(*unused, (std::vector<std::string>{"only_a"}));
  EXPECT_FALSE(store_->media().FindById(a.id)->has_value());

  auto again = store_->media().Delete(a.id);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

// Regression: the unattached-media cleanup listed a photo, the owner posted
// it, and the cleanup's delete then removed it from the published post.
TEST_P(StoreConformanceTest, DeletingMediaSparesMediaAttachedMeanwhile) {
  Account owner = CreateAccount("poster");
  MediaAttachment m = MediaConformance::New(ids_, owner.id);
  ASSERT_TRUE(store_->media().Create(m).ok());
  ASSERT_TRUE(store_->media().MarkReady(m.id, {File("large", "jpeg", "posted", 10, 10)}, "", 10, 10, 1).ok());
  auto listed = store_->media().ListUnattachedBefore(std::numeric_limits<int64_t>::max(), 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  ASSERT_TRUE(*store_->media().Attach(m.id, owner.id, ids_.Next(), 0, 2));  // posted meanwhile
  auto deleted = store_->media().Delete(m.id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->has_value());
  EXPECT_TRUE(store_->media().FindById(m.id)->has_value());
}

TEST_P(StoreConformanceTest, DeletingAnAccountDeletesItsMedia) {
  // The cascade is the schema's; this checks both engines declare it.
  Account owner = CreateAccount("leaving");
  MediaAttachment m = MediaConformance::New(ids_, owner.id);
  ASSERT_TRUE(store_->media().Create(m).ok());
  ASSERT_TRUE(store_->media().MarkReady(m.id, SixFiles("z"), "", 1, 1, 1).ok());
  constexpr Statement kDeleteAccount{"test_delete_account", "DELETE FROM accounts WHERE id = ?"};
  ASSERT_TRUE(db_->Write([&](Connection& c) -> Status {
                   auto r = c.Exec(kDeleteAccount, {owner.id});
                   if (!r) return std::move(r).error();
                   return Ok();
                 }).ok());
  EXPECT_FALSE(store_->media().FindById(m.id)->has_value());
  EXPECT_TRUE(store_->media().AllKeys()->empty());
}

TEST_P(StoreConformanceTest, MediaNeedsAnExistingOwner) {
  MediaAttachment m = MediaConformance::New(ids_, ids_.Next());
  auto created = store_->media().Create(m);
  ASSERT_FALSE(created.ok());
  EXPECT_FALSE(store_->media().FindById(m.id)->has_value());
}

}  // namespace
}  // namespace vantage::store::testing
