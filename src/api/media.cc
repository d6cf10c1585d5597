// Uploads and media files: /api/v1/media, /api/v2/media, /media/<key>.<ext>.
#include <cmath>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/media_json.h"
#include "api/params.h"
#include "core/id.h"
#include "service/crypto.h"
#include "service/drafts.h"
#include "service/media.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

json::object SizeJson(int width, int height) {
  json::object o;
  o["width"] = width;
  o["height"] = height;
  o["size"] = std::to_string(width) + "x" + std::to_string(height);
  o["aspect"] = height > 0 ? static_cast<double>(width) / height : 0.0;
  return o;
}

const store::MediaFile* FindFile(const store::MediaAttachment& media, std::string_view variant,
                                 std::string_view format) {
  for (const store::MediaFile& f : media.files)
    if (f.variant == variant && f.format == format) return &f;
  return nullptr;
}


// The upload routes' shared body: file, description, focus.
Result<Response> Upload(ApiContext& ctx, Request& request) {
  auto principal = Authorize(ctx, request, "write:media");
  if (!principal) return std::move(principal).error();
  auto params = Params::From(request);
  if (!params) return std::move(params).error();
  // The parameters hold their own copy of the file: release the body's, so an
  // upload holds its bytes once while it waits for and runs on the CPU pool.
  std::string().swap(request.body);
  auto description = params->String("description", service::kMaxMediaDescriptionChars);
  if (!description) return std::move(description).error();
  auto focus_text = params->String("focus", 100);
  if (!focus_text) return std::move(focus_text).error();
  service::MediaUpload upload;
  if (*focus_text && !(*focus_text)->empty()) {
    auto focus = service::ParseFocus(**focus_text);
    if (!focus) return std::move(focus).error();
    upload.focus = *focus;
  }
  const UploadedFile* file = params->File("file");
  if (!file) {
    if (params->Has("file")) return Error::Invalid("file", "file must be an uploaded file (multipart/form-data)");
    return Error::Invalid("file", "file is required", "missing_field");
  }
  upload.bytes = file->data;
  upload.description = description->value_or("");
  auto media = service::UploadMedia(*ctx.media, principal->account->id, upload);
  if (!media) return std::move(media).error();
  return Json(MediaAttachmentJson(ctx.services.settings, *media));
}

Result<int64_t> MediaId(const Request& request) {
  auto id = ParseId(request.path_params[0]);
  if (!id) return Error::NotFound();
  return *id;
}

}  // namespace


json::object MediaAttachmentJson(const service::Settings& settings, const store::MediaAttachment& media,
                                 bool signed_urls) {
  bool ready = media.state == store::MediaState::kReady;
  // A remote post's photo not fetched yet: this server's URL that fetches
  // it. One that is no image (a video, audio): a link to the original.
  bool remote_pending = media.remote() && media.state == store::MediaState::kProcessing;
  bool elsewhere = media.remote() && media.state == store::MediaState::kFailed && media.error_code == store::kNotAnImage;
  const store::MediaFile* large = ready ? FindFile(media, "large", "jpeg") : nullptr;
  const store::MediaFile* small = ready ? FindFile(media, "small", "jpeg") : nullptr;
  json::object o;
  o["id"] = std::to_string(media.id);
  o["type"] = elsewhere ? "unknown" : "image";
  o["url"] = large ? json::value(service::MediaFileUrl(settings, *large, signed_urls)) : json::value(nullptr);
  o["preview_url"] = small ? json::value(service::MediaFileUrl(settings, *small, signed_urls)) : json::value(nullptr);
  if (remote_pending) {
    o["url"] = service::RemoteMediaUrl(settings, media.id, "large", signed_urls);
    o["preview_url"] = service::RemoteMediaUrl(settings, media.id, "small", signed_urls);
  }
  // Never a remote photo's own URL (a client could load it, and tell its
  // server who reads): only what is not shown here at all links there.
  o["remote_url"] = elsewhere ? json::value(media.remote_url) : json::value(nullptr);
  o["preview_remote_url"] = nullptr;
  o["text_url"] = nullptr;
  o["description"] = media.description.empty() ? json::value(nullptr) : json::value(media.description);
  o["blurhash"] = (ready || remote_pending) && !media.blurhash.empty() ? json::value(media.blurhash) : json::value(nullptr);

  json::object meta;
  if (ready) {
    meta["original"] = SizeJson(media.original_width, media.original_height);
    if (small) meta["small"] = SizeJson(small->width, small->height);
  }
  if (media.focus_x && media.focus_y) {
    json::object focus;
    focus["x"] = *media.focus_x / 1000.0;
    focus["y"] = *media.focus_y / 1000.0;
    meta["focus"] = std::move(focus);
  }
  o["meta"] = std::move(meta);

  json::object vantage;
  vantage["state"] = store::MediaStateName(media.state);
  json::array variants;
  if (ready) {
    for (const store::MediaFile& f : media.files) {
      json::object v;
      v["variant"] = f.variant;
      v["format"] = f.format;
      v["url"] = service::MediaFileUrl(settings, f, signed_urls);
      v["width"] = f.width;
      v["height"] = f.height;
      v["size_bytes"] = f.size_bytes;
      variants.push_back(std::move(v));
    }
  }
  vantage["variants"] = std::move(variants);
  if (media.state == store::MediaState::kFailed) vantage["error"] = media.error_code;
  o["vantage"] = std::move(vantage);
  return o;
}

