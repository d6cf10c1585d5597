#include "service/comments.h"

#include "core/id.h"
#include "core/text.h"
#include "service/federation_events.h"
#include "service/organisations.h"
#include "store/audit_store.h"

namespace vantage::service {

namespace {

Status AuthorizeModerator(ServiceContext& ctx, const CommentModerator& moderator) {
  if (!moderator.staff_id) return Ok();
  auto roles = AuthorizeStaff(ctx, moderator.account_id, *moderator.staff_id, StaffAction::kModerateComments);
  if (!roles) return std::move(roles).error();
  return Ok();
}

// The audit entry of an action taken as an organisation; nothing otherwise.
store::InTransaction Audit(const CommentModerator& moderator, std::string action) {
  if (!moderator.staff_id) return {};
  return [moderator, action = std::move(action)](store::Connection& conn, const store::Post& comment) -> Status {
    store::AuditEntry entry;
    entry.created_at = NowUnixMs();
    entry.organisation_id = moderator.account_id;
    entry.actor_id = moderator.staff_id;
    entry.action = action;
    entry.target_type = "status";
    entry.target_id = comment.id;
    entry.ip = AuditAddress(moderator.ip);
    entry.detail = "{\"account_id\":\"" + std::to_string(comment.account_id) + "\",\"post_id\":\"" +
                   std::to_string(comment.comment_post_id.value_or(comment.in_reply_to_id.value_or(0))) + "\"}";
    auto appended = store::AppendAuditEntryOn(conn, std::move(entry));
    if (!appended) return std::move(appended).error();
    return Ok();
  };
}

}  // namespace

Result<std::vector<store::Post>> HeldComments(ServiceContext& ctx, int64_t post_id,
                                              const CommentModerator& moderator) {
  VANTAGE_TRY(AuthorizeModerator(ctx, moderator));
  auto post = ctx.store.statuses().FindById(post_id);
  if (!post) return std::move(post).error();
  if (!*post || (*post)->account_id != moderator.account_id) return Error::NotFound();
  return ctx.store.statuses().HeldComments(post_id, kMaxHeldListed);
}

Result<store::Post> ApproveComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator,
                                   const std::string& seen_edited_at) {
  VANTAGE_TRY(AuthorizeModerator(ctx, moderator));
  store::InTransaction audit = Audit(moderator, "comment.approved");
  // Checked in the transaction that shows it: an edit that lands between
  // the review and the approval cannot slip through.
  auto as_reviewed = [&](store::Connection& conn, const store::Post& comment) -> Status {
    std::string edited_at = comment.edited_at ? FormatIsoTime(*comment.edited_at) : "";
    if (edited_at != seen_edited_at)
      return Error::Conflict("comment_changed",
                             "The comment was edited after you read it: read it again before approving it",
                             "edited_at");
    // Shown from now on: a local writer's comment goes to its followers'
    // servers only now (docs/federation.md).
    if (comment.uri.empty()) VANTAGE_TRY(RecordFederated(ctx, conn, comment.account_id, kPostPublished, comment.id));
    return audit ? audit(conn, comment) : Ok();
  };
  auto approved = ctx.store.statuses().SetCommentState(comment_id, moderator.account_id, store::CommentState::kHeld,
                                                       store::CommentState::kShown, as_reviewed);
  if (approved) WakeFederation(ctx);
  return approved;
}

Result<store::Post> HideComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator) {
  VANTAGE_TRY(AuthorizeModerator(ctx, moderator));
  // Hiding also unpins it, in the same transaction (pins show to everyone).
  return ctx.store.statuses().SetCommentState(comment_id, moderator.account_id, store::CommentState::kShown,
                                              store::CommentState::kHidden, Audit(moderator, "comment.hidden"));
}

Result<store::Post> UnhideComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator) {
  VANTAGE_TRY(AuthorizeModerator(ctx, moderator));
  return ctx.store.statuses().SetCommentState(comment_id, moderator.account_id, store::CommentState::kHidden,
                                              store::CommentState::kShown, Audit(moderator, "comment.unhidden"));
}

Result<store::Post> PinComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator) {
  VANTAGE_TRY(AuthorizeModerator(ctx, moderator));
  return ctx.store.statuses().PinComment(comment_id, moderator.account_id, kMaxPinnedComments, NowUnixMs(),
                                         Audit(moderator, "comment.pinned"));
}

Result<store::Post> UnpinComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator) {
  VANTAGE_TRY(AuthorizeModerator(ctx, moderator));
  return ctx.store.statuses().UnpinComment(comment_id, moderator.account_id, Audit(moderator, "comment.unpinned"));
}

Result<store::Post> DeleteComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator) {
  VANTAGE_TRY(AuthorizeModerator(ctx, moderator));
  store::InTransaction audit = Audit(moderator, "comment.deleted");
  auto deleted = ctx.store.statuses().DeleteComment(
      comment_id, moderator.account_id, [&](store::Connection& conn, const store::Post& comment) -> Status {
        // Its writer's followers' servers are told, as when its writer deletes it.
        VANTAGE_TRY(RecordStatusGone(ctx, conn, comment));
        return audit ? audit(conn, comment) : Ok();
      });
  if (deleted) WakeFederation(ctx);
  return deleted;
}

}  // namespace vantage::service
