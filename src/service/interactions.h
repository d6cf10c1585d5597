// Interaction use cases: favourites, bookmarks, the accounts that liked a
// status, and a status's context (the thread around it).
//
// All functions block (database): call them from a pool thread. A status the
// viewer may not see is kNotFound, exactly like a missing one
// (service/policy.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/page.h"
#include "store/status_store.h"
#include "store/store.h"

namespace vantage::service {

// As Mastodon: how far up a thread goes, and how much of the tree under a
// status is shown to signed-out and signed-in viewers.
inline constexpr int kMaxAncestors = 40;
inline constexpr int kMaxDescendantsSignedOut = 60;
inline constexpr int kMaxDescendantsSignedIn = 4096;

// Favourites a status the viewer may see (idempotent) and, the first time,
// notifies its author (not for one's own). Returns the status as it is
// afterwards.
Result<store::Post> FavouriteStatus(ServiceContext& ctx, int64_t id, int64_t viewer_id);
// Removes the favourite (idempotent). The mark goes even from a status the
// viewer may no longer see, which still answers NotFound.
Result<store::Post> UnfavouriteStatus(ServiceContext& ctx, int64_t id, int64_t viewer_id);
// A remote account's boost (ActivityPub Announce, `uri` its id) of a
// public or unlisted status it may see: a local one's is counted in
// reblogs_count and notified to the author; a post's is shown in the home
// timelines of the booster's local followers, once (docs/federation.md,
// "Boosts"). Idempotent. Its Undo takes it back.
Result<store::Post> RecordBoost(ServiceContext& ctx, int64_t id, int64_t account_id, const std::string& uri);
Result<store::Post> RemoveBoost(ServiceContext& ctx, int64_t id, int64_t account_id);
Result<store::Post> BookmarkStatus(ServiceContext& ctx, int64_t id, int64_t viewer_id);
Result<store::Post> UnbookmarkStatus(ServiceContext& ctx, int64_t id, int64_t viewer_id);

// A status in a list of marks, with the mark's id (the list cursor).
struct MarkedStatus {
  int64_t cursor = 0;
  store::Post post;
};

// The viewer's favourites and bookmarks of statuses they may still see,
// newest mark first.
Result<std::vector<MarkedStatus>> ListFavourites(ServiceContext& ctx, int64_t viewer_id,
                                                 const store::PageQuery& page);
Result<std::vector<MarkedStatus>> ListBookmarks(ServiceContext& ctx, int64_t viewer_id,
                                                const store::PageQuery& page);

struct Liker {
  int64_t cursor = 0;  // the favourite's id
  store::Account account;
};

// Who favourited a status the viewer may see, newest first, without
// accounts that block the viewer or that the viewer blocks.
Result<std::vector<Liker>> FavouritedBy(ServiceContext& ctx, int64_t id, std::optional<int64_t> viewer_id,
                                        const store::PageQuery& page);

// Status ids; rendering reads the statuses themselves.
struct StatusContext {
  std::vector<int64_t> ancestors;    // oldest first
  std::vector<int64_t> descendants;  // depth first, replies oldest first
};

// The thread around a status the viewer may see, under the visibility policy;
// replies by accounts that block the viewer, that the viewer blocks or mutes
// are left out, with the replies under them.
Result<StatusContext> ThreadOf(ServiceContext& ctx, int64_t id, std::optional<int64_t> viewer_id);

}  // namespace vantage::service
