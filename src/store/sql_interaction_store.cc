// InteractionStore over the backend-neutral SQL layer; runs unchanged on
// SQLite and PostgreSQL.
//
// Isolation (Write is serialised on SQLite, READ COMMITTED on PostgreSQL):
// - Favourite: INSERT ... ON CONFLICT DO NOTHING, then, only when a row was
//   inserted, `favourites_count + 1` on the status. Two requests racing to add
//   one favourite meet at the unique (account_id, status_id) index: the second
//   waits for the first, then inserts nothing and counts nothing. Unfavourite
//   is the mirror image with DELETE, so the count stays exact.
// - Lists are single statements, each one snapshot.
#include <algorithm>
#include <map>
#include <utility>

#include "store/insight_store.h"
#include "store/interaction_store.h"
#include "store/visibility_sql.h"

namespace vantage::store {

namespace {

#define VANTAGE_VISIBLE_TO_VIEWER VANTAGE_VISIBLE_TO("?")
// ... and not by an account the viewer mutes (one more placeholder).
#define VANTAGE_UNMUTED_BY_VIEWER \
  "NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = ? AND m.target_account_id = s.account_id)"

// The cast keeps PostgreSQL from reading the selected placeholders as text.
#define VANTAGE_INSERT_MARK(table)                                                              \
  "INSERT INTO " table " (id, account_id, status_id, created_at) "                              \
  "SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT) "          \
  "WHERE EXISTS (SELECT 1 FROM statuses WHERE id = ?) ON CONFLICT DO NOTHING"

constexpr Statement kInsertFavourite{"insert_favourite", VANTAGE_INSERT_MARK("favourites")};
constexpr Statement kInsertBookmark{"insert_bookmark", VANTAGE_INSERT_MARK("bookmarks")};
constexpr Statement kDeleteFavourite{"delete_favourite",
                                     "DELETE FROM favourites WHERE account_id = ? AND status_id = ?"};
constexpr Statement kDeleteBookmark{"delete_bookmark",
                                    "DELETE FROM bookmarks WHERE account_id = ? AND status_id = ?"};
constexpr Statement kBumpFavouritesCount{
    "bump_status_favourites_count",
    "UPDATE statuses SET favourites_count = favourites_count + 1 WHERE id = ?"};
constexpr Statement kDropFavouritesCount{
    "drop_status_favourites_count",
    "UPDATE statuses SET favourites_count = favourites_count - 1 WHERE id = ? AND favourites_count > 0"};
constexpr Statement kHasFavourite{"has_favourite",
                                  "SELECT 1 FROM favourites WHERE account_id = ? AND status_id = ?"};
constexpr Statement kHasBookmark{"has_bookmark",
                                 "SELECT 1 FROM bookmarks WHERE account_id = ? AND status_id = ?"};
constexpr Statement kStatusExists{"interaction_status_exists", "SELECT 1 FROM statuses WHERE id = ?"};

// The account's marks of statuses it may see: newest first, or (from_above)
// the oldest above the cursor first.
#define VANTAGE_SELECT_OWN_MARKS(table, order)                                                   \
  "SELECT x.id, x.account_id, x.status_id, x.created_at FROM " table " x "                       \
  "JOIN statuses s ON s.id = x.status_id "                                                       \
  "WHERE x.account_id = ? AND x.id < ? AND x.id > ? AND " VANTAGE_VISIBLE_TO_VIEWER              \
  " ORDER BY x.id " order " LIMIT ?"

constexpr Statement kFavouritesDesc{"list_own_favourites_desc", VANTAGE_SELECT_OWN_MARKS("favourites", "DESC")};
constexpr Statement kFavouritesAsc{"list_own_favourites_asc", VANTAGE_SELECT_OWN_MARKS("favourites", "ASC")};
constexpr Statement kBookmarksDesc{"list_own_bookmarks_desc", VANTAGE_SELECT_OWN_MARKS("bookmarks", "DESC")};
constexpr Statement kBookmarksAsc{"list_own_bookmarks_asc", VANTAGE_SELECT_OWN_MARKS("bookmarks", "ASC")};

#define VANTAGE_SELECT_LIKERS(order)                                                                    \
  "SELECT x.id, x.account_id, x.status_id, x.created_at FROM favourites x "                             \
  "WHERE x.status_id = ? AND x.id < ? AND x.id > ? "                                                    \
  "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ? AND b.target_account_id = x.account_id) " \
  "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = x.account_id AND b.target_account_id = ?) " \
  "ORDER BY x.id " order " LIMIT ?"

constexpr Statement kLikersDesc{"list_status_likers_desc", VANTAGE_SELECT_LIKERS("DESC")};
constexpr Statement kLikersAsc{"list_status_likers_asc", VANTAGE_SELECT_LIKERS("ASC")};

// Up the in_reply_to chain, `depth` hops at most; hidden links are skipped
// in the outer query, so the chain continues above them.
constexpr Statement kAncestors{
    "select_status_ancestors",
    "WITH RECURSIVE up (id, depth) AS ("
    "SELECT in_reply_to_id, 1 FROM statuses WHERE id = ? AND in_reply_to_id IS NOT NULL "
    "UNION ALL "
    "SELECT p.in_reply_to_id, up.depth + 1 FROM up JOIN statuses p ON p.id = up.id "
    "WHERE p.in_reply_to_id IS NOT NULL AND up.depth < ?) "
    "SELECT s.id, COALESCE(s.in_reply_to_id, 0) FROM up JOIN statuses s ON s.id = up.id "
    "WHERE " VANTAGE_VISIBLE_TO_VIEWER " ORDER BY up.depth"};

// Down the reply tree; the recursion only goes through replies that pass
// the filter, so a hidden reply hides what answers it. Both engines walk a
// recursive CTE level by level, so a LIMIT keeps whole upper levels.
constexpr Statement kDescendants{
    "select_status_descendants",
    "WITH RECURSIVE down (id, parent) AS ("
    "SELECT s.id, s.in_reply_to_id FROM statuses s WHERE s.in_reply_to_id = ? "
    "AND " VANTAGE_VISIBLE_TO_VIEWER " AND " VANTAGE_UNMUTED_BY_VIEWER " "
    "UNION ALL "
    "SELECT s.id, s.in_reply_to_id FROM down JOIN statuses s ON s.in_reply_to_id = down.id "
    "WHERE " VANTAGE_VISIBLE_TO_VIEWER " AND " VANTAGE_UNMUTED_BY_VIEWER ") "
    "SELECT id, parent FROM down LIMIT ?"};

#undef VANTAGE_SELECT_LIKERS
#undef VANTAGE_SELECT_OWN_MARKS
#undef VANTAGE_INSERT_MARK
#undef VANTAGE_UNMUTED_BY_VIEWER
#undef VANTAGE_VISIBLE_TO_VIEWER

Result<std::vector<Mark>> DecodeMarks(Result<std::vector<Row>> rows, bool reverse) {
  if (!rows) return std::move(rows).error();
  std::vector<Mark> out;
  out.reserve(rows->size());
  for (const Row& row : *rows) out.push_back(Mark{row.Int(0), row.Int(1), row.Int(2), row.Int(3)});
  if (reverse) std::reverse(out.begin(), out.end());
  return out;
}

// Orders a reply tree depth first, each status's replies oldest first
// (Mastodon's order). Entries whose parent is not in the tree are dropped.
std::vector<ThreadEntry> DepthFirst(int64_t root, std::vector<ThreadEntry> entries) {
  std::map<int64_t, std::vector<ThreadEntry>> children;
  for (const ThreadEntry& e : entries) children[e.in_reply_to_id].push_back(e);
  for (auto& [parent, list] : children)
    std::sort(list.begin(), list.end(), [](const ThreadEntry& a, const ThreadEntry& b) { return a.id < b.id; });
  std::vector<ThreadEntry> out;
  out.reserve(entries.size());
  std::vector<ThreadEntry> stack;
  auto push_children = [&](int64_t parent) {
    auto it = children.find(parent);
    if (it == children.end()) return;
    for (auto child = it->second.rbegin(); child != it->second.rend(); ++child) stack.push_back(*child);
  };
  push_children(root);
  while (!stack.empty()) {
    ThreadEntry next = stack.back();
    stack.pop_back();
    out.push_back(next);
    push_children(next.id);
  }
  return out;
}

class SqlInteractionStore final : public InteractionStore {
 public:
  explicit SqlInteractionStore(Database& db) : db_(db) {}

