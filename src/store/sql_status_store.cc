// The StatusStore over the backend-neutral SQL layer; runs unchanged on
// SQLite and PostgreSQL.
//
// Isolation (Write is serialised on SQLite, READ COMMITTED on PostgreSQL):
// - Create: the parent's replies_count is bumped first, by a conditional
//   UPDATE that also proves the parent exists and locks it; the author's
//   statuses_count likewise, in the same transaction as the INSERT. Tags are
//   INSERT ... ON CONFLICT DO NOTHING then read back, so two posts racing to
//   create one tag end with one row. The idempotency key is a unique
//   constraint: the loser of a race gets unique_violation, and the caller
//   reads the winner's post.
// - Edit, Delete, Pin: the status row (Pin: the author's account row) is
//   locked by the first UPDATE, so concurrent edits apply one after the other
//   and two pins racing for the last slot cannot both win.
#include <unordered_map>
#include <utility>

#include "core/text.h"
#include "store/id_batch.h"
#include "store/insight_store.h"
#include "store/sql_rows.h"
#include "store/status_store.h"

namespace vantage::store {

const char* VisibilityName(Visibility visibility) {
  switch (visibility) {
    case Visibility::kPublic:
      return "public";
    case Visibility::kUnlisted:
      return "unlisted";
    case Visibility::kPrivate:
      return "private";
  }
  return "public";
}

std::optional<Visibility> ParseVisibility(std::string_view name) {
  if (name == "public") return Visibility::kPublic;
  if (name == "unlisted") return Visibility::kUnlisted;
  if (name == "private") return Visibility::kPrivate;
  return std::nullopt;
}

namespace {

#define VANTAGE_STATUS_COLUMNS                                                                  \
  "s.id, s.account_id, s.in_reply_to_id, s.in_reply_to_account_id, s.text, s.content, "         \
  "s.visibility, s.sensitive, s.spoiler_text, s.language, s.application_id, s.pinned_at, "      \
  "s.archived_at, s.edited_at, s.idempotency_key, s.replies_count, s.favourites_count, "        \
  "s.reblogs_count, s.created_at, s.updated_at, a.name, a.website, s.is_comment, s.cta_url, "     \
  "s.cta_label, s.comments_policy, s.comment_state, s.comment_pinned_at, s.comment_post_id, s.uri, "       \
  "s.federate, s.url, s.reblog_of_id"

constexpr Statement kSelectStatus{
    "select_status",
    "SELECT " VANTAGE_STATUS_COLUMNS " FROM statuses s LEFT JOIN apps a ON a.id = s.application_id "
    "WHERE s.id = ?"};
constexpr Statement kSelectStatusByKey{
    "select_status_by_idempotency_key",
    "SELECT " VANTAGE_STATUS_COLUMNS " FROM statuses s LEFT JOIN apps a ON a.id = s.application_id "
    "WHERE s.account_id = ? AND s.idempotency_key = ?"};
constexpr Statement kSelectStatusTags{
    "select_status_tags",
    "SELECT t.id, t.name, t.name_key FROM status_tags st JOIN tags t ON t.id = st.tag_id "
    "WHERE st.status_id = ? ORDER BY st.position"};
constexpr Statement kSelectStatusMentions{
    "select_status_mentions",
    "SELECT m.account_id, a.username FROM mentions m JOIN accounts a ON a.id = m.account_id "
    "WHERE m.status_id = ? ORDER BY m.position"};

// The batch forms of the four reads above (FindByIds).
constexpr Statement kSelectStatusBatch{
    "select_status_batch",
    "SELECT " VANTAGE_STATUS_COLUMNS " FROM statuses s LEFT JOIN apps a ON a.id = s.application_id "
    "WHERE s.id IN " VANTAGE_ID_BATCH};
constexpr Statement kSelectStatusTagsBatch{
    "select_status_tags_batch",
    "SELECT st.status_id, t.id, t.name, t.name_key FROM status_tags st JOIN tags t ON t.id = st.tag_id "
    "WHERE st.status_id IN " VANTAGE_ID_BATCH " ORDER BY st.status_id, st.position"};
constexpr Statement kSelectStatusMentionsBatch{
    "select_status_mentions_batch",
    "SELECT m.status_id, m.account_id, a.username FROM mentions m JOIN accounts a ON a.id = m.account_id "
    "WHERE m.status_id IN " VANTAGE_ID_BATCH " ORDER BY m.status_id, m.position"};
constexpr Statement kSelectStatusMediaBatch{
    "select_status_media_batch",
    "SELECT status_id, id FROM media_attachments WHERE status_id IN " VANTAGE_ID_BATCH
    " ORDER BY status_id, position, id"};

constexpr Statement kSelectStatusMedia{
    "select_status_media",
    "SELECT id FROM media_attachments WHERE status_id = ? ORDER BY position, id"};
// The media helper's rule in one statement: the poster's own, ready (or a
// remote post's photo, fetched when it is shown), unattached media in no
// draft but the one being published (0: none); the changed-row count says
// whether it held.
constexpr Statement kAttachStatusMedia{
    "attach_status_media",
    "UPDATE media_attachments SET status_id = ?, position = ?, updated_at = ? "
    "WHERE id = ? AND account_id = ? AND status_id IS NULL AND (state = 'ready' OR remote_url IS NOT NULL) "
    "AND NOT EXISTS (SELECT 1 FROM draft_media d WHERE d.media_id = media_attachments.id AND d.draft_id <> ?)"};
constexpr Statement kDiagnoseMedia{
    "diagnose_status_media",
    "SELECT account_id, state, status_id, CASE WHEN EXISTS (SELECT 1 FROM draft_media d "
    "WHERE d.media_id = m.id AND d.draft_id <> ?) THEN 1 ELSE 0 END FROM media_attachments m WHERE m.id = ?"};
constexpr Statement kSelectStatusMediaDescriptions{
    "select_status_media_descriptions",
    "SELECT id, description FROM media_attachments WHERE status_id = ? ORDER BY position, id"};
constexpr Statement kDescribeStatusMedia{
    "describe_status_media",
    "UPDATE media_attachments SET description = ?, updated_at = ? WHERE id = ? AND status_id = ?"};
constexpr Statement kSelectStatusMediaKeys{
    "select_status_media_keys",
    "SELECT DISTINCT f.file_key FROM media_files f JOIN media_attachments m ON m.id = f.media_id "
    "WHERE m.status_id = ?"};
constexpr Statement kDeleteStatusMedia{"delete_status_media",
                                       "DELETE FROM media_attachments WHERE status_id = ?"};

constexpr Statement kInsertStatus{
    "insert_status",
    "INSERT INTO statuses (id, account_id, in_reply_to_id, in_reply_to_account_id, text, content, "
    "visibility, sensitive, spoiler_text, language, application_id, pinned_at, archived_at, "
    "edited_at, idempotency_key, replies_count, favourites_count, reblogs_count, created_at, "
    "updated_at, is_comment, cta_url, cta_label, comments_policy, comment_state, comment_post_id, uri, "
    "federate, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
// Fan-out on write (docs/architecture.md, "Home timelines"): a new post goes
// into its author's own inbox and, unless the author is feed_pull (pulled by
// readers instead), into every follower's, in the post's own transaction.
constexpr Statement kFanOutToAuthor{
    "fan_out_to_author", "INSERT INTO home_feed (account_id, status_id, author_id) VALUES (?, ?, ?)"};
constexpr Statement kFanOutToFollowers{
    "fan_out_to_followers",
    "INSERT INTO home_feed (account_id, status_id, author_id) "
    "SELECT f.account_id, ?, ? FROM follows f WHERE f.target_account_id = ? "
    "AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = ? AND a.feed_pull = 0) "
    "AND EXISTS (SELECT 1 FROM accounts r WHERE r.id = f.account_id AND r.domain IS NULL)"};
constexpr Statement kBumpStatusesCount{
    "bump_account_statuses_count",
    "UPDATE accounts SET statuses_count = statuses_count + 1 WHERE id = ?"};
constexpr Statement kDropStatusesCount{
    "drop_account_statuses_count",
    "UPDATE accounts SET statuses_count = statuses_count - 1 WHERE id = ? AND statuses_count > 0"};
// Adds 1, or 0 for a held comment: either way the changed-row count proves
// the parent exists and the row is locked.
constexpr Statement kBumpRepliesCount{
    "bump_status_replies_count", "UPDATE statuses SET replies_count = replies_count + ? WHERE id = ?"};
constexpr Statement kDropRepliesCount{
    "drop_status_replies_count",
    "UPDATE statuses SET replies_count = replies_count - 1 WHERE id = ? AND replies_count > 0"};

constexpr Statement kInsertTag{
    "insert_tag",
    "INSERT INTO tags (id, name, name_key, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (name_key) DO NOTHING"};
constexpr Statement kSelectTagByKey{"select_tag_by_key",
                                    "SELECT id, name FROM tags WHERE name_key = ?"};
constexpr Statement kInsertStatusTag{
    "insert_status_tag",
    "INSERT INTO status_tags (status_id, tag_id, position) VALUES (?, ?, ?) "
    "ON CONFLICT (status_id, tag_id) DO NOTHING"};
constexpr Statement kDeleteStatusTags{"delete_status_tags",
                                      "DELETE FROM status_tags WHERE status_id = ?"};
constexpr Statement kInsertMention{
    "insert_mention",
    "INSERT INTO mentions (status_id, account_id, position) VALUES (?, ?, ?) "
    "ON CONFLICT (status_id, account_id) DO NOTHING"};
constexpr Statement kDeleteMentions{"delete_mentions", "DELETE FROM mentions WHERE status_id = ?"};

constexpr Statement kLockOwnStatus{
    "lock_own_status",
    "UPDATE statuses SET updated_at = updated_at WHERE id = ? AND account_id = ?"};
constexpr Statement kDeleteOwnStatus{"delete_own_status",
                                     "DELETE FROM statuses WHERE id = ? AND account_id = ?"};
constexpr Statement kUpdateStatusText{
    "update_status_text",
    "UPDATE statuses SET text = ?, content = ?, spoiler_text = ?, sensitive = ?, cta_url = ?, "
    "cta_label = ?, comments_policy = ?, "
    // edited_at names the version (an approval of a held comment names the
    // one read), so two edits in one millisecond still differ.
    "edited_at = CASE WHEN edited_at >= ? THEN edited_at + 1 ELSE ? END, updated_at = ? WHERE id = ?"};
constexpr Statement kUpdateCommentsPolicy{
    "update_comments_policy",
    "UPDATE statuses SET comments_policy = ?, updated_at = ? WHERE id = ? AND account_id = ?"};
constexpr Statement kHasHistory{"status_has_history",
                                "SELECT 1 FROM status_edits WHERE status_id = ? LIMIT 1"};
constexpr Statement kInsertEdit{
    "insert_status_edit",
    "INSERT INTO status_edits (id, status_id, text, content, spoiler_text, sensitive, media, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Statement kSelectHistory{
    "select_status_history",
    "SELECT id, status_id, text, content, spoiler_text, sensitive, media, created_at "
    "FROM status_edits WHERE status_id = ? ORDER BY id"};

// A no-op write that takes the account row's lock on PostgreSQL (SQLite
// serialises writers already): pins of one account queue behind it.
constexpr Statement kLockAccount{"lock_account_for_pin",
                                 "UPDATE accounts SET updated_at = updated_at WHERE id = ?"};
constexpr Statement kCountPinned{
    "count_pinned_statuses",
    "SELECT COUNT(*) FROM statuses WHERE account_id = ? AND pinned_at IS NOT NULL"};
constexpr Statement kSetPinned{"set_status_pinned",
                               "UPDATE statuses SET pinned_at = ? WHERE id = ? AND account_id = ?"};
constexpr Statement kArchive{
    "archive_status",
    "UPDATE statuses SET archived_at = COALESCE(archived_at, ?) WHERE id = ? AND account_id = ?"};
constexpr Statement kUnarchive{
    "unarchive_status", "UPDATE statuses SET archived_at = NULL WHERE id = ? AND account_id = ?"};

// A comment in a thread under a post of the given account, locked.
constexpr Statement kLockCommentOnOwnPost{
    "lock_comment_on_own_post",
    "UPDATE statuses SET updated_at = updated_at WHERE id = ? AND is_comment = 1 AND "
    "COALESCE(comment_post_id, in_reply_to_id) IN (SELECT p.id FROM statuses p WHERE p.account_id = ?)"};
constexpr Statement kSetCommentState{
    "set_comment_state", "UPDATE statuses SET comment_state = ?, comment_pinned_at = ?, updated_at = ? WHERE id = ?"};
constexpr Statement kDeleteStatus{"delete_status_by_id", "DELETE FROM statuses WHERE id = ?"};
// Locks the post, so two pins racing for its last slot queue.
constexpr Statement kLockPost{"lock_post_for_comment_pin",
                              "UPDATE statuses SET replies_count = replies_count WHERE id = ?"};
constexpr Statement kCountPinnedComments{
    "count_pinned_comments",
    "SELECT COUNT(*) FROM statuses WHERE in_reply_to_id = ? AND comment_pinned_at IS NOT NULL AND comment_state = 0"};
constexpr Statement kSetCommentPinned{"set_comment_pinned",
                                      "UPDATE statuses SET comment_pinned_at = ?, updated_at = ? WHERE id = ?"};
constexpr Statement kPinnedComments{
    "select_pinned_comments",
    "SELECT id, account_id FROM statuses WHERE in_reply_to_id = ? AND comment_pinned_at IS NOT NULL "
    "ORDER BY comment_pinned_at, id"};
constexpr Statement kHeldComments{
    "select_held_comments",
    "SELECT s.id FROM statuses s WHERE s.comment_post_id = ? AND s.comment_state = 1 ORDER BY s.id LIMIT ?"};

#undef VANTAGE_STATUS_COLUMNS

int64_t Bool(bool b) { return b ? 1 : 0; }
Value TextOrNull(const std::string& s) { return s.empty() ? Null() : Value(s); }

Result<Post> DecodePost(const Row& row) {
  auto visibility = ParseVisibility(row.Text(6));
  if (!visibility)
    return Error::Internal("Status " + std::to_string(row.Int(0)) + " has unknown visibility");
  Post p;
  p.id = row.Int(0);
  p.account_id = row.Int(1);
  p.in_reply_to_id = row.OptInt(2);
  p.in_reply_to_account_id = row.OptInt(3);
  p.text = row.Text(4);
  p.content = row.Text(5);
  p.visibility = *visibility;
  p.sensitive = row.Bool(7);
  p.spoiler_text = row.Text(8);
  p.language = row.Text(9);
  p.application_id = row.OptInt(10);
  p.pinned_at = row.OptInt(11);
  p.archived_at = row.OptInt(12);
  p.edited_at = row.OptInt(13);
  p.idempotency_key = row.Text(14);
  p.replies_count = row.Int(15);
  p.favourites_count = row.Int(16);
  p.reblogs_count = row.Int(17);
  p.created_at = row.Int(18);
  p.updated_at = row.Int(19);
  p.application_name = row.Text(20);
  p.application_website = row.Text(21);
  p.is_comment = row.Int(22) != 0;
  p.cta_url = row.Text(23);
  p.cta_label = row.Text(24);
  p.comments_policy = row.Text(25);
  int64_t state = row.Int(26);
  if (state < 0 || state > 2)
    return Error::Internal("Status " + std::to_string(p.id) + " has unknown comment state");
  p.comment_state = static_cast<CommentState>(state);
  p.comment_pinned_at = row.OptInt(27);
  p.comment_post_id = row.OptInt(28);
  p.uri = row.Text(29);
  p.federate = row.Bool(30);
  p.url = row.Text(31);
  p.reblog_of_id = row.OptInt(32);
  return p;
}

// The status with its tags and mentions, read on `conn`.
Result<std::optional<Post>> LoadPost(Connection& conn, const Statement& st,
                                     std::initializer_list<Value> args) {
  auto row = conn.QueryOne(st, args);
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<Post>();
  auto post = DecodePost(**row);
  if (!post) return std::move(post).error();
  auto tags = conn.Query(kSelectStatusTags, {post->id});
  if (!tags) return std::move(tags).error();
  for (const Row& t : *tags) post->tags.push_back(TagRef{t.Int(0), t.Text(1), t.Text(2)});
  auto mentions = conn.Query(kSelectStatusMentions, {post->id});
  if (!mentions) return std::move(mentions).error();
  for (const Row& m : *mentions) post->mentions.push_back(MentionRef{m.Int(0), m.Text(1)});
  auto media = conn.Query(kSelectStatusMedia, {post->id});
  if (!media) return std::move(media).error();
  for (const Row& m : *media) post->media_ids.push_back(m.Int(0));
  return std::optional<Post>(std::move(*post));
}

Result<Post> LoadExisting(Connection& conn, int64_t id) {
  auto post = LoadPost(conn, kSelectStatus, {id});
  if (!post) return std::move(post).error();
  if (!*post) return Error::NotFound();
  return std::move(**post);
}

Status WriteTags(Connection& conn, int64_t status_id, const std::vector<TagRef>& tags,
                 int64_t now) {
  int64_t position = 0;
  for (const TagRef& tag : tags) {
    if (tag.id <= 0) return Error::Internal("A new tag needs an id from the IdGenerator");
    auto inserted = conn.Exec(kInsertTag, {tag.id, tag.name, tag.key, now});
    if (!inserted) return std::move(inserted).error();
    auto row = conn.QueryOne(kSelectTagByKey, {tag.key});
    if (!row) return std::move(row).error();
    if (!*row) return Error::Internal("Tag " + tag.key + " vanished while being written");
    auto linked = conn.Exec(kInsertStatusTag, {status_id, (*row)->Int(0), position++});
    if (!linked) return std::move(linked).error();
  }
  return Ok();
}

Status WriteMentions(Connection& conn, int64_t status_id, const std::vector<int64_t>& account_ids) {
  int64_t position = 0;
  for (int64_t account_id : account_ids) {
    auto inserted = conn.Exec(kInsertMention, {status_id, account_id, position++});
    if (!inserted) return std::move(inserted).error();
  }
  return Ok();
}

// The status's media as the history keeps them: [{"id":"…","description":"…"}].
Result<std::string> MediaSnapshot(Connection& conn, int64_t status_id) {
  auto rows = conn.Query(kSelectStatusMediaDescriptions, {status_id});
  if (!rows) return std::move(rows).error();
  std::string json = "[";
  for (const Row& row : *rows) {
    if (json.size() > 1) json += ",";
    json += "{\"id\":\"" + std::to_string(row.Int(0)) + "\",\"description\":" + JsonQuote(row.Text(1)) + "}";
  }
  return json + "]";
}

// Attaches each media id, in order, or says which one cannot be and why.
Status AttachMedia(Connection& conn, const Post& p) {
  int64_t position = 0;
  for (int64_t media_id : p.media_ids) {
    int64_t draft_id = p.draft_id.value_or(0);
    auto attached =
        conn.Exec(kAttachStatusMedia, {p.id, position++, p.created_at, media_id, p.account_id, draft_id});
    if (!attached) return std::move(attached).error();
    if (*attached == 1) continue;
    auto row = conn.QueryOne(kDiagnoseMedia, {draft_id, media_id});
    if (!row) return std::move(row).error();
    std::string id = std::to_string(media_id);
    if (!*row || (*row)->Int(0) != p.account_id)
      return Error::Invalid("media_ids", "media_ids: media " + id + " was not found", "media_not_found");
    if (!(*row)->IsNull(2))
      return Error::Invalid("media_ids", "media_ids: media " + id + " is already attached to a post",
                            "media_attached");
    // Reserved by a draft: only that draft's approved release may post it.
    if ((*row)->Bool(3))
      return Error::Invalid("media_ids", "media_ids: media " + id + " is in a draft awaiting approval",
                            "media_in_draft");
    if ((*row)->Text(1) == "processing")
      return Error::Invalid("media_ids", "media_ids: media " + id + " is still processing; try again shortly",
                            "media_processing");
    return Error::Invalid("media_ids", "media_ids: media " + id + " failed processing and cannot be posted",
                          "media_failed");
  }
  return Ok();
}

Status FanOut(Connection& conn, const Post& p) {
  // A remote author reads nothing here: only its local followers get it.
  if (p.uri.empty()) {
    auto own = conn.Exec(kFanOutToAuthor, {p.account_id, p.id, p.account_id});
    if (!own) return std::move(own).error();
  }
  auto followers = conn.Exec(kFanOutToFollowers, {p.id, p.account_id, p.account_id, p.account_id});
  if (!followers) return std::move(followers).error();
  return Ok();
}

Status RequireChanged(Result<int64_t> changed) {
  if (!changed) return std::move(changed).error();
  if (*changed == 0) return Error::NotFound();
  return Ok();
}

// After a status is deleted: its author's statuses_count, and its parent's
// replies_count when it was a shown comment.
Status DropCountsOf(Connection& conn, const Post& post) {
  auto dropped = conn.Exec(kDropStatusesCount, {post.account_id});
  if (!dropped) return std::move(dropped).error();
  if (!post.in_reply_to_id || post.comment_state != CommentState::kShown) return Ok();
  auto parent = conn.Exec(kDropRepliesCount, {*post.in_reply_to_id});
  if (!parent) return std::move(parent).error();
  return RecordStatusCounts(conn, *post.in_reply_to_id, NowUnixMs());
}

// Moves a loaded comment to `state`: its parent's replies_count counts shown
// comments only, and a comment that stops being shown loses its pin (pins
// show to everyone).
Status ApplyCommentState(Connection& conn, const Post& comment, CommentState state, int64_t now) {
  bool was_shown = comment.comment_state == CommentState::kShown;
  bool shown = state == CommentState::kShown;
  auto set = conn.Exec(kSetCommentState, {static_cast<int64_t>(state), shown ? Opt(comment.comment_pinned_at) : Null(),
                                          now, comment.id});
  if (!set) return std::move(set).error();
  if (was_shown == shown) return Ok();
  auto counted = shown ? conn.Exec(kBumpRepliesCount, {int64_t{1}, *comment.in_reply_to_id})
                       : conn.Exec(kDropRepliesCount, {*comment.in_reply_to_id});
  if (!counted) return std::move(counted).error();
  return RecordStatusCounts(conn, *comment.in_reply_to_id, now);
}

class SqlStatusStore final : public StatusStore {
 public:
  explicit SqlStatusStore(Database& db) : db_(db) {}

  Result<CreatedPost> Create(const Post& p, const std::vector<int64_t>& mention_account_ids,
                             const InTransaction& in_transaction) override {
    if (p.id <= 0) return Error::Internal("A new status needs an id from the IdGenerator");
    CreatedPost out;
    Status status = db_.Write([&](Connection& conn) -> Status {
      out = CreatedPost{};
      if (!p.idempotency_key.empty()) {
        auto earlier = LoadPost(conn, kSelectStatusByKey, {p.account_id, p.idempotency_key});
        if (!earlier) return std::move(earlier).error();
        if (*earlier) {
          out.post = std::move(**earlier);
          out.replayed = true;
          return Ok();
        }
      }
      if (p.in_reply_to_id) {
        int64_t shown = p.comment_state == CommentState::kShown ? 1 : 0;
        auto bumped = conn.Exec(kBumpRepliesCount, {shown, *p.in_reply_to_id});
        if (!bumped) return std::move(bumped).error();
        if (*bumped == 0) return Error::NotFound("Record not found", "not_found");
        VANTAGE_TRY(RecordStatusCounts(conn, *p.in_reply_to_id, p.created_at));
      }
      auto inserted = conn.Exec(
          kInsertStatus,
          {p.id, p.account_id, Opt(p.in_reply_to_id), Opt(p.in_reply_to_account_id), p.text,
           p.content, std::string(VisibilityName(p.visibility)), Bool(p.sensitive), p.spoiler_text,
           TextOrNull(p.language), Opt(p.application_id), Opt(p.pinned_at), Opt(p.archived_at),
           Opt(p.edited_at), TextOrNull(p.idempotency_key), p.created_at, p.updated_at,
           Bool(p.is_comment || p.in_reply_to_id.has_value()), p.cta_url, p.cta_label, p.comments_policy,
           static_cast<int64_t>(p.comment_state), Opt(p.comment_post_id), TextOrNull(p.uri),
           Bool(p.federate), TextOrNull(p.url)});
      if (!inserted) return std::move(inserted).error();
      VANTAGE_TRY(RequireChanged(conn.Exec(kBumpStatusesCount, {p.account_id})));
      VANTAGE_TRY(WriteTags(conn, p.id, p.tags, p.created_at));
      VANTAGE_TRY(WriteMentions(conn, p.id, mention_account_ids));
      VANTAGE_TRY(AttachMedia(conn, p));
      if (!p.is_comment && !p.in_reply_to_id) VANTAGE_TRY(FanOut(conn, p));
      auto created = LoadExisting(conn, p.id);
      if (!created) return std::move(created).error();
      if (in_transaction) VANTAGE_TRY(in_transaction(conn, *created));
      out.post = std::move(*created);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<std::optional<Post>> FindById(int64_t id) override {
    return ReadPost(kSelectStatus, {id});
  }

  Result<std::vector<Post>> FindByIds(const std::vector<int64_t>& ids) override {
    std::vector<Post> found;
    Status status = db_.Read([&](Connection& conn) -> Status {
      found.clear();
      std::unordered_map<int64_t, Post> by_id;
      VANTAGE_TRY(ReadPostsOn(conn, ids, true, by_id));
      found.reserve(by_id.size());
      for (int64_t id : ids) {
        auto it = by_id.find(id);
        if (it == by_id.end()) continue;
        found.push_back(std::move(it->second));
        by_id.erase(it);
      }
      return Ok();
    });
    if (!status) return std::move(status).error();
    return found;
  }

  Result<std::optional<Post>> FindByIdempotencyKey(int64_t account_id, const std::string& key) override {
    if (key.empty()) return std::optional<Post>();
    return ReadPost(kSelectStatusByKey, {account_id, key});
  }

  Result<Post> Delete(int64_t id, int64_t account_id, std::vector<std::string>* file_keys,
                      const InTransaction& in_transaction) override {
    std::optional<Post> deleted;
    Status status = db_.Write([&](Connection& conn) -> Status {
      deleted.reset();
      if (file_keys) file_keys->clear();
      VANTAGE_TRY(RequireChanged(conn.Exec(kLockOwnStatus, {id, account_id})));
      auto post = LoadExisting(conn, id);
      if (!post) return std::move(post).error();
      if (in_transaction) VANTAGE_TRY(in_transaction(conn, *post));
      if (!post->media_ids.empty()) {
        auto keys = conn.Query(kSelectStatusMediaKeys, {id});
        if (!keys) return std::move(keys).error();
        if (file_keys)
          for (const Row& key : *keys) file_keys->push_back(key.Text(0));
        auto media = conn.Exec(kDeleteStatusMedia, {id});
        if (!media) return std::move(media).error();
      }
      VANTAGE_TRY(RequireChanged(conn.Exec(kDeleteOwnStatus, {id, account_id})));
      VANTAGE_TRY(DropCountsOf(conn, *post));
      deleted = std::move(*post);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return std::move(*deleted);
  }

  Result<Post> Edit(int64_t id, int64_t account_id, const PostChange& c,
                    const InTransaction& in_transaction) override {
    if (c.original_edit_id <= 0 || c.edit_id <= c.original_edit_id)
      return Error::Internal("An edit needs two ascending ids from the IdGenerator");
    std::optional<Post> edited;
    Status status = db_.Write([&](Connection& conn) -> Status {
      edited.reset();
      VANTAGE_TRY(RequireChanged(conn.Exec(kLockOwnStatus, {id, account_id})));
      auto before = LoadExisting(conn, id);
      if (!before) return std::move(before).error();
      auto history = conn.QueryOne(kHasHistory, {id});
      if (!history) return std::move(history).error();
      auto media_before = MediaSnapshot(conn, id);
      if (!media_before) return std::move(media_before).error();
      if (!*history) {
        auto original = conn.Exec(kInsertEdit, {c.original_edit_id, id, before->text, before->content,
                                                before->spoiler_text, Bool(before->sensitive),
                                                *media_before, before->created_at});
        if (!original) return std::move(original).error();
      }
      auto updated = conn.Exec(kUpdateStatusText, {c.text, c.content, c.spoiler_text, Bool(c.sensitive),
                                                   c.cta_url, c.cta_label, c.comments_policy, c.now, c.now,
                                                   c.now, id});
      if (!updated) return std::move(updated).error();
      auto untagged = conn.Exec(kDeleteStatusTags, {id});
      if (!untagged) return std::move(untagged).error();
      VANTAGE_TRY(WriteTags(conn, id, c.tags, c.now));
      auto unmentioned = conn.Exec(kDeleteMentions, {id});
      if (!unmentioned) return std::move(unmentioned).error();
      VANTAGE_TRY(WriteMentions(conn, id, c.mention_account_ids));
      for (const auto& [media_id, description] : c.media_descriptions) {
        auto described = conn.Exec(kDescribeStatusMedia, {description, c.now, media_id, id});
        if (!described) return std::move(described).error();
        if (*described == 0)
          return Error::Invalid("media_attributes",
                                "media_attributes: media " + std::to_string(media_id) +
                                    " is not part of this post",
                                "media_not_found");
      }
      auto media_after = MediaSnapshot(conn, id);
      if (!media_after) return std::move(media_after).error();
      auto version = conn.Exec(kInsertEdit, {c.edit_id, id, c.text, c.content, c.spoiler_text,
                                             Bool(c.sensitive), *media_after, c.now});
      if (!version) return std::move(version).error();
      if (c.hold_comment && before->is_comment && before->in_reply_to_id &&
          before->comment_state == CommentState::kShown)
        VANTAGE_TRY(ApplyCommentState(conn, *before, CommentState::kHeld, c.now));
      auto after = LoadExisting(conn, id);
      if (!after) return std::move(after).error();
      if (in_transaction) VANTAGE_TRY(in_transaction(conn, *after));
      edited = std::move(*after);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return std::move(*edited);
  }

  Result<Post> SetCommentsPolicy(int64_t id, int64_t account_id, const std::string& policy, int64_t now) override {
    std::optional<Post> changed;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      VANTAGE_TRY(RequireChanged(conn.Exec(kUpdateCommentsPolicy, {policy, now, id, account_id})));
      auto after = LoadExisting(conn, id);
      if (!after) return std::move(after).error();
      changed = std::move(*after);
      return Ok();
    }));
    return std::move(*changed);
  }

  Result<std::vector<PostEdit>> History(int64_t status_id) override {
    std::vector<PostEdit> edits;
    Status status = db_.Read([&](Connection& conn) -> Status {
      edits.clear();
      auto rows = conn.Query(kSelectHistory, {status_id});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        PostEdit e;
        e.id = row.Int(0);
        e.status_id = row.Int(1);
        e.text = row.Text(2);
        e.content = row.Text(3);
        e.spoiler_text = row.Text(4);
        e.sensitive = row.Bool(5);
        e.media_json = row.Text(6);
        e.created_at = row.Int(7);
        edits.push_back(std::move(e));
      }
      return Ok();
    });
    if (!status) return std::move(status).error();
    return edits;
  }

  Result<Post> Pin(int64_t id, int64_t account_id, int max_pinned, int64_t now) override {
    return WriteAndLoad(id, [&](Connection& conn) -> Status {
      VANTAGE_TRY(RequireChanged(conn.Exec(kLockAccount, {account_id})));
      auto post = LoadExisting(conn, id);
      if (!post) return std::move(post).error();
      if (post->account_id != account_id) return Error::NotFound();
      if (post->pinned_at) return Ok();
      auto count = conn.QueryOne(kCountPinned, {account_id});
      if (!count) return std::move(count).error();
      if (*count && (**count).Int(0) >= max_pinned)
        return Error::Invalid("id", "At most " + std::to_string(max_pinned) +
                                        " posts can be pinned; unpin one first", "pin_limit");
      return RequireChanged(conn.Exec(kSetPinned, {now, id, account_id}));
    });
  }

  Result<Post> Unpin(int64_t id, int64_t account_id) override {
    return WriteAndLoad(id, [&](Connection& conn) -> Status {
      return RequireChanged(conn.Exec(kSetPinned, {Null(), id, account_id}));
    });
  }

  Result<Post> Archive(int64_t id, int64_t account_id, int64_t now) override {
    return WriteAndLoad(id, [&](Connection& conn) -> Status {
      return RequireChanged(conn.Exec(kArchive, {now, id, account_id}));
    });
  }

  Result<Post> Unarchive(int64_t id, int64_t account_id) override {
    return WriteAndLoad(id, [&](Connection& conn) -> Status {
      return RequireChanged(conn.Exec(kUnarchive, {id, account_id}));
    });
  }

  Result<Post> SetCommentState(int64_t comment_id, int64_t post_account_id, std::optional<CommentState> from,
                               CommentState state, const InTransaction& in_transaction) override {
    return WriteAndLoad(comment_id, [&](Connection& conn) -> Status {
      VANTAGE_TRY(RequireChanged(conn.Exec(kLockCommentOnOwnPost, {comment_id, post_account_id})));
      auto comment = LoadExisting(conn, comment_id);
      if (!comment) return std::move(comment).error();
      if (comment->comment_state == state || !comment->in_reply_to_id) return Ok();
      if (from && comment->comment_state != *from) return Ok();
      VANTAGE_TRY(ApplyCommentState(conn, *comment, state, NowUnixMs()));
      if (in_transaction) VANTAGE_TRY(in_transaction(conn, *comment));
      return Ok();
    });
  }

  Result<Post> PinComment(int64_t comment_id, int64_t post_account_id, int max_pinned, int64_t now,
                          const InTransaction& in_transaction) override {
    return WriteAndLoad(comment_id, [&](Connection& conn) -> Status {
      VANTAGE_TRY(RequireChanged(conn.Exec(kLockCommentOnOwnPost, {comment_id, post_account_id})));
      auto comment = LoadExisting(conn, comment_id);
      if (!comment) return std::move(comment).error();
      if (!comment->in_reply_to_id) return Error::NotFound();
      auto post = LoadExisting(conn, *comment->in_reply_to_id);
      if (!post) return std::move(post).error();
      if (post->account_id != post_account_id || post->is_comment)
        return Error::Invalid("id", "Only comments answering the post itself can be pinned on it", "not_pinnable");
      if (comment->comment_pinned_at) return Ok();
      if (comment->comment_state != CommentState::kShown)
        return Error::Invalid("id", "Held and hidden comments cannot be pinned", "not_pinnable");
      VANTAGE_TRY(RequireChanged(conn.Exec(kLockPost, {post->id})));
      auto count = conn.QueryOne(kCountPinnedComments, {post->id});
      if (!count) return std::move(count).error();
      if (*count && (**count).Int(0) >= max_pinned)
        return Error::Invalid("id", "At most " + std::to_string(max_pinned) +
                                        " comments can be pinned on a post; unpin one first", "pin_limit");
      VANTAGE_TRY(RequireChanged(conn.Exec(kSetCommentPinned, {now, now, comment_id})));
      if (in_transaction) VANTAGE_TRY(in_transaction(conn, *comment));
      return Ok();
    });
  }

  Result<Post> UnpinComment(int64_t comment_id, int64_t post_account_id,
                            const InTransaction& in_transaction) override {
    return WriteAndLoad(comment_id, [&](Connection& conn) -> Status {
      VANTAGE_TRY(RequireChanged(conn.Exec(kLockCommentOnOwnPost, {comment_id, post_account_id})));
      auto comment = LoadExisting(conn, comment_id);
      if (!comment) return std::move(comment).error();
      if (!comment->comment_pinned_at) return Ok();
      VANTAGE_TRY(RequireChanged(conn.Exec(kSetCommentPinned, {Null(), NowUnixMs(), comment_id})));
      if (in_transaction) VANTAGE_TRY(in_transaction(conn, *comment));
      return Ok();
    });
  }

  Result<std::vector<std::pair<int64_t, int64_t>>> PinnedComments(int64_t post_id) override {
    std::vector<std::pair<int64_t, int64_t>> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kPinnedComments, {post_id});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) out.emplace_back(row.Int(0), row.Int(1));
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<std::vector<Post>> HeldComments(int64_t post_id, int limit) override {
    std::vector<Post> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kHeldComments, {post_id, int64_t{limit}});
      if (!rows) return std::move(rows).error();
      std::vector<int64_t> ids;
      for (const Row& row : *rows) ids.push_back(row.Int(0));
      std::unordered_map<int64_t, Post> by_id;
      VANTAGE_TRY(ReadPostsOn(conn, ids, false, by_id));
      for (int64_t id : ids)
        if (auto it = by_id.find(id); it != by_id.end()) out.push_back(std::move(it->second));
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<Post> DeleteComment(int64_t comment_id, int64_t post_account_id,
                             const InTransaction& in_transaction) override {
    std::optional<Post> deleted;
    Status status = db_.Write([&](Connection& conn) -> Status {
      deleted.reset();
      VANTAGE_TRY(RequireChanged(conn.Exec(kLockCommentOnOwnPost, {comment_id, post_account_id})));
      auto post = LoadExisting(conn, comment_id);
      if (!post) return std::move(post).error();
      if (in_transaction) VANTAGE_TRY(in_transaction(conn, *post));
      VANTAGE_TRY(RequireChanged(conn.Exec(kDeleteStatus, {comment_id})));
      VANTAGE_TRY(DropCountsOf(conn, *post));
      deleted = std::move(*post);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return std::move(*deleted);
  }

 private:
  Result<std::optional<Post>> ReadPost(const Statement& st, std::initializer_list<Value> args) {
    std::optional<Post> found;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto post = LoadPost(conn, st, args);
      if (!post) return std::move(post).error();
      found = std::move(*post);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return found;
  }

  // Runs `change` and reads the status back, in one write transaction.
  Result<Post> WriteAndLoad(int64_t id, const std::function<Status(Connection&)>& change) {
    std::optional<Post> out;
    Status status = db_.Write([&](Connection& conn) -> Status {
      out.reset();
      VANTAGE_TRY(change(conn));
      auto post = LoadExisting(conn, id);
      if (!post) return std::move(post).error();
      out = std::move(*post);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return std::move(*out);
  }

  Database& db_;
};

}  // namespace

Status ReadPostsOn(Connection& conn, const std::vector<int64_t>& ids, bool with_media_ids,
                   std::unordered_map<int64_t, Post>& by_id) {
  for (size_t begin = 0; begin < ids.size(); begin += kIdBatch) {
    std::vector<Value> args;
    AppendIdBatch(args, ids, begin);
    auto rows = conn.Query(kSelectStatusBatch, args);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) continue;
    for (const Row& row : *rows) {
      auto post = DecodePost(row);
      if (!post) return std::move(post).error();
      by_id.emplace(post->id, std::move(*post));
    }
    auto tags = conn.Query(kSelectStatusTagsBatch, args);
    if (!tags) return std::move(tags).error();
    for (const Row& t : *tags)
      if (auto it = by_id.find(t.Int(0)); it != by_id.end())
        it->second.tags.push_back(TagRef{t.Int(1), t.Text(2), t.Text(3)});
    auto mentions = conn.Query(kSelectStatusMentionsBatch, args);
    if (!mentions) return std::move(mentions).error();
    for (const Row& m : *mentions)
      if (auto it = by_id.find(m.Int(0)); it != by_id.end())
        it->second.mentions.push_back(MentionRef{m.Int(1), m.Text(2)});
    if (!with_media_ids) continue;
    auto media = conn.Query(kSelectStatusMediaBatch, args);
    if (!media) return std::move(media).error();
    for (const Row& m : *media)
      if (auto it = by_id.find(m.Int(0)); it != by_id.end()) it->second.media_ids.push_back(m.Int(1));
  }
  return Ok();
}

std::unique_ptr<StatusStore> MakeSqlStatusStore(Database& db) {
  return std::make_unique<SqlStatusStore>(db);
}

}  // namespace vantage::store
