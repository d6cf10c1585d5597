// Comment controls on posts (docs/organisations.md, "Comment controls"):
// the review of held comments by the post's author.
//
// Who may comment is decided when a comment is published (PublishStatus,
// service/statuses.h). A held comment is seen by its writer as any comment
// and by nobody else (service/policy.h); the post's author sees it only in
// the review list here, and approves it (it is then shown to all the post
// reaches) or deletes it.
//
// `moderator` below is the post's author: a person's own account, or an
// organisation's, with `staff` the staff member acting as it, who must be
// one of its owners or moderators (Forbidden role_required otherwise).
// Actions taken as an organisation are written to its audit log in the
// transaction of the change. A comment in a thread under anyone else's post
// is NotFound. All functions block (database): call them from a pool thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/status_store.h"
#include "store/store.h"

namespace vantage::service {

// The most held comments one review list shows (oldest first).
inline constexpr int kMaxHeldListed = 200;

struct CommentModerator {
  int64_t account_id = 0;                  // the post's author
  std::optional<int64_t> staff_id;         // acting as an organisation
  std::string ip;                          // for the audit log
};

// The held comments under the moderator's post `post_id`, oldest first.
Result<std::vector<store::Post>> HeldComments(ServiceContext& ctx, int64_t post_id,
                                              const CommentModerator& moderator);

// Shows a held comment (audit "comment.approved") as the moderator read it:
// `seen_edited_at` is its edited_at as shown to them (ISO 8601, as the
// Status entity has it; empty: never edited). A comment edited since is
// Conflict "comment_changed" (field "edited_at") and stays held, so an
// approval never shows text its moderator did not read. Approving a shown
// comment is a no-op.
Result<store::Post> ApproveComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator,
                                   const std::string& seen_edited_at);

// Deletes a comment under the moderator's post, held or not (audit
// "comment.deleted").
Result<store::Post> DeleteComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator);

// Hides a shown comment from everyone but its writer, who is not told (audit
// "comment.hidden"; a pinned comment is unpinned); unhiding shows it again
// ("comment.unhidden"). Either on a comment in another state changes nothing.
Result<store::Post> HideComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator);
Result<store::Post> UnhideComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator);

inline constexpr int kMaxPinnedComments = 3;

// Pins a shown comment answering the moderator's post itself, up to 3 per
// post (Invalid "id": pin_limit, not_pinnable), audit "comment.pinned";
// pinned comments come first among the post's comments (ThreadOf,
// service/interactions.h). Unpin: "comment.unpinned".
Result<store::Post> PinComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator);
Result<store::Post> UnpinComment(ServiceContext& ctx, int64_t comment_id, const CommentModerator& moderator);

}  // namespace vantage::service
