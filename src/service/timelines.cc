#include "service/timelines.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "core/id.h"
#include "service/fediverse.h"
#include "service/policy.h"
#include "service/social.h"
#include "service/statuses.h"
#include "service/status_text.h"

namespace vantage::service {

namespace {

Result<StatusPage> Page(Result<std::vector<int64_t>> ids) {
  if (!ids) return std::move(ids).error();
  StatusPage page;
  page.ids = std::move(*ids);
  return page;
}

// The keys of hashtag names as sent ("#" optional); names that fold to
// nothing are dropped.
Result<std::vector<int64_t>> TagIds(ServiceContext& ctx, const std::vector<std::string>& names,
                                    const std::string& field) {
  if (names.size() > store::kMaxFilterTags)
    return Error::Invalid(field, field + " takes at most " + std::to_string(store::kMaxFilterTags) + " tags",
                          "too_many_tags");
  std::vector<int64_t> ids;
  for (const std::string& name : names) {
    std::string_view bare = name;
    if (!bare.empty() && bare.front() == '#') bare.remove_prefix(1);
    std::string key = TagKey(bare);
    if (key.empty()) continue;
    auto tag = ctx.store.timelines().FindTag(key);
    if (!tag) return std::move(tag).error();
    // An unknown tag is carried by no post: for all[] it still counts
    // (nothing matches); any[] and none[] can ignore it.
    ids.push_back(*tag ? (*tag)->id : -1);
  }
  return ids;
}

std::vector<int64_t> Known(std::vector<int64_t> ids) {
  ids.erase(std::remove(ids.begin(), ids.end(), -1), ids.end());
  return ids;
}

// The explore ranking, shared by every viewer of one store.
struct Ranking {
  int64_t built_at = 0;
  std::vector<int64_t> ids;
};

Result<std::shared_ptr<const Ranking>> CurrentRanking(ServiceContext& ctx) {
  static std::mutex mu;
  static std::map<const store::Store*, std::shared_ptr<const Ranking>> rankings;
  int64_t now = NowUnixMs();
  {
    std::lock_guard lock(mu);
    auto it = rankings.find(&ctx.store);
    if (it != rankings.end() && now - it->second->built_at < kExploreCacheMs) return it->second;
  }
  // Built outside the lock: two requests may both build it, and the later one wins.
  auto ids = ctx.store.timelines().Trending(now - kExploreWindowMs, kExploreDepth);
  if (!ids) return std::move(ids).error();
  auto ranking = std::make_shared<Ranking>();
  ranking->built_at = now;
  ranking->ids = std::move(*ids);
  std::lock_guard lock(mu);
  rankings[&ctx.store] = ranking;
  return std::shared_ptr<const Ranking>(ranking);
}

}  // namespace

Result<StatusPage> HomeTimeline(ServiceContext& ctx, int64_t viewer_id, const store::PageQuery& page) {
  return Page(ctx.store.timelines().Home(viewer_id, page));
}

Result<StatusPage> PublicTimeline(ServiceContext& ctx, std::optional<int64_t> viewer_id, const PublicFilter& filter,
                                  const store::PageQuery& page) {
  store::PublicQuery query;
  query.viewer_id = viewer_id.value_or(0);
  query.only_media = filter.only_media;
  query.local_only = filter.local;
  query.remote_only = filter.remote && !filter.local;
  return Page(ctx.store.timelines().Public(query, page));
}

Result<StatusPage> TagTimeline(ServiceContext& ctx, std::optional<int64_t> viewer_id, const std::string& name,
                               const PublicFilter& filter, const TagFilter& tags, const store::PageQuery& page) {
  auto any = TagIds(ctx, tags.any, "any");
  if (!any) return std::move(any).error();
  auto all = TagIds(ctx, tags.all, "all");
  if (!all) return std::move(all).error();
  auto none = TagIds(ctx, tags.none, "none");
  if (!none) return std::move(none).error();
  auto main = TagIds(ctx, {name}, "hashtag");
  if (!main) return std::move(main).error();
  store::PublicQuery query;
  query.viewer_id = viewer_id.value_or(0);
  query.only_media = filter.only_media;
  query.local_only = filter.local;
  query.remote_only = filter.remote && !filter.local;
  query.any_tags = Known(*any);
  query.none_tags = Known(*none);
  query.all_tags = *all;
  bool unknown_all = std::find(all->begin(), all->end(), -1) != all->end();
  bool main_known = !main->empty() && main->front() != -1;
  if (unknown_all || (!main_known && query.any_tags.empty())) return StatusPage{};
  if (main_known) {
    query.tag_id = main->front();
  } else {
    // Only the any[] tags exist: any of them will do.
    query.tag_id = query.any_tags.front();
    query.any_tags.erase(query.any_tags.begin());
  }
  return Page(ctx.store.timelines().Public(query, page));
}

Result<StatusPage> AccountStatuses(ServiceContext& ctx, std::optional<int64_t> viewer_id, int64_t account_id,
                                   const AccountStatusesFilter& filter, const store::PageQuery& page) {
  auto account = ctx.store.accounts().FindById(account_id);
  if (!account) return std::move(account).error();
  if (!*account || !(*account)->approved) return Error::NotFound();
  auto relation = RelationTo(ctx, viewer_id, account_id);
  if (!relation) return std::move(relation).error();
  bool self = viewer_id && *viewer_id == account_id;
  if (!self && relation->blocked_by) return Error::NotFound();
  if (!self && relation->blocking) return StatusPage{};
  // A remote account's recent posts are read from its server when a
  // signed-in reader first opens its profile (and hourly after); a server
  // that does not answer leaves what is known here.
  if (!(*account)->local() && ctx.fediverse && viewer_id && page.below == std::numeric_limits<int64_t>::max() &&
      page.above == 0) {
    if (Status refreshed = ctx.fediverse->RefreshRemotePosts(account_id); !refreshed)
      spdlog::info("the posts of {} were not read from its server: {}", (*account)->username,
                   refreshed.error().message);
  }
  store::AccountStatusesQuery query;
  query.account_id = account_id;
  query.viewer_id = viewer_id.value_or(0);
  query.include_private = self || relation->following;
  query.include_archived = self;
  query.exclude_replies = filter.exclude_replies;
  query.only_media = filter.only_media;
  query.pinned = filter.pinned;
  if (filter.tagged && !filter.tagged->empty()) {
    auto tag = TagIds(ctx, {*filter.tagged}, "tagged");
    if (!tag) return std::move(tag).error();
    if (tag->empty() || tag->front() == -1) return StatusPage{};
    query.tag_id = tag->front();
  }
  return Page(ctx.store.timelines().AccountStatuses(query, page));
}

Result<std::vector<store::Post>> Explore(ServiceContext& ctx, std::optional<int64_t> viewer_id, int offset,
                                         int limit) {
  auto ranking = CurrentRanking(ctx);
  if (!ranking) return std::move(ranking).error();
  const std::vector<int64_t>& ranked = (*ranking)->ids;
  std::vector<store::Post> out;
  if (offset < 0 || static_cast<size_t>(offset) >= ranked.size() || limit <= 0) return out;
  // Read a little past the page so that posts hidden from this viewer or
  // gone since the ranking was built leave the page full when they can.
  size_t end = std::min(ranked.size(), static_cast<size_t>(offset) + static_cast<size_t>(limit) * 2);
  std::vector<int64_t> ids(ranked.begin() + offset, ranked.begin() + end);
  auto posts = ctx.store.statuses().FindByIds(ids);
  if (!posts) return std::move(posts).error();
  std::unordered_set<int64_t> hidden;
  if (viewer_id) {
    std::vector<int64_t> authors;
    for (const store::Post& post : *posts) authors.push_back(post.account_id);
    auto found = ctx.store.timelines().HiddenAuthors(*viewer_id, authors);
    if (!found) return std::move(found).error();
    hidden.insert(found->begin(), found->end());
  }
  for (store::Post& post : *posts) {
    if (static_cast<int>(out.size()) == limit) break;
    bool shown = post.visibility == store::Visibility::kPublic && !post.is_comment && !post.archived_at &&
                 !hidden.count(post.account_id);
    if (shown) out.push_back(std::move(post));
  }
  return out;
}

Result<store::TagHit> FindTag(ServiceContext& ctx, std::optional<int64_t> viewer_id, std::string_view name) {
  if (!name.empty() && name.front() == '#') name.remove_prefix(1);
  std::string key = TagKey(name);
  if (key.empty()) return Error::NotFound();
  auto tag = ctx.store.timelines().FindVisibleTag(key, viewer_id.value_or(0));
  if (!tag) return std::move(tag).error();
  if (!*tag) return Error::NotFound();
  return std::move(**tag);
}

namespace {

// A URL or a remote user@host, found on its server (a signed-in search with
// resolve=true) or among the accounts and posts known here.
Result<bool> SearchRemote(ServiceContext& ctx, std::optional<int64_t> viewer_id, const SearchQuery& query,
                          SearchResult& result) {
  std::string q = query.q;
  bool url = q.starts_with("https://") || q.starts_with("http://");
  std::string name = q;
  if (!name.empty() && name.front() == '@') name.erase(0, 1);
  size_t at = name.find('@');
  bool remote_name = !url && at != std::string::npos && at > 0 && name.substr(at + 1) != ctx.settings.domain &&
                     name.find(' ') == std::string::npos;
  if (!url && !remote_name) return false;
  bool accounts = query.type == SearchType::kAll || query.type == SearchType::kAccounts;
  bool statuses = query.type == SearchType::kAll || query.type == SearchType::kStatuses;
  if (query.offset > 0) return true;  // one answer at most: nothing on later pages
  auto add_account = [&](const store::Account& account) -> Status {
    if (!accounts) return Ok();
    auto visible = VisibleAccount(ctx, account.id, viewer_id);
    if (!visible) return visible.error().kind == ErrorKind::kNotFound ? Ok() : Status(std::move(visible).error());
    result.accounts.push_back(std::move(*visible));
    return Ok();
  };
  bool resolve = query.resolve && viewer_id && ctx.fediverse;
  if (remote_name) {
    if (resolve) {
      auto account = ctx.fediverse->ResolveAccount(name);
      if (!account) {
        if (account.error().kind == ErrorKind::kNotFound || account.error().kind == ErrorKind::kInvalid ||
            account.error().kind == ErrorKind::kForbidden)
          return true;  // nobody by that name, or a server not federated with: nothing found
        return std::move(account).error();
      }
      VANTAGE_TRY(add_account(*account));
      return true;
    }
    auto known = ctx.store.accounts().FindByUsername(name);
    if (!known) return std::move(known).error();
    if (*known && !(*known)->local()) VANTAGE_TRY(add_account(**known));
    return true;
  }
  if (!resolve) return true;
  auto found = ctx.fediverse->ResolveUrl(q);
  if (!found) {
    if (found.error().kind == ErrorKind::kNotFound || found.error().kind == ErrorKind::kInvalid ||
        found.error().kind == ErrorKind::kForbidden)
      return true;
    return std::move(found).error();
  }
  if (found->account) VANTAGE_TRY(add_account(*found->account));
  if (found->status_id && statuses) {
    auto post = VisibleStatus(ctx, *found->status_id, viewer_id);
    if (post) {
      result.statuses.push_back(post->id);
    } else if (post.error().kind != ErrorKind::kNotFound) {
      return std::move(post).error();
    }
  }
  return true;
}

}  // namespace

Result<SearchResult> Search(ServiceContext& ctx, std::optional<int64_t> viewer_id, const SearchQuery& query) {
  SearchResult result;
  auto remote = SearchRemote(ctx, viewer_id, query, result);
  if (!remote) return std::move(remote).error();
  if (*remote) return result;
  std::string q = query.q;
  bool hashtag = !q.empty() && q.front() == '#';
  if (query.type == SearchType::kAll || query.type == SearchType::kAccounts) {
    std::string name = q;
    if (!name.empty() && name.front() == '@') name.erase(0, 1);
    // "name@our.domain" is the local account "name"; other domains are
    // remote accounts, which need federation.
    bool remote = false;
    if (auto at = name.find('@'); at != std::string::npos) {
      remote = name.substr(at + 1) != ctx.settings.domain;
      name.resize(at);
    }
    if (!name.empty() && !remote && !hashtag) {
      auto accounts = ctx.store.timelines().SearchAccounts(name, viewer_id.value_or(0), query.limit, query.offset);
      if (!accounts) return std::move(accounts).error();
      result.accounts = std::move(*accounts);
    }
  }
  std::string tag_key = TagKey(hashtag ? std::string_view(q).substr(1) : std::string_view(q));
  if ((query.type == SearchType::kAll || query.type == SearchType::kHashtags) && !tag_key.empty()) {
    auto tags = ctx.store.timelines().SearchTags(tag_key, viewer_id.value_or(0), query.limit, query.offset);
    if (!tags) return std::move(tags).error();
    result.hashtags = std::move(*tags);
  }
  bool statuses = query.type == SearchType::kStatuses || (query.type == SearchType::kAll && hashtag);
  if (statuses && !tag_key.empty()) {
    auto tag = ctx.store.timelines().FindTag(tag_key);
    if (!tag) return std::move(tag).error();
    if (*tag) {
      store::PublicQuery pq;
      pq.viewer_id = viewer_id.value_or(0);
      pq.tag_id = (*tag)->id;
      store::PageQuery page;
      page.limit = query.offset + query.limit;
      auto ids = ctx.store.timelines().Public(pq, page);
      if (!ids) return std::move(ids).error();
      if (static_cast<size_t>(query.offset) < ids->size())
        result.statuses.assign(ids->begin() + query.offset, ids->end());
    }
  }
  return result;
}

}  // namespace vantage::service
