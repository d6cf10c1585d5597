// Favourites and bookmarks, likers, and the reply tree of a status.
//
// The conventions of store.h hold here. Each favourite and bookmark row has
// its own time-ordered id, the cursor its lists page by. statuses.favourites_count
// changes in the same transaction as the favourite row, and only when a row
// was really added or removed, so concurrent requests keep it exact.
//
// Lists apply the visibility policy (service/policy.h) in SQL for the viewer;
// a signed-out viewer is viewer id 0 (no account has it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/error.h"
#include "store/page.h"
#include "store/sql.h"

namespace vantage::store {

// A favourite or bookmark: `account_id` marked `status_id`.
struct Mark {
  int64_t id = 0;
  int64_t account_id = 0;
  int64_t status_id = 0;
  int64_t created_at = 0;
};

// Runs inside the write transaction of a favourite that was really added
// (not for one that existed); an error rolls it back.
using OnFavourite = std::function<Status(Connection&)>;

// A status in a reply tree and the status it answers.
struct ThreadEntry {
  int64_t id = 0;
  int64_t in_reply_to_id = 0;
};

class InteractionStore {
 public:
  virtual ~InteractionStore() = default;

  // Adds the favourite (its id and time from `mark`) unless it exists, and
  // then bumps the status's favourites_count and runs `on_added`. Whether a
  // row was added. NotFound when the status does not exist.
  virtual Result<bool> Favourite(const Mark& mark, const OnFavourite& on_added = {}) = 0;
  // Removes the favourite, lowering the count when there was one; whether
  // there was.
  virtual Result<bool> Unfavourite(int64_t account_id, int64_t status_id) = 0;
  virtual Result<bool> Bookmark(const Mark& mark) = 0;
  virtual Result<bool> Unbookmark(int64_t account_id, int64_t status_id) = 0;

  // Whether the account has favourited or bookmarked the status.
  virtual Result<bool> HasFavourited(int64_t account_id, int64_t status_id) = 0;
  virtual Result<bool> HasBookmarked(int64_t account_id, int64_t status_id) = 0;

  // The account's own favourites or bookmarks of statuses it may still see,
  // newest mark first.
  virtual Result<std::vector<Mark>> Favourites(int64_t account_id, const PageQuery& page) = 0;
  virtual Result<std::vector<Mark>> Bookmarks(int64_t account_id, const PageQuery& page) = 0;

  // The favourites of a status, newest first, leaving out accounts that
  // block the viewer or that the viewer blocks.
  virtual Result<std::vector<Mark>> FavouritedBy(int64_t status_id, int64_t viewer_id, const PageQuery& page) = 0;

  // Up to `limit` statuses that `status_id` answers, nearest first, that the
  // viewer may see and whose authors neither side blocks (a hidden one is
  // skipped; the chain goes on above it).
  virtual Result<std::vector<ThreadEntry>> Ancestors(int64_t status_id, int64_t viewer_id, int limit) = 0;
  // Up to `limit` statuses of the reply tree under `status_id`, each with
  // its parent, parents before their replies. A reply the viewer may not
  // see, or by an account that blocks the viewer, that the viewer blocks or
  // mutes, is left out with every reply under it.
  virtual Result<std::vector<ThreadEntry>> Descendants(int64_t status_id, int64_t viewer_id, int limit) = 0;
};

std::unique_ptr<InteractionStore> MakeSqlInteractionStore(Database& db);

}  // namespace vantage::store
