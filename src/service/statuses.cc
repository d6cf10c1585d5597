#include "service/statuses.h"

#include <algorithm>
#include <map>

#include "core/id.h"
#include "core/text.h"
#include "service/hidden_words.h"
#include "service/notifications.h"
#include "service/federation_events.h"
#include "service/policy.h"
#include "service/status_text.h"

namespace vantage::service {

// A comment stays one after the post it answered was deleted (which leaves
// in_reply_to_id empty): the store keeps is_comment.
static bool IsComment(const store::Post& status) {
  return status.is_comment || status.in_reply_to_id.has_value();
}

namespace {

// Language tags as clients send them: "en", "pt-BR", "zh-Hant", "fil".
bool IsLanguageTag(std::string_view tag) {
  size_t dash = tag.find_first_of("-_");
  std::string_view primary = tag.substr(0, dash);
  if (primary.size() < 2 || primary.size() > 3) return false;
  if (!std::all_of(primary.begin(), primary.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return false;
  if (dash == std::string_view::npos) return true;
  std::string_view rest = tag.substr(dash + 1);
  return rest.size() >= 2 && rest.size() <= 8 &&
         std::all_of(rest.begin(), rest.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

// A caption's tags, mentions (local, approved accounts only) and content.
struct RenderedCaption {
  std::string content;
  std::vector<store::TagRef> tags;
  std::vector<int64_t> mention_account_ids;
};

Result<RenderedCaption> RenderCaption(ServiceContext& ctx, const std::string& text,
                                      const MentionableNames& mentionable) {
  CaptionEntities entities = ParseCaption(text);
  if (entities.tags.size() > kMaxTagsPerPost)
    return Error::Invalid("status", "A caption may have at most 30 hashtags", "too_many_tags");
  if (entities.mentions.size() > kMaxMentionsPerPost)
    return Error::Invalid("status", "A caption may mention at most 20 accounts", "too_many_mentions");
  RenderedCaption out;
  for (CaptionTag& tag : entities.tags)
    out.tags.push_back(store::TagRef{ctx.ids.Next(), std::move(tag.name), std::move(tag.key)});
  // Lower-cased username -> canonical username, for the renderer.
  std::map<std::string, std::string> resolved;
  for (const CaptionMention& mention : entities.mentions) {
    if (!mention.domain.empty() && !EqualsIgnoreCase(mention.domain, ctx.settings.domain)) continue;
    std::string lower = AsciiLower(mention.username);
    if (resolved.count(lower)) continue;
    if (mentionable && std::find(mentionable->begin(), mentionable->end(), lower) == mentionable->end()) continue;
    auto account = ctx.store.accounts().FindByUsername(mention.username);
    if (!account) return std::move(account).error();
    if (!*account || !(*account)->approved) continue;
    resolved[lower] = (*account)->username;
    out.mention_account_ids.push_back((*account)->id);
  }
  const std::string& domain = ctx.settings.domain;
  out.content = RenderCaptionHtml(text, ctx.settings.base_url,
                                  [&](const CaptionMention& m) -> std::optional<std::string> {
                                    if (!m.domain.empty() && !EqualsIgnoreCase(m.domain, domain))
                                      return std::nullopt;
                                    auto it = resolved.find(AsciiLower(m.username));
                                    if (it == resolved.end()) return std::nullopt;
                                    return it->second;
                                  });
  return out;
}

// Applies a call-to-action link as sent (both fields empty: none) to
// `url` and `label`.
Status ApplyCallToAction(const CallToAction& sent, bool comment, std::string& url, std::string& label) {
  if (sent.url.empty() && sent.label.empty()) {
    url.clear();
    label.clear();
    return Ok();
  }
  if (comment)
    return Error::Invalid("vantage_cta", "Only posts can carry a vantage_cta link, not comments", "not_allowed");
  auto checked = CheckCallToAction(sent);
  if (!checked) return std::move(checked).error();
  url = std::move(checked->url);
  label = std::move(checked->label);
  return Ok();
}

// A post's comment policy as sent (empty: on).
Result<std::string> CommentPolicy(const std::string& sent, bool comment) {
  if (sent.empty()) return std::string("on");
  if (comment)
    return Error::Invalid("vantage_comments", "vantage_comments applies to posts, not comments", "not_allowed");
  for (std::string_view policy : store::kCommentPolicies)
    if (sent == policy) return sent;
  return Error::Invalid("vantage_comments", "vantage_comments must be on, off, followers or held");
}

// The post at the root of a comment's thread (the parent itself when it is
// a post); a detached thread's topmost comment stands in for it.
Result<store::Post> ThreadPost(ServiceContext& ctx, store::Post parent) {
  for (int hop = 0; IsComment(parent) && parent.in_reply_to_id && hop < 256; ++hop) {
    if (parent.comment_post_id) {
      auto root = ctx.store.statuses().FindById(*parent.comment_post_id);
      if (!root) return std::move(root).error();
      if (*root) return std::move(**root);
    }
    auto up = ctx.store.statuses().FindById(*parent.in_reply_to_id);
    if (!up) return std::move(up).error();
    if (!*up) break;
    parent = std::move(**up);
  }
  return parent;
}

// What a comment's hidden words are matched in: its content warning and its text.
std::string CommentWords(const std::string& text, const std::string& spoiler_text) {
  return spoiler_text.empty() ? text : spoiler_text + "\n" + text;
}

// Whether `author` may comment with `text` in a thread under `post`, and
// whether the comment is held (by the post's policy or its author's hidden
// words).
Result<store::CommentState> CommentAllowed(ServiceContext& ctx, const store::Account& author,
                                           const store::Post& post, std::string_view text) {
  if (author.id == post.account_id || IsComment(post)) return store::CommentState::kShown;
  if (post.comments_policy == "off")
    return Error::Forbidden("Comments are turned off on this post", "comments_off");
  if (post.comments_policy == "followers") {
    auto relation = RelationTo(ctx, author.id, post.account_id);
    if (!relation) return std::move(relation).error();
    if (!relation->following)
      return Error::Forbidden("Only followers of its author may comment on this post", "comments_followers_only");
  }
  if (post.comments_policy == "held") return store::CommentState::kHeld;
  auto hidden = HiddenByWords(ctx, post.account_id, text);
  if (!hidden) return std::move(hidden).error();
  return *hidden ? store::CommentState::kHeld : store::CommentState::kShown;
}

Result<int64_t> ParseMediaId(const std::string& raw) {
  auto id = ParseId(raw);
  if (!id) return Error::Invalid("media_ids", "media_ids: media " + raw + " was not found", "media_not_found");
  return *id;
}

}  // namespace

Status CheckPostContent(const NewStatus& input) {
  if (input.visibility && !store::ParseVisibility(*input.visibility))
    return Error::Invalid("visibility", "visibility must be public, unlisted or private");
  if (!input.language.empty() && !IsLanguageTag(input.language))
    return Error::Invalid("language", "language must be an ISO 639 code such as en or pt-BR");
  std::vector<int64_t> ids;
  for (const std::string& raw : input.media_ids) {
    auto id = ParseMediaId(raw);
    if (!id) return std::move(id).error();
    if (std::find(ids.begin(), ids.end(), *id) != ids.end())
      return Error::Invalid("media_ids", "media_ids: media " + raw + " is listed twice", "media_duplicate");
    ids.push_back(*id);
  }
  if (ids.empty())
    return Error::Invalid("media_ids", "A post needs 1 to 20 photos in media_ids (upload them with POST /api/v2/media)",
                          "media_required");
  if (ids.size() > kMaxMediaPerPost) return Error::Invalid("media_ids", "A post has at most 20 photos", "too_many_media");
  if (input.call_to_action) {
    std::string url, label;
    VANTAGE_TRY(ApplyCallToAction(*input.call_to_action, false, url, label));
  }
  if (auto policy = CommentPolicy(input.comments_policy, false); !policy) return std::move(policy).error();
  CaptionEntities entities = ParseCaption(input.text);
  if (entities.tags.size() > kMaxTagsPerPost)
    return Error::Invalid("status", "A caption may have at most 30 hashtags", "too_many_tags");
  if (entities.mentions.size() > kMaxMentionsPerPost)
    return Error::Invalid("status", "A caption may mention at most 20 accounts", "too_many_mentions");
  return Ok();
}

Result<store::Post> VisibleStatus(ServiceContext& ctx, int64_t id, std::optional<int64_t> viewer_id) {
  auto found = ctx.store.statuses().FindById(id);
  if (!found) return std::move(found).error();
  if (!*found) return Error::NotFound();
  auto relation = RelationTo(ctx, viewer_id, (*found)->account_id);
  if (!relation) return std::move(relation).error();
  if (!CanSeeStatus(**found, viewer_id, *relation)) return Error::NotFound();
  return std::move(**found);
}


Result<store::CreatedPost> PublishStatus(ServiceContext& ctx, const store::Account& author,
                                         const NewStatus& input) {
  if (!input.idempotency_key.empty()) {
    auto earlier = ctx.store.statuses().FindByIdempotencyKey(author.id, input.idempotency_key);
    if (!earlier) return std::move(earlier).error();
    if (*earlier) return store::CreatedPost{std::move(**earlier), true};
  }

  store::Post post;
  post.id = ctx.ids.Next();
  post.account_id = author.id;
  post.text = input.text;
  post.sensitive = input.sensitive;
  post.spoiler_text = input.spoiler_text;
  post.idempotency_key = input.idempotency_key;
  post.application_id = input.application_id;
  post.draft_id = input.draft_id;
  post.uri = input.uri;
  post.url = input.url;
  post.federate = input.federate;

  if (input.visibility) {
    auto visibility = store::ParseVisibility(*input.visibility);
    if (!visibility)
      return Error::Invalid("visibility", "visibility must be public, unlisted or private");
    post.visibility = *visibility;
  }
  if (!input.language.empty()) {
    if (!IsLanguageTag(input.language))
      return Error::Invalid("language", "language must be an ISO 639 code such as en or pt-BR");
    post.language = input.language;
  }

  for (const std::string& raw : input.media_ids) {
    auto id = ParseMediaId(raw);
    if (!id) return std::move(id).error();
    if (std::find(post.media_ids.begin(), post.media_ids.end(), *id) != post.media_ids.end())
      return Error::Invalid("media_ids", "media_ids: media " + raw + " is listed twice", "media_duplicate");
    post.media_ids.push_back(*id);
  }

  if (input.in_reply_to_id) {
    // A comment: text only, on something the commenter can see.
    auto parent_id = ParseId(*input.in_reply_to_id);
    if (!parent_id) return Error::NotFound("The post being replied to was not found", "not_found");
    auto not_found = [](Error error) {
      if (error.kind == ErrorKind::kNotFound) error.message = "The post being replied to was not found";
      return error;
    };
    auto parent = VisibleStatus(ctx, *parent_id, author.id);
    if (!parent) return not_found(std::move(parent).error());
    if (!post.media_ids.empty())
      return Error::Invalid("media_ids", "Comments are text only: media_ids must be empty with in_reply_to_id",
                            "media_not_allowed");
    if (Trim(input.text).empty())
      return Error::Invalid("status", "status is required for a comment", "missing_field");
    post.in_reply_to_id = parent->id;
    post.in_reply_to_account_id = parent->account_id;
    post.is_comment = true;
    auto thread_post = ThreadPost(ctx, *parent);
    if (!thread_post) return std::move(thread_post).error();
    if (!IsComment(*thread_post)) post.comment_post_id = thread_post->id;
    // Answering a comment is commenting on its post: one its author blocks,
    // archived, or private to followers the commenter is not among is out of reach.
    if (thread_post->id != parent->id) {
      auto reachable = VisibleStatus(ctx, thread_post->id, author.id);
      if (!reachable) return not_found(std::move(reachable).error());
    }
    auto state = CommentAllowed(ctx, author, *thread_post, CommentWords(input.text, input.spoiler_text));
    if (!state) return std::move(state).error();
    post.comment_state = *state;
    // A reply to a held or hidden comment (which only its writer sees) is
    // held too, or it would carry what was held past the review.
    if ((parent->comment_state != store::CommentState::kShown || input.held_for_review) &&
        author.id != thread_post->account_id)
      post.comment_state = store::CommentState::kHeld;
    // A comment can be no more visible than what it answers.
    if (static_cast<int>(post.visibility) < static_cast<int>(parent->visibility))
      post.visibility = parent->visibility;
  } else {
    // A remote post from a silenced server waits for the moderators.
    if (input.held_for_review && !input.uri.empty()) post.comment_state = store::CommentState::kHeld;
    if (post.media_ids.empty() && input.uri.empty())
      return Error::Invalid("media_ids", "A post needs 1 to 20 photos in media_ids (upload them with POST /api/v2/media)",
                            "media_required");
    if (post.media_ids.size() > kMaxMediaPerPost)
      return Error::Invalid("media_ids", "A post has at most 20 photos", "too_many_media");
  }

  if (input.call_to_action)
    VANTAGE_TRY(ApplyCallToAction(*input.call_to_action, post.is_comment, post.cta_url, post.cta_label));
  auto policy = CommentPolicy(input.comments_policy, post.is_comment);
  if (!policy) return std::move(policy).error();
  post.comments_policy = std::move(*policy);

  auto rendered = RenderCaption(ctx, post.text, input.mentionable);
  if (!rendered) return std::move(rendered).error();
  post.content = std::move(rendered->content);
  post.tags = std::move(rendered->tags);
  post.created_at = post.updated_at = NowUnixMs();

  // Mentions and replies notify in the post's own transaction: a notification
  // exists exactly when its post does.
  auto created = ctx.store.statuses().Create(
      post, rendered->mention_account_ids,
      [&ctx, &input, &author](store::Connection& conn, const store::Post& written) -> Status {
        VANTAGE_TRY(NotifyNewStatus(ctx, conn, written));
        if (author.local()) VANTAGE_TRY(RecordFederated(ctx, conn, author.id, kPostPublished, written.id));
        if (input.in_transaction) return input.in_transaction(conn, written);
        return Ok();
      });
  if (!created) {
    Error error = std::move(created).error();
    // The parent went away between the check and the write.
    if (error.kind == ErrorKind::kNotFound) error.message = "The post being replied to was not found";
    // Two requests with one key raced; the other one's post is the answer.
    if (error.code == "unique_violation" && error.field.find("idempotency_key") != std::string::npos) {
      auto earlier = ctx.store.statuses().FindByIdempotencyKey(author.id, input.idempotency_key);
      if (!earlier) return std::move(earlier).error();
      if (*earlier) return store::CreatedPost{std::move(**earlier), true};
    }
    return error;
  }
  if (!created->replayed && author.local()) WakeFederation(ctx);
  return created;
}

Result<store::Post> DeleteStatus(ServiceContext& ctx, int64_t id, int64_t author_id,
                                 const RemoveFiles& remove_files) {
  std::vector<std::string> keys;
  auto deleted = ctx.store.statuses().Delete(
      id, author_id, &keys,
      [&ctx](store::Connection& conn, const store::Post& post) { return RecordStatusGone(ctx, conn, post); });
  if (!deleted) return std::move(deleted).error();
  WakeFederation(ctx);
  if (!keys.empty() && remove_files) remove_files(keys);
  return deleted;
}

Result<store::Post> EditStatus(ServiceContext& ctx, int64_t id, const store::Account& author,
                               const StatusEdit& edit) {
  auto current = ctx.store.statuses().FindById(id);
  if (!current) return std::move(current).error();
  if (!*current || (*current)->account_id != author.id) return Error::NotFound();
  const store::Post& post = **current;

  store::PostChange change;
  change.text = edit.text.value_or(post.text);
  change.sensitive = edit.sensitive.value_or(post.sensitive);
  change.spoiler_text = edit.spoiler_text.value_or(post.spoiler_text);
  if (IsComment(post) && Trim(change.text).empty())
    return Error::Invalid("status", "status is required for a comment", "missing_field");
  change.cta_url = post.cta_url;
  change.cta_label = post.cta_label;
  if (edit.call_to_action)
    VANTAGE_TRY(ApplyCallToAction(*edit.call_to_action, IsComment(post), change.cta_url, change.cta_label));
  change.comments_policy = post.comments_policy;
  if (edit.comments_policy) {
    auto policy = CommentPolicy(*edit.comments_policy, IsComment(post));
    if (!policy) return std::move(policy).error();
    change.comments_policy = std::move(*policy);
  }
  // Alt text sent as it is changes nothing (clients send every field).
  for (const MediaDescription& d : edit.media_descriptions) {
    auto media = ctx.store.media().FindById(d.media_id);
    if (!media) return std::move(media).error();
    if (*media && (*media)->status_id == post.id && (*media)->description == d.description) continue;
    change.media_descriptions.emplace_back(d.media_id, d.description);
  }
  bool content_changes = change.text != post.text || change.sensitive != post.sensitive ||
                         change.spoiler_text != post.spoiler_text || change.cta_url != post.cta_url ||
                         change.cta_label != post.cta_label || !change.media_descriptions.empty();
  if (edit.content_needs_approval && !IsComment(post) && content_changes)
    return Error::Forbidden("A post of an organisation changes only through approval: draft the corrected post",
                            "approval_required");
  // A change of the comment policy alone is moderation, not an edit: the
  // caption is not rendered again (its mentions resolved anew could reach
  // accounts registered since), no version is recorded and the post does
  // not show as edited. Nothing to change changes nothing.
  if (!content_changes) {
    if (change.comments_policy == post.comments_policy) return post;
    return ctx.store.statuses().SetCommentsPolicy(id, author.id, change.comments_policy, NowUnixMs());
  }
  auto rendered = RenderCaption(ctx, change.text, edit.mentionable);
  if (!rendered) return std::move(rendered).error();
  change.content = std::move(rendered->content);
  change.tags = std::move(rendered->tags);
  change.mention_account_ids = std::move(rendered->mention_account_ids);
  // A shown comment rewritten is held as if written so: into hidden words, or
  // at all under a post whose comments are held (an approval covers the text
  // approved, not what it is edited into).
  if (IsComment(post) && post.comment_state == store::CommentState::kShown &&
      (change.text != post.text || change.spoiler_text != post.spoiler_text)) {
    auto thread_post = ThreadPost(ctx, post);
    if (!thread_post) return std::move(thread_post).error();
    if (!IsComment(*thread_post) && thread_post->account_id != author.id) {
      if (thread_post->comments_policy == "held") {
        change.hold_comment = true;
      } else {
        auto hidden = HiddenByWords(ctx, thread_post->account_id, CommentWords(change.text, change.spoiler_text));
        if (!hidden) return std::move(hidden).error();
        change.hold_comment = *hidden;
      }
    }
  }
  change.original_edit_id = ctx.ids.Next();
  change.edit_id = ctx.ids.Next();
  change.now = NowUnixMs();
  auto edited = ctx.store.statuses().Edit(
      id, author.id, change, [&ctx, &author](store::Connection& conn, const store::Post& written) -> Status {
        if (!author.local()) return Ok();
        return RecordFederated(ctx, conn, author.id, kPostEdited, written.id);
      });
  if (edited && author.local()) WakeFederation(ctx);
  return edited;
}

Result<std::vector<store::PostEdit>> StatusHistory(ServiceContext& ctx, int64_t id,
                                                   std::optional<int64_t> viewer_id) {
  auto post = VisibleStatus(ctx, id, viewer_id);
  if (!post) return std::move(post).error();
  auto history = ctx.store.statuses().History(id);
  if (!history) return std::move(history).error();
  if (history->empty()) {
    // Never edited: the one version there is.
    store::PostEdit current;
    current.status_id = post->id;
    current.text = post->text;
    current.content = post->content;
    current.spoiler_text = post->spoiler_text;
    current.sensitive = post->sensitive;
    current.media_json.clear();  // the caller renders the status's own media
    current.created_at = post->created_at;
    history->push_back(std::move(current));
  }
  return history;
}

Result<store::Post> PinStatus(ServiceContext& ctx, int64_t id, int64_t author_id) {
  auto post = ctx.store.statuses().FindById(id);
  if (!post) return std::move(post).error();
  if (!*post || (*post)->account_id != author_id) return Error::NotFound();
  if (IsComment(**post))
    return Error::Invalid("id", "Only posts can be pinned to a profile, not comments", "not_pinnable");
  return ctx.store.statuses().Pin(id, author_id, kMaxPinned, NowUnixMs());
}

Result<store::Post> UnpinStatus(ServiceContext& ctx, int64_t id, int64_t author_id) {
  return ctx.store.statuses().Unpin(id, author_id);
}

// An archived post is the author's alone: to other servers it is deleted
// (a federated copy cannot be hidden, only deleted; unarchiving does not
// send it again).
Result<store::Post> ArchiveStatus(ServiceContext& ctx, int64_t id, int64_t author_id) {
  auto archived = ctx.store.statuses().Archive(id, author_id, NowUnixMs());
  if (!archived) return archived;
  VANTAGE_TRY(RecordStatusGone(ctx, *archived));
  return archived;
}

Result<store::Post> UnarchiveStatus(ServiceContext& ctx, int64_t id, int64_t author_id) {
  return ctx.store.statuses().Unarchive(id, author_id);
}

}  // namespace vantage::service
