// GraphStore over the backend-neutral SQL layer.
//
// Isolation (Write is serialised on SQLite, READ COMMITTED on PostgreSQL):
// every write starts by locking both accounts' rows, lower id first (a no-op
// UPDATE), so two writes about the same pair run one after the other and
// each sees what the other committed. Rows are added with INSERT ... ON
// CONFLICT DO NOTHING and removed with DELETE, and counters move by the
// changed-row count of that very statement, so concurrent follows and
// unfollows of one account leave its counters equal to its rows.
#include <algorithm>
#include <set>
#include <utility>

#include "store/graph_store.h"
#include "store/access_events.h"
#include "store/id_batch.h"
#include "store/insight_store.h"
#include "store/visibility_sql.h"

namespace vantage::store {

namespace {

// One statement: each flag is an EXISTS on a unique index.
constexpr Statement kSelectRelation{
    "select_relation",
    "SELECT "
    "EXISTS (SELECT 1 FROM follows WHERE account_id = ? AND target_account_id = ?), "
    "EXISTS (SELECT 1 FROM follows WHERE account_id = ? AND target_account_id = ?), "
    "EXISTS (SELECT 1 FROM follow_requests WHERE account_id = ? AND target_account_id = ?), "
    "EXISTS (SELECT 1 FROM follow_requests WHERE account_id = ? AND target_account_id = ?), "
    "EXISTS (SELECT 1 FROM blocks WHERE account_id = ? AND target_account_id = ?), "
    "EXISTS (SELECT 1 FROM blocks WHERE account_id = ? AND target_account_id = ?), "
    "EXISTS (SELECT 1 FROM mutes WHERE account_id = ? AND target_account_id = ?), "
    "COALESCE((SELECT notifications FROM mutes WHERE account_id = ? AND target_account_id = ?), 0), "
    VANTAGE_DOMAIN_BLOCKED("?", "?")};

// kSelectRelation for a batch of accounts (the viewer fills the first nine
// placeholders, then the batch of ids), and whether the viewer blocks the
// account's server.
constexpr Statement kSelectRelations{
    "select_relations",
    "SELECT a.id, "
    "EXISTS (SELECT 1 FROM follows x WHERE x.account_id = ? AND x.target_account_id = a.id), "
    "EXISTS (SELECT 1 FROM follows x WHERE x.account_id = a.id AND x.target_account_id = ?), "
    "EXISTS (SELECT 1 FROM follow_requests x WHERE x.account_id = ? AND x.target_account_id = a.id), "
    "EXISTS (SELECT 1 FROM follow_requests x WHERE x.account_id = a.id AND x.target_account_id = ?), "
    "EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = ? AND x.target_account_id = a.id), "
    "EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = a.id AND x.target_account_id = ?), "
    "EXISTS (SELECT 1 FROM mutes x WHERE x.account_id = ? AND x.target_account_id = a.id), "
    "COALESCE((SELECT x.notifications FROM mutes x WHERE x.account_id = ? AND x.target_account_id = a.id), 0), "
    VANTAGE_DOMAIN_BLOCKED("?", "a.id") " "
    "FROM accounts a WHERE a.approved = 1 AND a.id IN " VANTAGE_ID_BATCH};

// Takes the row lock (PostgreSQL) and reads what a follow needs to know.
constexpr Statement kLockAccount{
    "lock_account_for_graph",
    "UPDATE accounts SET locked = locked WHERE id = ? RETURNING locked, feed_pull, approved, "
    "CASE WHEN domain IS NULL THEN 0 ELSE 1 END"};
constexpr Statement kSelectBlocksBetween{
    "select_blocks_between",
    "SELECT EXISTS (SELECT 1 FROM blocks WHERE account_id = ? AND target_account_id = ?), "
    "EXISTS (SELECT 1 FROM blocks WHERE account_id = ? AND target_account_id = ?)"};
constexpr Statement kSelectFollowExists{
    "select_follow_exists", "SELECT 1 FROM follows WHERE account_id = ? AND target_account_id = ?"};

constexpr Statement kInsertFollow{
    "insert_follow",
    "INSERT INTO follows (id, account_id, target_account_id, created_at, uri) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"};
// A remote follower's Follow activity id, kept by its request until answered.
constexpr Statement kSelectRequestUri{
    "select_follow_request_uri", "SELECT uri FROM follow_requests WHERE account_id = ? AND target_account_id = ?"};
constexpr Statement kDeleteFollow{
    "delete_follow", "DELETE FROM follows WHERE account_id = ? AND target_account_id = ?"};
constexpr Statement kInsertFollowRequest{
    "insert_follow_request",
    "INSERT INTO follow_requests (id, account_id, target_account_id, created_at, uri) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"};
constexpr Statement kCountFollowRequests{
    "count_follow_requests", "SELECT COUNT(*) FROM follow_requests WHERE target_account_id = ?"};
constexpr Statement kDeleteFollowRequest{
    "delete_follow_request",
    "DELETE FROM follow_requests WHERE account_id = ? AND target_account_id = ?"};

constexpr Statement kAddFollowing{
    "add_following_count", "UPDATE accounts SET following_count = following_count + ? WHERE id = ?"};
constexpr Statement kAddFollowers{
    "add_followers_count", "UPDATE accounts SET followers_count = followers_count + ? WHERE id = ?"};
// Never unset: a post must not fall between the inboxes and the pull path.
constexpr Statement kMarkFeedPull{
    "mark_feed_pull",
    "UPDATE accounts SET feed_pull = 1 WHERE id = ? AND feed_pull = 0 AND followers_count >= ?"};
// The new follower's inbox gets the followee's newest posts, so the home
// timeline is not empty right after following.
constexpr Statement kBackfillHomeFeed{
    "backfill_home_feed",
    "INSERT INTO home_feed (account_id, status_id, author_id) "
    "SELECT ?, s.id, s.account_id FROM statuses s WHERE s.account_id = ? AND s.is_comment = 0 "
    "AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = ? AND a.domain IS NULL) "
    "ORDER BY s.id DESC LIMIT 40 ON CONFLICT DO NOTHING"};

constexpr Statement kInsertNotification{
    "insert_graph_notification",
    "INSERT INTO notifications (id, account_id, from_account_id, type, status_id, created_at) "
    "VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING"};
constexpr Statement kDeleteRequestNotification{
    "delete_follow_request_notification",
    "DELETE FROM notifications WHERE account_id = ? AND from_account_id = ? AND type = 'follow_request'"};

constexpr Statement kInsertBlock{
    "insert_block",
    "INSERT INTO blocks (id, account_id, target_account_id, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"};
constexpr Statement kDeleteBlock{
    "delete_block", "DELETE FROM blocks WHERE account_id = ? AND target_account_id = ?"};
constexpr Statement kUpsertMute{
    "upsert_mute",
    "INSERT INTO mutes (id, account_id, target_account_id, created_at, notifications) "
    "VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (account_id, target_account_id) DO UPDATE SET notifications = excluded.notifications"};
constexpr Statement kDeleteMute{
    "delete_mute", "DELETE FROM mutes WHERE account_id = ? AND target_account_id = ?"};

// Lists: `<key> = ?`, then below, above and the limit. The newest-first form
// and the oldest-first form (min_id), reversed after reading.
#define VANTAGE_PAGE_DESC " AND x.id < ? AND x.id > ? ORDER BY x.id DESC LIMIT ?"
#define VANTAGE_PAGE_ASC " AND x.id < ? AND x.id > ? ORDER BY x.id ASC LIMIT ?"
// Followers and following leave out accounts that block the viewer.
#define VANTAGE_FOLLOWERS \
  "SELECT x.id, x.account_id FROM follows x WHERE x.target_account_id = ? AND NOT EXISTS " \
  "(SELECT 1 FROM blocks b WHERE b.account_id = x.account_id AND b.target_account_id = ?)"
#define VANTAGE_FOLLOWING \
  "SELECT x.id, x.target_account_id FROM follows x WHERE x.account_id = ? AND NOT EXISTS " \
  "(SELECT 1 FROM blocks b WHERE b.account_id = x.target_account_id AND b.target_account_id = ?)"
#define VANTAGE_REQUESTS "SELECT x.id, x.account_id FROM follow_requests x WHERE x.target_account_id = ?"
#define VANTAGE_BLOCKS "SELECT x.id, x.target_account_id FROM blocks x WHERE x.account_id = ?"
#define VANTAGE_MUTES "SELECT x.id, x.target_account_id FROM mutes x WHERE x.account_id = ?"

struct ListStatements {
  Statement newest;
  Statement oldest;
};
constexpr ListStatements kFollowers{{"list_followers", VANTAGE_FOLLOWERS VANTAGE_PAGE_DESC},
                                    {"list_followers_asc", VANTAGE_FOLLOWERS VANTAGE_PAGE_ASC}};
constexpr ListStatements kFollowing{{"list_following", VANTAGE_FOLLOWING VANTAGE_PAGE_DESC},
                                    {"list_following_asc", VANTAGE_FOLLOWING VANTAGE_PAGE_ASC}};
constexpr ListStatements kRequests{{"list_follow_requests", VANTAGE_REQUESTS VANTAGE_PAGE_DESC},
                                   {"list_follow_requests_asc", VANTAGE_REQUESTS VANTAGE_PAGE_ASC}};
constexpr ListStatements kBlocks{{"list_blocks", VANTAGE_BLOCKS VANTAGE_PAGE_DESC},
                                 {"list_blocks_asc", VANTAGE_BLOCKS VANTAGE_PAGE_ASC}};
constexpr ListStatements kMutes{{"list_mutes", VANTAGE_MUTES VANTAGE_PAGE_DESC},
                                {"list_mutes_asc", VANTAGE_MUTES VANTAGE_PAGE_ASC}};

#undef VANTAGE_PAGE_DESC
#undef VANTAGE_PAGE_ASC
#undef VANTAGE_FOLLOWERS
#undef VANTAGE_FOLLOWING
#undef VANTAGE_REQUESTS
#undef VANTAGE_BLOCKS
#undef VANTAGE_MUTES

struct Target {
  bool locked = false;
  bool feed_pull = false;
  bool remote = false;  // on another server: followed once it accepts
};

// Locks both accounts, lower id first so that two writes on one pair cannot
// deadlock; what the target is, or nullopt when it does not exist or awaits
// approval.
Result<std::optional<Target>> LockPair(Connection& conn, int64_t account_id, int64_t target_id) {
  std::optional<Target> target;
  for (int64_t id : {std::min(account_id, target_id), std::max(account_id, target_id)}) {
    auto row = conn.QueryOne(kLockAccount, {id});
    if (!row) return std::move(row).error();
    if (id == target_id && *row && (**row).Bool(2)) target = Target{(**row).Bool(0), (**row).Bool(1), (**row).Bool(3)};
  }
  return target;
}

Status Notify(Connection& conn, int64_t id, int64_t account_id, int64_t from_account_id, const char* type,
              int64_t now) {
  auto inserted = conn.Exec(kInsertNotification, {id, account_id, from_account_id, std::string(type), now});
  if (!inserted) return std::move(inserted).error();
  return Ok();
}

// Adds the follow with everything that comes with a new one (see Follow in
// the header). Nothing when it already exists.
Status CreateFollow(Connection& conn, const FollowWrite& w, const Target& target) {
  auto inserted = conn.Exec(kInsertFollow, {w.row_id, w.account_id, w.target_account_id, w.now,
                                            w.uri.empty() ? Null() : Value(w.uri)});
  if (!inserted) return std::move(inserted).error();
  if (*inserted == 0) return Ok();
  if (auto s = conn.Exec(kAddFollowing, {int64_t{1}, w.account_id}); !s) return std::move(s).error();
  if (auto s = conn.Exec(kAddFollowers, {int64_t{1}, w.target_account_id}); !s) return std::move(s).error();
  VANTAGE_TRY(RecordFollowerCount(conn, w.target_account_id, w.now));
  if (!target.remote)
    if (auto s = Notify(conn, w.notification_id, w.target_account_id, w.account_id, "follow", w.now); !s)
      return s;
  if (!target.feed_pull) {
    if (auto s = conn.Exec(kBackfillHomeFeed, {w.account_id, w.target_account_id, w.account_id}); !s)
      return std::move(s).error();
  }
  if (auto s = conn.Exec(kMarkFeedPull, {w.target_account_id, w.feed_pull_followers}); !s)
    return std::move(s).error();
  return Ok();
}

// Removes a follow and moves the counters when there was one.
Result<bool> RemoveFollow(Connection& conn, int64_t account_id, int64_t target_id) {
  auto removed = conn.Exec(kDeleteFollow, {account_id, target_id});
  if (!removed) return std::move(removed).error();
  if (*removed == 0) return false;
  if (auto s = conn.Exec(kAddFollowing, {int64_t{-1}, account_id}); !s) return std::move(s).error();
  if (auto s = conn.Exec(kAddFollowers, {int64_t{-1}, target_id}); !s) return std::move(s).error();
  VANTAGE_TRY(RecordFollowerCount(conn, target_id, NowUnixMs()));
  return true;
}

// Removes a pending request and the notification it raised.
Result<bool> RemoveRequest(Connection& conn, int64_t account_id, int64_t target_id) {
  auto removed = conn.Exec(kDeleteFollowRequest, {account_id, target_id});
  if (!removed) return std::move(removed).error();
  if (*removed == 0) return false;
  if (auto s = conn.Exec(kDeleteRequestNotification, {target_id, account_id}); !s)
    return std::move(s).error();
  return true;
}

class SqlGraphStore final : public GraphStore {
 public:
  explicit SqlGraphStore(Database& db) : db_(db) {}

