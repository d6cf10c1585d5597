// Registration and profiles: /api/v1/accounts/...
#include <optional>

#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/params.h"
#include "api/serializers.h"
#include "core/id.h"
#include "core/text.h"
#include "media/blob_store.h"
#include "service/accounts.h"
#include "service/avatars.h"
#include "service/organisations.h"
#include "service/social.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

void RegisterAccountRoutes(http::Router& router, ApiContext& ctx) {
  using http::Pool;

  router.Add("POST", "/api/v1/accounts", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts", false);
    if (!principal) return std::move(principal).error();
    if (!principal->app)
      return Error::Forbidden("Registration needs an application token", "forbidden");
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    service::Registration input;
    auto username = params->RequiredString("username", 200);
    if (!username) return std::move(username).error();
    auto email = params->RequiredString("email", 1000);
    if (!email) return std::move(email).error();
    auto password = params->RequiredString("password", 1000);
    if (!password) return std::move(password).error();
    auto agreement = params->Bool("agreement");
    if (!agreement) return std::move(agreement).error();
    auto reason = params->String("reason", 10000);
    if (!reason) return std::move(reason).error();
    auto locale = params->String("locale", 100);
    if (!locale) return std::move(locale).error();
    input.username = std::move(*username);
    input.email = std::move(*email);
    input.password = std::move(*password);
    input.agreement = agreement->value_or(false);
    input.reason = reason->value_or("");
    input.ip = request.remote_ip;

    auto account = service::RegisterAccount(ctx.services, input);
    if (!account) return std::move(account).error();
    auto token = service::IssueToken(ctx.services, *principal->app, account->id,
                                     principal->app->scopes, request.remote_ip, UserAgent(request));
    if (!token) return std::move(token).error();
    RefreshInstance(ctx);
    return Json(TokenJson(*token));
  }), Pool::kCpu);

  router.Add("GET", "/api/v1/accounts/verify_credentials", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:accounts");
    if (!principal) return std::move(principal).error();
    auto requests = ctx.services.store.graph().CountFollowRequests(principal->account->id);
    if (!requests) return std::move(requests).error();
    return Json(CredentialAccountJson(ctx.services.settings, *principal->account, *requests));
  }));

  // Runs on the CPU pool: a new picture is decoded and encoded in the request.
  router.Add("PATCH", "/api/v1/accounts/update_credentials", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    // The organisation's public profile is its owners' to change.
    if (principal->acting_staff) {
      auto allowed = service::AuthorizeStaff(ctx.services, principal->account->id, principal->acting_staff->id,
                                             service::StaffAction::kEditProfile);
      if (!allowed) return std::move(allowed).error();
    }
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    std::string().swap(request.body);  // the parameters hold their own copy of a picture
    service::ProfileChange change;
    auto display_name = params->String("display_name", 30);
    if (!display_name) return std::move(display_name).error();
    auto note = params->String("note", 500);
    if (!note) return std::move(note).error();
    auto locked = params->Bool("locked");
    if (!locked) return std::move(locked).error();
    // Who follows it and whom it follows, hidden from other servers.
    auto hide_collections = params->Bool("hide_collections");
    if (!hide_collections) return std::move(hide_collections).error();
    // Generous bounds: the service names the real limits in its errors.
    auto fields = params->IndexedObjects("fields_attributes", {"name", "value"}, 16, 4 * service::kMaxProfileFieldChars);
    if (!fields) return std::move(fields).error();
    const UploadedFile* avatar = params->File("avatar");
    if (!avatar && params->Has("avatar")) {
      auto text = params->String("avatar", 10);
      // Clients resend an unchanged form with an empty file field.
      if (!text || !*text || !(*text)->empty())
        return Error::Invalid("avatar", "avatar must be an uploaded file (multipart/form-data)");
    }
    // The picture is checked and processed first, so a refused one leaves
    // the whole profile as it was.
    std::optional<media::ProcessedAvatar> picture;
    if (avatar && !avatar->data.empty()) {
      auto prepared = service::PrepareAvatar(*ctx.media, avatar->data);
      if (!prepared) return std::move(prepared).error();
      picture = std::move(*prepared);
    }
    change.display_name = std::move(*display_name);
    change.note = std::move(*note);
    change.locked = *locked;
    change.hide_collections = *hide_collections;
    if (*fields) {
      change.fields.emplace();
      for (auto& entry : **fields) change.fields->push_back({std::move(entry["name"]), std::move(entry["value"])});
    }
    auto account = service::UpdateProfile(ctx.services, principal->account->id, change);
    if (!account) return std::move(account).error();
    if (picture) {
      account = service::SetAvatar(*ctx.media, account->id, *picture);
      if (!account) return std::move(account).error();
    }
    // An unlocked account accepts its pending follow requests, as on
    // Mastodon; checked on every update, so a retry finishes an interrupted run.
    auto pending = ctx.services.store.graph().CountFollowRequests(account->id);
    if (!pending) return std::move(pending).error();
    if (!account->locked && *pending > 0) {
      if (auto accepted = service::AuthorizeAllFollowRequests(ctx.services, account->id); !accepted)
        return std::move(accepted).error();
      auto reloaded = ctx.services.store.accounts().FindById(account->id);
      if (!reloaded) return std::move(reloaded).error();
      if (*reloaded) *account = std::move(**reloaded);
      auto left = ctx.services.store.graph().CountFollowRequests(account->id);
      if (!left) return std::move(left).error();
      *pending = *left;
    }
    return Json(CredentialAccountJson(ctx.services.settings, *account, *pending));
  }), Pool::kCpu, service::kMaxAvatarBytes + 64 * 1024);

  router.Add("DELETE", "/api/v1/profile/avatar", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    if (principal->acting_staff) {
      auto allowed = service::AuthorizeStaff(ctx.services, principal->account->id, principal->acting_staff->id,
                                             service::StaffAction::kEditProfile);
      if (!allowed) return std::move(allowed).error();
    }
    auto account = service::RemoveAvatar(*ctx.media, principal->account->id);
    if (!account) return std::move(account).error();
    auto pending = ctx.services.store.graph().CountFollowRequests(account->id);
    if (!pending) return std::move(pending).error();
    return Json(CredentialAccountJson(ctx.services.settings, *account, *pending));
  }));

  // Profile pictures, public like the profiles that show them: a file is
  // served while some account uses it, under a name that is its content hash.
  router.Add("GET", "/avatars/:file", Wrap([&ctx](Request& request) -> Result<Response> {
    const std::string& name = request.path_params[0];
    if (!name.ends_with(".jpg")) return Error::NotFound();
    std::string key = name.substr(0, name.size() - 4);
    if (!media::IsValidBlobName(key, "jpg")) return Error::NotFound();
    auto used = ctx.services.store.accounts().AvatarKeyInUse(key);
    if (!used) return std::move(used).error();
    if (!*used) return Error::NotFound();
    std::string etag = "\"" + key + "\"";
    Response response;
    response.content_type = "image/jpeg";
    // Immutable bytes; a removed picture stops being served, so shared
    // caches keep it an hour, like public media.
    response.AddHeader("Cache-Control", "public, max-age=3600, immutable");
    response.AddHeader("ETag", etag);
    response.AddHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    if (request.Header("if-none-match").find(key) != std::string_view::npos) {
      response.status = 304;
      return response;
    }
    auto bytes = ctx.media->blobs.Read(key, "jpg");
    if (!bytes) return std::move(bytes).error();
    response.body = std::move(*bytes);
    return response;
  }));

  router.Add("GET", "/api/v1/accounts/lookup", Wrap([&ctx](Request& request) -> Result<Response> {
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto acct = params->RequiredString("acct", 400);
    if (!acct) return std::move(acct).error();
    std::string name = *acct;
    if (!name.empty() && name.front() == '@') name.erase(0, 1);
    // user@host names a remote account known here (its username holds
    // the host); this server's own domain names a local one.
    if (size_t at = name.find('@'); at != std::string::npos && EqualsIgnoreCase(name.substr(at + 1), ctx.services.settings.domain))
      name.resize(at);
    auto viewer = OptionalViewer(ctx, request, "read:accounts");
    if (!viewer) return std::move(viewer).error();
    auto found = ctx.services.store.accounts().FindByUsername(name);
    if (!found) return std::move(found).error();
    if (!*found) return Error::NotFound();
    // Hidden from a viewer it blocks, as GET /api/v1/accounts/:id is.
    auto account = service::VisibleAccount(ctx.services, (*found)->id,
                                           *viewer ? std::optional<int64_t>((*viewer)->id) : std::nullopt);
    if (!account) return std::move(account).error();
    return Json(AccountJson(ctx.services.settings, *account));
  }));

  router.Add("GET", "/api/v1/accounts/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto viewer = OptionalViewer(ctx, request, "read:accounts");
    if (!viewer) return std::move(viewer).error();
    auto id = ParseId(request.path_params[0]);
    if (!id) return Error::NotFound();
    std::optional<int64_t> viewer_id;
    if (*viewer) viewer_id = (*viewer)->id;
    // An account that blocks the viewer is hidden from it like a missing one.
    auto account = service::VisibleAccount(ctx.services, *id, viewer_id);
    if (!account) return std::move(account).error();
    return Json(AccountJson(ctx.services.settings, *account));
  }));
}

}  // namespace vantage::api
