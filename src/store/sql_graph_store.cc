// GraphStore over the backend-neutral SQL layer.
#include "store/graph_store.h"

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
    "EXISTS (SELECT 1 FROM mutes WHERE account_id = ? AND target_account_id = ?)"};

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
                                                 account_id, viewer_id, viewer_id, account_id});
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
      return Ok();
    });
    if (!status) return std::move(status).error();
    return relation;
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<GraphStore> MakeSqlGraphStore(Database& db) { return std::make_unique<SqlGraphStore>(db); }

}  // namespace vantage::store