  Result<bool> Favourite(const Mark& mark, const OnFavourite& on_added) override {
    if (mark.id <= 0) return Error::Internal("A new favourite needs an id from the IdGenerator");
    bool added = false;
    Status status = db_.Write([&](Connection& conn) -> Status {
      added = false;
      auto inserted =
          conn.Exec(kInsertFavourite, {mark.id, mark.account_id, mark.status_id, mark.created_at, mark.status_id});
      if (!inserted) return std::move(inserted).error();
      if (*inserted == 0) return RequireStatus(conn, mark.status_id);
      auto bumped = conn.Exec(kBumpFavouritesCount, {mark.status_id});
      if (!bumped) return std::move(bumped).error();
      VANTAGE_TRY(RecordStatusCounts(conn, mark.status_id, mark.created_at));
      if (on_added) VANTAGE_TRY(on_added(conn));
      added = true;
      return Ok();
    });
    if (!status) return std::move(status).error();
    return added;
  }

  Result<bool> Unfavourite(int64_t account_id, int64_t status_id) override {
    bool removed = false;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto deleted = conn.Exec(kDeleteFavourite, {account_id, status_id});
      if (!deleted) return std::move(deleted).error();
      removed = *deleted > 0;
      if (!removed) return Ok();
      auto dropped = conn.Exec(kDropFavouritesCount, {status_id});
      if (!dropped) return std::move(dropped).error();
      return RecordStatusCounts(conn, status_id, NowUnixMs());
    });
    if (!status) return std::move(status).error();
    return removed;
  }

