#include "store/insight_store.h"

namespace vantage::store {

namespace {

// Read from the row just updated, in the same transaction: the hour's row
// always holds the count the change left.
constexpr Statement kRecordFollowers{
    "record_follower_count",
    "INSERT INTO follower_counts_hourly (account_id, hour, followers_count) "
    "SELECT id, ?, followers_count FROM accounts WHERE id = ? "
    "ON CONFLICT (account_id, hour) DO UPDATE SET followers_count = excluded.followers_count"};
constexpr Statement kRecordStatusCounts{
    "record_status_counts",
    "INSERT INTO status_counts_hourly (status_id, hour, favourites_count, replies_count) "
    "SELECT id, ?, favourites_count, replies_count FROM statuses WHERE id = ? "
    "ON CONFLICT (status_id, hour) DO UPDATE SET favourites_count = excluded.favourites_count, "
    "replies_count = excluded.replies_count"};
constexpr Statement kSelectFollowers{
    "select_follower_counts",
    "SELECT hour, followers_count FROM follower_counts_hourly WHERE account_id = ? AND hour >= ? "
    "ORDER BY hour"};
constexpr Statement kSelectStatusCounts{
    "select_status_counts",
    "SELECT hour, favourites_count, replies_count FROM status_counts_hourly WHERE status_id = ? "
    "AND hour >= ? ORDER BY hour"};

int64_t HourOf(int64_t now) { return now - now % kHourMs; }

}  // namespace

Status RecordFollowerCount(Connection& conn, int64_t account_id, int64_t now) {
  auto recorded = conn.Exec(kRecordFollowers, {HourOf(now), account_id});
  if (!recorded) return std::move(recorded).error();
  return Ok();
}

Status RecordStatusCounts(Connection& conn, int64_t status_id, int64_t now) {
  auto recorded = conn.Exec(kRecordStatusCounts, {HourOf(now), status_id});
  if (!recorded) return std::move(recorded).error();
  return Ok();
}

Result<std::vector<FollowerCount>> FollowerCounts(Database& db, int64_t account_id, int64_t since) {
  std::vector<FollowerCount> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kSelectFollowers, {account_id, since});
    if (!rows) return std::move(rows).error();
    for (const Row& row : *rows) out.push_back(FollowerCount{row.Int(0), row.Int(1)});
    return Ok();
  }));
  return out;
}

Result<std::vector<StatusCounts>> StatusCountsOf(Database& db, int64_t status_id, int64_t since) {
  std::vector<StatusCounts> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kSelectStatusCounts, {status_id, since});
    if (!rows) return std::move(rows).error();
    for (const Row& row : *rows) out.push_back(StatusCounts{row.Int(0), row.Int(1), row.Int(2)});
    return Ok();
  }));
  return out;
}

}  // namespace vantage::store
