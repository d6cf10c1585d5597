// Archives of accounts' data as stored (service/data_export.h decides when
// they are made and who may have them). The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

enum class ExportState { kPending, kReady, kFailed };
const char* ExportStateName(ExportState state);

struct AccountExport {
  int64_t id = 0;
  int64_t account_id = 0;
  ExportState state = ExportState::kPending;
  int64_t requested_at = 0;
  std::optional<int64_t> completed_at;
  std::optional<int64_t> expires_at;
  std::string file_name;  // under DATA/exports; empty until ready
  int64_t size_bytes = 0;
};

// Writes `request` unless the account asked for an archive that is pending
// or ready since `since` (failed ones do not count); that one otherwise.
Result<std::optional<AccountExport>> InsertExportUnlessSince(Database& db, const AccountExport& request,
                                                             int64_t since);
// The account's archives, newest first (at most `limit`).
Result<std::vector<AccountExport>> ListExports(Database& db, int64_t account_id, int limit);
Result<std::optional<AccountExport>> FindExport(Database& db, int64_t account_id, int64_t id);
// Claims the oldest pending archive for `lease_ms`: another server skips it
// until the lease ends (one that died leaves it to be taken over then).
Result<std::optional<AccountExport>> ClaimPendingExport(Database& db, int64_t now, int64_t lease_ms);
// A pending archive made (ready, with its file) or given up on (failed).
// Whether it was still pending.
Result<bool> FinishExport(Database& db, const AccountExport& done);
// Ready archives whose time is up, and the deletion of one's row.
Result<std::vector<AccountExport>> ExpiredExports(Database& db, int64_t now, int limit);
Status DeleteExport(Database& db, int64_t id);

}  // namespace vantage::store
