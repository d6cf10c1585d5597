#include "service/federation_events.h"

#include "core/id.h"
#include "core/text.h"
#include "store/federation_store.h"

namespace vantage::service {

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

void WakeFederation(ServiceContext& ctx) {
  if (ctx.federation_wake) ctx.federation_wake();
}

Status RecordFollowAnswer(ServiceContext& ctx, int64_t account_id, int64_t follower_id, bool accepted,
                          const std::string& follow_activity_id) {
  if (follow_activity_id.empty()) return Ok();  // a local follower
  return RecordFederated(ctx, account_id, accepted ? kFollowAccepted : kFollowRejected, follower_id,
                         "{\"follow\":" + JsonQuote(follow_activity_id) + "}");
}

}  // namespace vantage::service
