// The content-addressed media store (media/blob_store.h) on a real directory.
#include "media/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace vantage::media {
namespace {

namespace fs = std::filesystem;

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("vantage-blob-test-" + std::to_string(random()));
    auto opened = BlobStore::Open((dir_ / "media").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    blobs_ = std::move(*opened);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static void Backdate(const fs::path& path) {
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(2));
  }

  fs::path dir_;
  std::unique_ptr<BlobStore> blobs_;
};

TEST_F(BlobStoreTest, NamesFilesBySha256InAFanOutDirectory) {
  auto key = blobs_->Put("abc", "jpg");
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(*key, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string path = blobs_->PathFor(*key, "jpg");
  EXPECT_EQ(path, (dir_ / "media" / "ba" / (*key + ".jpg")).string());
  EXPECT_TRUE(fs::exists(path));
  auto read = blobs_->Read(*key, "jpg");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "abc");
  // No temporary file is left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "media" / "ba")) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(BlobStoreTest, StoringTheSameBytesTwiceIsOneFile) {
  std::string bytes(100000, 'x');
  auto a = blobs_->Put(bytes, "webp");
  auto b = blobs_->Put(bytes, "webp");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*blobs_->Read(*a, "webp"), bytes);
}

TEST_F(BlobStoreTest, ReadRefusesNamesOutsideTheStore) {
  EXPECT_EQ(blobs_->Read("../../etc/passwd", "jpg").error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(blobs_->Read(std::string(64, 'a'), "png").error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(blobs_->Read(std::string(64, 'A'), "jpg").error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(blobs_->Read(std::string(64, 'a'), "jpg").error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(blobs_->Put("x", "html").ok());
  EXPECT_TRUE(IsValidBlobName(std::string(64, 'f'), "webp"));
  EXPECT_FALSE(IsValidBlobName(std::string(63, 'f'), "webp"));
  EXPECT_EQ(BlobContentType("webp"), "image/webp");
  EXPECT_EQ(BlobContentType("jpg"), "image/jpeg");
}

TEST_F(BlobStoreTest, RemoveDeletesEveryExtensionOfTheKey) {
  auto key = blobs_->Put("remove me", "jpg");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(blobs_->Remove(*key).ok());
  EXPECT_FALSE(fs::exists(blobs_->PathFor(*key, "jpg")));
  EXPECT_TRUE(blobs_->Remove(*key).ok());  // already gone is fine
}

TEST_F(BlobStoreTest, SweepRemovesOldOrphansAndTempFilesOnly) {
  auto kept = blobs_->Put("referenced", "jpg");
  auto orphan = blobs_->Put("orphan", "webp");
  auto young = blobs_->Put("young orphan", "jpg");
  ASSERT_TRUE(kept.ok() && orphan.ok() && young.ok());
  fs::path fan = fs::path(blobs_->PathFor(*orphan, "webp")).parent_path();
  fs::path temp = fan / ".tmp-crashed-upload";
  std::ofstream(temp) << "half";
  fs::path foreign = dir_ / "media" / "README";
  std::ofstream(foreign) << "not ours";
  for (const auto& p : {fs::path(blobs_->PathFor(*kept, "jpg")), fs::path(blobs_->PathFor(*orphan, "webp")), temp, foreign})
    Backdate(p);

  auto swept = blobs_->Sweep({*kept}, std::chrono::hours(1));
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_EQ(swept->orphans_removed, 1);
  EXPECT_EQ(swept->temp_files_removed, 1);
  EXPECT_TRUE(fs::exists(blobs_->PathFor(*kept, "jpg")));
  EXPECT_FALSE(fs::exists(blobs_->PathFor(*orphan, "webp")));
  EXPECT_TRUE(fs::exists(blobs_->PathFor(*young, "jpg")));  // inside the grace period
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(fs::exists(foreign));

  // With no grace (a single server at start-up) the young orphan goes too.
  swept = blobs_->Sweep({*kept}, std::chrono::seconds(0));
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->orphans_removed, 1);
  EXPECT_FALSE(fs::exists(blobs_->PathFor(*young, "jpg")));
}

TEST_F(BlobStoreTest, PutRefreshesTheTimeOfAnExistingFile) {
  auto key = blobs_->Put("again", "jpg");
  ASSERT_TRUE(key.ok());
  Backdate(blobs_->PathFor(*key, "jpg"));
  ASSERT_TRUE(blobs_->Put("again", "jpg").ok());
  auto swept = blobs_->Sweep({}, std::chrono::hours(1));
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->orphans_removed, 0);
  EXPECT_TRUE(fs::exists(blobs_->PathFor(*key, "jpg")));
}

}  // namespace
}  // namespace vantage::media
