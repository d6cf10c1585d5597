// The local changes that federate (docs/federation.md): services record
// each in store/federation_store.h's outbox, and src/federation/ turns it
// into an ActivityPub activity and its deliveries. Services know what
// happened, never how it is said in ActivityPub.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"
#include "service/context.h"
#include "store/sql.h"
#include "store/status_store.h"

namespace vantage::service {

// What happened, as federation_outbox.kind.
inline constexpr const char* kPostPublished = "post.created";  // object: the status
inline constexpr const char* kPostEdited = "post.updated";     // object: the status
// object: the status; detail {"visibility", "in_reply_to_account_id"?}
// (the row is gone when it is read).
inline constexpr const char* kPostDeleted = "post.deleted";
inline constexpr const char* kFollowAccepted = "follow.accepted";  // object: the follower; detail {"follow"}
inline constexpr const char* kFollowRejected = "follow.rejected";  // object: the follower; detail {"follow"}
inline constexpr const char* kProfileUpdated = "profile.updated";  // object: the account
// A local account asked to follow a remote one, or stopped following it
// (or withdrew the request). object: the remote account; detail {"follow"}:
// the Follow activity's id.
inline constexpr const char* kFollowRequested = "follow.requested";
inline constexpr const char* kFollowUndone = "follow.undone";
// A local account blocked a remote one, or unblocked it. object: the
// remote account.
inline constexpr const char* kAccountBlocked = "block.created";
inline constexpr const char* kAccountUnblocked = "block.undone";
// A report about a remote account, to be forwarded to its server as the
// instance's (the reporter asked: Mastodon's `forward`). object: the report.
inline constexpr const char* kReportForwarded = "report.forwarded";

// Records the change inside its own transaction (`conn`), and wakes the
// federation worker after the commit (RecordedFederated below).
Status RecordFederated(ServiceContext& ctx, store::Connection& conn, int64_t account_id, const char* kind,
                       int64_t object_id, const std::string& detail = "{}");
// Records it in a transaction of its own, after the change committed, and
// wakes the worker.
Status RecordFederated(ServiceContext& ctx, int64_t account_id, const char* kind, int64_t object_id,
                       const std::string& detail = "{}");
// Tells the federation worker that the outbox has new entries (after the
// commit of a transaction that called the first RecordFederated).
void WakeFederation(ServiceContext& ctx);

// After a status was deleted or archived: its Delete, when it may have gone
// to other servers (a local status that federates and was shown: a held
// comment never went; a hidden one was shown before). `conn`: in the
// deletion's own transaction; without: after it committed.
Status RecordStatusGone(ServiceContext& ctx, store::Connection& conn, const store::Post& post);
Status RecordStatusGone(ServiceContext& ctx, const store::Post& post);

// Follow answers to remote followers: after a local account accepted or
// refused `follower_id`'s request (or accepted its follow at once), records
// the Accept or Reject when the follower is remote. `follow_activity_id` is
// the remote Follow's id (read before a refusal deleted it).
Status RecordFollowAnswer(ServiceContext& ctx, int64_t account_id, int64_t follower_id, bool accepted,
                          const std::string& follow_activity_id);
// The detail of the follow entries: {"follow": id}.
std::string FollowDetail(const std::string& follow_activity_id);

}  // namespace vantage::service
