// The archive jobs (service/data_export.h) over a real database (SQLite file
// and PostgreSQL) and a real directory, with time moved by the `now` the
// jobs are given: an archive is deleted, file and row, after its week; a
// failed build does not count against the day; a partly written file of a
// build that died goes after an hour; a build claimed by a server that died
// is taken over when its lease ends. What an archive holds is tested over
// HTTP (tests/api/export.test.mjs).
#include "service/data_export.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/id.h"
#include "store/engine_database.h"

namespace vantage::service {
namespace {

namespace fs = std::filesystem;
using store::testing::TempDir;

constexpr int64_t kDayMs = 24 * 3600 * 1000;

class DataExportTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = store::testing::OpenEngineDatabase(GetParam(), dir_, pg_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = *opened;
    store_ = store::MakeSqlStore(db_);
    services_ = std::make_unique<ServiceContext>(*store_, Settings{});
    ctx_ = std::make_unique<ExportContext>(ExportContext{
        *services_, dir_.File("exports"), [this](int64_t, const std::string& path) -> Status {
          std::ofstream out(path, std::ios::binary);
          out << "PK archive bytes";
          if (fail_) return Error::Internal("the disk is full");
          return Ok();
        }});

    store::Account account;
    account.id = services_->ids.Next();
    account.username = "leaver";
    account.created_at = account.updated_at = NowUnixMs();
    ASSERT_TRUE(store_->accounts().Create(account).ok());
    me_ = ExportAsker{account.id, std::nullopt};
  }

  void TearDown() override {
    ctx_.reset();
    store_.reset();
    if (db_) db_->Close();
  }

  size_t FilesInDir() {
    std::error_code ec;
    size_t n = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(ctx_->dir, ec)) ++n;
    return n;
  }

  TempDir dir_;
  store::testing::TestDatabase pg_;
  std::shared_ptr<store::Database> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ServiceContext> services_;
  std::unique_ptr<ExportContext> ctx_;
  ExportAsker me_;
  bool fail_ = false;
};

TEST_P(DataExportTest, AnArchiveGoesAfterItsWeekFileAndRow) {
  auto requested = RequestExport(*services_, me_);
  ASSERT_TRUE(requested.ok()) << requested.error().message;
  auto built = BuildNextExport(*ctx_, NowUnixMs());
  ASSERT_TRUE(built.ok() && *built);
  auto list = ListExports(*services_, me_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  const store::AccountExport ready = list->front();
  EXPECT_EQ(ready.state, store::ExportState::kReady);
  EXPECT_EQ(ready.size_bytes, 16);
  ASSERT_TRUE(ready.expires_at.has_value());
  EXPECT_EQ(*ready.expires_at - *ready.completed_at, 7 * kDayMs);
  auto read = ReadExport(*ctx_, me_, ready.id);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->bytes, "PK archive bytes");
  EXPECT_EQ(read->file_name.rfind("archive-leaver-", 0), 0u) << read->file_name;

  // A minute before its time it stays; after, file and row go.
  auto early = DeleteExpiredExports(*ctx_, *ready.expires_at - 60'000);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(*early, 0);
  EXPECT_EQ(FilesInDir(), 1u);
  auto late = DeleteExpiredExports(*ctx_, *ready.expires_at);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(*late, 1);
  EXPECT_EQ(FilesInDir(), 0u);
  auto gone = store::FindExport(*db_, me_.account_id, ready.id);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST_P(DataExportTest, OneADayAndAFailedBuildDoesNotCount) {
  fail_ = true;
  ASSERT_TRUE(RequestExport(*services_, me_).ok());
  auto built = BuildNextExport(*ctx_, NowUnixMs());
  ASSERT_TRUE(built.ok() && *built);
  auto list = ListExports(*services_, me_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().state, store::ExportState::kFailed);
  EXPECT_EQ(FilesInDir(), 0u) << "the failed build's partial file is removed";
  auto failed_read = ReadExport(*ctx_, me_, list->front().id);
  EXPECT_EQ(failed_read.error().kind, ErrorKind::kNotFound);

  fail_ = false;
  ASSERT_TRUE(RequestExport(*services_, me_).ok()) << "a failed archive does not use up the day";
  auto again = RequestExport(*services_, me_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(again.error().code, "export_too_soon");
  EXPECT_GT(again.error().retry_after, 86'000);
}

TEST_P(DataExportTest, APartialFileOfABuildThatDiedGoesAfterAnHour) {
  fs::create_directories(ctx_->dir);
  fs::path old_partial = fs::path(ctx_->dir) / "1-abc.zip.partial";
  fs::path new_partial = fs::path(ctx_->dir) / "2-def.zip.partial";
  std::ofstream(old_partial) << "half";
  std::ofstream(new_partial) << "half";
  fs::last_write_time(old_partial, fs::file_time_type::clock::now() - std::chrono::minutes(61));
  ASSERT_TRUE(DeleteExpiredExports(*ctx_, NowUnixMs()).ok());
  EXPECT_FALSE(fs::exists(old_partial));
  EXPECT_TRUE(fs::exists(new_partial)) << "a build may still be writing it";
}

TEST_P(DataExportTest, ABuildClaimedByAServerThatDiedIsTakenOverWhenItsLeaseEnds) {
  ASSERT_TRUE(RequestExport(*services_, me_).ok());
  int64_t now = NowUnixMs();
  auto claimed = store::ClaimPendingExport(*db_, now, kExportLeaseMs);  // the server that dies
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  auto during = BuildNextExport(*ctx_, now + 1000);
  ASSERT_TRUE(during.ok());
  EXPECT_FALSE(*during) << "claimed elsewhere: left alone";
  auto after = BuildNextExport(*ctx_, now + kExportLeaseMs + 1);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(*after);
  auto list = ListExports(*services_, me_);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->front().state, store::ExportState::kReady);
}

INSTANTIATE_TEST_SUITE_P(Engines, DataExportTest, ::testing::Values("Sqlite", "Postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vantage::service