  Result<Relation> RelationBetween(int64_t viewer_id, int64_t account_id) override {
    Relation relation;
    relation.self = viewer_id == account_id;
    if (relation.self) return relation;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kSelectRelation, {viewer_id, account_id, account_id, viewer_id, viewer_id,
                                                 account_id, account_id, viewer_id, viewer_id, account_id,
                                                 account_id, viewer_id, viewer_id, account_id, viewer_id,
                                                 account_id, viewer_id, account_id});
      if (!row) return std::move(row).error();
      if (!*row) return Ok();
      const Row& r = **row;
      relation.following = r.Bool(0);
      relation.followed_by = r.Bool(1);
      relation.requested = r.Bool(2);
      relation.requested_by = r.Bool(3);
      relation.blocking = r.Bool(4);
      relation.blocked_by = r.Bool(5);
      relation.muting = r.Bool(6);
      relation.muting_notifications = r.Bool(7);
      relation.domain_blocking = r.Bool(8);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return relation;
  }

  Result<std::vector<std::pair<int64_t, Relation>>> RelationsBetween(
      int64_t viewer_id, const std::vector<int64_t>& account_ids) override {
    std::vector<std::pair<int64_t, Relation>> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      std::set<int64_t> seen;
      for (size_t begin = 0; begin < account_ids.size(); begin += kIdBatch) {
        std::vector<Value> args(9, Value(viewer_id));
        AppendIdBatch(args, account_ids, begin);
        auto rows = conn.Query(kSelectRelations, args);
        if (!rows) return std::move(rows).error();
        for (const Row& r : *rows) {
          if (!seen.insert(r.Int(0)).second) continue;
          Relation relation;
          relation.self = r.Int(0) == viewer_id;
          if (!relation.self) {
            relation.following = r.Bool(1);
            relation.followed_by = r.Bool(2);
            relation.requested = r.Bool(3);
            relation.requested_by = r.Bool(4);
            relation.blocking = r.Bool(5);
            relation.blocked_by = r.Bool(6);
            relation.muting = r.Bool(7);
            relation.muting_notifications = r.Bool(8);
            relation.domain_blocking = r.Bool(9);
          }
          out.emplace_back(r.Int(0), relation);
        }
      }
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<FollowOutcome> Follow(const FollowWrite& w) override {
    FollowOutcome outcome = FollowOutcome::kFollowing;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto target = LockPair(conn, w.account_id, w.target_account_id);
      if (!target) return std::move(target).error();
      if (!*target) return Error::NotFound();
      auto blocks = conn.QueryOne(kSelectBlocksBetween,
                                  {w.account_id, w.target_account_id, w.target_account_id, w.account_id});
      if (!blocks) return std::move(blocks).error();
      if (*blocks && (**blocks).Bool(1)) return Error::NotFound();
      if (*blocks && (**blocks).Bool(0))
        return Error::Invalid("id", "You block this account: unblock it before following it", "blocking");
      // A remote account is asked (its server answers with Accept or
      // Reject), whether or not it is locked.
      if ((*target)->locked || (*target)->remote) {
        auto follows = conn.QueryOne(kSelectFollowExists, {w.account_id, w.target_account_id});
        if (!follows) return std::move(follows).error();
        if (*follows) {
          outcome = FollowOutcome::kFollowing;
          return Ok();
        }
        outcome = FollowOutcome::kRequested;
        auto inserted = conn.Exec(kInsertFollowRequest, {w.row_id, w.account_id, w.target_account_id, w.now,
                                                         w.uri.empty() ? Null() : Value(w.uri)});
        if (!inserted) return std::move(inserted).error();
        if (*inserted == 0) return Ok();
        if ((*target)->remote) return w.on_request ? w.on_request(conn) : Ok();
        return Notify(conn, w.notification_id, w.target_account_id, w.account_id, "follow_request", w.now);
      }
      outcome = FollowOutcome::kFollowing;
      // A request left from when the account was locked is answered by this follow.
      if (auto removed = RemoveRequest(conn, w.account_id, w.target_account_id); !removed)
        return std::move(removed).error();
      return CreateFollow(conn, w, **target);
    });
    if (!status) return std::move(status).error();
    return outcome;
  }

