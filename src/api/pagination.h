// Mastodon's list pagination: `max_id`, `since_id`, `min_id` and `limit` in,
// a `Link` header with rel="next" and rel="prev" out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/api.h"
#include "store/page.h"

namespace vantage::api {

// Mastodon's page sizes: statuses 20 by default and 40 at most; accounts
// (followers, likers, blocks...) 40 and 80.
inline constexpr int kDefaultLimit = 20;
inline constexpr int kMaxLimit = 40;
inline constexpr int kDefaultAccountLimit = 40;
inline constexpr int kMaxAccountLimit = 80;

// Reads the cursors and the limit. A cursor that is not an id is Invalid
// naming it; a limit that is not a number is Invalid "limit"; a limit
// outside 1..max_limit is clamped, as Mastodon does. since_id and min_id
// together: min_id wins, as on Mastodon.
Result<store::PageQuery> ParsePage(const http::Request& request, int default_limit, int max_limit);

// Adds `Link: <…?max_id=oldest>; rel="next", <…?min_id=newest>; rel="prev"`
// for a page whose items' cursors run from `newest` to `oldest` (nothing for
// an empty page). `base_url` is the instance's (Settings). The links keep the request's other query parameters.
void AddLinkHeader(const std::string& base_url, const http::Request& request, http::Response& response,
                   std::optional<int64_t> newest, std::optional<int64_t> oldest);

}  // namespace vantage::api
