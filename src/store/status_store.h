// Statuses: photo posts and their comments, with hashtags, mentions, pins,
// archiving and edit history.
//
// The conventions of store.h hold here: times are milliseconds since the Unix
// epoch, ids of new rows come from the caller's IdGenerator, methods are
// thread-safe, and errors not named below are the SQL layer's.
//
// Counters are kept in the same transaction as the row that changes them:
// creating a status adds one to its author's accounts.statuses_count and, for
// a reply, to the parent's replies_count; deleting takes them away again.
// Nothing here decides who may see or do what: that is the service's policy.
// Methods that take an `account_id` act only on that account's statuses and
// answer NotFound for anyone else's, exactly as for a missing one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

enum class Visibility { kPublic = 0, kUnlisted = 1, kPrivate = 2 };
const char* VisibilityName(Visibility visibility);
std::optional<Visibility> ParseVisibility(std::string_view name);

// Who may comment on a post (docs/organisations.md, "Comment controls").
inline constexpr std::string_view kCommentPolicies[] = {"on", "off", "followers", "held"};

// A comment's state: held comments wait for the post's author's review,
// hidden ones were hidden by them. Both are seen by their writer only and
// are not counted in the post's replies_count.
enum class CommentState { kShown = 0, kHeld = 1, kHidden = 2 };

// A hashtag of a status. `key` (the NFKC case fold of the name) decides
// identity; `name` is the form first written, kept for display. `id` is used
// only when the tag is new; an existing tag keeps its id and name.
struct TagRef {
  int64_t id = 0;
  std::string name;
  std::string key;
};

// A mentioned local account, with its username for rendering.
struct MentionRef {
  int64_t account_id = 0;
  std::string username;
};

struct Post {
  int64_t id = 0;
  int64_t account_id = 0;
  std::optional<int64_t> in_reply_to_id;
  std::optional<int64_t> in_reply_to_account_id;
  // Set when written (a reply); stays set after the parent is deleted.
  bool is_comment = false;
  std::string text;     // the caption as written
  std::string content;  // rendered HTML
  Visibility visibility = Visibility::kPublic;
  bool sensitive = false;
  std::string spoiler_text;
  std::string language;  // empty: unknown
  std::optional<int64_t> application_id;
  std::optional<int64_t> pinned_at;
  std::optional<int64_t> archived_at;
  std::optional<int64_t> edited_at;
  std::string idempotency_key;  // empty: none
  // A recruitment post's call-to-action link (an https URL) and its label,
  // checked by the service; both empty: none.
  std::string cta_url;
  std::string cta_label;
  std::string comments_policy = "on";  // of a post: one of kCommentPolicies
  CommentState comment_state = CommentState::kShown;  // of a comment
  std::optional<int64_t> comment_pinned_at;  // pinned on its post by the post's author
  // Of a comment: the post at the root of its thread (unset for comments
  // written before comment controls, whose post is their in_reply_to_id).
  std::optional<int64_t> comment_post_id;
  // A remote status's ActivityPub id (empty: a local one), and its page on
  // its own server (empty: the id).
  std::string uri;
  std::string url;
  // Whether a local public post goes to other servers (vantage_federate).
  bool federate = true;
  // A boost by a remote account (docs/federation.md, "Boosts"): the status
  // boosted. The boost has no text or media of its own; uri is its
  // Announce's id.
  std::optional<int64_t> reblog_of_id;
  int64_t replies_count = 0;
  int64_t favourites_count = 0;
  int64_t reblogs_count = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;

  // Read with the status; written by Create and Edit. Tags in the order of
  // first appearance, mentions likewise.
  std::vector<TagRef> tags;
  std::vector<MentionRef> mentions;
  // Ids of its media attachments in carousel order. Create attaches these
  // (each must be the author's own, ready and unattached: otherwise Invalid
  // with field "media_ids" and code media_not_found, media_processing,
  // media_failed or media_attached, naming the id, and nothing is written).
  // Media in a draft (draft_media) are Invalid media_in_draft unless this
  // post publishes that draft (draft_id).
  std::vector<int64_t> media_ids;
  std::optional<int64_t> draft_id;  // the draft this post publishes (not stored)
  // The posting application's name and website, when it is known.
  std::string application_name;
  std::string application_website;
};

// One version of a status, as GET /statuses/:id/history shows it.
struct PostEdit {
  int64_t id = 0;
  int64_t status_id = 0;
  std::string text;
  std::string content;
  std::string spoiler_text;
  bool sensitive = false;
  std::string media_json = "[]";  // the media of that version: [{"id":"…","description":"…"}]
  int64_t created_at = 0;
};

// What an edit changes. Tags and mentions are replaced whole.
struct PostChange {
  std::string text;
  std::string content;
  std::string spoiler_text;
  bool sensitive = false;
  std::string cta_url;  // the call to action after the edit (empty: none)
  std::string cta_label;
  std::string comments_policy = "on";
  std::vector<TagRef> tags;
  std::vector<int64_t> mention_account_ids;
  // New alt text for media of this status (others: Invalid, field
  // "media_attributes", code media_not_found).
  std::vector<std::pair<int64_t, std::string>> media_descriptions;
  int64_t original_edit_id = 0;  // ids for the history rows
  int64_t edit_id = 0;
  int64_t now = 0;
  // A shown comment rewritten into what its post holds for review (hidden
  // words, or a post whose comments are held) is held in the edit's own
  // transaction, so nobody ever reads the new text shown.
  bool hold_comment = false;
};

