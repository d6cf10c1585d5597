#include "service/data_export.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <spdlog/spdlog.h>

#include "core/text.h"
#include "service/crypto.h"
#include "service/mail.h"
#include "service/organisations.h"
#include "store/notification_store.h"

namespace vantage::service {

namespace fs = std::filesystem;

namespace {

constexpr int kListLimit = 20;
// A partly written archive this old belongs to a build that died.
constexpr auto kAbandonedAfter = std::chrono::hours(1);
constexpr std::string_view kPartial = ".partial";

bool Expired(const store::AccountExport& e, int64_t now) { return e.expires_at && *e.expires_at <= now; }

// Marks the archive failed; its row stays, so the account may ask again.
Status Fail(ExportContext& ctx, store::AccountExport e, int64_t now, const Error& why) {
  spdlog::warn("export {}: {}", e.id, why.message);
  e.state = store::ExportState::kFailed;
  e.completed_at = now;
  auto done = store::FinishExport(ctx.services.store.database(), e);
  if (!done) return std::move(done).error();
  return Ok();
}

// The notification that the archive is ready: from the account itself, one
// at a time (an older one goes).
Status Notify(ServiceContext& ctx, int64_t account_id, int64_t now) {
  return ctx.store.database().Write([&](store::Connection& conn) -> Status {
    VANTAGE_TRY(store::DeleteNotificationsOfType(conn, account_id, store::NotificationType::kExportReady));
    store::Notification n;
    n.id = ctx.ids.Next();
    n.account_id = n.from_account_id = account_id;
    n.type = store::NotificationType::kExportReady;
    n.created_at = now;
    auto written = store::InsertNotification(conn, n);
    if (!written) return std::move(written).error();
    return Ok();
  });
}

// An organisation's archive holds everything it posted and who it follows:
// its owners' to take, not every member of staff's.
Status CheckAsker(ServiceContext& ctx, const ExportAsker& asker) {
  if (!asker.staff_id) return Ok();
  auto roles = AuthorizeStaff(ctx, asker.account_id, *asker.staff_id, StaffAction::kManageStaff);
  if (!roles) return std::move(roles).error();
  return Ok();
}

}  // namespace

Result<store::AccountExport> RequestExport(ServiceContext& ctx, const ExportAsker& asker) {
  VANTAGE_TRY(CheckAsker(ctx, asker));
  int64_t me = asker.account_id;
  store::AccountExport request;
  request.id = ctx.ids.Next();
  request.account_id = me;
  request.requested_at = NowUnixMs();
  auto earlier = store::InsertExportUnlessSince(ctx.store.database(), request,
                                                request.requested_at - kExportIntervalMs + 1);
  if (!earlier) return std::move(earlier).error();
  if (*earlier) {
    int64_t wait_ms = (*earlier)->requested_at + kExportIntervalMs - request.requested_at;
    Error error = Error::RateLimited(static_cast<int>((wait_ms + 999) / 1000));
    error.code = "export_too_soon";
    error.message = "An archive was asked for at " + FormatIsoTime((*earlier)->requested_at) +
                    ": one a day; ask again after " + FormatIsoTime((*earlier)->requested_at + kExportIntervalMs);
    return error;
  }
  return request;
}

Result<std::vector<store::AccountExport>> ListExports(ServiceContext& ctx, const ExportAsker& asker) {
  VANTAGE_TRY(CheckAsker(ctx, asker));
  auto list = store::ListExports(ctx.store.database(), asker.account_id, kListLimit);
  if (!list) return std::move(list).error();
  int64_t now = NowUnixMs();
  std::erase_if(*list, [now](const store::AccountExport& e) { return Expired(e, now); });
  return list;
}

Result<ExportDownload> ReadExport(ExportContext& ctx, const ExportAsker& asker, int64_t id) {
  VANTAGE_TRY(CheckAsker(ctx.services, asker));
  auto me = ctx.services.store.accounts().FindById(asker.account_id);
  if (!me) return std::move(me).error();
  if (!*me) return Error::NotFound();
  auto found = store::FindExport(ctx.services.store.database(), asker.account_id, id);
  if (!found) return std::move(found).error();
  if (!*found || (*found)->state != store::ExportState::kReady || Expired(**found, NowUnixMs()))
    return Error::NotFound("No such archive, or it expired: ask for a new one");
  fs::path path = fs::path(ctx.dir) / (*found)->file_name;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return Error::Internal("cannot read the archive " + path.string());
  std::string date = FormatIsoTime((*found)->completed_at.value_or((*found)->requested_at)).substr(0, 10);
  return ExportDownload{std::move(bytes).str(), "archive-" + (*me)->username + "-" + date + ".zip"};
}

Result<bool> BuildNextExport(ExportContext& ctx, int64_t now) {
  auto claimed = store::ClaimPendingExport(ctx.services.store.database(), now, kExportLeaseMs);
  if (!claimed) return std::move(claimed).error();
  if (!*claimed) return false;
  store::AccountExport e = **claimed;
  auto account = ctx.services.store.accounts().FindById(e.account_id);
  if (!account) return std::move(account).error();
  if (!*account) return true;  // deleted meanwhile: its row went with it

  std::error_code ec;
  fs::create_directories(ctx.dir, ec);
  if (ec) {
    VANTAGE_TRY(Fail(ctx, e, now, Error::Internal("cannot create " + ctx.dir + ": " + ec.message())));
    return true;
  }
  // A name nobody can guess, though only its owner is ever given the file.
  std::string name = std::to_string(e.id) + "-" + RandomToken().substr(0, 16) + ".zip";
  fs::path path = fs::path(ctx.dir) / name;
  fs::path partial = path;
  partial += kPartial;
  Status written = ctx.write_archive(e.account_id, partial.string());
  if (written) {
    fs::rename(partial, path, ec);
    if (ec) written = Error::Internal("cannot rename " + partial.string() + ": " + ec.message());
  }
  if (!written) {
    fs::remove(partial, ec);
    VANTAGE_TRY(Fail(ctx, e, now, written.error()));
    return true;
  }
  int64_t finished = NowUnixMs();
  e.state = store::ExportState::kReady;
  e.completed_at = finished;
  e.expires_at = finished + kExportLifetimeMs;
  e.file_name = name;
  e.size_bytes = static_cast<int64_t>(fs::file_size(path, ec));
  auto done = store::FinishExport(ctx.services.store.database(), e);
  if (!done || !*done) {
    // Finished elsewhere after a lease ran out, or not recorded: this file is nobody's.
    fs::remove(path, ec);
    if (!done) return std::move(done).error();
    return true;
  }
  spdlog::info("export {}: archive of account {} ready, {} bytes", e.id, e.account_id, e.size_bytes);
  VANTAGE_TRY(Notify(ctx.services, e.account_id, finished));
  VANTAGE_TRY(NoticeExportReady(ctx.services, **account, *e.expires_at));
  return true;
}

Result<int64_t> DeleteExpiredExports(ExportContext& ctx, int64_t now) {
  int64_t deleted = 0;
  std::error_code ec;
  for (;;) {
    auto expired = store::ExpiredExports(ctx.services.store.database(), now, 100);
    if (!expired) return std::move(expired).error();
    for (const store::AccountExport& e : *expired) {
      if (!e.file_name.empty()) fs::remove(fs::path(ctx.dir) / e.file_name, ec);
      VANTAGE_TRY(store::DeleteExport(ctx.services.store.database(), e.id));
      ++deleted;
    }
    if (expired->size() < 100) break;
  }
  // Partial files of builds that died.
  if (!fs::is_directory(ctx.dir, ec)) return deleted;
  auto cutoff = fs::file_time_type::clock::now() - kAbandonedAfter;
  for (const fs::directory_entry& entry : fs::directory_iterator(ctx.dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.ends_with(kPartial) && entry.last_write_time(ec) < cutoff) fs::remove(entry.path(), ec);
  }
  return deleted;
}

}  // namespace vantage::service
