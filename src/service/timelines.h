// Timelines, an account's statuses, search and explore: lists of statuses
// under the one visibility policy (service/policy.h), applied by the store's
// queries and held to that policy by the privacy tests.
//
// All functions block (database): call them from a pool thread. Lists are
// newest first, as ids: rendering reads the statuses (api/status_json.h),
// which leaves out any deleted meanwhile while the ids still move the cursor
// on.
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
#include "store/timeline_store.h"

namespace vantage::service {

struct StatusPage {
  std::vector<int64_t> ids;  // as walked, newest first
};

// The signed-in viewer's home timeline (docs/architecture.md, "Home
// timelines").
Result<StatusPage> HomeTimeline(ServiceContext& ctx, int64_t viewer_id, const store::PageQuery& page);

struct PublicFilter {
  bool only_media = false;
  bool local = false;   // only this server's posts
  bool remote = false;  // only other servers' posts (unless `local`)
};

// Public posts of everyone.
Result<StatusPage> PublicTimeline(ServiceContext& ctx, std::optional<int64_t> viewer_id, const PublicFilter& filter,
                                  const store::PageQuery& page);

struct TagFilter {
  std::vector<std::string> any;  // tag names, at most store::kMaxFilterTags each
  std::vector<std::string> all;
  std::vector<std::string> none;
};

// Public posts carrying the hashtag `name` (compared by its key). An unknown
// tag has no posts. Invalid "any" / "all" / "none" for more than
// store::kMaxFilterTags names.
Result<StatusPage> TagTimeline(ServiceContext& ctx, std::optional<int64_t> viewer_id, const std::string& name,
                               const PublicFilter& filter, const TagFilter& tags, const store::PageQuery& page);

struct AccountStatusesFilter {
  bool only_media = false;
  bool pinned = false;
  bool exclude_replies = false;
  std::optional<std::string> tagged;  // a hashtag name
};

// What the viewer may see of an account's statuses: public and unlisted for
// everyone, private for its followers and itself, archived for itself.
// NotFound when the account does not exist or blocks the viewer; nothing
// when the viewer blocks it.
Result<StatusPage> AccountStatuses(ServiceContext& ctx, std::optional<int64_t> viewer_id, int64_t account_id,
                                   const AccountStatusesFilter& filter, const store::PageQuery& page);

// Public posts ranked by favourites in the last 48 hours. The ranking is
// shared by every viewer and kept for 30 seconds; each viewer's blocks and
// mutes are applied to it, and posts archived or deleted since are left out.
Result<std::vector<store::Post>> Explore(ServiceContext& ctx, std::optional<int64_t> viewer_id, int offset,
                                         int limit);

inline constexpr int64_t kExploreWindowMs = 48LL * 3600 * 1000;
inline constexpr int64_t kExploreCacheMs = 30 * 1000;
inline constexpr int kExploreDepth = 400;  // posts ranked; offsets past it find nothing

enum class SearchType { kAll, kAccounts, kHashtags, kStatuses };

struct SearchQuery {
  std::string q;  // non-empty
  SearchType type = SearchType::kAll;
  int limit = 20;
  int offset = 0;
  // Look a URL or a remote user@host up on its server (signed in only;
  // service/fediverse.h); otherwise only what is known here is found.
  bool resolve = false;
};

struct SearchResult {
  std::vector<store::Account> accounts;
  std::vector<store::TagHit> hashtags;
  std::vector<int64_t> statuses;
};

inline constexpr int kMaxSearchOffset = 1000;

// The hashtag `name` (compared by its key, a leading # ignored), when a
// status the viewer may see carries it: NotFound otherwise, exactly as for
// a tag never used, so that tags of followers-only posts and held comments
// tell nobody else they exist.
Result<store::TagHit> FindTag(ServiceContext& ctx, std::optional<int64_t> viewer_id, std::string_view name);

// A URL or a remote "user@host": the account or post it names (with
// `resolve`, fetched from its server: BadGateway "remote_unavailable" when
// that server does not answer; nothing found when it has no such thing).
// Otherwise accounts by username or display name prefix ("@name" and
// "name@ourdomain" too), hashtags by name prefix (those the viewer may see a status of, as
// FindTag), and public posts carrying the hashtag when `q` is "#tag" (or,
// with type statuses, a tag name).
Result<SearchResult> Search(ServiceContext& ctx, std::optional<int64_t> viewer_id, const SearchQuery& query);

}  // namespace vantage::service
