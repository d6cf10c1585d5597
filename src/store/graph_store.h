// The social graph: follows, follow requests, blocks and mutes.
//
// The conventions of store.h hold here. Each relation row has its own
// time-ordered id, the cursor its lists page by. Counters (followers_count,
// following_count) change in the same transaction as the follow row, and
// only when a row was really added or removed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

// What `viewer` is to `account`, in both directions: what the visibility
// policy and the Relationship entity need.
struct Relation {
  bool self = false;
  bool following = false;       // viewer follows account
  bool followed_by = false;     // account follows viewer
  bool requested = false;       // viewer asked to follow account (locked)
  bool requested_by = false;    // account asked to follow viewer
  bool blocking = false;        // viewer blocks account
  bool blocked_by = false;      // account blocks viewer
  bool muting = false;          // viewer mutes account
};

class GraphStore {
 public:
  virtual ~GraphStore() = default;

  // Everything `viewer_id` is to `account_id`, in one read.
  virtual Result<Relation> RelationBetween(int64_t viewer_id, int64_t account_id) = 0;
};

std::unique_ptr<GraphStore> MakeSqlGraphStore(Database& db);

}  // namespace vantage::store
