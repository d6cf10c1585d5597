// Timelines: the home feed (fan-out inboxes and pulled large accounts),
// public, tag and account timelines, each a page of status ids; search and
// explore; and the facts rendering a page of statuses needs, read in a fixed
// number of queries whatever the page's size.
//
// The conventions of store.h hold here. Every list applies the visibility
// policy of service/policy.h in its SQL (the service passes what it knows of
// the viewer; a viewer id of 0 is "signed out", which no account has), and is
// held to that policy by the privacy tests. Pages follow page.h: ids below
// `below` and above `above`, newest first, `limit` at most.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/graph_store.h"
#include "store/media_store.h"
#include "store/page.h"
#include "store/sql.h"
#include "store/store.h"

namespace vantage::store {

// A page of statuses and what rendering it needs, read in one snapshot.
struct RenderPage {
  // The statuses asked for that exist (and whose author does), in the order
  // asked, each once. Text
  // fields (caption, content, spoiler, language, application, times but
  // updated_at), tags, mentions and media ids are read only for those marked
  // `detailed`; the others carry what changes often (counters, pins,
  // archiving, updated_at) and what the policy needs.
  std::vector<Post> posts;
  std::vector<bool> detailed;
  // Per status: the newest updated_at of its media (0: none). With
  // updated_at and archived_at it tells whether a rendering kept from an
  // earlier read still holds (alt text changes without touching the status).
  std::vector<int64_t> media_versions;
  // The statuses' authors, each once. Whole rows for those marked
  // `author_detailed`; the others carry only what tells whether a kept
  // rendering holds (updated_at, the counters, verified, locked).
  std::vector<Account> authors;
  std::vector<bool> author_detailed;
  std::vector<MediaAttachment> media;  // of the detailed statuses, with their files
  std::vector<int64_t> favourited;     // statuses the viewer favourited
  std::vector<int64_t> bookmarked;     // statuses the viewer bookmarked
  // The statuses the page's statuses answer (those that still exist), each
  // with what the viewer is to its author: enough for the policy to decide
  // whether the reply may name it. Only id, account_id, visibility,
  // is_comment, archived_at, in_reply_to_account_id and, when it mentions
  // the viewer, that one mention of `post` are read.
  struct Parent {
    Post post;
    Relation relation;
  };
  std::vector<Parent> parents;
};

// Whether a status's text, tags, mentions and media must be read (given its
// state as RenderPage describes it, and its media version).
using NeedsDetails = std::function<bool(const Post& post, int64_t media_version)>;
// Whether an author's whole row must be read, given its state as RenderPage
// describes it.
using NeedsAuthor = std::function<bool(const Account& state)>;

// An account's statuses (GET /api/v1/accounts/:id/statuses), as the policy
// lets the viewer see them: the service fills the viewer's side.
struct AccountStatusesQuery {
  int64_t account_id = 0;
  bool include_private = false;   // the viewer is the author or follows them
  // Otherwise followers-only statuses show only when they answer or mention
  // the viewer (0: signed out).
  int64_t viewer_id = 0;
  bool include_archived = false;  // the viewer is the author
  bool exclude_replies = false;   // comments are replies
  bool only_media = false;
  bool pinned = false;  // pinned ones only, newest pin first (the page's cursors are ignored)
  int64_t tag_id = 0;   // only those carrying this tag (0: any)
};

// Filters of the public and tag timelines.
struct PublicQuery {
  int64_t viewer_id = 0;  // 0: signed out; else their blocks and mutes (both ways) are left out
  bool only_media = false;
  bool local_only = false;   // only this server's statuses (`local`)
  bool remote_only = false;  // only other servers' (`remote`)
  int64_t tag_id = 0;             // the tag timeline's tag (0: the public timeline)
  std::vector<int64_t> any_tags;  // also statuses carrying any of these (with tag_id)
  std::vector<int64_t> all_tags;  // only statuses carrying all of these too
  std::vector<int64_t> none_tags; // no status carrying any of these
};

// A hashtag found by search.
struct TagHit {
  int64_t id = 0;
  std::string name;
};

// The tag lists (any/all/none) take at most this many tags each.
inline constexpr size_t kMaxFilterTags = 10;

class TimelineStore {
 public:
  virtual ~TimelineStore() = default;

  // Reads the statuses `ids` and what rendering them for `viewer_id` (0:
  // signed out) needs, in one snapshot and a fixed number of statements per
  // 40 statuses. `needs_details` (empty: all) picks the statuses whose tags,
  // mentions and media are read, `needs_author` (empty: all) the authors
  // whose whole rows are.
  virtual Result<RenderPage> LoadRenderPage(const std::vector<int64_t>& ids, int64_t viewer_id,
                                            const NeedsDetails& needs_details = {},
                                            const NeedsAuthor& needs_author = {}) = 0;

  // The viewer's home timeline: posts in their inbox whose author they still
  // follow (or their own), merged with the posts of the feed_pull accounts
  // they follow; never comments or archived posts, nothing of an account
  // they block, mute or are blocked by.
  virtual Result<std::vector<int64_t>> Home(int64_t viewer_id, const PageQuery& page) = 0;

  // Public, unarchived posts (not unlisted, private or comments), newest
  // first; with `tag_id`, those carrying the tag.
  virtual Result<std::vector<int64_t>> Public(const PublicQuery& query, const PageQuery& page) = 0;

  virtual Result<std::vector<int64_t>> AccountStatuses(const AccountStatusesQuery& query,
                                                       const PageQuery& page) = 0;

  // Public posts ranked by favourites given since `since` (most first, ties
  // newest first), at most `limit`; what the viewer blocks or mutes is left
  // to the caller (the ranking is shared by every viewer).
  virtual Result<std::vector<int64_t>> Trending(int64_t since, int limit) = 0;

  // Which of `author_ids` the viewer blocks, mutes or is blocked by.
  virtual Result<std::vector<int64_t>> HiddenAuthors(int64_t viewer_id, const std::vector<int64_t>& author_ids) = 0;

  // The tag whose key (NFKC case fold) is `key`, whoever used it (to filter
  // by it: the statuses are filtered for the viewer anyway).
  virtual Result<std::optional<TagHit>> FindTag(const std::string& key) = 0;
  // The same, only when a status the viewer may see carries it (0: nobody
  // signed in): a tag used only in followers-only posts or held comments
  // is not known to others, as if never used.
  virtual Result<std::optional<TagHit>> FindVisibleTag(const std::string& key, int64_t viewer_id) = 0;
  // Tags whose key starts with `key_prefix` and that a status the viewer may
  // see carries, shortest first, from `offset`.
  virtual Result<std::vector<TagHit>> SearchTags(const std::string& key_prefix, int64_t viewer_id, int limit,
                                                 int offset) = 0;
  // Approved accounts whose username or display name starts with `prefix`
  // (ASCII letters compared case-insensitively), exact username first, then
  // by most followers; accounts blocking `viewer_id` or blocked by them are
  // left out.
  virtual Result<std::vector<Account>> SearchAccounts(const std::string& prefix, int64_t viewer_id, int limit,
                                                      int offset) = 0;
};

std::unique_ptr<TimelineStore> MakeSqlTimelineStore(Database& db);

}  // namespace vantage::store
