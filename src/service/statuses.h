// Status use cases: publishing photo posts and comments, reading them under
// the visibility policy, editing, deleting, pinning and archiving.
//
// All functions block (database): call them from a pool thread. Anything the
// viewer may not see is kNotFound, exactly like a missing status.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "service/call_to_action.h"
#include "service/context.h"
#include "store/status_store.h"
#include "store/store.h"

namespace vantage::service {

inline constexpr size_t kMaxCaptionChars = 2200;
inline constexpr size_t kMaxSpoilerChars = 500;
inline constexpr size_t kMaxMediaPerPost = 20;
inline constexpr int kMaxPinned = 3;
// As Instagram: more is spam, and each costs statements in the post's write.
inline constexpr size_t kMaxTagsPerPost = 30;
inline constexpr size_t kMaxMentionsPerPost = 20;

// --- use cases ------------------------------------------------------------

// Of a remote status (docs/federation.md): the local accounts (lower-cased
// usernames) its note names as mentioned. Its text's "@name" mentions only
// those: the "@bob" of a remote post is a remote bob, not this server's.
// Unset: a local status, whose text says whom it mentions.
using MentionableNames = std::optional<std::vector<std::string>>;

struct NewStatus {
  std::string text;                      // <= kMaxCaptionChars, checked by the caller
  MentionableNames mentionable;
  std::vector<std::string> media_ids;    // as sent
  std::optional<std::string> in_reply_to_id;
  std::optional<std::string> visibility;  // default public
  bool sensitive = false;
  std::string spoiler_text;
  std::string language;
  std::string idempotency_key;  // the Idempotency-Key header, or empty
  std::optional<int64_t> application_id;
  // A recruitment post's link, as sent (checked here; both fields empty:
  // none). Posts only: a comment with one is Invalid "vantage_cta", code
  // not_allowed.
  std::optional<CallToAction> call_to_action;
  // Who may comment on a post (vantage_comments, store::kCommentPolicies;
  // empty: "on"). Posts only: on a comment it is Invalid, code not_allowed.
  std::string comments_policy;
  // Runs in the post's transaction after it is written (an error rolls the
  // post back): what publishes it alongside, such as an approved draft.
  store::InTransaction in_transaction;
  // The draft this post publishes: its photos may be attached (a draft's
  // photos are refused to any other post, media_in_draft).
  std::optional<int64_t> draft_id;
  // A remote status (from another server): its ActivityPub id, and its page
  // there. A remote post needs no photo (remote people are not bound by
  // this server's photo rule); its media are the remote media rows made
  // for it (store::MediaAttachment::remote_url).
  std::string uri;
  std::string url;
  // vantage_federate: false keeps a public post on this server only.
  bool federate = true;
  // A comment from a silenced server (docs/federation.md): held for the
  // post's author to review, whatever the post's policy. A post from one:
  // held for the instance's moderators (service/domains.h).
  bool held_for_review = false;
};

// What PublishStatus checks of a new post (not a comment) before touching
// the database: visibility, language, media_ids (well-formed, none twice,
// 1-20), the call-to-action link and the caption's hashtag and mention
// counts, with the same errors.
Status CheckPostContent(const NewStatus& input);

// Publishes a post (1-20 media, caption optional) or a comment
// (in_reply_to_id of a status the author can see, text required, no media).
// Errors are Invalid naming the field ("media_ids" with media_required /
// too_many_media / media_not_allowed / media_not_found / media_processing /
// media_attached; "status", "visibility", "language", "in_reply_to_id"), or
// NotFound when the parent is missing or invisible. A comment is checked
// against the policy of the post at its thread's root (unless written by that
// post's author): Forbidden comments_off, or comments_followers_only for a
// non-follower; under "held" it is written held (service/comments.h). A caption (post, comment
// or edit) with more than 30 distinct hashtags or 20 distinct mentions is
// Invalid "status" (too_many_tags / too_many_mentions). With an idempotency key
// the account already used, the earlier post is returned unchanged.
Result<store::CreatedPost> PublishStatus(ServiceContext& ctx, const store::Account& author,
                                         const NewStatus& input);

// The status if `viewer_id` may see it (service/policy.h); NotFound otherwise.
Result<store::Post> VisibleStatus(ServiceContext& ctx, int64_t id, std::optional<int64_t> viewer_id);

// Removes the files of deleted media that no other media uses (the media
// service's job; empty: leave them to the start-up sweep).
using RemoveFiles = std::function<void(const std::vector<std::string>& keys)>;

// Deletes the author's status (and its media). NotFound for anyone else's.
Result<store::Post> DeleteStatus(ServiceContext& ctx, int64_t id, int64_t author_id,
                                 const RemoveFiles& remove_files);

struct MediaDescription {
  int64_t media_id = 0;
  std::string description;
};

struct StatusEdit {
  std::optional<std::string> text;
  MentionableNames mentionable;  // as NewStatus's
  std::optional<bool> sensitive;
  std::optional<std::string> spoiler_text;
  std::vector<MediaDescription> media_descriptions;  // alt text of attached media
  // Absent: unchanged; both fields empty: removed; otherwise checked and set
  // as on publishing.
  std::optional<CallToAction> call_to_action;
  std::optional<std::string> comments_policy;  // posts only, as on publishing
  // Made by staff acting as an organisation: what a post shows (caption,
  // spoiler, sensitivity, link, alt text) changes only through approval, so
  // such a change is Forbidden "approval_required"; comments and a post's
  // comment policy change directly.
  bool content_needs_approval = false;
};

// Edits the author's status and records the history. Alt text changes apply
// to media of this status only (Invalid "media_attributes" otherwise). What
// is sent as it already is counts as unchanged: an edit that changes only
// the comment policy sets it alone (no history, no edited_at, the caption's
// mentions untouched), and one that changes nothing writes nothing.
Result<store::Post> EditStatus(ServiceContext& ctx, int64_t id, const store::Account& author,
                               const StatusEdit& edit);

// The versions of a visible status, oldest first; a never-edited status has
// one (its current version, with an empty media_json: the caller shows the
// status's own media).
Result<std::vector<store::PostEdit>> StatusHistory(ServiceContext& ctx, int64_t id,
                                                   std::optional<int64_t> viewer_id);

Result<store::Post> PinStatus(ServiceContext& ctx, int64_t id, int64_t author_id);
Result<store::Post> UnpinStatus(ServiceContext& ctx, int64_t id, int64_t author_id);
Result<store::Post> ArchiveStatus(ServiceContext& ctx, int64_t id, int64_t author_id);
Result<store::Post> UnarchiveStatus(ServiceContext& ctx, int64_t id, int64_t author_id);

}  // namespace vantage::service
