// The Mastodon Status entity.
#include "api/status_json.h"

#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/media_json.h"
#include "api/serializers.h"
#include "core/id.h"
#include "core/text.h"
#include "service/policy.h"
#include "service/statuses.h"
#include "store/timeline_store.h"

namespace vantage::api {

namespace json = boost::json;

namespace {

json::object MentionJson(const service::Settings& settings, const store::MentionRef& m) {
  json::object out;
  out["id"] = std::to_string(m.account_id);
  out["username"] = m.username;
  out["acct"] = m.username;
  out["url"] = settings.base_url + "/@" + m.username;
  return out;
}

json::object TagJson(const service::Settings& settings, const store::TagRef& t) {
  json::object out;
  out["name"] = t.name;
  out["url"] = settings.base_url + "/tags/" + PercentEncode(t.name);
  return out;
}

}  // namespace

Result<json::array> MediaJson(ApiContext& ctx, const std::vector<int64_t>& media_ids) {
  json::array out;
  for (int64_t id : media_ids) {
    auto media = ctx.services.store.media().FindById(id);
    if (!media) return std::move(media).error();
    if (*media) out.push_back(MediaAttachmentJson(ctx.services.settings, **media));
  }
  return out;
}

namespace {

// What a Status shows the same way to every viewer, kept as JSON text
// between the fields that change: counters, the viewer's own flags, the
// reply's parent (named only to viewers who may see it) and the account
// (whose counters change too). Valid while the status's updated_at, its
// media's newest updated_at, its archived state and, for signed media
// URLs, the day stay the same: all read afresh with every page, so several
// servers sharing one database never serve a stale one.
struct Fixed {
  int64_t updated_at = 0;
  int64_t media_version = 0;
  bool archived = false;
  int64_t url_day = 0;  // for signed media URLs (they change daily); 0 for plain ones
  std::string head;     // {"id":…,"created_at":…
  std::string middle;   // ,"sensitive":… through ,"url":…
  std::string edited;   // ,"edited_at":…
  std::string content;  // ,"content":…
  std::string app;      // ,"application":…
  std::string tail;     // ,"media_attachments":… through ,"poll":null
};

// An author's Account JSON, kept while the account row's updated_at and
// the fields that change without it (counters, badge) stay the same.
struct AuthorJson {
  int64_t updated_at = 0;
  int64_t followers_count = 0;
  int64_t following_count = 0;
  int64_t statuses_count = 0;
  bool verified = false;
  bool locked = false;
  std::string username;  // for the status URLs
  std::string json;
};

bool StillValid(const AuthorJson& kept, const store::Account& a) {
  return kept.updated_at == a.updated_at && kept.followers_count == a.followers_count &&
         kept.following_count == a.following_count && kept.statuses_count == a.statuses_count &&
         kept.verified == a.verified && kept.locked == a.locked;
}

// Per cache: a status's part is about 3 KB (most of it media URLs), an
// account's about 1 KB, so each cache holds at most some 60 MB. Recent
// statuses are most of what timelines show; a full cache starts afresh.
constexpr size_t kMaxCached = 20000;

// Renderings by id, shared by every request of one server.
template <class Fixed>
class FixedCache {
 public:
  std::shared_ptr<const Fixed> Find(const service::ServiceContext* owner, int64_t id) const {
    std::shared_lock lock(mu_);
    if (owner != owner_) return nullptr;
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : it->second;
  }

  void Put(const service::ServiceContext* owner, int64_t id, std::shared_ptr<const Fixed> fixed) {
    std::unique_lock lock(mu_);
    // One server has one context; tests that make several start afresh.
    if (owner != owner_ || entries_.size() >= kMaxCached) {
      entries_.clear();
      owner_ = owner;
    }
    entries_[id] = std::move(fixed);
  }

