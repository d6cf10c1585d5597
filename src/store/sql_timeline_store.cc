// TimelineStore over the backend-neutral SQL layer; runs unchanged on SQLite
// and PostgreSQL.
//
// Every list is one index walk that stops after `limit` rows: the policy's
// conditions are index probes per row (NOT EXISTS on blocks and mutes, the
// viewer's follow), never a join that must be read whole or a COUNT(*).
// Each walk has a newest-first and an oldest-first form (min_id), so that
// both read just the rows they return.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/id.h"
#include "store/id_batch.h"
#include "store/sql_rows.h"
#include "store/timeline_store.h"
#include "store/visibility_sql.h"

namespace vantage::store {

namespace {

#define VANTAGE_ACCOUNT_COLUMNS VANTAGE_ACCOUNT_COLUMNS_OF("a.")
#define VANTAGE_MEDIA_COLUMNS VANTAGE_MEDIA_COLUMNS_OF("m.")

// --- rendering --------------------------------------------------------------

// What changes often or decides whether a kept rendering holds, for every
// status of the page: no text, so a page whose statuses are all kept reads
// no caption.
constexpr Statement kStatusStateBatch{
    "render_status_state_batch",
    "SELECT s.id, s.account_id, s.in_reply_to_id, s.in_reply_to_account_id, s.visibility, s.pinned_at, "
    "s.archived_at, s.replies_count, s.favourites_count, s.reblogs_count, s.updated_at, s.is_comment, "
    "(SELECT MAX(m.updated_at) FROM media_attachments m WHERE m.status_id = s.id), s.reblog_of_id "
    "FROM statuses s WHERE s.id IN " VANTAGE_ID_BATCH};
// The same for the page's authors, each read once however many of the
// page's statuses they wrote; the whole rows only for those whose kept
// rendering no longer holds.
constexpr Statement kAuthorStateBatch{
    "render_author_state_batch",
    "SELECT id, updated_at, followers_count, following_count, statuses_count, verified, locked "
    "FROM accounts WHERE id IN " VANTAGE_ID_BATCH};
constexpr Statement kAuthorBatch{"render_author_batch",
                                 "SELECT " VANTAGE_ACCOUNT_COLUMNS " FROM accounts a WHERE a.id IN " VANTAGE_ID_BATCH};
constexpr Statement kMediaBatch{
    "render_media_batch",
    "SELECT " VANTAGE_MEDIA_COLUMNS " FROM media_attachments m WHERE m.status_id IN " VANTAGE_ID_BATCH
    " ORDER BY m.status_id, m.position, m.id"};
constexpr Statement kMediaFilesBatch{
    "render_media_files_batch",
    "SELECT f.media_id, f.variant, f.format, f.file_key, f.width, f.height, f.size_bytes "
    "FROM media_attachments m JOIN media_files f ON f.media_id = m.id WHERE m.status_id IN " VANTAGE_ID_BATCH
    " ORDER BY f.media_id, f.variant, f.format"};
// The viewer's favourites (0) and bookmarks (1) of statuses with ids in
// [?, ?]: a walk of the viewer's own rows in the page's id range, which the
// caller narrows to the page's statuses. Much cheaper than probing each
// status: one descent of each index instead of one per status.
constexpr Statement kMarksInRange{
    "render_marks_in_range",
    "SELECT 0, status_id FROM favourites WHERE account_id = ? AND status_id BETWEEN ? AND ? "
    "UNION ALL SELECT 1, status_id FROM bookmarks WHERE account_id = ? AND status_id BETWEEN ? AND ?"};
// What the policy needs of each parent: its visibility, what the viewer is
// to its author, and whether it answers or mentions the viewer.
constexpr Statement kParentsBatch{
    "render_parents_batch",
    "SELECT s.id, s.account_id, s.visibility, s.archived_at, s.is_comment, "
    "CASE WHEN EXISTS (SELECT 1 FROM follows f WHERE f.account_id = ? AND f.target_account_id = s.account_id) "
    "THEN 1 ELSE 0 END, "
    "CASE WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ? AND b.target_account_id = s.account_id) "
    "THEN 1 ELSE 0 END, "
    "CASE WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = s.account_id AND b.target_account_id = ?) "
    "THEN 1 ELSE 0 END, s.in_reply_to_account_id, "
    "CASE WHEN EXISTS (SELECT 1 FROM mentions mn WHERE mn.status_id = s.id AND mn.account_id = ?) "
    "THEN 1 ELSE 0 END, s.comment_state "
    "FROM statuses s WHERE s.id IN " VANTAGE_ID_BATCH};

// --- home -------------------------------------------------------------------

// The inbox walk: (account_id, status_id) is the inbox's key. Rows stay when
// the viewer unfollows or blocks; the follow test here drops them on read.
#define VANTAGE_HOME_INBOX                                                                      \
  "SELECT h.status_id FROM home_feed h JOIN statuses s ON s.id = h.status_id "                  \
  "WHERE h.account_id = ? AND h.status_id < ? AND h.status_id > ? "                             \
  "AND s.is_comment = 0 AND s.archived_at IS NULL AND s.comment_state = 0 "                     \
  "AND (h.author_id = h.account_id OR EXISTS (SELECT 1 FROM follows f "                         \
  "WHERE f.account_id = h.account_id AND f.target_account_id = h.author_id)) "
// Of the author, and of a boosted post's author: neither blocked either way,
// muted nor of a server the viewer blocks.
#define VANTAGE_HOME_FILTERS                                                                    \
  "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = h.account_id AND b.target_account_id = h.author_id) " \
  "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = h.author_id AND b.target_account_id = h.account_id) " \
  "AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = h.account_id AND m.target_account_id = h.author_id) " \
  "AND NOT " VANTAGE_DOMAIN_BLOCKED("h.account_id", "h.author_id") " "                                                 \
  "AND (s.reblog_of_id IS NULL OR NOT EXISTS (SELECT 1 FROM statuses o WHERE o.id = s.reblog_of_id AND ("          \
  "EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = h.account_id AND b.target_account_id = o.account_id) "      \
  "OR EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = o.account_id AND b.target_account_id = h.account_id) "   \
  "OR EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = h.account_id AND m.target_account_id = o.account_id) "    \
  "OR " VANTAGE_DOMAIN_BLOCKED("h.account_id", "o.account_id") "))) "
constexpr Statement kHomeInboxDesc{"timeline_home_inbox_desc",
                                   VANTAGE_HOME_INBOX VANTAGE_HOME_FILTERS "ORDER BY h.status_id DESC LIMIT ?"};
constexpr Statement kHomeInboxAsc{"timeline_home_inbox_asc",
                                  VANTAGE_HOME_INBOX VANTAGE_HOME_FILTERS "ORDER BY h.status_id ASC LIMIT ?"};
// Most viewers block, mute and are blocked by nobody: asked first (three
// index seeks), that spares the inbox walk three probes per row.
constexpr Statement kViewerHasFilters{
    "timeline_viewer_has_filters",
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM blocks WHERE account_id = ?) "
    "OR EXISTS (SELECT 1 FROM blocks WHERE target_account_id = ?) "
    "OR EXISTS (SELECT 1 FROM mutes WHERE account_id = ?) "
    "OR EXISTS (SELECT 1 FROM account_domain_blocks WHERE account_id = ?) THEN 1 ELSE 0 END"};
constexpr Statement kHomeInboxPlainDesc{"timeline_home_inbox_plain_desc",
                                        VANTAGE_HOME_INBOX "ORDER BY h.status_id DESC LIMIT ?"};
constexpr Statement kHomeInboxPlainAsc{"timeline_home_inbox_plain_asc",
                                       VANTAGE_HOME_INBOX "ORDER BY h.status_id ASC LIMIT ?"};
#undef VANTAGE_HOME_FILTERS
#undef VANTAGE_HOME_INBOX

// The feed_pull accounts the viewer follows and neither blocks, mutes nor is
// blocked by. Few accounts are feed_pull (a partial index holds just them),
// so this tests each against the viewer's follows instead of reading all
// of the viewer's follows.
constexpr Statement kHomePulledAccounts{
    "timeline_home_pulled_accounts",
    "SELECT a.id FROM accounts a WHERE a.feed_pull = 1 "
    "AND EXISTS (SELECT 1 FROM follows f WHERE f.account_id = ? AND f.target_account_id = a.id) "
    "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ? AND b.target_account_id = a.id) "
    "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = a.id AND b.target_account_id = ?) "
    "AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = ? AND m.target_account_id = a.id)"};
// Up to this many pulled accounts, a home page walks them before the inbox.
constexpr size_t kPulledFirstMax = 4;
// The same for a viewer who blocks, mutes and is blocked by nobody.
constexpr Statement kHomePulledAccountsPlain{
    "timeline_home_pulled_accounts_plain",
    "SELECT a.id FROM accounts a WHERE a.feed_pull = 1 "
    "AND EXISTS (SELECT 1 FROM follows f WHERE f.account_id = ? AND f.target_account_id = a.id)"};
// One pulled account's posts: a walk of the partial index of unarchived posts.
#define VANTAGE_HOME_PULLED                                                                  \
  "SELECT s.id FROM statuses s WHERE s.account_id = ? AND s.is_comment = 0 AND s.id < ? AND s.id > ? " \
  "AND s.archived_at IS NULL "
constexpr Statement kHomePulledDesc{"timeline_home_pulled_desc", VANTAGE_HOME_PULLED "ORDER BY s.id DESC LIMIT ?"};
constexpr Statement kHomePulledAsc{"timeline_home_pulled_asc", VANTAGE_HOME_PULLED "ORDER BY s.id ASC LIMIT ?"};
#undef VANTAGE_HOME_PULLED

// --- public and tag -----------------------------------------------------------

// Arguments: whether the viewer has blocks or mutes (0 spares the probes:
// signed out, or kViewerHasFilters said none), viewer x4, only_media,
// local only, remote only;
// tags: all-tags batch, all-tags count, none-tags batch.
#define VANTAGE_PUBLIC_FILTERS                                                                   \
  "AND s.is_comment = 0 AND s.visibility = 'public' AND s.archived_at IS NULL "                  \
  "AND s.reblog_of_id IS NULL AND s.comment_state = 0 "                                          \
  "AND (? = 0 OR ("                                                                              \
  "NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ? AND b.target_account_id = s.account_id) " \
  "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = s.account_id AND b.target_account_id = ?) " \
  "AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = ? AND m.target_account_id = s.account_id) " \
  "AND NOT " VANTAGE_DOMAIN_BLOCKED("?", "s.account_id") ")) "                                    \
  "AND (? = 0 OR EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)) "        \
  "AND (? = 0 OR s.uri IS NULL) AND (? = 0 OR s.uri IS NOT NULL) "
#define VANTAGE_TAG_FILTERS                                                                      \
  "AND (SELECT COUNT(*) FROM status_tags x WHERE x.status_id = s.id AND x.tag_id IN " VANTAGE_ID_BATCH \
  ") = ? "                                                                                        \
  "AND NOT EXISTS (SELECT 1 FROM status_tags x WHERE x.status_id = s.id AND x.tag_id IN " VANTAGE_ID_BATCH ") "

// The public timeline walks the partial index of public posts.
#define VANTAGE_PUBLIC "SELECT s.id FROM statuses s WHERE s.id < ? AND s.id > ? " VANTAGE_PUBLIC_FILTERS
constexpr Statement kPublicDesc{"timeline_public_desc", VANTAGE_PUBLIC "ORDER BY s.id DESC LIMIT ?"};
constexpr Statement kPublicAsc{"timeline_public_asc", VANTAGE_PUBLIC "ORDER BY s.id ASC LIMIT ?"};
#undef VANTAGE_PUBLIC

// One tag: a walk of status_tags (tag_id, status_id).
#define VANTAGE_TAG                                                                               \
  "SELECT s.id FROM status_tags st JOIN statuses s ON s.id = st.status_id "                       \
  "WHERE st.tag_id = ? AND st.status_id < ? AND st.status_id > ? " VANTAGE_PUBLIC_FILTERS VANTAGE_TAG_FILTERS
constexpr Statement kTagDesc{"timeline_tag_desc", VANTAGE_TAG "ORDER BY st.status_id DESC LIMIT ?"};
constexpr Statement kTagAsc{"timeline_tag_asc", VANTAGE_TAG "ORDER BY st.status_id ASC LIMIT ?"};
#undef VANTAGE_TAG

// Any of several tags (any[]): a walk of the public posts testing each.
#define VANTAGE_TAG_ANY                                                                            \
  "SELECT s.id FROM statuses s WHERE s.id < ? AND s.id > ? "                                       \
  "AND EXISTS (SELECT 1 FROM status_tags y WHERE y.status_id = s.id AND y.tag_id IN " VANTAGE_ID_BATCH \
  ") " VANTAGE_PUBLIC_FILTERS VANTAGE_TAG_FILTERS
constexpr Statement kTagAnyDesc{"timeline_tag_any_desc", VANTAGE_TAG_ANY "ORDER BY s.id DESC LIMIT ?"};
constexpr Statement kTagAnyAsc{"timeline_tag_any_asc", VANTAGE_TAG_ANY "ORDER BY s.id ASC LIMIT ?"};
#undef VANTAGE_TAG_ANY
#undef VANTAGE_TAG_FILTERS
#undef VANTAGE_PUBLIC_FILTERS

// --- an account's statuses ---------------------------------------------------------

// Arguments: account, below, above, include_private, viewer x2,
// include_archived, only_media, tag_id x2. Followers-only statuses also show
// to the account they answer and those they mention (service/policy.h).
#define VANTAGE_ACCOUNT_FILTERS                                                                   \
  "AND (? = 1 OR s.visibility <> 'private' OR s.in_reply_to_account_id = ? "                      \
  "OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = ?)) "          \
  "AND (? = 1 OR (s.archived_at IS NULL AND s.comment_state = 0)) AND s.reblog_of_id IS NULL "    \
  "AND (? = 0 OR EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)) "         \
  "AND (? = 0 OR EXISTS (SELECT 1 FROM status_tags t WHERE t.status_id = s.id AND t.tag_id = ?)) "
// Posts and comments: (account_id, id).
#define VANTAGE_ACCOUNT_ALL \
  "SELECT s.id FROM statuses s WHERE s.account_id = ? AND s.id < ? AND s.id > ? " VANTAGE_ACCOUNT_FILTERS
constexpr Statement kAccountAllDesc{"timeline_account_all_desc", VANTAGE_ACCOUNT_ALL "ORDER BY s.id DESC LIMIT ?"};
constexpr Statement kAccountAllAsc{"timeline_account_all_asc", VANTAGE_ACCOUNT_ALL "ORDER BY s.id ASC LIMIT ?"};
#undef VANTAGE_ACCOUNT_ALL
// Posts only: (account_id, is_comment, id).
#define VANTAGE_ACCOUNT_POSTS                                                                   \
  "SELECT s.id FROM statuses s WHERE s.account_id = ? AND s.is_comment = 0 AND s.id < ? AND s.id > ? " \
  VANTAGE_ACCOUNT_FILTERS
constexpr Statement kAccountPostsDesc{"timeline_account_posts_desc",
                                      VANTAGE_ACCOUNT_POSTS "ORDER BY s.id DESC LIMIT ?"};
constexpr Statement kAccountPostsAsc{"timeline_account_posts_asc",
                                     VANTAGE_ACCOUNT_POSTS "ORDER BY s.id ASC LIMIT ?"};
#undef VANTAGE_ACCOUNT_POSTS
constexpr Statement kAccountPinned{
    "timeline_account_pinned",
    "SELECT s.id FROM statuses s WHERE s.account_id = ? AND s.pinned_at IS NOT NULL AND (? = 0 OR s.is_comment = 0) "
    VANTAGE_ACCOUNT_FILTERS "ORDER BY s.pinned_at DESC, s.id DESC LIMIT ?"};
#undef VANTAGE_ACCOUNT_FILTERS

// --- explore and search ---------------------------------------------------------------

// Favourite ids are time-ordered, so the window is a range of the primary key.
constexpr Statement kTrending{
    "explore_trending",
    "SELECT s.id FROM (SELECT status_id, COUNT(*) AS n FROM favourites WHERE id >= ? AND created_at >= ? "
    "GROUP BY status_id) f JOIN statuses s ON s.id = f.status_id "
    "WHERE s.is_comment = 0 AND s.visibility = 'public' AND s.archived_at IS NULL "
    "ORDER BY f.n DESC, s.id DESC LIMIT ?"};
constexpr Statement kHiddenAuthors{
    "timeline_hidden_authors",
    "SELECT a.id FROM accounts a WHERE a.id IN " VANTAGE_ID_BATCH " AND ("
    "EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ? AND b.target_account_id = a.id) "
    "OR EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = a.id AND b.target_account_id = ?) "
    "OR EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = ? AND m.target_account_id = a.id))"};
constexpr Statement kFindTag{"timeline_find_tag", "SELECT id, name FROM tags WHERE name_key = ?"};
// A tag is known to a viewer through a status they may see that carries it:
// a walk of status_tags (tag_id, status_id) that stops at the first one.
#define VANTAGE_TAG_SEEN_BY_VIEWER                                                                   \
  "EXISTS (SELECT 1 FROM status_tags st JOIN statuses s ON s.id = st.status_id WHERE st.tag_id = t.id " \
  "AND " VANTAGE_VISIBLE_TO("?") ")"
constexpr Statement kFindVisibleTag{
    "timeline_find_visible_tag",
    "SELECT t.id, t.name FROM tags t WHERE t.name_key = ? AND " VANTAGE_TAG_SEEN_BY_VIEWER};
// Tag keys compare as text of code points here, not under a collation, on
// both engines: substr counts characters on both.
constexpr Statement kSearchTags{
    "search_tags",
    "SELECT t.id, t.name FROM tags t WHERE substr(t.name_key, 1, ?) = ? AND " VANTAGE_TAG_SEEN_BY_VIEWER " "
    "ORDER BY length(t.name_key), t.name_key, t.id LIMIT ? OFFSET ?"};
#undef VANTAGE_TAG_SEEN_BY_VIEWER
// lower() is ASCII-only on SQLite; the prefix comes lower-cased the same way.
constexpr Statement kSearchAccounts{
    "search_accounts",
    "SELECT " VANTAGE_ACCOUNT_COLUMNS " FROM accounts a WHERE a.approved = 1 "
    "AND (lower(substr(a.username, 1, ?)) = ? OR lower(substr(a.display_name, 1, ?)) = ?) "
    "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ? AND b.target_account_id = a.id) "
    "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = a.id AND b.target_account_id = ?) "
    "ORDER BY CASE WHEN lower(a.username) = ? THEN 0 ELSE 1 END, a.followers_count DESC, a.id "
    "LIMIT ? OFFSET ?"};

#undef VANTAGE_ACCOUNT_COLUMNS
#undef VANTAGE_MEDIA_COLUMNS

// The columns of kStatusStateBatch; the status's text fields stay empty.
Result<Post> DecodeState(const Row& row) {
  auto visibility = ParseVisibility(row.Text(4));
  if (!visibility) return Error::Internal("Status " + std::to_string(row.Int(0)) + " has unknown visibility");
  Post p;
  p.id = row.Int(0);
  p.account_id = row.Int(1);
  p.in_reply_to_id = row.OptInt(2);
  p.in_reply_to_account_id = row.OptInt(3);
  p.visibility = *visibility;
  p.pinned_at = row.OptInt(5);
  p.archived_at = row.OptInt(6);
  p.replies_count = row.Int(7);
  p.favourites_count = row.Int(8);
  p.reblogs_count = row.Int(9);
  p.updated_at = row.Int(10);
  p.is_comment = row.Int(11) != 0;
  p.reblog_of_id = row.OptInt(13);
  return p;
}

std::vector<int64_t> Ids(const std::vector<Row>& rows) {
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const Row& row : rows) ids.push_back(row.Int(0));
  return ids;
}

