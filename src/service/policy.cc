#include "service/policy.h"

namespace vantage::service {

bool CanSeeStatus(const store::Post& status, std::optional<int64_t> viewer_id,
                  const store::Relation& relation) {
  if (viewer_id && *viewer_id == status.account_id) return true;
  if (viewer_id && Blocked(relation)) return false;
  if (status.archived_at || status.comment_state != store::CommentState::kShown) return false;
  switch (status.visibility) {
    case store::Visibility::kPublic:
    case store::Visibility::kUnlisted:
      return true;
    case store::Visibility::kPrivate: {
      if (!viewer_id) return false;
      if (relation.following || status.in_reply_to_account_id == viewer_id) return true;
      for (const store::MentionRef& m : status.mentions)
        if (m.account_id == *viewer_id) return true;
      return false;
    }
  }
  return false;
}

Result<store::Relation> RelationTo(ServiceContext& ctx, std::optional<int64_t> viewer_id, int64_t account_id) {
  if (!viewer_id) return store::Relation{};
  return ctx.store.graph().RelationBetween(*viewer_id, account_id);
}

}  // namespace vantage::service
