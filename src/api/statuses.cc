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
#include "api/status_json.h"
#include "core/id.h"
#include "core/text.h"
#include "service/comments.h"
#include "service/media.h"
#include "service/statuses.h"

namespace vantage::api {

void RegisterCommentRoutes(http::Router& router, ApiContext& ctx);  // comments.cc

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr size_t kMaxIdempotencyKeyChars = 200;

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

// `vantage_cta` as a JSON object {url, label} or the form fields
// `vantage_cta[url]` and `vantage_cta[label]`; null or "" clears it.
Result<std::optional<service::CallToAction>> CallToActionParam(const Params& params) {
  // Generous bounds: the service names the real limits in its errors.
  auto fields = params.Object("vantage_cta", {"url", "label"}, 10 * service::kMaxCallToActionUrlChars);
  if (!fields) return std::move(fields).error();
  if (!*fields) return std::optional<service::CallToAction>();
  return std::optional<service::CallToAction>(service::CallToAction{(**fields)["url"], (**fields)["label"]});
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
    // Nothing an organisation posts goes out without a second person's
    // approval (docs/organisations.md); staff acting as it may comment.
    if (principal->acting_staff && !(*reply_to && !(*reply_to)->empty()))
      return Error::Forbidden("Posts of an organisation go out only through approval; as the organisation you may "
                              "comment and reply", "approval_required");
    auto visibility = params->String("visibility", 40);
    if (!visibility) return std::move(visibility).error();
    auto sensitive = params->Bool("sensitive");
    if (!sensitive) return std::move(sensitive).error();
    auto spoiler = params->String("spoiler_text", service::kMaxSpoilerChars);
    if (!spoiler) return std::move(spoiler).error();
    auto comments_policy = params->String("vantage_comments", 40);
    if (!comments_policy) return std::move(comments_policy).error();
    auto language = params->String("language", 40);
    if (!language) return std::move(language).error();
    // false keeps a public post on this server (docs/federation.md).
    auto federate = params->Bool("vantage_federate");
    if (!federate) return std::move(federate).error();
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
    input.comments_policy = comments_policy->value_or("");
    input.federate = federate->value_or(true);
    input.idempotency_key = std::move(key);
    if (principal->app) input.application_id = principal->app->id;
    auto call_to_action = CallToActionParam(*params);
    if (!call_to_action) return std::move(call_to_action).error();
    input.call_to_action = std::move(*call_to_action);

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
    if (!*post) return Error::NotFound();
    auto body = StatusJson(ctx, **post, me, (*post)->account_id == me);
    if (!body) return std::move(body).error();
    if ((*post)->account_id != me) {
      // A comment under one's own post (service/comments.h); NotFound for
      // any other status.
      service::CommentModerator moderator{me, std::nullopt, request.remote_ip};
      if (principal->acting_staff) moderator.staff_id = principal->acting_staff->id;
      auto deleted = service::DeleteComment(ctx.services, *id, moderator);
      if (!deleted) return std::move(deleted).error();
      return Json(*body);
    }
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
    auto comments_policy = params->String("vantage_comments", 40);
    if (!comments_policy) return std::move(comments_policy).error();
    if (*comments_policy) edit.comments_policy = std::move(**comments_policy);
    edit.text = std::move(*text);
    edit.sensitive = *sensitive;
    edit.spoiler_text = std::move(*spoiler);
    auto call_to_action = CallToActionParam(*params);
    if (!call_to_action) return std::move(call_to_action).error();
    edit.call_to_action = std::move(*call_to_action);
    edit.content_needs_approval = principal->acting_staff.has_value();
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
             StatusAction(ctx, "write:accounts", &service::PinStatus));
  router.Add("POST", "/api/v1/statuses/:id/unpin",
             StatusAction(ctx, "write:accounts", &service::UnpinStatus));
  router.Add("POST", "/api/vantage/v1/statuses/:id/archive",
             StatusAction(ctx, "write:statuses", &service::ArchiveStatus));
  router.Add("POST", "/api/vantage/v1/statuses/:id/unarchive",
             StatusAction(ctx, "write:statuses", &service::UnarchiveStatus));
  RegisterCommentRoutes(router, ctx);
}

}  // namespace vantage::api