// A padded batch of tag ids for the tag filters; 0 (no tag) pads an empty list.
void AppendTagBatch(std::vector<Value>& args, const std::vector<int64_t>& tags) {
  if (tags.empty()) {
    for (size_t i = 0; i < kIdBatch; ++i) args.emplace_back(int64_t{0});
    return;
  }
  AppendIdBatch(args, tags, 0);
}

size_t Distinct(const std::vector<int64_t>& ids) {
  return std::unordered_set<int64_t>(ids.begin(), ids.end()).size();
}

// The `limit` ids nearest the page's start, each once, in walking order:
// newest first, or oldest first when the page reads up from `above`.
void KeepBest(std::vector<int64_t>& ids, int64_t limit, bool from_above) {
  if (from_above) std::sort(ids.begin(), ids.end());
  else std::sort(ids.begin(), ids.end(), std::greater<>());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.size() > static_cast<size_t>(limit)) ids.resize(limit);
}

class SqlTimelineStore final : public TimelineStore {
 public:
  explicit SqlTimelineStore(Database& db) : db_(db) {}

  Result<RenderPage> LoadRenderPage(const std::vector<int64_t>& ids, int64_t viewer_id,
                                    const NeedsDetails& needs_details, const NeedsAuthor& needs_author) override {
    RenderPage page;
    Status status = db_.Read([&](Connection& conn) -> Status {
      page = RenderPage{};
      VANTAGE_TRY(ReadStatuses(conn, ids, needs_details, needs_author, page));
      std::vector<int64_t> status_ids, detailed_ids, parent_ids;
      std::unordered_set<int64_t> parents;
      for (size_t i = 0; i < page.posts.size(); ++i) {
        const Post& post = page.posts[i];
        status_ids.push_back(post.id);
        if (page.detailed[i]) detailed_ids.push_back(post.id);
        if (post.in_reply_to_id && parents.insert(*post.in_reply_to_id).second)
          parent_ids.push_back(*post.in_reply_to_id);
      }
      VANTAGE_TRY(ReadMedia(conn, detailed_ids, page));
      if (viewer_id != 0) VANTAGE_TRY(ReadMarks(conn, status_ids, viewer_id, page));
      VANTAGE_TRY(ReadParents(conn, parent_ids, viewer_id, page));
      return Ok();
    });
    if (!status) return std::move(status).error();
    return page;
  }

