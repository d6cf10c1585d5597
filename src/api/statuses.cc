// Photo posts and comments: /api/v1/statuses/... and the archive extension
// under /api/vantage/v1/statuses/...
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_to.hpp>
#include <spdlog/spdlog.h>

#include "api/api.h"
#include "api/media_json.h"
#include "api/params.h"
#include "api/serializers.h"
#include "core/id.h"
#include "core/text.h"
#include "service/media.h"
#include "service/statuses.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr size_t kMaxIdempotencyKeyChars = 200;

// Who is asking: nobody for a request without credentials; credentials that
// are present must be valid and carry `scope`.
Result<std::optional<store::Account>> OptionalViewer(ApiContext& ctx, const Request& request,
                                                     std::string_view scope) {
  if (request.Header("authorization").empty() && request.Cookie("vantage_session").empty())
    return std::optional<store::Account>();
  // App-only tokens (client_credentials) read as nobody in particular.
  auto principal = Authorize(ctx, request, scope, false);
  if (!principal) return std::move(principal).error();
  if (principal->account && !principal->account->approved)
    return Error::Forbidden("Your login is currently pending approval", "pending_approval");
  return principal->account;
}

Result<int64_t> PathId(const Request& request) {
  auto id = ParseId(request.path_params[0]);
  if (!id) return Error::NotFound();
  return *id;
}

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

Result<json::array> MediaJson(ApiContext& ctx, const std::vector<int64_t>& media_ids) {
  json::array out;
  for (int64_t id : media_ids) {
    auto media = ctx.services.store.media().FindById(id);
    if (!media) return std::move(media).error();
    if (*media) out.push_back(MediaAttachmentJson(ctx.services.settings, **media));
  }
  return out;
}

// The Mastodon Status entity. Viewer-specific fields: `pinned` and
// `vantage.archived` are the author's; favourited and the like are false
// until those features exist.
Result<json::object> StatusJson(ApiContext& ctx, const store::Post& s, std::optional<int64_t> viewer_id,
                                bool with_text = false) {
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

Result<Response> StatusResponse(ApiContext& ctx, Result<store::Post> post, std::optional<int64_t> viewer_id,
                                bool with_text = false) {
  if (!post) return std::move(post).error();
  auto body = StatusJson(ctx, *post, viewer_id, with_text);
  if (!body) return std::move(body).error();
  return Json(*body);
}

// Removes files of deleted media that nothing else uses, as the media
// service does for a single attachment; failures are left to the sweep.
service::RemoveFiles FileRemover(ApiContext& ctx) {
  return [&ctx](const std::vector<std::string>& keys) {
    if (!ctx.media) return;
    auto deleting = ctx.media->blobs.TryDeleteLock(std::chrono::milliseconds(500));
    if (!deleting.owns_lock()) {
      spdlog::info("status delete: uploads busy, {} files left for the sweep", keys.size());
      return;
    }
    auto unused = ctx.services.store.media().UnreferencedKeys(keys);
    if (!unused) {
      spdlog::warn("status delete: {} (files left for the sweep)", unused.error().message);
      return;
    }
    for (const std::string& key : *unused)
      if (auto removed = ctx.media->blobs.Remove(key); !removed)
        spdlog::warn("status delete: {} (left for the sweep)", removed.error().message);
  };
}

// POST /api/v1/statuses/:id/<action> and its kin: the author's own status.
using OwnAction = Result<store::Post> (*)(service::ServiceContext&, int64_t, int64_t);

http::Handler OwnStatusAction(ApiContext& ctx, std::string scope, OwnAction action) {
  return Wrap([&ctx, scope, action](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, scope);
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    int64_t me = principal->account->id;
    return StatusResponse(ctx, action(ctx.services, *id, me), me);
  });
}

}  // namespace

void RegisterStatusRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/statuses", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:statuses");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();

    service::NewStatus input;
    auto text = params->String("status", service::kMaxCaptionChars);
    if (!text) return std::move(text).error();
    auto media_ids = params->StringList("media_ids", 1000);
    if (!media_ids) return std::move(media_ids).error();
    auto reply_to = params->String("in_reply_to_id", 40);
    if (!reply_to) return std::move(reply_to).error();
    auto visibility = params->String("visibility", 40);
    if (!visibility) return std::move(visibility).error();
    auto sensitive = params->Bool("sensitive");
    if (!sensitive) return std::move(sensitive).error();
    auto spoiler = params->String("spoiler_text", service::kMaxSpoilerChars);
    if (!spoiler) return std::move(spoiler).error();
    auto language = params->String("language", 40);
    if (!language) return std::move(language).error();
    std::string key(request.Header("idempotency-key"));
    if (Utf8Length(key) > kMaxIdempotencyKeyChars || !IsValidUtf8(key))
      return Error::Invalid("Idempotency-Key", "The Idempotency-Key header must be at most 200 characters",
                            "too_long");

    input.text = text->value_or("");
    input.media_ids = std::move(*media_ids);
    if (*reply_to && !(*reply_to)->empty()) input.in_reply_to_id = std::move(**reply_to);
    if (*visibility && !(*visibility)->empty()) input.visibility = std::move(**visibility);
    input.sensitive = sensitive->value_or(false);
    input.spoiler_text = spoiler->value_or("");
    input.language = language->value_or("");
    input.idempotency_key = std::move(key);
    if (principal->app) input.application_id = principal->app->id;

    auto created = service::PublishStatus(ctx.services, *principal->account, input);
    if (!created) return std::move(created).error();
    auto body = StatusJson(ctx, created->post, principal->account->id);
    if (!body) return std::move(body).error();
    return Json(*body);
  }));

  router.Add("GET", "/api/v1/statuses/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:statuses");
    if (!viewer) return std::move(viewer).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    std::optional<int64_t> viewer_id;
    if (*viewer) viewer_id = (*viewer)->id;
    return StatusResponse(ctx, service::VisibleStatus(ctx.services, *id, viewer_id), viewer_id);
  }));

  router.Add("DELETE", "/api/v1/statuses/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:statuses");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    int64_t me = principal->account->id;
    // Rendered before the rows go, so the answer still shows its media.
    auto post = ctx.services.store.statuses().FindById(*id);
    if (!post) return std::move(post).error();
    if (!*post || (*post)->account_id != me) return Error::NotFound();
    auto body = StatusJson(ctx, **post, me, true);
    if (!body) return std::move(body).error();
    auto deleted = service::DeleteStatus(ctx.services, *id, me, FileRemover(ctx));
    if (!deleted) return std::move(deleted).error();
    return Json(*body);
  }));

  router.Add("PUT", "/api/v1/statuses/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:statuses");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    service::StatusEdit edit;
    auto text = params->String("status", service::kMaxCaptionChars);
    if (!text) return std::move(text).error();
    auto sensitive = params->Bool("sensitive");
    if (!sensitive) return std::move(sensitive).error();
    auto spoiler = params->String("spoiler_text", service::kMaxSpoilerChars);
    if (!spoiler) return std::move(spoiler).error();
    auto attributes = params->ObjectList("media_attributes", {"id", "description"}, service::kMaxMediaPerPost);
    if (!attributes) return std::move(attributes).error();
    for (auto& attribute : *attributes) {
      auto media_id = ParseId(attribute["id"]);
      if (!media_id)
        return Error::Invalid("media_attributes", "media_attributes: media " + attribute["id"] +
                                                      " is not part of this post", "media_not_found");
      if (!IsValidUtf8(attribute["description"]) ||
          Utf8Length(attribute["description"]) > service::kMaxMediaDescriptionChars)
        return Error::Invalid("media_attributes", "media_attributes: a description must be at most 1500 characters",
                              "too_long");
      edit.media_descriptions.push_back({*media_id, std::move(attribute["description"])});
    }
    edit.text = std::move(*text);
    edit.sensitive = *sensitive;
    edit.spoiler_text = std::move(*spoiler);
    int64_t me = principal->account->id;
    return StatusResponse(ctx, service::EditStatus(ctx.services, *id, *principal->account, edit), me);
  }));

  // Mastodon's StatusSource: the caption as written, for edit screens.
  router.Add("GET", "/api/v1/statuses/:id/source", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:statuses");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto post = ctx.services.store.statuses().FindById(*id);
    if (!post) return std::move(post).error();
    if (!*post || (*post)->account_id != principal->account->id) return Error::NotFound();
    json::object out;
    out["id"] = std::to_string((*post)->id);
    out["text"] = (*post)->text;
    out["spoiler_text"] = (*post)->spoiler_text;
    return Json(out);
  }));

  router.Add("GET", "/api/v1/statuses/:id/history", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:statuses");
    if (!viewer) return std::move(viewer).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    std::optional<int64_t> viewer_id;
    if (*viewer) viewer_id = (*viewer)->id;
    auto history = service::StatusHistory(ctx.services, *id, viewer_id);
    if (!history) return std::move(history).error();
    auto post = ctx.services.store.statuses().FindById(*id);
    if (!post) return std::move(post).error();
    if (!*post) return Error::NotFound();
    auto author = ctx.services.store.accounts().FindById((*post)->account_id);
    if (!author) return std::move(author).error();
    if (!*author) return Error::NotFound();
    json::object account = AccountJson(ctx.services.settings, **author);

    json::array out;
    for (const store::PostEdit& version : *history) {
      json::object entry;
      entry["content"] = version.content;
      entry["spoiler_text"] = version.spoiler_text;
      entry["sensitive"] = version.sensitive;
      entry["created_at"] = FormatIsoTime(version.created_at);
      entry["account"] = account;
      entry["emojis"] = json::array();
      // Each version's media with the alt text it had then.
      json::array media;
      if (version.media_json.empty()) {
        auto current = MediaJson(ctx, (*post)->media_ids);
        if (!current) return std::move(current).error();
        media = std::move(*current);
      } else {
        boost::system::error_code ec;
        json::value snapshot = json::parse(version.media_json, ec);
        if (!ec && snapshot.is_array()) {
          for (const json::value& item : snapshot.as_array()) {
            if (!item.is_object() || !item.as_object().if_contains("id")) continue;
            auto media_id = ParseId(json::value_to<std::string>(item.as_object().at("id")));
            if (!media_id) continue;
            auto found = ctx.services.store.media().FindById(*media_id);
            if (!found) return std::move(found).error();
            if (!*found) continue;
            json::object m = MediaAttachmentJson(ctx.services.settings, **found);
            if (const json::value* d = item.as_object().if_contains("description")) m["description"] = *d;
            media.push_back(std::move(m));
          }
        }
      }
      entry["media_attachments"] = std::move(media);
      out.push_back(std::move(entry));
    }
    return Json(out);
  }));

  router.Add("POST", "/api/v1/statuses/:id/pin",
             OwnStatusAction(ctx, "write:accounts", &service::PinStatus));
  router.Add("POST", "/api/v1/statuses/:id/unpin",
             OwnStatusAction(ctx, "write:accounts", &service::UnpinStatus));
  router.Add("POST", "/api/vantage/v1/statuses/:id/archive",
             OwnStatusAction(ctx, "write:statuses", &service::ArchiveStatus));
  router.Add("POST", "/api/vantage/v1/statuses/:id/unarchive",
             OwnStatusAction(ctx, "write:statuses", &service::UnarchiveStatus));
}

}  // namespace vantage::api
