// The social graph: follows, follow requests, blocks and mutes.
//
// The conventions of store.h hold here. Each relation row has its own
// time-ordered id, the cursor its lists page by. Counters (followers_count,
// following_count) change in the same transaction as the follow row, and
// only when a row was really added or removed.
//
// Every write below first locks the two accounts' rows (lower id first), so
// writes about one pair of accounts run one after the other on every engine:
// a block racing a follow either sees the follow and removes it, or is seen
// by it and refuses it; never a follow that outlives a block.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/page.h"
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
  bool muting_notifications = false;  // ... and its notifications
  // Viewer blocks the account's server (/api/v1/domain_blocks).
  bool domain_blocking = false;
};

// One entry of a relation list: the other account and the relation row's id
// (the list's cursor).
struct GraphEdge {
  int64_t id = 0;
  int64_t account_id = 0;
};

// A follow or a follow request about to be written. The ids are used only
// for rows that are really inserted.
struct FollowWrite {
  int64_t account_id = 0;         // who follows
  int64_t target_account_id = 0;  // whom
  int64_t row_id = 0;             // the follows or follow_requests row
  int64_t notification_id = 0;    // the target's notification
  int64_t now = 0;
  // The followee's posts go to followers' inboxes until this many follow it;
  // then it is marked feed_pull (Settings::feed_pull_followers).
  int64_t feed_pull_followers = 0;
  // The Follow activity's id (empty: a local follow): a remote follower's,
  // or this server's own when the target is remote; kept with the follow
  // or request for the Accept or Reject that answers it.
  std::string uri;
  // Runs in the transaction that writes a new request to a remote account
  // (what asks its server); an error rolls the request back.
  std::function<Status(Connection&)> on_request;
};

enum class FollowOutcome {
  kFollowing,  // a follow exists (new or already there)
  kRequested,  // the target is locked: a request exists (new or already there)
};

class GraphStore {
 public:
  virtual ~GraphStore() = default;

  // Everything `viewer_id` is to `account_id`, in one read.
  virtual Result<Relation> RelationBetween(int64_t viewer_id, int64_t account_id) = 0;
  // RelationBetween for many accounts in a few statements: the approved
  // accounts among `account_ids` that exist, each once, in no particular order.
  virtual Result<std::vector<std::pair<int64_t, Relation>>> RelationsBetween(
      int64_t viewer_id, const std::vector<int64_t>& account_ids) = 0;

  // Follows the target, or asks to when it is locked; idempotent. A new
  // follow moves both counters, notifies the target ('follow'), copies the
  // target's 40 newest posts into the follower's home inbox unless the target
  // is feed_pull, and marks the target feed_pull once its followers reach the
  // limit; a pending request to an account that is no longer locked becomes
  // a follow. A new request notifies the target ('follow_request').
  // NotFound when the target does not exist or blocks the follower;
  // Invalid code "blocking" (field "id") when the follower blocks the target.
  virtual Result<FollowOutcome> Follow(const FollowWrite& follow) = 0;

  // Removes the follow and withdraws a pending request (and its
  // notification). Whether anything was removed.
  virtual Result<bool> Unfollow(int64_t account_id, int64_t target_account_id) = 0;

  // Accepts `requester_id`'s request to follow `account_id`: the request
  // becomes a follow as in Follow (`follow.account_id` is the requester),
  // and the target's 'follow_request' notification becomes a 'follow' one.
  // NotFound when there is no such request.
  virtual Status AuthorizeRequest(const FollowWrite& follow) = 0;
  // Refuses it: the request and its notification go. NotFound when there is
  // no such request.
  virtual Status RejectRequest(int64_t account_id, int64_t requester_id) = 0;

  // Blocks the target; idempotent. Removes follows and follow requests both
  // ways (with their counters and request notifications) in the same
  // transaction. NotFound when the target does not exist.
  virtual Status Block(int64_t account_id, int64_t target_account_id, int64_t row_id, int64_t now) = 0;
  virtual Status Unblock(int64_t account_id, int64_t target_account_id) = 0;

  // Mutes the target; muting again updates `notifications`. NotFound when
  // the target does not exist.
  virtual Status Mute(int64_t account_id, int64_t target_account_id, bool notifications, int64_t row_id,
                      int64_t now) = 0;
  virtual Status Unmute(int64_t account_id, int64_t target_account_id) = 0;

  // Lists, newest row first, paged by the row id (page.h). `viewer_id` (0
  // when signed out) drops accounts that block the viewer from followers and
  // following.
  virtual Result<std::vector<GraphEdge>> Followers(int64_t account_id, int64_t viewer_id,
                                                   const PageQuery& page) = 0;
  virtual Result<std::vector<GraphEdge>> Following(int64_t account_id, int64_t viewer_id,
                                                   const PageQuery& page) = 0;
  // Pending requests to follow `account_id`.
  virtual Result<std::vector<GraphEdge>> FollowRequests(int64_t account_id, const PageQuery& page) = 0;
  virtual Result<int64_t> CountFollowRequests(int64_t account_id) = 0;
  virtual Result<std::vector<GraphEdge>> Blocks(int64_t account_id, const PageQuery& page) = 0;
  virtual Result<std::vector<GraphEdge>> Mutes(int64_t account_id, const PageQuery& page) = 0;
};

std::unique_ptr<GraphStore> MakeSqlGraphStore(Database& db);

}  // namespace vantage::store
