// The Mastodon Status entity.
#include "api/status_json.h"

#include <boost/json/array.hpp>

#include "api/media_json.h"
#include "api/serializers.h"
#include "core/text.h"
#include "service/statuses.h"

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

Result<json::object> StatusJson(ApiContext& ctx, const store::Post& s, std::optional<int64_t> viewer_id,
                                bool with_text) {
  const service::Settings& settings = ctx.services.settings;
  auto author = ctx.services.store.accounts().FindById(s.account_id);
  if (!author) return std::move(author).error();
  if (!*author) return Error::NotFound();
  bool own = viewer_id && *viewer_id == s.account_id;
  std::string id = std::to_string(s.id);

  json::object out;
  out["id"] = id;
  out["created_at"] = FormatIsoTime(s.created_at);
  // A comment names what it answers only to viewers who may see that post:
  // an archived or private parent must not leak through its comments.
  bool parent_visible = false;
  if (s.in_reply_to_id) {
    auto parent = service::VisibleStatus(ctx.services, *s.in_reply_to_id, viewer_id);
    if (!parent && parent.error().kind != ErrorKind::kNotFound) return parent.error();
    parent_visible = parent.ok();
  }
  out["in_reply_to_id"] = parent_visible ? json::value(std::to_string(*s.in_reply_to_id)) : nullptr;
  out["in_reply_to_account_id"] = parent_visible && s.in_reply_to_account_id
                                      ? json::value(std::to_string(*s.in_reply_to_account_id))
                                      : nullptr;
  out["sensitive"] = s.sensitive;
  out["spoiler_text"] = s.spoiler_text;
  out["visibility"] = store::VisibilityName(s.visibility);
  out["language"] = s.language.empty() ? json::value(nullptr) : json::value(s.language);
  out["uri"] = settings.base_url + "/users/" + (*author)->username + "/statuses/" + id;
  out["url"] = settings.base_url + "/@" + (*author)->username + "/" + id;
  out["replies_count"] = s.replies_count;
  out["reblogs_count"] = s.reblogs_count;
  out["favourites_count"] = s.favourites_count;
  out["edited_at"] = s.edited_at ? json::value(FormatIsoTime(*s.edited_at)) : nullptr;
  out["favourited"] = false;
  out["reblogged"] = false;
  out["muted"] = false;
  out["bookmarked"] = false;
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
  out["account"] = AccountJson(settings, **author);
  auto media = MediaJson(ctx, s.media_ids);
  if (!media) return std::move(media).error();
  out["media_attachments"] = std::move(*media);
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


}  // namespace vantage::api