void RegisterMediaRoutes(http::Router& router, ApiContext& ctx) {
  using http::Pool;
  size_t upload_limit = ctx.media->settings.max_upload_bytes;

  // Both versions process the upload within the request, on the CPU pool, and
  // answer 200 with the finished attachment (docs/api.md).
  router.Add("POST", "/api/v2/media", Wrap([&ctx](Request& request) { return Upload(ctx, request); }),
             Pool::kCpu, upload_limit);
  router.Add("POST", "/api/v1/media", Wrap([&ctx](Request& request) { return Upload(ctx, request); }),
             Pool::kCpu, upload_limit);

  router.Add("GET", "/api/v1/media/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:media");
    if (!principal) return std::move(principal).error();
    auto id = MediaId(request);
    if (!id) return std::move(id).error();
    // As the organisation, a draft's photo is for those who read drafts.
    auto media = principal->acting_staff
                     ? service::ReadOrganisationMedia(ctx.services, principal->account->id, *id,
                                                      principal->acting_staff->id)
                     : service::OwnMedia(*ctx.media, principal->account->id, *id);
    if (!media) return std::move(media).error();
    switch (media->state) {
      case store::MediaState::kReady:
        return Json(MediaAttachmentJson(ctx.services.settings, *media));
      case store::MediaState::kProcessing:
        return Json(MediaAttachmentJson(ctx.services.settings, *media), 206);
      case store::MediaState::kFailed:
        break;
    }
    return Error::Invalid("file", "The image could not be processed (" + media->error_code + ")",
                          media->error_code.empty() ? "processing_failed" : media->error_code);
  }));

  router.Add("PUT", "/api/v1/media/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:media");
    if (!principal) return std::move(principal).error();
    auto id = MediaId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    store::MediaPatch patch;
    auto description = params->String("description", service::kMaxMediaDescriptionChars);
    if (!description) return std::move(description).error();
    patch.description = std::move(*description);
    auto focus_text = params->String("focus", 100);
    if (!focus_text) return std::move(focus_text).error();
    if (*focus_text) {
      auto focus = service::ParseFocus(**focus_text);
      if (!focus) return std::move(focus).error();
      patch.focus_x = static_cast<int>(std::lround(focus->x * 1000));
      patch.focus_y = static_cast<int>(std::lround(focus->y * 1000));
    }
    // As the organisation, a photo is changed under approval: its draft's
    // approvals go, a published post's photo needs an edit draft.
    auto media = principal->acting_staff
                     ? service::UpdateOrganisationMedia(ctx.services, principal->account->id, *id, patch,
                                                        service::Actor{principal->acting_staff->id, request.remote_ip})
                     : service::UpdateMedia(*ctx.media, principal->account->id, *id, patch);
    if (!media) return std::move(media).error();
    return Json(MediaAttachmentJson(ctx.services.settings, *media));
  }));

  // A remote post's photo not fetched yet (or evicted): fetched now, then
  // its file (docs/federation.md, "Following remote accounts"). Blocks on
  // the remote server and the pipeline: the remote pool.
  router.Add("GET", "/media/remote/:id/:variant", Wrap([&ctx](Request& request) -> Result<Response> {
    auto id = ParseId(request.path_params[0]);
    if (!id) return Error::NotFound();
    const std::string& variant = request.path_params[1];
    std::string name = "remote/" + request.path_params[0] + "/" + variant;
    bool signed_url = service::ValidMediaSignature(ctx.services.settings, name, request.query, NowUnixMs() / 1000);
    auto location = service::RemoteMediaLocation(*ctx.media, *id, variant, signed_url);
    if (!location) return std::move(location).error();
    Response response;
    response.status = 302;
    response.AddHeader("Location", *location);
    response.AddHeader("Cache-Control", "private, no-cache");
    return response;
  }), http::Pool::kRemote);

  // The files. A plain URL serves a file that a public or unlisted post
  // shows; anything else needs the signed URL its viewers were given
  // (media_json.h), and answers 404 otherwise, like a missing file. Reading a
  // file blocks, so this runs on the database pool.
  router.Add("GET", "/media/:file", Wrap([&ctx](Request& request) -> Result<Response> {
    const std::string& name = request.path_params[0];
    size_t dot = name.rfind('.');
    if (dot == std::string::npos) return Error::NotFound();
    std::string key = name.substr(0, dot), ext = name.substr(dot + 1);
    if (!media::IsValidBlobName(key, ext)) return Error::NotFound();
    bool signed_url = service::ValidMediaSignature(ctx.services.settings, name, request.query, NowUnixMs() / 1000);
    if (!signed_url) {
      auto visible = ctx.services.store.media().FileIsPublic(key);
      if (!visible) return std::move(visible).error();
      if (!*visible) return Error::NotFound();
    }
    std::string etag = "\"" + key + "\"";
    Response response;
    response.content_type = std::string(media::BlobContentType(ext));
    // The bytes never change (content-addressed), but who may see them does
    // (a post archived or deleted): shared caches keep a public file an hour
    // and a signed one not at all.
    response.AddHeader("Cache-Control", signed_url ? "private, max-age=86400, immutable"
                                                   : "public, max-age=3600, immutable");
    response.AddHeader("ETag", etag);
    response.AddHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    std::string_view if_none_match = request.Header("if-none-match");
    if (!if_none_match.empty() &&
        (if_none_match.find(etag) != std::string_view::npos || if_none_match == "*" ||
         if_none_match.find(key) != std::string_view::npos)) {
      // Only if the file is still there: a deleted file is gone for everyone.
      auto bytes = ctx.media->blobs.Read(key, ext);
      if (!bytes) return std::move(bytes).error();
      response.status = 304;
      return response;
    }
    auto bytes = ctx.media->blobs.Read(key, ext);
    if (!bytes) return std::move(bytes).error();
    response.body = std::move(*bytes);
    service::NoteFileServed(*ctx.media, key);
    return response;
  }));
}

}  // namespace vantage::api
