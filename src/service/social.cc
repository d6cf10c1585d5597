#include "service/social.h"

#include <algorithm>
#include <unordered_map>

#include "core/id.h"
#include "service/federation_events.h"
#include "service/policy.h"
#include "store/federation_store.h"

namespace vantage::service {

namespace {

Status NotSelf(int64_t me, int64_t target_id, const char* action) {
  if (me == target_id) return Error::Invalid("id", std::string("You cannot ") + action + " yourself", "self");
  return Ok();
}

// The target must exist and be approved; blocks are the caller's business.
Status Exists(ServiceContext& ctx, int64_t id) {
  auto account = ctx.store.accounts().FindById(id);
  if (!account) return std::move(account).error();
  if (!*account || !(*account)->approved) return Error::NotFound();
  return Ok();
}

store::FollowWrite NewFollow(ServiceContext& ctx, int64_t account_id, int64_t target_id) {
  store::FollowWrite w;
  w.account_id = account_id;
  w.target_account_id = target_id;
  w.row_id = ctx.ids.Next();
  w.notification_id = ctx.ids.Next();
  w.now = NowUnixMs();
  w.feed_pull_followers = ctx.settings.feed_pull_followers;
  return w;
}

// After a request was accepted: the Accept, when the follower is remote
// (its follow holds the Follow's id).
Status AcceptRemoteFollow(ServiceContext& ctx, int64_t me, int64_t follower_id) {
  auto activity_id = store::FollowActivityId(ctx.store.database(), follower_id, me);
  if (!activity_id) return std::move(activity_id).error();
  return RecordFollowAnswer(ctx, me, follower_id, true, *activity_id);
}

Result<AccountPage> Accounts(ServiceContext& ctx, Result<std::vector<store::GraphEdge>> edges) {
  if (!edges) return std::move(edges).error();
  AccountPage page;
  if (edges->empty()) return page;
  page.newest = edges->front().id;
  page.oldest = edges->back().id;
  std::vector<int64_t> ids;
  ids.reserve(edges->size());
  for (const store::GraphEdge& edge : *edges) ids.push_back(edge.account_id);
  auto accounts = ctx.store.accounts().FindByIds(ids);
  if (!accounts) return std::move(accounts).error();
  std::unordered_map<int64_t, store::Account*> by_id;
  for (store::Account& a : *accounts) by_id[a.id] = &a;
  for (const store::GraphEdge& edge : *edges) {
    // Deleted meanwhile, or awaiting approval: left out, the cursors still hold.
    auto found = by_id.find(edge.account_id);
    if (found != by_id.end() && found->second->approved) page.accounts.push_back(*found->second);
  }
  return page;
}

}  // namespace

Result<store::Account> VisibleAccount(ServiceContext& ctx, int64_t id, std::optional<int64_t> viewer_id) {
  auto account = ctx.store.accounts().FindById(id);
  if (!account) return std::move(account).error();
  if (!*account || !(*account)->approved) return Error::NotFound();
  if (viewer_id && *viewer_id != id) {
    auto relation = ctx.store.graph().RelationBetween(*viewer_id, id);
    if (!relation) return std::move(relation).error();
    if (relation->blocked_by) return Error::NotFound();
  }
  return std::move(**account);
}

Result<store::Relation> FollowAccount(ServiceContext& ctx, int64_t me, int64_t target_id) {
  if (auto s = NotSelf(me, target_id, "follow"); !s) return std::move(s).error();
  auto target = VisibleAccount(ctx, target_id, me);
  if (!target) return std::move(target).error();
  if (target->local()) return FollowFromRemote(ctx, me, target_id, "");
  // A remote account: its server is asked with a Follow of this server's.
  store::FollowWrite follow = NewFollow(ctx, me, target_id);
  follow.uri = ctx.settings.base_url + "/follows/" + std::to_string(follow.row_id);
  follow.on_request = [&ctx, &follow, me, target_id](store::Connection& conn) {
    return RecordFederated(ctx, conn, me, kFollowRequested, target_id, FollowDetail(follow.uri));
  };
  auto followed = ctx.store.graph().Follow(follow);
  if (!followed) return std::move(followed).error();
  WakeFederation(ctx);
  return ctx.store.graph().RelationBetween(me, target_id);
}

Result<store::Relation> FollowFromRemote(ServiceContext& ctx, int64_t me, int64_t target_id,
                                         const std::string& follow_activity_id) {
  if (auto s = NotSelf(me, target_id, "follow"); !s) return std::move(s).error();
  store::FollowWrite follow = NewFollow(ctx, me, target_id);
  follow.uri = follow_activity_id;
  auto followed = ctx.store.graph().Follow(follow);
  if (!followed) return std::move(followed).error();
  if (*followed == store::FollowOutcome::kFollowing)
    VANTAGE_TRY(RecordFollowAnswer(ctx, target_id, me, true, follow_activity_id));
  return ctx.store.graph().RelationBetween(me, target_id);
}

Result<store::Relation> UnfollowAccount(ServiceContext& ctx, int64_t me, int64_t target_id) {
  if (auto s = NotSelf(me, target_id, "unfollow"); !s) return std::move(s).error();
  auto target = VisibleAccount(ctx, target_id, me);
  if (!target) return std::move(target).error();
  // Of a remote account, its server is told which Follow is undone.
  std::string follow_uri;
  if (!target->local()) {
    auto uri = store::FollowActivityId(ctx.store.database(), me, target_id);
    if (!uri) return std::move(uri).error();
    follow_uri = std::move(*uri);
  }
  auto removed = ctx.store.graph().Unfollow(me, target_id);
  if (!removed) return std::move(removed).error();
  if (*removed && !follow_uri.empty())
    VANTAGE_TRY(RecordFederated(ctx, me, kFollowUndone, target_id, FollowDetail(follow_uri)));
  return ctx.store.graph().RelationBetween(me, target_id);
}

Status RemoteFollowAnswered(ServiceContext& ctx, int64_t local_id, int64_t remote_id, bool accepted) {
  if (!accepted) {
    auto removed = ctx.store.graph().Unfollow(local_id, remote_id);
    if (!removed) return std::move(removed).error();
    return Ok();
  }
  Status authorized = ctx.store.graph().AuthorizeRequest(NewFollow(ctx, local_id, remote_id));
  // Accepted twice, or after the request was withdrawn: nothing to do.
  if (!authorized && authorized.error().kind == ErrorKind::kNotFound) return Ok();
  return authorized;
}

Result<store::Relation> AuthorizeFollowRequest(ServiceContext& ctx, int64_t me, int64_t requester_id) {
  if (me == requester_id) return Error::NotFound();
  if (auto s = ctx.store.graph().AuthorizeRequest(NewFollow(ctx, requester_id, me)); !s)
    return std::move(s).error();
  VANTAGE_TRY(AcceptRemoteFollow(ctx, me, requester_id));
  return ctx.store.graph().RelationBetween(me, requester_id);
}

Result<store::Relation> RejectFollowRequest(ServiceContext& ctx, int64_t me, int64_t requester_id) {
  if (me == requester_id) return Error::NotFound();
  // The remote Follow's id goes with the request: read it first.
  auto follow_activity_id = store::FollowActivityId(ctx.store.database(), requester_id, me);
  if (!follow_activity_id) return std::move(follow_activity_id).error();
  if (auto s = ctx.store.graph().RejectRequest(me, requester_id); !s) return std::move(s).error();
  VANTAGE_TRY(RecordFollowAnswer(ctx, me, requester_id, false, *follow_activity_id));
  return ctx.store.graph().RelationBetween(me, requester_id);
}

Status AuthorizeAllFollowRequests(ServiceContext& ctx, int64_t me) {
  store::PageQuery page;
  page.limit = 80;
  while (true) {
    auto requests = ctx.store.graph().FollowRequests(me, page);
    if (!requests) return std::move(requests).error();
    for (const store::GraphEdge& request : *requests) {
      auto authorized = ctx.store.graph().AuthorizeRequest(NewFollow(ctx, request.account_id, me));
      // Withdrawn or removed by a block meanwhile: nothing to accept.
      if (!authorized && authorized.error().kind != ErrorKind::kNotFound) return authorized;
      if (authorized) VANTAGE_TRY(AcceptRemoteFollow(ctx, me, request.account_id));
    }
    if (requests->size() < static_cast<size_t>(page.limit)) return Ok();
    page.below = requests->back().id;
  }
}

namespace {

// A block of a remote account, or its end, goes to the account's server (as
// Mastodon's does): the follows end there too.
Status TellRemoteOfBlock(ServiceContext& ctx, int64_t me, int64_t target_id, const char* kind) {
  auto target = ctx.store.accounts().FindById(target_id);
  if (!target) return std::move(target).error();
  if (!*target || (*target)->local()) return Ok();
  return RecordFederated(ctx, me, kind, target_id);
}

}  // namespace

Result<store::Relation> BlockAccount(ServiceContext& ctx, int64_t me, int64_t target_id) {
  if (auto s = NotSelf(me, target_id, "block"); !s) return std::move(s).error();
  if (auto s = ctx.store.graph().Block(me, target_id, ctx.ids.Next(), NowUnixMs()); !s)
    return std::move(s).error();
  TellAccessRevoked(ctx);
  VANTAGE_TRY(TellRemoteOfBlock(ctx, me, target_id, kAccountBlocked));
  return ctx.store.graph().RelationBetween(me, target_id);
}

Result<store::Relation> UnblockAccount(ServiceContext& ctx, int64_t me, int64_t target_id) {
  if (auto s = NotSelf(me, target_id, "unblock"); !s) return std::move(s).error();
  if (auto s = Exists(ctx, target_id); !s) return std::move(s).error();
  if (auto s = ctx.store.graph().Unblock(me, target_id); !s) return std::move(s).error();
  VANTAGE_TRY(TellRemoteOfBlock(ctx, me, target_id, kAccountUnblocked));
  return ctx.store.graph().RelationBetween(me, target_id);
}

Result<store::Relation> MuteAccount(ServiceContext& ctx, int64_t me, int64_t target_id, bool notifications) {
  if (auto s = NotSelf(me, target_id, "mute"); !s) return std::move(s).error();
  if (auto s = ctx.store.graph().Mute(me, target_id, notifications, ctx.ids.Next(), NowUnixMs()); !s)
    return std::move(s).error();
  return ctx.store.graph().RelationBetween(me, target_id);
}

Result<store::Relation> UnmuteAccount(ServiceContext& ctx, int64_t me, int64_t target_id) {
  if (auto s = NotSelf(me, target_id, "unmute"); !s) return std::move(s).error();
  if (auto s = Exists(ctx, target_id); !s) return std::move(s).error();
  if (auto s = ctx.store.graph().Unmute(me, target_id); !s) return std::move(s).error();
  return ctx.store.graph().RelationBetween(me, target_id);
}

Result<std::vector<std::pair<int64_t, store::Relation>>> Relationships(ServiceContext& ctx, int64_t me,
                                                                       const std::vector<int64_t>& ids) {
  auto found = ctx.store.graph().RelationsBetween(me, ids);
  if (!found) return std::move(found).error();
  std::unordered_map<int64_t, store::Relation> by_id(found->begin(), found->end());
  // In the order asked, each once; an account that blocks `me` is left out
  // like a missing one.
  std::vector<std::pair<int64_t, store::Relation>> out;
  for (int64_t id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end() || it->second.blocked_by) continue;
    out.emplace_back(id, it->second);
    by_id.erase(it);
  }
  return out;
}