struct CreatedPost {
  Post post;
  bool replayed = false;  // an earlier post with the same idempotency key
};

// Runs inside a status's write transaction (see each method for when); an
// error rolls the whole change back.
using InTransaction = std::function<Status(Connection&, const Post&)>;

class StatusStore {
 public:
  virtual ~StatusStore() = default;

  // Creates `post` (its tags, by TagRef, and mentions, by account_id) and
  // bumps the counters, and attaches `post.media_ids`. With an idempotency key that the account already
  // used, nothing is written and the earlier post is returned with
  // `replayed` set. NotFound with field "in_reply_to_id" when the parent is
  // gone. A post (not a comment) is also written into its author's home
  // inbox and, unless the author is feed_pull, every follower's (fan-out
  // on write). `in_transaction`, when given, runs before the commit.
  virtual Result<CreatedPost> Create(const Post& post, const std::vector<int64_t>& mention_account_ids,
                                     const InTransaction& in_transaction = {}) = 0;

  virtual Result<std::optional<Post>> FindById(int64_t id) = 0;
  // The statuses among `ids` that exist, in the order of `ids` (each once),
  // as FindById reads them, with a fixed number of statements per 40 ids.
  virtual Result<std::vector<Post>> FindByIds(const std::vector<int64_t>& ids) = 0;
  virtual Result<std::optional<Post>> FindByIdempotencyKey(int64_t account_id, const std::string& key) = 0;

  // Deletes the account's status and its media rows and returns it as it
  // was (with tags, mentions and media ids). Its comments stay, detached
  // (in_reply_to_id becomes NULL). `file_keys`, when given, receives the
  // file keys the deleted media used; the caller removes those no other
  // media uses (MediaStore::UnreferencedKeys). `in_transaction` runs first,
  // inside the same transaction.
  virtual Result<Post> Delete(int64_t id, int64_t account_id, std::vector<std::string>* file_keys = nullptr,
                              const InTransaction& in_transaction = {}) = 0;

  // Applies `change` to the account's status, records the history (the
  // original version first, at the first edit) and sets edited_at.
  // `in_transaction` runs after the update, inside the same transaction.
  virtual Result<Post> Edit(int64_t id, int64_t account_id, const PostChange& change,
                            const InTransaction& in_transaction = {}) = 0;

  // Sets the comment policy of the account's post (a moderation setting):
  // nothing else changes, no history is recorded and edited_at stays.
  virtual Result<Post> SetCommentsPolicy(int64_t id, int64_t account_id, const std::string& policy,
                                         int64_t now) = 0;

  // Oldest first; empty when the status was never edited.
  virtual Result<std::vector<PostEdit>> History(int64_t status_id) = 0;

  // Pins the account's status unless `max_pinned` are pinned already
  // (Invalid, code "pin_limit", field "id"). Pinning a pinned status is a no-op.
  virtual Result<Post> Pin(int64_t id, int64_t account_id, int max_pinned, int64_t now) = 0;
  virtual Result<Post> Unpin(int64_t id, int64_t account_id) = 0;
  // Archived statuses are hidden from everyone but their author (the
  // service decides that); archiving keeps everything else.
  virtual Result<Post> Archive(int64_t id, int64_t account_id, int64_t now) = 0;
  virtual Result<Post> Unarchive(int64_t id, int64_t account_id) = 0;

  // --- comment controls: `post_account_id` is the account of the post the
  // comment answers; a comment on anyone else's post is NotFound.

  // Moves the comment to `state` when it is in `from` (any state when
  // unset) and keeps the post's replies_count to its shown comments; a
  // comment that stops being shown is unpinned. Otherwise, or when it is in `state` already, nothing changes and
  // `in_transaction` does not run.
  virtual Result<Post> SetCommentState(int64_t comment_id, int64_t post_account_id,
                                       std::optional<CommentState> from, CommentState state,
                                       const InTransaction& in_transaction = {}) = 0;
  // Pins a comment answering the account's post directly (Invalid, field
  // "id": not_pinnable for a reply deeper in a thread, pin_limit when
  // `max_pinned` of the post's comments are pinned). Pinning a pinned
  // comment is a no-op. Unpin clears it.
  virtual Result<Post> PinComment(int64_t comment_id, int64_t post_account_id, int max_pinned, int64_t now,
                                  const InTransaction& in_transaction = {}) = 0;
  virtual Result<Post> UnpinComment(int64_t comment_id, int64_t post_account_id,
                                    const InTransaction& in_transaction = {}) = 0;
  // The pinned comments of a post: (comment id, its author), in pin order.
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> PinnedComments(int64_t post_id) = 0;
  // The post's held comments (at any depth of its threads), oldest first,
  // at most `limit`.
  virtual Result<std::vector<Post>> HeldComments(int64_t post_id, int limit) = 0;
  // Deletes a comment on the account's post, as Delete does the writer's own.
  virtual Result<Post> DeleteComment(int64_t comment_id, int64_t post_account_id,
                                     const InTransaction& in_transaction = {}) = 0;
};

// The StatusStore over any Database (sql_status_store.cc); MakeSqlStore uses it.
std::unique_ptr<StatusStore> MakeSqlStatusStore(Database& db);

}  // namespace vantage::store