 private:
  mutable std::shared_mutex mu_;
  const service::ServiceContext* owner_ = nullptr;
  std::unordered_map<int64_t, std::shared_ptr<const Fixed>> entries_;
};

FixedCache<Fixed>& Cache() {
  static FixedCache<Fixed> cache;
  return cache;
}

FixedCache<AuthorJson>& Authors() {
  static FixedCache<AuthorJson> cache;
  return cache;
}

bool SignedMedia(const store::Post& s) {
  // Plain URLs serve what a public or unlisted post shows to anyone; the
  // photos of others are given signed, expiring URLs (api/media_json.h).
  return s.visibility == store::Visibility::kPrivate || s.archived_at.has_value();
}

int64_t UrlDay(const store::Post& s) { return SignedMedia(s) ? NowUnixMs() / 86'400'000 + 1 : 0; }

bool StillValid(const Fixed& fixed, const store::Post& s, int64_t media_version) {
  return fixed.updated_at == s.updated_at && fixed.media_version == media_version &&
         fixed.archived == s.archived_at.has_value() && fixed.url_day == UrlDay(s);
}

std::string Text(std::string_view value) { return json::serialize(value); }

// `,"key":` then `value`.
void Field(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  out += value;
}

std::shared_ptr<const Fixed> RenderFixed(const service::Settings& settings, const store::Post& s,
                                         const std::string& username, int64_t media_version,
                                         const std::vector<const store::MediaAttachment*>& media) {
  auto fixed = std::make_shared<Fixed>();
  fixed->updated_at = s.updated_at;
  fixed->media_version = media_version;
  fixed->archived = s.archived_at.has_value();
  fixed->url_day = UrlDay(s);
  std::string id = std::to_string(s.id);

  fixed->head = "{\"id\":" + Text(id);
  Field(fixed->head, "created_at", Text(FormatIsoTime(s.created_at)));

  std::string& m = fixed->middle;
  Field(m, "sensitive", s.sensitive ? "true" : "false");
  Field(m, "spoiler_text", Text(s.spoiler_text));
  Field(m, "visibility", Text(store::VisibilityName(s.visibility)));
  Field(m, "language", s.language.empty() ? "null" : Text(s.language));
  if (s.uri.empty()) {
    Field(m, "uri", Text(settings.base_url + "/users/" + username + "/statuses/" + id));
    Field(m, "url", Text(settings.base_url + "/@" + username + "/" + id));
  } else {  // a remote status: its id, and its page on its own server
    Field(m, "uri", Text(s.uri));
    Field(m, "url", Text(s.url.empty() ? s.uri : s.url));
  }

  Field(fixed->edited, "edited_at", s.edited_at ? Text(FormatIsoTime(*s.edited_at)) : "null");
  Field(fixed->content, "content", Text(s.content));

  if (s.application_id && !s.application_name.empty()) {
    json::object app;
    app["name"] = s.application_name;
    app["website"] = s.application_website.empty() ? json::value(nullptr) : json::value(s.application_website);
    Field(fixed->app, "application", json::serialize(app));
  } else {
    Field(fixed->app, "application", "null");
  }

  json::array attachments;
  bool signed_urls = SignedMedia(s);
  // In the post's carousel order, as s.media_ids lists them.
  for (int64_t media_id : s.media_ids)
    for (const store::MediaAttachment* a : media)
      if (a->id == media_id) attachments.push_back(MediaAttachmentJson(settings, *a, signed_urls));
  json::array mentions;
  for (const store::MentionRef& mention : s.mentions) mentions.push_back(MentionJson(settings, mention));
  json::array tags;
  for (const store::TagRef& tag : s.tags) tags.push_back(TagJson(settings, tag));
  std::string& t = fixed->tail;
  Field(t, "media_attachments", json::serialize(attachments));
  Field(t, "mentions", json::serialize(mentions));
  Field(t, "tags", json::serialize(tags));
  Field(t, "emojis", "[]");
  Field(t, "card", "null");
  Field(t, "poll", "null");
  // Who may comment on a post (docs/organisations.md, "Comment controls").
  bool comment = s.is_comment || s.in_reply_to_id.has_value();
  Field(t, "vantage_comments", comment ? "null" : Text(s.comments_policy));
  // Whether a post goes to other servers (docs/federation.md); null on comments.
  Field(t, "vantage_federate", comment ? "null" : s.federate ? "true" : "false");
  // Of a comment: pinned on its post by the post's author.
  Field(t, "vantage_pinned_comment", s.comment_pinned_at ? "true" : "false");
  // A recruitment post's link, with the domain it really goes to.
  if (s.cta_url.empty()) {
    Field(t, "vantage_cta", "null");
  } else {
    json::object cta;
    cta["url"] = s.cta_url;
    cta["label"] = s.cta_label;
    cta["domain"] = service::CallToActionDomain(s.cta_url);
    Field(t, "vantage_cta", json::serialize(cta));
  }
  return fixed;
}

// Where one status's JSON lies in a rendered page.
struct Written {
  int64_t id = 0;
  size_t begin = 0;
  size_t end = 0;
};

// Renders the page's statuses for the viewer into `out` as a JSON array,
// noting where each went in `written` (when given). A boost carries the
// status it boosts, rendered for the same viewer as a `boosted` page (no
// boosts in it, and an archived post left out but for its author); a boost
// whose status is not there is left out.
Status WritePage(ApiContext& ctx, const std::vector<int64_t>& ids, std::optional<int64_t> viewer_id,
                 const std::optional<std::string>& text_of_first, std::string& out,
                 std::vector<Written>* written = nullptr, bool boosted_page = false) {
  out += '[';
  if (ids.empty()) {
    out += ']';
    return Ok();
  }
  const service::ServiceContext* owner = &ctx.services;
  const service::Settings& settings = ctx.services.settings;
  FixedCache<Fixed>& cache = Cache();
  FixedCache<AuthorJson>& authors = Authors();
  std::unordered_map<int64_t, std::shared_ptr<const Fixed>> hits;
  std::unordered_map<int64_t, std::shared_ptr<const AuthorJson>> accounts;
  auto page = ctx.services.store.timelines().LoadRenderPage(
      ids, viewer_id.value_or(0),
      [&](const store::Post& post, int64_t media_version) {
        auto fixed = cache.Find(owner, post.id);
        if (!fixed || !StillValid(*fixed, post, media_version)) return true;
        hits.emplace(post.id, std::move(fixed));
        return false;
      },
      [&](const store::Account& state) {
        auto kept = authors.Find(owner, state.id);
        if (!kept || !StillValid(*kept, state)) return true;
        accounts.emplace(state.id, std::move(kept));
        return false;
      });
  if (!page) return std::move(page).error();

  for (size_t i = 0; i < page->authors.size(); ++i) {
    if (!page->author_detailed[i]) continue;  // kept, in `accounts` already
    const store::Account& a = page->authors[i];
    auto fresh = std::make_shared<AuthorJson>();
    fresh->updated_at = a.updated_at;
    fresh->followers_count = a.followers_count;
    fresh->following_count = a.following_count;
    fresh->statuses_count = a.statuses_count;
    fresh->verified = a.verified;
    fresh->locked = a.locked;
    fresh->username = a.username;
    fresh->json = json::serialize(AccountJson(settings, a));
    authors.Put(owner, a.id, fresh);
    accounts[a.id] = std::move(fresh);
  }
  std::unordered_map<int64_t, std::vector<const store::MediaAttachment*>> media;
  for (const store::MediaAttachment& a : page->media)
    if (a.status_id) media[*a.status_id].push_back(&a);
  std::unordered_set<int64_t> favourited(page->favourited.begin(), page->favourited.end());
  std::unordered_set<int64_t> bookmarked(page->bookmarked.begin(), page->bookmarked.end());
  std::unordered_set<int64_t> visible_parents;
  for (const store::RenderPage::Parent& p : page->parents)
    if (service::CanSeeStatus(p.post, viewer_id, p.relation)) visible_parents.insert(p.post.id);
  // The boosted statuses, rendered as a page of their own.
  std::vector<int64_t> boosted_ids;
  for (const store::Post& s : page->posts)
    if (s.reblog_of_id && !boosted_page) boosted_ids.push_back(*s.reblog_of_id);
  std::string boosted_out;
  std::unordered_map<int64_t, std::string_view> boosted;
  if (!boosted_ids.empty()) {
    std::vector<Written> boosted_written;
    VANTAGE_TRY(WritePage(ctx, boosted_ids, viewer_id, std::nullopt, boosted_out, &boosted_written, true));
    for (const Written& w : boosted_written)
      boosted.emplace(w.id, std::string_view(boosted_out).substr(w.begin, w.end - w.begin));
  }

  bool first = true;
  for (size_t i = 0; i < page->posts.size(); ++i) {
    const store::Post& s = page->posts[i];
    auto author = accounts.find(s.account_id);
    if (author == accounts.end()) continue;  // the account went meanwhile
    std::shared_ptr<const Fixed> fixed;
    if (page->detailed[i]) {
      fixed = RenderFixed(settings, s, author->second->username, page->media_versions[i], media[s.id]);
      cache.Put(owner, s.id, fixed);
    } else {
      fixed = hits[s.id];
    }
    std::string_view reblog = "null";
    if (s.reblog_of_id) {
      auto it = boosted.find(*s.reblog_of_id);
      if (it == boosted.end()) continue;  // gone, or not for this viewer
      reblog = it->second;
    }
    bool own = viewer_id && *viewer_id == s.account_id;
    if (boosted_page && s.archived_at && !own) continue;
    bool parent_visible = s.in_reply_to_id && visible_parents.count(*s.in_reply_to_id) > 0;
    if (!first) out += ',';
    first = false;
    size_t begin = out.size();
    out += fixed->head;
    Field(out, "in_reply_to_id", parent_visible ? Text(std::to_string(*s.in_reply_to_id)) : "null");
    Field(out, "in_reply_to_account_id", parent_visible && s.in_reply_to_account_id
                                             ? Text(std::to_string(*s.in_reply_to_account_id))
                                             : "null");
    out += fixed->middle;
    Field(out, "replies_count", std::to_string(s.replies_count));
    Field(out, "reblogs_count", std::to_string(s.reblogs_count));
    Field(out, "favourites_count", std::to_string(s.favourites_count));
    out += fixed->edited;
    Field(out, "favourited", viewer_id && favourited.count(s.id) ? "true" : "false");
    Field(out, "reblogged", "false");
    Field(out, "muted", "false");
    Field(out, "bookmarked", viewer_id && bookmarked.count(s.id) ? "true" : "false");
    Field(out, "pinned", own && s.pinned_at ? "true" : "false");
    out += fixed->content;
    if (text_of_first && i == 0) Field(out, "text", Text(*text_of_first));
    Field(out, "reblog", reblog);
    out += fixed->app;
    Field(out, "account", author->second->json);
    out += fixed->tail;
    if (own) Field(out, "vantage", s.archived_at ? "{\"archived\":true}" : "{\"archived\":false}");
    out += '}';
    if (written) written->push_back(Written{s.id, begin, out.size()});
  }
  out += ']';
  return Ok();
}

std::vector<int64_t> IdsOf(const std::vector<store::Post>& statuses) {
  std::vector<int64_t> ids;
  ids.reserve(statuses.size());
  for (const store::Post& s : statuses) ids.push_back(s.id);
  return ids;
}

}  // namespace

Result<std::string> StatusesJsonText(ApiContext& ctx, const std::vector<int64_t>& ids,
                                     std::optional<int64_t> viewer_id) {
  std::string out;
  out.reserve(ids.size() * 3000 + 2);
  VANTAGE_TRY(WritePage(ctx, ids, viewer_id, std::nullopt, out));
  return out;
}

Result<json::array> StatusesJson(ApiContext& ctx, const std::vector<store::Post>& statuses,
                                 std::optional<int64_t> viewer_id) {
  auto text = StatusesJsonText(ctx, IdsOf(statuses), viewer_id);
  if (!text) return std::move(text).error();
  return json::parse(*text).as_array();
}

Result<http::Response> StatusesResponse(ApiContext& ctx, const std::vector<store::Post>& statuses,
                                        std::optional<int64_t> viewer_id) {
  auto text = StatusesJsonText(ctx, IdsOf(statuses), viewer_id);
  if (!text) return std::move(text).error();
  http::Response response;
  response.body = std::move(*text);
  return response;
}

Result<json::object> StatusJson(ApiContext& ctx, const store::Post& s, std::optional<int64_t> viewer_id,
                                bool with_text) {
  std::string out;
  std::optional<std::string> text;
  if (with_text) text = s.text;
  VANTAGE_TRY(WritePage(ctx, {s.id}, viewer_id, text, out));
  json::array rendered = json::parse(out).as_array();
  if (rendered.empty()) return Error::NotFound();
  return std::move(rendered[0].as_object());
}

http::Handler StatusAction(ApiContext& ctx, std::string scope, StatusActionFn action) {
  return Wrap([&ctx, scope = std::move(scope), action](http::Request& request) -> Result<http::Response> {
    auto principal = Authorize(ctx, request, scope);
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    int64_t me = principal->account->id;
    auto post = action(ctx.services, *id, me);
    if (!post) return std::move(post).error();
    auto body = StatusJson(ctx, *post, me);
    if (!body) return std::move(body).error();
    return Json(*body);
  });
}

}  // namespace vantage::api
