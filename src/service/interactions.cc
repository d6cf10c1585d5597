#include "service/interactions.h"

#include <unordered_map>

#include "core/id.h"
#include "service/statuses.h"
#include "store/federation_store.h"
#include "store/interaction_store.h"
#include "store/notification_store.h"

namespace vantage::service {

namespace {

// The status as stored after a change to its marks.
Result<store::Post> Reload(ServiceContext& ctx, int64_t id) {
  auto post = ctx.store.statuses().FindById(id);
  if (!post) return std::move(post).error();
  if (!*post) return Error::NotFound();
  return std::move(**post);
}

store::Mark NewMark(ServiceContext& ctx, int64_t viewer_id, int64_t status_id) {
  store::Mark mark;
  mark.id = ctx.ids.Next();
  mark.account_id = viewer_id;
  mark.status_id = status_id;
  mark.created_at = NowUnixMs();
  return mark;
}

Result<std::vector<MarkedStatus>> LoadMarked(ServiceContext& ctx, Result<std::vector<store::Mark>> marks) {
  if (!marks) return std::move(marks).error();
  std::vector<int64_t> ids;
  ids.reserve(marks->size());
  for (const store::Mark& mark : *marks) ids.push_back(mark.status_id);
  auto posts = ctx.store.statuses().FindByIds(ids);
  if (!posts) return std::move(posts).error();
  std::unordered_map<int64_t, store::Post*> by_id;
  for (store::Post& post : *posts) by_id[post.id] = &post;
  std::vector<MarkedStatus> out;
  out.reserve(marks->size());
  for (const store::Mark& mark : *marks) {
    auto it = by_id.find(mark.status_id);
    if (it == by_id.end()) continue;  // deleted since the list was read
    out.push_back(MarkedStatus{mark.id, *it->second});
  }
  return out;
}

std::vector<int64_t> IdsOf(const std::vector<store::ThreadEntry>& entries) {
  std::vector<int64_t> ids;
  ids.reserve(entries.size());
  for (const store::ThreadEntry& entry : entries) ids.push_back(entry.id);
  return ids;
}

}  // namespace

Result<store::Post> FavouriteStatus(ServiceContext& ctx, int64_t id, int64_t viewer_id) {
  auto post = VisibleStatus(ctx, id, viewer_id);
  if (!post) return std::move(post).error();
  store::Mark mark = NewMark(ctx, viewer_id, id);
  store::Notification notification;
  notification.id = ctx.ids.Next();
  notification.account_id = post->account_id;
  notification.from_account_id = viewer_id;
  notification.type = store::NotificationType::kFavourite;
  notification.status_id = id;
  notification.created_at = mark.created_at;
  bool notify = post->account_id != viewer_id;
  auto added = ctx.store.interactions().Favourite(mark, [&](store::Connection& conn) -> Status {
    if (!notify) return Ok();
    auto written = store::InsertNotification(conn, notification);
    if (!written) return std::move(written).error();
    return Ok();
  });
  if (!added) return std::move(added).error();
  return Reload(ctx, id);
}

Result<store::Post> UnfavouriteStatus(ServiceContext& ctx, int64_t id, int64_t viewer_id) {
  auto removed = ctx.store.interactions().Unfavourite(viewer_id, id);
  if (!removed) return std::move(removed).error();
  return VisibleStatus(ctx, id, viewer_id);
}

Result<store::Post> RecordBoost(ServiceContext& ctx, int64_t id, int64_t account_id, const std::string& uri) {
  auto post = VisibleStatus(ctx, id, account_id);
  if (!post) return std::move(post).error();
  // Followers-only posts are not boosted (as on Mastodon).
  if (post->visibility == store::Visibility::kPrivate)
    return Error::Forbidden("Followers-only posts cannot be boosted", "not_allowed");
  int64_t now = NowUnixMs();
  store::Database& db = ctx.store.database();
  // A local post's boost is counted and notified.
  if (post->uri.empty()) {
    std::optional<store::Notification> notification;
    if (post->account_id != account_id)
      notification = store::Notification{ctx.ids.Next(), post->account_id, account_id,
                                         store::NotificationType::kReblog, id, now};
    auto added = store::AddAnnounce(db, ctx.ids.Next(), account_id, id, uri, now, notification);
    if (!added) return std::move(added).error();
  }
  // Any post boosted by an account followed here shows in its followers'
  // home timelines (comments stay in their threads).
  if (!post->is_comment) {
    auto followed = store::HasLocalFollower(db, account_id);
    if (!followed) return std::move(followed).error();
    if (*followed) {
      auto shown = store::AddReblog(db, ctx.ids.Next(), account_id, id, uri, now);
      if (!shown) return std::move(shown).error();
    }
  }
  return Reload(ctx, id);
}

Result<store::Post> RemoveBoost(ServiceContext& ctx, int64_t id, int64_t account_id) {
  auto removed = store::RemoveAnnounce(ctx.store.database(), account_id, id);
  if (!removed) return std::move(removed).error();
  auto unshown = store::RemoveReblog(ctx.store.database(), account_id, id);
  if (!unshown) return std::move(unshown).error();
  return Reload(ctx, id);
}

Result<store::Post> BookmarkStatus(ServiceContext& ctx, int64_t id, int64_t viewer_id) {
  auto post = VisibleStatus(ctx, id, viewer_id);
  if (!post) return std::move(post).error();
  auto added = ctx.store.interactions().Bookmark(NewMark(ctx, viewer_id, id));
  if (!added) return std::move(added).error();
  return post;
}

Result<store::Post> UnbookmarkStatus(ServiceContext& ctx, int64_t id, int64_t viewer_id) {
  auto removed = ctx.store.interactions().Unbookmark(viewer_id, id);
  if (!removed) return std::move(removed).error();
  return VisibleStatus(ctx, id, viewer_id);
}

Result<std::vector<MarkedStatus>> ListFavourites(ServiceContext& ctx, int64_t viewer_id,
                                                 const store::PageQuery& page) {
  return LoadMarked(ctx, ctx.store.interactions().Favourites(viewer_id, page));
}

Result<std::vector<MarkedStatus>> ListBookmarks(ServiceContext& ctx, int64_t viewer_id,
                                                const store::PageQuery& page) {
  return LoadMarked(ctx, ctx.store.interactions().Bookmarks(viewer_id, page));
}

Result<std::vector<Liker>> FavouritedBy(ServiceContext& ctx, int64_t id, std::optional<int64_t> viewer_id,
                                        const store::PageQuery& page) {
  auto post = VisibleStatus(ctx, id, viewer_id);
  if (!post) return std::move(post).error();
  auto marks = ctx.store.interactions().FavouritedBy(id, viewer_id.value_or(0), page);
  if (!marks) return std::move(marks).error();
  std::vector<int64_t> ids;
  ids.reserve(marks->size());
  for (const store::Mark& mark : *marks) ids.push_back(mark.account_id);
  auto accounts = ctx.store.accounts().FindByIds(ids);
  if (!accounts) return std::move(accounts).error();
  std::unordered_map<int64_t, store::Account*> by_id;
  for (store::Account& a : *accounts) by_id[a.id] = &a;
  std::vector<Liker> out;
  out.reserve(marks->size());
  for (const store::Mark& mark : *marks) {
    auto found = by_id.find(mark.account_id);
    if (found == by_id.end() || !found->second->approved) continue;
    out.push_back(Liker{mark.id, *found->second});
  }
  return out;
}

// Moves the threads of the post's pinned comments to the front: the post's
// author's own (the official answer) first, then the others, each in pin
// order; the rest keep their order.
static void PinnedFirst(int64_t post_id, int64_t post_account_id, const std::vector<std::pair<int64_t, int64_t>>& pins,
                 std::vector<store::ThreadEntry>& entries) {
  std::vector<std::vector<store::ThreadEntry>> threads;
  for (const store::ThreadEntry& entry : entries) {
    if (entry.in_reply_to_id == post_id || threads.empty()) threads.emplace_back();
    threads.back().push_back(entry);
  }
  std::vector<int64_t> order;
  for (bool official : {true, false})
    for (const auto& [comment_id, account_id] : pins)
      if ((account_id == post_account_id) == official) order.push_back(comment_id);
  std::vector<store::ThreadEntry> out;
  out.reserve(entries.size());
  std::vector<bool> taken(threads.size(), false);
  for (int64_t pinned : order)
    for (size_t thread_idx = 0; thread_idx < threads.size(); ++thread_idx)
      if (!taken[thread_idx] && threads[thread_idx].front().id == pinned) {
        taken[thread_idx] = true;
        out.insert(out.end(), threads[thread_idx].begin(), threads[thread_idx].end());
      }
  for (size_t thread_idx = 0; thread_idx < threads.size(); ++thread_idx)
    if (!taken[thread_idx]) out.insert(out.end(), threads[thread_idx].begin(), threads[thread_idx].end());
  entries = std::move(out);
}

Result<StatusContext> ThreadOf(ServiceContext& ctx, int64_t id, std::optional<int64_t> viewer_id) {
  auto post = VisibleStatus(ctx, id, viewer_id);
  if (!post) return std::move(post).error();
  int64_t viewer = viewer_id.value_or(0);
  StatusContext out;
  if (post->in_reply_to_id) {
    auto up = ctx.store.interactions().Ancestors(id, viewer, kMaxAncestors);
    if (!up) return std::move(up).error();
    out.ancestors = IdsOf(std::vector<store::ThreadEntry>(up->rbegin(), up->rend()));
  }
  // A signed-in viewer may have held comments here that the count leaves out.
  if (post->replies_count > 0 || viewer_id) {
    int limit = viewer_id ? kMaxDescendantsSignedIn : kMaxDescendantsSignedOut;
    auto down = ctx.store.interactions().Descendants(id, viewer, limit);
    if (!down) return std::move(down).error();
    if (!post->is_comment && !down->empty()) {
      auto pins = ctx.store.statuses().PinnedComments(id);
      if (!pins) return std::move(pins).error();
      if (!pins->empty()) PinnedFirst(id, post->account_id, *pins, *down);
    }
    out.descendants = IdsOf(*down);
  }
  return out;
}

}  // namespace vantage::service
