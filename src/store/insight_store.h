// Insights: hourly aggregates of an account's followers and of a post's
// likes and comments (migration 0008), never anything per viewer.
//
// The stores record them in the transaction of each change: a follow or
// unfollow records the followed account's count, a like, unlike, comment or
// deleted comment the post's counts. A row holds the count after the hour's
// last change; hours without a change have none (the count held).
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/id.h"  // NowUnixMs, for changes that carry no time of their own
#include "store/sql.h"

namespace vantage::store {

inline constexpr int64_t kHourMs = 3'600'000;

struct FollowerCount {
  int64_t hour = 0;  // the hour's start, ms since the Unix epoch
  int64_t followers_count = 0;
};

struct StatusCounts {
  int64_t hour = 0;
  int64_t favourites_count = 0;
  int64_t replies_count = 0;
};

// Inside a write transaction, after the counter moved: records the count as
// it stands now for the hour of `now`.
Status RecordFollowerCount(Connection& conn, int64_t account_id, int64_t now);
Status RecordStatusCounts(Connection& conn, int64_t status_id, int64_t now);

// The recorded hours from `since` on, oldest first.
Result<std::vector<FollowerCount>> FollowerCounts(Database& db, int64_t account_id, int64_t since);
Result<std::vector<StatusCounts>> StatusCountsOf(Database& db, int64_t status_id, int64_t since);

}  // namespace vantage::store
