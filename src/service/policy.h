// The one visibility policy: who may see a status. Every surface (a status,
// its context, profiles, timelines, tags, search, notifications, likers and
// media files) asks here or, for lists read in SQL, applies the same rules
// in its query and is held to this function by the privacy matrix tests.
//
// The rules:
// - the author sees everything of their own;
// - a block, either way, hides everything of each from the other;
// - archived statuses are seen by their author only, and so are held and
//   hidden comments (docs/organisations.md, "Comment controls");
// - public and unlisted statuses are seen by everyone, signed out too;
// - private (followers-only) statuses by the author's accepted followers (a
//   pending follow request is not enough), by the account a comment answers
//   (so an account always reads the comments on its own posts) and by the
//   accounts it mentions, as on Mastodon.
// Muting is not a visibility rule: it filters timelines and notifications,
// while a muted account's status opened directly still shows.
#pragma once

#include <cstdint>
#include <optional>

#include "core/error.h"
#include "service/context.h"
#include "store/graph_store.h"
#include "store/status_store.h"

namespace vantage::service {

// `relation` is what the viewer is to the status's author (ignored when
// signed out).
bool CanSeeStatus(const store::Post& status, std::optional<int64_t> viewer_id,
                  const store::Relation& relation);

// What the viewer is to `account_id`; all false when signed out.
Result<store::Relation> RelationTo(ServiceContext& ctx, std::optional<int64_t> viewer_id, int64_t account_id);

// Whether each side blocks the other, in either direction (false when signed
// out or for oneself).
inline bool Blocked(const store::Relation& relation) { return relation.blocking || relation.blocked_by; }

}  // namespace vantage::service