  Result<std::vector<int64_t>> Home(int64_t viewer_id, const PageQuery& page) override {
    std::vector<int64_t> ids;
    int64_t limit = page.limit;
    Status status = db_.Read([&](Connection& conn) -> Status {
      ids.clear();
      auto filters = conn.QueryOne(kViewerHasFilters, {viewer_id, viewer_id, viewer_id, viewer_id});
      if (!filters) return std::move(filters).error();
      bool filtered = *filters && (**filters).Int(0) != 0;
      // Once `limit` candidates are in hand, only posts beyond the last of
      // them can still make the page: each later walk is bounded by it.
      auto bounds = [&] {
        std::pair<int64_t, int64_t> b{page.below, page.above};
        if (ids.size() >= static_cast<size_t>(limit)) {
          KeepBest(ids, limit, page.from_above);
          if (page.from_above) b.first = std::min(b.first, ids.back());
          else b.second = std::max(b.second, ids.back());
        }
        return b;
      };
      auto walk_inbox = [&]() -> Status {
        const Statement& walk = filtered ? (page.from_above ? kHomeInboxAsc : kHomeInboxDesc)
                                         : (page.from_above ? kHomeInboxPlainAsc : kHomeInboxPlainDesc);
        auto [below, above] = bounds();
        auto inbox = conn.Query(walk, {viewer_id, below, above, limit});
        if (!inbox) return std::move(inbox).error();
        for (const Row& post : *inbox) ids.push_back(post.Int(0));
        return Ok();
      };
      auto pulled = conn.Query(filtered ? kHomePulledAccounts : kHomePulledAccountsPlain,
                               filtered ? std::vector<Value>{viewer_id, viewer_id, viewer_id, viewer_id}
                                        : std::vector<Value>{viewer_id});
      if (!pulled) return std::move(pulled).error();
      // A pulled walk reads an index alone, while each inbox row costs a
      // status lookup and a follow probe. A few followed busy accounts often
      // fill most of the page, so their walks go first and bound the inbox
      // walk; many pulled accounts bound each other poorly, and then the
      // inbox goes first and bounds them.
      bool pulled_first = pulled->size() <= kPulledFirstMax;
      if (!pulled_first) VANTAGE_TRY(walk_inbox());
      for (const Row& account : *pulled) {
        auto [below, above] = bounds();
        auto posts = conn.Query(page.from_above ? kHomePulledAsc : kHomePulledDesc,
                                {account.Int(0), below, above, limit});
        if (!posts) return std::move(posts).error();
        for (const Row& post : *posts) ids.push_back(post.Int(0));
      }
      if (pulled_first) VANTAGE_TRY(walk_inbox());
      return Ok();
    });
    if (!status) return std::move(status).error();
    // A post can be both in the inbox and pulled (written while its author
    // was still fanned out).
    KeepBest(ids, limit, page.from_above);
    // Pages are newest first.
    if (page.from_above) std::reverse(ids.begin(), ids.end());
    return ids;
  }

