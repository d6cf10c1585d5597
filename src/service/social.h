// Social graph use cases: following (and asking to follow locked accounts),
// answering follow requests, blocking and muting, and the lists and
// relationships that show them.
//
// All functions block (database): call them from a pool thread. An account
// that does not exist, awaits approval or blocks the viewer is kNotFound,
// exactly like a missing one; acting on oneself is Invalid "id" code "self".
// Each write answers what the caller now is to the other account.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/graph_store.h"
#include "store/page.h"
#include "store/store.h"

namespace vantage::service {

// At most this many ids in one relationships request.
inline constexpr size_t kMaxRelationshipIds = 40;

// The account `id` as `viewer_id` may see it (nullopt: signed out).
Result<store::Account> VisibleAccount(ServiceContext& ctx, int64_t id, std::optional<int64_t> viewer_id);

// Follows `target_id`, or asks to when it is locked; idempotent. Invalid
// "id" code "blocking" while `me` blocks the target.
Result<store::Relation> FollowAccount(ServiceContext& ctx, int64_t me, int64_t target_id);
// The same for a remote follower, whose Follow names its activity id: kept
// with the follow or request, and an Accept recorded for it when the follow
// is made (service/federation_events.h).
Result<store::Relation> FollowFromRemote(ServiceContext& ctx, int64_t me, int64_t target_id,
                                         const std::string& follow_activity_id);
// A remote account is always asked: the relation reads requested until its
// server's Accept (RemoteFollowAnswered), and the Follow is recorded for
// delivery in the request's own transaction.
//
// Unfollows and withdraws a pending request; idempotent. Of a remote
// account, its server is told (Undo).
Result<store::Relation> UnfollowAccount(ServiceContext& ctx, int64_t me, int64_t target_id);
// Answers `requester_id`'s pending request to follow `me`; NotFound when
// there is none.
Result<store::Relation> AuthorizeFollowRequest(ServiceContext& ctx, int64_t me, int64_t requester_id);
Result<store::Relation> RejectFollowRequest(ServiceContext& ctx, int64_t me, int64_t requester_id);

// A remote account's server answered `local_id`'s request to follow it:
// accepted, the request becomes a follow (its recent posts fill the home
// timeline); refused, the request (or the follow, which a server may end)
// goes. Nothing when there is neither.
Status RemoteFollowAnswered(ServiceContext& ctx, int64_t local_id, int64_t remote_id, bool accepted);

// Accepts every pending request to follow `me`, as Mastodon does when an
// account is unlocked. Requests made meanwhile are the next call's.
Status AuthorizeAllFollowRequests(ServiceContext& ctx, int64_t me);

// Blocking also removes follows and requests both ways. Blocks and mutes
// work on accounts that block `me` too (they protect `me`, and reveal
// nothing).
Result<store::Relation> BlockAccount(ServiceContext& ctx, int64_t me, int64_t target_id);
Result<store::Relation> UnblockAccount(ServiceContext& ctx, int64_t me, int64_t target_id);
Result<store::Relation> MuteAccount(ServiceContext& ctx, int64_t me, int64_t target_id, bool notifications);
Result<store::Relation> UnmuteAccount(ServiceContext& ctx, int64_t me, int64_t target_id);

// What `me` is to each of `ids`, in their order, each once; ids of accounts
// `me` may not see are left out.
Result<std::vector<std::pair<int64_t, store::Relation>>> Relationships(ServiceContext& ctx, int64_t me,
                                                                       const std::vector<int64_t>& ids);

// A page of accounts from a relation list, newest relation first, and the
// cursors (relation row ids) of its first and last entries.
struct AccountPage {
  std::vector<store::Account> accounts;
  std::optional<int64_t> newest;
  std::optional<int64_t> oldest;
};

// Followers and following of an account `viewer_id` may see.
Result<AccountPage> Followers(ServiceContext& ctx, int64_t account_id, std::optional<int64_t> viewer_id,
                              const store::PageQuery& page);
Result<AccountPage> Following(ServiceContext& ctx, int64_t account_id, std::optional<int64_t> viewer_id,
                              const store::PageQuery& page);
// `me`'s own lists.
Result<AccountPage> FollowRequests(ServiceContext& ctx, int64_t me, const store::PageQuery& page);
Result<AccountPage> BlockedAccounts(ServiceContext& ctx, int64_t me, const store::PageQuery& page);
Result<AccountPage> MutedAccounts(ServiceContext& ctx, int64_t me, const store::PageQuery& page);

}  // namespace vantage::service
