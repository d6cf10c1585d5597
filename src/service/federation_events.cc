#include "service/federation_events.h"

#include "core/id.h"
#include "core/text.h"
#include "store/federation_store.h"

namespace vantage::service {

namespace {

bool WentOut(const store::Post& post) {
  return post.uri.empty() && post.federate && post.comment_state != store::CommentState::kHeld;
}

// What a Delete needs once the row is gone: whom the status went to.
std::string GoneDetail(const store::Post& post) {
  std::string detail = "{\"visibility\":" + JsonQuote(store::VisibilityName(post.visibility));
  if (post.in_reply_to_account_id)
    detail += ",\"in_reply_to_account_id\":" + std::to_string(*post.in_reply_to_account_id);
  return detail + "}";
}

}  // namespace

Status RecordFederated(ServiceContext& ctx, store::Connection& conn, int64_t account_id, const char* kind,
                       int64_t object_id, const std::string& detail) {
  return store::AppendOutbox(conn, store::OutboxEntry{ctx.ids.Next(), account_id, kind, object_id, detail,
                                                      NowUnixMs()});
}

Status RecordFederated(ServiceContext& ctx, int64_t account_id, const char* kind, int64_t object_id,
                       const std::string& detail) {
  VANTAGE_TRY(store::AppendOutbox(ctx.store.database(), store::OutboxEntry{ctx.ids.Next(), account_id, kind,
                                                                           object_id, detail, NowUnixMs()}));
  WakeFederation(ctx);
  return Ok();
}

Status RecordStatusGone(ServiceContext& ctx, store::Connection& conn, const store::Post& post) {
  if (!WentOut(post)) return Ok();
  return RecordFederated(ctx, conn, post.account_id, kPostDeleted, post.id, GoneDetail(post));
}

Status RecordStatusGone(ServiceContext& ctx, const store::Post& post) {
  if (!WentOut(post)) return Ok();
  return RecordFederated(ctx, post.account_id, kPostDeleted, post.id, GoneDetail(post));
}

void WakeFederation(ServiceContext& ctx) {
  if (ctx.federation_wake) ctx.federation_wake();
}

Status RecordFollowAnswer(ServiceContext& ctx, int64_t account_id, int64_t follower_id, bool accepted,
                          const std::string& follow_activity_id) {
  if (follow_activity_id.empty()) return Ok();  // a local follower
  return RecordFederated(ctx, account_id, accepted ? kFollowAccepted : kFollowRejected, follower_id,
                         FollowDetail(follow_activity_id));
}

std::string FollowDetail(const std::string& follow_activity_id) {
  return "{\"follow\":" + JsonQuote(follow_activity_id) + "}";
}

}  // namespace vantage::service