  Result<std::vector<int64_t>> Public(const PublicQuery& q, const PageQuery& page) override {
    if (q.any_tags.size() > kMaxFilterTags || q.all_tags.size() > kMaxFilterTags ||
        q.none_tags.size() > kMaxFilterTags)
      return Error::Internal("too many filter tags");
    std::vector<Value> args;
    const Statement* st = nullptr;
    auto public_filters = [&] {
      // The flag is set in the read below.
      args.insert(args.end(), {int64_t{1}, q.viewer_id, q.viewer_id, q.viewer_id, q.viewer_id, int64_t{q.only_media ? 1 : 0},
                               int64_t{q.local_only ? 1 : 0}, int64_t{q.remote_only ? 1 : 0}});
    };
    auto tag_filters = [&] {
      AppendTagBatch(args, q.all_tags);
      args.emplace_back(static_cast<int64_t>(Distinct(q.all_tags)));
      AppendTagBatch(args, q.none_tags);
    };
    size_t flag_at = 0;
    if (q.tag_id == 0) {
      st = page.from_above ? &kPublicAsc : &kPublicDesc;
      args = {page.below, page.above};
      flag_at = args.size();
      public_filters();
    } else if (q.any_tags.empty()) {
      st = page.from_above ? &kTagAsc : &kTagDesc;
      args = {q.tag_id, page.below, page.above};
      flag_at = args.size();
      public_filters();
      tag_filters();
    } else {
      st = page.from_above ? &kTagAnyAsc : &kTagAnyDesc;
      args = {page.below, page.above};
      std::vector<int64_t> any = q.any_tags;
      any.insert(any.begin(), q.tag_id);
      AppendIdBatch(args, any, 0);
      flag_at = args.size();
      public_filters();
      tag_filters();
    }
    args.emplace_back(int64_t{page.limit});
    std::vector<int64_t> ids;
    Status status = db_.Read([&](Connection& conn) -> Status {
      int64_t filtered = 0;
      if (q.viewer_id != 0) {
        auto row = conn.QueryOne(kViewerHasFilters, {q.viewer_id, q.viewer_id, q.viewer_id, q.viewer_id});
        if (!row) return std::move(row).error();
        filtered = *row ? (**row).Int(0) : 1;
      }
      args[flag_at] = filtered;
      auto rows = conn.Query(*st, args);
      if (!rows) return std::move(rows).error();
      ids = Ids(*rows);
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (page.from_above) std::reverse(ids.begin(), ids.end());
    return ids;
  }

  Result<std::vector<int64_t>> AccountStatuses(const AccountStatusesQuery& q, const PageQuery& page) override {
    std::vector<Value> filters{int64_t{q.include_private ? 1 : 0}, q.viewer_id, q.viewer_id,
                               int64_t{q.include_archived ? 1 : 0},
                               int64_t{q.only_media ? 1 : 0}, int64_t{q.tag_id != 0 ? 1 : 0}, q.tag_id};
    std::vector<Value> args{q.account_id};
    if (q.pinned) {
      args.emplace_back(int64_t{q.exclude_replies || q.only_media ? 1 : 0});
      args.insert(args.end(), filters.begin(), filters.end());
      args.emplace_back(int64_t{page.limit});
      return ReadIds(kAccountPinned, args, false);
    }
    // Comments never carry media, so only_media walks the posts too.
    bool posts_only = q.exclude_replies || q.only_media;
    const Statement& st = posts_only ? (page.from_above ? kAccountPostsAsc : kAccountPostsDesc)
                                     : (page.from_above ? kAccountAllAsc : kAccountAllDesc);
    args.insert(args.end(), {page.below, page.above});
    args.insert(args.end(), filters.begin(), filters.end());
    args.emplace_back(int64_t{page.limit});
    return ReadIds(st, args, page.from_above);
  }

  Result<std::vector<int64_t>> Trending(int64_t since, int limit) override {
    return ReadIds(kTrending, {IdGenerator::FloorForTime(since), since, int64_t{limit}}, false);
  }

  Result<std::vector<int64_t>> HiddenAuthors(int64_t viewer_id, const std::vector<int64_t>& author_ids) override {
    std::vector<int64_t> hidden;
    if (viewer_id == 0 || author_ids.empty()) return hidden;
    Status status = db_.Read([&](Connection& conn) -> Status {
      hidden.clear();
      for (size_t begin = 0; begin < author_ids.size(); begin += kIdBatch) {
        std::vector<Value> args;
        AppendIdBatch(args, author_ids, begin);
        args.insert(args.end(), {viewer_id, viewer_id, viewer_id});
        auto rows = conn.Query(kHiddenAuthors, args);
        if (!rows) return std::move(rows).error();
        for (const Row& row : *rows) hidden.push_back(row.Int(0));
      }
      return Ok();
    });
    if (!status) return std::move(status).error();
    return hidden;
  }

  Result<std::optional<TagHit>> FindTag(const std::string& key) override {
    std::optional<TagHit> tag;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kFindTag, {key});
      if (!row) return std::move(row).error();
      tag.reset();
      if (*row) tag = TagHit{(*row)->Int(0), (*row)->Text(1)};
      return Ok();
    });
    if (!status) return std::move(status).error();
    return tag;
  }

  Result<std::optional<TagHit>> FindVisibleTag(const std::string& key, int64_t viewer_id) override {
    std::optional<TagHit> tag;
    std::vector<Value> args{key};
    AppendViewer(args, viewer_id);
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      auto rows = conn.Query(kFindVisibleTag, args);
      if (!rows) return std::move(rows).error();
      tag.reset();
      if (!rows->empty()) tag = TagHit{rows->front().Int(0), rows->front().Text(1)};
      return Ok();
    }));
    return tag;
  }

  Result<std::vector<TagHit>> SearchTags(const std::string& key_prefix, int64_t viewer_id, int limit,
                                         int offset) override {
    std::vector<TagHit> tags;
    std::vector<Value> args{CodePoints(key_prefix), key_prefix};
    AppendViewer(args, viewer_id);
    args.emplace_back(int64_t{limit});
    args.emplace_back(int64_t{offset});
    Status status = db_.Read([&](Connection& conn) -> Status {
      tags.clear();
      auto rows = conn.Query(kSearchTags, args);
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) tags.push_back(TagHit{row.Int(0), row.Text(1)});
      return Ok();
    });
    if (!status) return std::move(status).error();
    return tags;
  }

  Result<std::vector<Account>> SearchAccounts(const std::string& prefix, int64_t viewer_id, int limit,
                                              int offset) override {
    std::string lowered = prefix;
    for (char& c : lowered)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    int64_t length = CodePoints(lowered);
    std::vector<Account> accounts;
    Status status = db_.Read([&](Connection& conn) -> Status {
      accounts.clear();
      auto rows = conn.Query(kSearchAccounts, {length, lowered, length, lowered, viewer_id, viewer_id, lowered,
                                               int64_t{limit}, int64_t{offset}});
      if (!rows) return std::move(rows).error();
      VANTAGE_TRY(AppendAccounts(*rows, accounts));
      return Ok();
    });
    if (!status) return std::move(status).error();
    return accounts;
  }

 private:
  static int64_t CodePoints(const std::string& text) {
    int64_t n = 0;
    for (unsigned char c : text)
      if ((c & 0xC0) != 0x80) ++n;
    return n;
  }

  // The statuses in the order of `ids` (each once), with tags, mentions and
  // media ids of those `needs_details` picks, and their authors (whole rows
  // of those `needs_author` picks). A status whose author is gone meanwhile
  // is left out.
  static Status ReadStatuses(Connection& conn, const std::vector<int64_t>& ids, const NeedsDetails& needs_details,
                             const NeedsAuthor& needs_author, RenderPage& page) {
    std::unordered_map<int64_t, std::pair<Post, int64_t>> by_id;
    std::vector<int64_t> author_ids;
    std::unordered_set<int64_t> seen_authors;
    for (size_t begin = 0; begin < ids.size(); begin += kIdBatch) {
      std::vector<Value> args;
      AppendIdBatch(args, ids, begin);
      auto rows = conn.Query(kStatusStateBatch, args);
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        auto post = DecodeState(row);
        if (!post) return std::move(post).error();
        if (seen_authors.insert(post->account_id).second) author_ids.push_back(post->account_id);
        by_id.emplace(post->id, std::pair{std::move(*post), row.Int(12)});
      }
    }
    std::unordered_set<int64_t> present_authors;
    VANTAGE_TRY(ReadAuthors(conn, author_ids, needs_author, page, present_authors));
    std::unordered_map<int64_t, size_t> detailed;  // status id -> index in page.posts
    for (int64_t id : ids) {
      auto it = by_id.find(id);
      if (it == by_id.end()) continue;
      auto& [post, media_version] = it->second;
      if (!present_authors.count(post.account_id)) continue;
      bool details = !needs_details || needs_details(post, media_version);
      if (details) detailed.emplace(post.id, page.posts.size());
      page.posts.push_back(std::move(post));
      page.media_versions.push_back(media_version);
      page.detailed.push_back(details);
      by_id.erase(it);
    }
    std::vector<int64_t> detailed_ids;
    for (const auto& [id, index] : detailed) detailed_ids.push_back(id);
    // The whole rows, read in the same snapshot as the state above.
    std::unordered_map<int64_t, Post> full;
    VANTAGE_TRY(ReadPostsOn(conn, detailed_ids, false, full));
    for (auto& [id, post] : full)
      if (auto it = detailed.find(id); it != detailed.end()) page.posts[it->second] = std::move(post);
    return Ok();
  }

  // The authors' state, then the whole rows of those `needs_author` picks.
  static Status ReadAuthors(Connection& conn, const std::vector<int64_t>& author_ids, const NeedsAuthor& needs_author,
                            RenderPage& page, std::unordered_set<int64_t>& present) {
    std::vector<int64_t> whole_ids;
    std::unordered_map<int64_t, size_t> index;  // author id -> index in page.authors
    for (size_t begin = 0; begin < author_ids.size(); begin += kIdBatch) {
      std::vector<Value> args;
      AppendIdBatch(args, author_ids, begin);
      auto rows = conn.Query(kAuthorStateBatch, args);
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        Account state;
        state.id = row.Int(0);
        state.updated_at = row.Int(1);
        state.followers_count = row.Int(2);
        state.following_count = row.Int(3);
        state.statuses_count = row.Int(4);
        state.verified = row.Bool(5);
        state.locked = row.Bool(6);
        if (!present.insert(state.id).second) continue;
        bool whole = !needs_author || needs_author(state);
        if (whole) {
          whole_ids.push_back(state.id);
          index.emplace(state.id, page.authors.size());
        }
        page.authors.push_back(std::move(state));
        page.author_detailed.push_back(whole);
      }
    }
    for (size_t begin = 0; begin < whole_ids.size(); begin += kIdBatch) {
      std::vector<Value> args;
      AppendIdBatch(args, whole_ids, begin);
      auto rows = conn.Query(kAuthorBatch, args);
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        auto account = DecodeAccount(row);
        if (!account) return std::move(account).error();
        if (auto it = index.find(account->id); it != index.end()) page.authors[it->second] = std::move(*account);
      }
    }
    return Ok();
  }

  // The media of the detailed statuses, with their files; their ids go into
  // each post's media_ids in carousel order.
  static Status ReadMedia(Connection& conn, const std::vector<int64_t>& status_ids, RenderPage& page) {
    std::unordered_map<int64_t, size_t> post_index;
    for (size_t i = 0; i < page.posts.size(); ++i) post_index.emplace(page.posts[i].id, i);
    for (size_t begin = 0; begin < status_ids.size(); begin += kIdBatch) {
      std::vector<Value> args;
      AppendIdBatch(args, status_ids, begin);
      auto media = conn.Query(kMediaBatch, args);
      if (!media) return std::move(media).error();
      if (media->empty()) continue;
      std::unordered_map<int64_t, size_t> index;
      for (const Row& row : *media) {
        auto decoded = DecodeMedia(row);
        if (!decoded) return std::move(decoded).error();
        if (auto it = post_index.find(decoded->status_id.value_or(0)); it != post_index.end())
          page.posts[it->second].media_ids.push_back(decoded->id);
        index.emplace(decoded->id, page.media.size());
        page.media.push_back(std::move(*decoded));
      }
      auto files = conn.Query(kMediaFilesBatch, args);
      if (!files) return std::move(files).error();
      for (const Row& f : *files) {
        auto it = index.find(f.Int(0));
        if (it == index.end()) continue;
        page.media[it->second].files.push_back(MediaFile{f.Text(1), f.Text(2), f.Text(3), static_cast<int>(f.Int(4)),
                                                         static_cast<int>(f.Int(5)), f.Int(6)});
      }
    }
    return Ok();
  }

  static Status ReadMarks(Connection& conn, const std::vector<int64_t>& status_ids, int64_t viewer_id,
                          RenderPage& page) {
    if (status_ids.empty()) return Ok();
    auto [low, high] = std::minmax_element(status_ids.begin(), status_ids.end());
    auto marks = conn.Query(kMarksInRange, {viewer_id, *low, *high, viewer_id, *low, *high});
    if (!marks) return std::move(marks).error();
    std::unordered_set<int64_t> on_page(status_ids.begin(), status_ids.end());
    for (const Row& row : *marks) {
      if (!on_page.count(row.Int(1))) continue;
      (row.Int(0) == 0 ? page.favourited : page.bookmarked).push_back(row.Int(1));
    }
    return Ok();
  }

  static Status ReadParents(Connection& conn, const std::vector<int64_t>& parent_ids, int64_t viewer_id,
                            RenderPage& page) {
    for (size_t begin = 0; begin < parent_ids.size(); begin += kIdBatch) {
      std::vector<Value> args{viewer_id, viewer_id, viewer_id, viewer_id};
      AppendIdBatch(args, parent_ids, begin);
      auto rows = conn.Query(kParentsBatch, args);
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        RenderPage::Parent parent;
        parent.post.id = row.Int(0);
        parent.post.account_id = row.Int(1);
        auto visibility = ParseVisibility(row.Text(2));
        if (!visibility) return Error::Internal("Status " + std::to_string(row.Int(0)) + " has unknown visibility");
        parent.post.visibility = *visibility;
        parent.post.archived_at = row.OptInt(3);
        parent.post.is_comment = row.Bool(4);
        parent.relation.self = viewer_id == parent.post.account_id;
        parent.relation.following = row.Bool(5);
        parent.relation.blocking = row.Bool(6);
        parent.relation.blocked_by = row.Bool(7);
        parent.post.in_reply_to_account_id = row.OptInt(8);
        // The viewer's own mention is all of the parent's mentions the policy needs.
        if (row.Bool(9)) parent.post.mentions.push_back(MentionRef{viewer_id, ""});
        parent.post.comment_state = static_cast<CommentState>(row.Int(10));
        page.parents.push_back(std::move(parent));
      }
    }
    return Ok();
  }

  // Runs a walk and returns its ids newest first (an oldest-first walk is
  // reversed).
  Result<std::vector<int64_t>> ReadIds(const Statement& st, const std::vector<Value>& args, bool ascending) {
    std::vector<int64_t> ids;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto rows = conn.Query(st, args);
      if (!rows) return std::move(rows).error();
      ids = Ids(*rows);
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (ascending) std::reverse(ids.begin(), ids.end());
    return ids;
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<TimelineStore> MakeSqlTimelineStore(Database& db) { return std::make_unique<SqlTimelineStore>(db); }

}  // namespace vantage::store