  Result<bool> Unfollow(int64_t account_id, int64_t target_id) override {
    bool changed = false;
    Status status = db_.Write([&](Connection& conn) -> Status {
      changed = false;
      auto target = LockPair(conn, account_id, target_id);
      if (!target) return std::move(target).error();
      auto follow = RemoveFollow(conn, account_id, target_id);
      if (!follow) return std::move(follow).error();
      auto request = RemoveRequest(conn, account_id, target_id);
      if (!request) return std::move(request).error();
      changed = *follow || *request;
      return Ok();
    });
    if (!status) return std::move(status).error();
    return changed;
  }

  Status AuthorizeRequest(const FollowWrite& w) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto target = LockPair(conn, w.account_id, w.target_account_id);
      if (!target) return std::move(target).error();
      if (!*target) return Error::NotFound();
      auto uri = conn.QueryOne(kSelectRequestUri, {w.account_id, w.target_account_id});
      if (!uri) return std::move(uri).error();
      auto removed = RemoveRequest(conn, w.account_id, w.target_account_id);
      if (!removed) return std::move(removed).error();
      if (!*removed) return Error::NotFound();
      FollowWrite follow = w;
      if (*uri) follow.uri = (**uri).Text(0);
      return CreateFollow(conn, follow, **target);
    });
  }

  Status RejectRequest(int64_t account_id, int64_t requester_id) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto target = LockPair(conn, requester_id, account_id);
      if (!target) return std::move(target).error();
      auto removed = RemoveRequest(conn, requester_id, account_id);
      if (!removed) return std::move(removed).error();
      if (!*removed) return Error::NotFound();
      return Ok();
    });
  }

  Status Block(int64_t account_id, int64_t target_id, int64_t row_id, int64_t now) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto target = LockPair(conn, account_id, target_id);
      if (!target) return std::move(target).error();
      if (!*target) return Error::NotFound();
      if (auto s = conn.Exec(kInsertBlock, {row_id, account_id, target_id, now}); !s)
        return std::move(s).error();
      for (auto [from, to] : {std::pair{account_id, target_id}, std::pair{target_id, account_id}}) {
        if (auto s = RemoveFollow(conn, from, to); !s) return std::move(s).error();
        if (auto s = RemoveRequest(conn, from, to); !s) return std::move(s).error();
      }
      // The blocked account no longer reads the blocker's live streams.
      return AppendAccessRevokedOn(conn, AccessRevocation{target_id, 0, account_id}, now);
    });
  }

  Status Unblock(int64_t account_id, int64_t target_id) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto removed = conn.Exec(kDeleteBlock, {account_id, target_id});
      if (!removed) return std::move(removed).error();
      return Ok();
    });
  }

  Status Mute(int64_t account_id, int64_t target_id, bool notifications, int64_t row_id,
              int64_t now) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto target = LockPair(conn, account_id, target_id);
      if (!target) return std::move(target).error();
      if (!*target) return Error::NotFound();
      auto upserted =
          conn.Exec(kUpsertMute, {row_id, account_id, target_id, now, int64_t{notifications ? 1 : 0}});
      if (!upserted) return std::move(upserted).error();
      return Ok();
    });
  }

  Status Unmute(int64_t account_id, int64_t target_id) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto removed = conn.Exec(kDeleteMute, {account_id, target_id});
      if (!removed) return std::move(removed).error();
      return Ok();
    });
  }

  Result<std::vector<GraphEdge>> Followers(int64_t account_id, int64_t viewer_id,
                                           const PageQuery& page) override {
    return List(kFollowers, {account_id, viewer_id}, page);
  }
  Result<std::vector<GraphEdge>> Following(int64_t account_id, int64_t viewer_id,
                                           const PageQuery& page) override {
    return List(kFollowing, {account_id, viewer_id}, page);
  }
  Result<std::vector<GraphEdge>> FollowRequests(int64_t account_id, const PageQuery& page) override {
    return List(kRequests, {account_id}, page);
  }
  Result<int64_t> CountFollowRequests(int64_t account_id) override {
    int64_t count = 0;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kCountFollowRequests, {account_id});
      if (!row) return std::move(row).error();
      count = *row ? (**row).Int(0) : 0;
      return Ok();
    });
    if (!status) return std::move(status).error();
    return count;
  }
  Result<std::vector<GraphEdge>> Blocks(int64_t account_id, const PageQuery& page) override {
    return List(kBlocks, {account_id}, page);
  }
  Result<std::vector<GraphEdge>> Mutes(int64_t account_id, const PageQuery& page) override {
    return List(kMutes, {account_id}, page);
  }

 private:
  Result<std::vector<GraphEdge>> List(const ListStatements& statements, std::vector<Value> args,
                                      const PageQuery& page) {
    args.push_back(page.below);
    args.push_back(page.above);
    args.push_back(int64_t{page.limit});
    std::vector<GraphEdge> edges;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto rows = conn.Query(page.from_above ? statements.oldest : statements.newest, args);
      if (!rows) return std::move(rows).error();
      edges.clear();
      for (const Row& row : *rows) edges.push_back(GraphEdge{row.Int(0), row.Int(1)});
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (page.from_above) std::reverse(edges.begin(), edges.end());
    return edges;
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<GraphStore> MakeSqlGraphStore(Database& db) { return std::make_unique<SqlGraphStore>(db); }

}  // namespace vantage::store