Result<AccountPage> Followers(ServiceContext& ctx, int64_t account_id, std::optional<int64_t> viewer_id,
                              const store::PageQuery& page) {
  auto account = VisibleAccount(ctx, account_id, viewer_id);
  if (!account) return std::move(account).error();
  return Accounts(ctx, ctx.store.graph().Followers(account_id, viewer_id.value_or(0), page));
}

Result<AccountPage> Following(ServiceContext& ctx, int64_t account_id, std::optional<int64_t> viewer_id,
                              const store::PageQuery& page) {
  auto account = VisibleAccount(ctx, account_id, viewer_id);
  if (!account) return std::move(account).error();
  return Accounts(ctx, ctx.store.graph().Following(account_id, viewer_id.value_or(0), page));
}

Result<AccountPage> FollowRequests(ServiceContext& ctx, int64_t me, const store::PageQuery& page) {
  return Accounts(ctx, ctx.store.graph().FollowRequests(me, page));
}

Result<AccountPage> BlockedAccounts(ServiceContext& ctx, int64_t me, const store::PageQuery& page) {
  return Accounts(ctx, ctx.store.graph().Blocks(me, page));
}

Result<AccountPage> MutedAccounts(ServiceContext& ctx, int64_t me, const store::PageQuery& page) {
  return Accounts(ctx, ctx.store.graph().Mutes(me, page));
}

}  // namespace vantage::service