  Result<bool> Bookmark(const Mark& mark) override {
    if (mark.id <= 0) return Error::Internal("A new bookmark needs an id from the IdGenerator");
    bool added = false;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto inserted =
          conn.Exec(kInsertBookmark, {mark.id, mark.account_id, mark.status_id, mark.created_at, mark.status_id});
      if (!inserted) return std::move(inserted).error();
      added = *inserted > 0;
      return added ? Ok() : RequireStatus(conn, mark.status_id);
    });
    if (!status) return std::move(status).error();
    return added;
  }

  Result<bool> Unbookmark(int64_t account_id, int64_t status_id) override {
    int64_t removed = 0;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto deleted = conn.Exec(kDeleteBookmark, {account_id, status_id});
      if (!deleted) return std::move(deleted).error();
      removed = *deleted;
      return Ok();
    });
    if (!status) return std::move(status).error();
    return removed > 0;
  }

  Result<bool> HasFavourited(int64_t account_id, int64_t status_id) override {
    return Exists(kHasFavourite, account_id, status_id);
  }
  Result<bool> HasBookmarked(int64_t account_id, int64_t status_id) override {
    return Exists(kHasBookmark, account_id, status_id);
  }

  Result<std::vector<Mark>> Favourites(int64_t account_id, const PageQuery& page) override {
    return OwnMarks(page.from_above ? kFavouritesAsc : kFavouritesDesc, account_id, page);
  }
  Result<std::vector<Mark>> Bookmarks(int64_t account_id, const PageQuery& page) override {
    return OwnMarks(page.from_above ? kBookmarksAsc : kBookmarksDesc, account_id, page);
  }

  Result<std::vector<Mark>> FavouritedBy(int64_t status_id, int64_t viewer_id, const PageQuery& page) override {
    Result<std::vector<Mark>> out = std::vector<Mark>();
    Status status = db_.Read([&](Connection& conn) -> Status {
      out = DecodeMarks(conn.Query(page.from_above ? kLikersAsc : kLikersDesc,
                                   {status_id, page.below, page.above, viewer_id, viewer_id,
                                    int64_t{page.limit}}),
                        page.from_above);
      return out ? Ok() : Status(out.error());
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<std::vector<ThreadEntry>> Ancestors(int64_t status_id, int64_t viewer_id, int limit) override {
    std::vector<ThreadEntry> out;
    if (limit <= 0) return out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      std::vector<Value> args{status_id, int64_t{limit}};
      AppendViewer(args, viewer_id);
      auto rows = conn.Query(kAncestors, args);
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) out.push_back(ThreadEntry{row.Int(0), row.Int(1)});
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<std::vector<ThreadEntry>> Descendants(int64_t status_id, int64_t viewer_id, int limit) override {
    std::vector<ThreadEntry> entries;
    if (limit <= 0) return entries;
    Status status = db_.Read([&](Connection& conn) -> Status {
      entries.clear();
      // Each level: the visibility rule, then the mute.
      std::vector<Value> args{status_id};
      for (int level = 0; level < 2; ++level) {
        AppendViewer(args, viewer_id);
        args.emplace_back(viewer_id);
      }
      args.emplace_back(int64_t{limit});
      auto rows = conn.Query(kDescendants, args);
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) entries.push_back(ThreadEntry{row.Int(0), row.Int(1)});
      return Ok();
    });
    if (!status) return std::move(status).error();
    return DepthFirst(status_id, std::move(entries));
  }

 private:
  // Nothing was inserted: the mark existed already (fine) or the status is gone.
  static Status RequireStatus(Connection& conn, int64_t status_id) {
    auto row = conn.QueryOne(kStatusExists, {status_id});
    if (!row) return std::move(row).error();
    if (!*row) return Error::NotFound();
    return Ok();
  }

  Result<bool> Exists(const Statement& st, int64_t account_id, int64_t status_id) {
    bool found = false;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(st, {account_id, status_id});
      if (!row) return std::move(row).error();
      found = row->has_value();
      return Ok();
    });
    if (!status) return std::move(status).error();
    return found;
  }

  Result<std::vector<Mark>> OwnMarks(const Statement& st, int64_t account_id, const PageQuery& page) {
    Result<std::vector<Mark>> out = std::vector<Mark>();
    Status status = db_.Read([&](Connection& conn) -> Status {
      std::vector<Value> args{account_id, page.below, page.above};
      AppendViewer(args, account_id);
      args.emplace_back(int64_t{page.limit});
      out = DecodeMarks(conn.Query(st, args), page.from_above);
      return out ? Ok() : Status(out.error());
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<InteractionStore> MakeSqlInteractionStore(Database& db) {
  return std::make_unique<SqlInteractionStore>(db);
}

}  // namespace vantage::store
