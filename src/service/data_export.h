// Moving out (docs/account-security.md, "Data rights"): an archive of an
// account's data, built in the background and downloaded as a ZIP laid out
// like Mastodon's. One a day per account; each kept 7 days.
//
// The archive's contents are written by federation/archive.h (they are
// ActivityStreams documents); this decides who may have one, when it is
// built, and tells the account holder. Every function blocks: call it from a
// pool thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/export_store.h"

namespace vantage::service {

inline constexpr int64_t kExportIntervalMs = 24 * 3600 * 1000;        // one a day
inline constexpr int64_t kExportLifetimeMs = 7 * 24 * 3600 * 1000LL;  // downloadable for a week
// Longer than any archive takes to build: a server that died while building
// one leaves it to another after this.
inline constexpr int64_t kExportLeaseMs = 30 * 60 * 1000;

struct ExportContext {
  ServiceContext& services;
  std::string dir;  // where archives are kept (DATA/exports)
  // Writes the archive of `account_id` to the file `path`.
  std::function<Status(int64_t account_id, const std::string& path)> write_archive;
};

// Who asks: the account, or staff acting as their organisation (`staff_id`
// set), which only its owners may do (docs/organisations.md).
struct ExportAsker {
  int64_t account_id = 0;
  std::optional<int64_t> staff_id;
};

// Asks for an archive of the account's data. RateLimited "export_too_soon"
// (with the seconds to wait) when one was asked for in the last day and did
// not fail.
Result<store::AccountExport> RequestExport(ServiceContext& ctx, const ExportAsker& asker);
// The account's archives, newest first.
Result<std::vector<store::AccountExport>> ListExports(ServiceContext& ctx, const ExportAsker& asker);
// A ready, unexpired archive of the account's, read whole, and the name
// it is downloaded as ("archive-<username>-<date>.zip"); NotFound otherwise.
struct ExportDownload {
  std::string bytes;
  std::string file_name;
};
Result<ExportDownload> ReadExport(ExportContext& ctx, const ExportAsker& asker, int64_t id);
// Builds the oldest archive waiting, if any: the file, the notification and
// the e-mail. Whether there was one.
Result<bool> BuildNextExport(ExportContext& ctx, int64_t now);
// Deletes archives past their time (files and rows) and files left by a
// build that never finished. How many archives went.
Result<int64_t> DeleteExpiredExports(ExportContext& ctx, int64_t now);

}  // namespace vantage::service
