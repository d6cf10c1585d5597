// The media use cases (service/media.h) over a real database (SQLite file and
// PostgreSQL) and a real media directory: uploads become rows and files,
// media never attached to a post is cleaned up after 24 hours (rows
// backdated in the database), and the sweep removes orphan files.
#include "service/media.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/id.h"
#include "media/test_images.h"
#include "store/engine_database.h"

namespace vantage::service {
namespace {

namespace fs = std::filesystem;
using store::testing::TempDir;

class MediaServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = store::testing::OpenEngineDatabase(GetParam(), dir_, pg_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = *opened;
    store_ = store::MakeSqlStore(db_);
    services_ = std::make_unique<ServiceContext>(*store_, Settings{});
    auto blobs = media::BlobStore::Open(dir_.File("media"));
    ASSERT_TRUE(blobs.ok());
    blobs_ = std::move(*blobs);
    ctx_ = std::make_unique<MediaContext>(MediaContext{*services_, *blobs_, MediaSettings{}});

    store::Account account;
    account.id = services_->ids.Next();
    account.username = "uploader";
    account.email = "uploader@example.org";
    account.created_at = account.updated_at = NowUnixMs();
    ASSERT_TRUE(store_->accounts().Create(account).ok());
    account_id_ = account.id;
  }

  void TearDown() override {
    ctx_.reset();
    store_.reset();
    if (db_) db_->Close();
  }

  store::MediaAttachment Upload(const std::string& bytes) {
    MediaUpload upload;
    upload.bytes = bytes;
    upload.description = "alt";
    auto media = UploadMedia(*ctx_, account_id_, upload);
    EXPECT_TRUE(media.ok()) << media.error().code << " " << media.error().message;
    return media.ok() ? *media : store::MediaAttachment{};
  }

  // Moves the attachment's creation time back by `ms`, in the database.
  void Backdate(int64_t id, int64_t ms) {
    constexpr store::Statement kBackdate{
        "test_backdate_media", "UPDATE media_attachments SET created_at = created_at - ? WHERE id = ?"};
    Status status = db_->Write([&](store::Connection& c) -> Status {
      auto r = c.Exec(kBackdate, {ms, id});
      if (!r) return std::move(r).error();
      return Ok();
    });
    ASSERT_TRUE(status.ok()) << status.error().message;
  }

  bool FilesExist(const store::MediaAttachment& m) {
    for (const store::MediaFile& f : m.files)
      if (!fs::exists(blobs_->PathFor(f.key, MediaExtension(f.format)))) return false;
    return !m.files.empty();
  }

  TempDir dir_;
  store::testing::TestDatabase pg_;
  std::shared_ptr<store::Database> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ServiceContext> services_;
  std::unique_ptr<media::BlobStore> blobs_;
  std::unique_ptr<MediaContext> ctx_;
  int64_t account_id_ = 0;
};

TEST_P(MediaServiceTest, UploadStoresSixVariantsBeforeTheRowIsReady) {
  store::MediaAttachment m = Upload(media::testing::Jpeg(media::testing::Noise(900, 600)));
  EXPECT_EQ(m.state, store::MediaState::kReady);
  EXPECT_EQ(m.files.size(), 6u);
  EXPECT_EQ(m.original_width, 900);
  EXPECT_FALSE(m.blurhash.empty());
  EXPECT_TRUE(FilesExist(m));
  auto found = OwnMedia(*ctx_, account_id_, m.id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->files.size(), 6u);
  EXPECT_EQ(OwnMedia(*ctx_, account_id_ + 1, m.id).error().kind, ErrorKind::kNotFound);
}

TEST_P(MediaServiceTest, JunkNeverBecomesARow) {
  MediaUpload upload;
  std::string html = "<!DOCTYPE html><html></html>";
  upload.bytes = html;
  auto media = UploadMedia(*ctx_, account_id_, upload);
  ASSERT_FALSE(media.ok());
  EXPECT_EQ(media.error().kind, ErrorKind::kUnsupported);
  EXPECT_EQ(media.error().field, "file");
  EXPECT_TRUE(store_->media().ListUnattachedBefore(NowUnixMs() + 1000, 10)->empty());
}

TEST_P(MediaServiceTest, CleanupDeletesOnlyMediaUnattachedFor24Hours) {
  store::MediaAttachment old_media = Upload(media::testing::Jpeg(media::testing::Noise(300, 200)));
  store::MediaAttachment day_old = Upload(media::testing::Jpeg(media::testing::Noise(300, 200)));
  store::MediaAttachment attached = Upload(media::testing::Jpeg(media::testing::Noise(300, 200)));
  ASSERT_TRUE(*store_->media().Attach(attached.id, account_id_, services_->ids.Next(), 0, NowUnixMs()));
  Backdate(old_media.id, 25 * 3600 * 1000LL);
  Backdate(day_old.id, 23 * 3600 * 1000LL);
  Backdate(attached.id, 48 * 3600 * 1000LL);

  auto deleted = DeleteUnattachedMedia(*ctx_, NowUnixMs());
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ(*deleted, 1);
  EXPECT_FALSE(store_->media().FindById(old_media.id)->has_value());
  EXPECT_FALSE(FilesExist(old_media));
  for (const auto* kept : {&day_old, &attached}) {
    EXPECT_TRUE(store_->media().FindById(kept->id)->has_value());
    EXPECT_TRUE(FilesExist(*kept));
  }
  EXPECT_EQ(*DeleteUnattachedMedia(*ctx_, NowUnixMs()), 0);
}

TEST_P(MediaServiceTest, DeletingOneOfTwoIdenticalUploadsKeepsTheSharedFiles) {
  std::string bytes = media::testing::Jpeg(media::testing::Noise(300, 200));
  store::MediaAttachment a = Upload(bytes);
  store::MediaAttachment b = Upload(bytes);
  ASSERT_EQ(a.files.size(), b.files.size());
  EXPECT_EQ(a.files[0].key, b.files[0].key);
  ASSERT_TRUE(*DeleteMedia(*ctx_, a.id));
  EXPECT_TRUE(FilesExist(b));
  ASSERT_TRUE(*DeleteMedia(*ctx_, b.id));
  EXPECT_FALSE(FilesExist(b));
  EXPECT_FALSE(*DeleteMedia(*ctx_, b.id));
}

TEST_P(MediaServiceTest, SweepRemovesFilesNoRowReferences) {
  store::MediaAttachment m = Upload(media::testing::Jpeg(media::testing::Noise(300, 200)));
  auto orphan = blobs_->Put("an upload whose row never committed", "jpg");
  ASSERT_TRUE(orphan.ok());
  auto swept = SweepMediaFiles(*ctx_, std::chrono::seconds(0));
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_EQ(swept->orphans_removed, 1);
  EXPECT_FALSE(fs::exists(blobs_->PathFor(*orphan, "jpg")));
  EXPECT_TRUE(FilesExist(m));
}

TEST(MediaFocus, ParsesMastodonFocalPoints) {
  auto focus = ParseFocus("0.5,-1");
  ASSERT_TRUE(focus.ok());
  EXPECT_DOUBLE_EQ(focus->x, 0.5);
  EXPECT_DOUBLE_EQ(focus->y, -1);
  EXPECT_TRUE(ParseFocus(" 0 , 0 ").ok());
  for (const char* bad : {"", "1", "1,2", "-1.01,0", "a,b", "nan,0", "inf,0", "0,0,0", "0x1,0"}) {
    auto r = ParseFocus(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "focus") << bad;
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, MediaServiceTest, ::testing::Values("Sqlite", "Postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vantage::service
