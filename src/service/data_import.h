// Moving in (docs/account-security.md, "Data rights"): the list of accounts
// someone followed elsewhere, as Mastodon and Pixelfed export it.
//
// Blocks, and may wait on other servers (resolving remote accounts): call it
// from the remote pool.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/context.h"

namespace vantage::service {

inline constexpr size_t kMaxImportRows = 1000;
inline constexpr size_t kMaxImportBytes = 256 * 1024;

struct ImportProblem {
  std::string address;
  std::string reason;  // "not_found", "blocked", "invalid", "unavailable"...
};

struct ImportReport {
  int64_t followed = 0;   // follows made or asked for (locked accounts), and ones that already were
  std::vector<ImportProblem> problems;
};

// Follows each account of a following_accounts.csv (Mastodon's "Account
// address,Show boosts,..." with a header line, or one address a line): local
// ones at once, remote ones once resolved through their server (when
// federation is on). Invalid naming `data` for a file that is not such a
// list, or longer than kMaxImportRows rows.
Result<ImportReport> ImportFollowing(ServiceContext& ctx, int64_t me, std::string_view csv);

}  // namespace vantage::service
