// The Mastodon Status entity.
#include "api/status_json.h"

#include <unordered_map>
#include <unordered_set>

#include <boost/json/array.hpp>

#include "api/media_json.h"
#include "api/serializers.h"
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

// The page's facts, indexed for rendering each status.
struct Facts {
  std::unordered_map<int64_t, const store::Account*> authors;
  std::unordered_map<int64_t, std::vector<const store::MediaAttachment*>> media;  // by status, in order
  std::unordered_set<int64_t> favourited;
  std::unordered_set<int64_t> bookmarked;
  std::unordered_set<int64_t> visible_parents;
};

Facts Index(const store::RenderFacts& facts, std::optional<int64_t> viewer_id) {
  Facts out;
  for (const store::Account& a : facts.authors) out.authors.emplace(a.id, &a);
  for (const store::MediaAttachment& m : facts.media)
    if (m.status_id) out.media[*m.status_id].push_back(&m);
  out.favourited.insert(facts.favourited.begin(), facts.favourited.end());
  out.bookmarked.insert(facts.bookmarked.begin(), facts.bookmarked.end());
  for (const store::RenderFacts::Parent& p : facts.parents)
    if (service::CanSeeStatus(p.post, viewer_id, p.relation)) out.visible_parents.insert(p.post.id);
  return out;
}

json::object Render(const service::Settings& settings, const store::Post& s, const store::Account& author,
                    const Facts& facts, std::optional<int64_t> viewer_id, bool with_text) {
  bool own = viewer_id && *viewer_id == s.account_id;
  std::string id = std::to_string(s.id);

  json::object out;
  out["id"] = id;
  out["created_at"] = FormatIsoTime(s.created_at);
  // A comment names what it answers only to viewers who may see that post:
  // an archived or private parent must not leak through its comments.
  bool parent_visible = s.in_reply_to_id && facts.visible_parents.count(*s.in_reply_to_id) > 0;
  out["in_reply_to_id"] = parent_visible ? json::value(std::to_string(*s.in_reply_to_id)) : nullptr;
  out["in_reply_to_account_id"] = parent_visible && s.in_reply_to_account_id
                                      ? json::value(std::to_string(*s.in_reply_to_account_id))
                                      : nullptr;
  out["sensitive"] = s.sensitive;
  out["spoiler_text"] = s.spoiler_text;
  out["visibility"] = store::VisibilityName(s.visibility);
  out["language"] = s.language.empty() ? json::value(nullptr) : json::value(s.language);
  out["uri"] = settings.base_url + "/users/" + author.username + "/statuses/" + id;
  out["url"] = settings.base_url + "/@" + author.username + "/" + id;
  out["replies_count"] = s.replies_count;
  out["reblogs_count"] = s.reblogs_count;
  out["favourites_count"] = s.favourites_count;
  out["edited_at"] = s.edited_at ? json::value(FormatIsoTime(*s.edited_at)) : nullptr;
  out["favourited"] = viewer_id && facts.favourited.count(s.id) > 0;
  out["reblogged"] = false;
  out["muted"] = false;
  out["bookmarked"] = viewer_id && facts.bookmarked.count(s.id) > 0;
  out["pinned"] = own && s.pinned_at.has_value();
  out["content"] = s.content;
  if (with_text) out["text"] = s.text;
  out["reblog"] = nullptr;
  if (s.application_id && !s.application_name.empty()) {
    json::object app;
    app["name"] = s.application_name;
    app["website"] = s.application_website.empty() ? json::value(nullptr) : json::value(s.application_website);
    out["application"] = std::move(app);
  } else {
    out["application"] = nullptr;
  }
  out["account"] = AccountJson(settings, author);
  json::array media;
  if (auto it = facts.media.find(s.id); it != facts.media.end()) {
    // Plain URLs serve what a public or unlisted post shows to anyone; the
    // photos of others are given signed, expiring URLs (api/media_json.h).
    bool signed_urls = s.visibility == store::Visibility::kPrivate || s.archived_at.has_value();
    // In the post's carousel order, as s.media_ids lists them.
    for (int64_t media_id : s.media_ids)
      for (const store::MediaAttachment* m : it->second)
        if (m->id == media_id) media.push_back(MediaAttachmentJson(settings, *m, signed_urls));
  }
  out["media_attachments"] = std::move(media);
  json::array mentions;
  for (const store::MentionRef& m : s.mentions) mentions.push_back(MentionJson(settings, m));
  out["mentions"] = std::move(mentions);
  json::array tags;
  for (const store::TagRef& t : s.tags) tags.push_back(TagJson(settings, t));
  out["tags"] = std::move(tags);
  out["emojis"] = json::array();
  out["card"] = nullptr;
  out["poll"] = nullptr;
  if (own) {
    json::object vantage;
    vantage["archived"] = s.archived_at.has_value();
    out["vantage"] = std::move(vantage);
  }
  return out;
}

}  // namespace

Result<json::array> StatusesJson(ApiContext& ctx, const std::vector<store::Post>& statuses,
                                 std::optional<int64_t> viewer_id) {
  json::array out;
  if (statuses.empty()) return out;
  auto loaded = ctx.services.store.timelines().LoadRenderFacts(statuses, viewer_id.value_or(0));
  if (!loaded) return std::move(loaded).error();
  Facts facts = Index(*loaded, viewer_id);
  out.reserve(statuses.size());
  for (const store::Post& s : statuses) {
    auto author = facts.authors.find(s.account_id);
    if (author == facts.authors.end()) continue;
    out.push_back(Render(ctx.services.settings, s, *author->second, facts, viewer_id, false));
  }
  return out;
}

Result<json::object> StatusJson(ApiContext& ctx, const store::Post& s, std::optional<int64_t> viewer_id,
                                bool with_text) {
  auto loaded = ctx.services.store.timelines().LoadRenderFacts({s}, viewer_id.value_or(0));
  if (!loaded) return std::move(loaded).error();
  Facts facts = Index(*loaded, viewer_id);
  auto author = facts.authors.find(s.account_id);
  if (author == facts.authors.end()) return Error::NotFound();
  return Render(ctx.services.settings, s, *author->second, facts, viewer_id, with_text);
}

}  // namespace vantage::api
