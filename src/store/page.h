// A page of a list ordered by a time-ordered id, newest first: Mastodon's
// max_id / since_id / min_id / limit, as one shape every store takes.
#pragma once

#include <cstdint>
#include <limits>

namespace vantage::store {

struct PageQuery {
  int64_t below = std::numeric_limits<int64_t>::max();  // max_id: only ids < below
  int64_t above = 0;                                    // since_id or min_id: only ids > above
  // min_id: the `limit` ids just above `above` (read oldest first, returned
  // newest first) instead of the newest ones.
  bool from_above = false;
  int limit = 20;
};

}  // namespace vantage::store
