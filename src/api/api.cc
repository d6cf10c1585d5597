#include "api/api.h"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "core/id.h"
#include "http/error_response.h"
#include "service/crypto.h"
#include "service/mail.h"
#include "service/organisations.h"
#include "service/scopes.h"

namespace vantage::api {

std::shared_ptr<const InstanceCache::Bodies> InstanceCache::Get() const {
  std::lock_guard lock(mu_);
  return bodies_;
}

void InstanceCache::Set(std::shared_ptr<const Bodies> bodies) {
  std::lock_guard lock(mu_);
  bodies_ = std::move(bodies);
}

http::Handler Wrap(ApiHandler handler) {
  return [handler = std::move(handler)](http::Request& request) -> http::Response {
    Result<http::Response> result = handler(request);
    if (result) return std::move(*result);
    const Error& error = result.error();
    if (error.kind == ErrorKind::kInternal)
      spdlog::error("request {} {} {}: {}", request.request_id, request.method, request.path,
                    error.message);
    return http::ErrorResponse(error);
  };
}

http::Response Json(const boost::json::value& value, int status) {
  http::Response response;
  response.status = status;
  response.body = boost::json::serialize(value);
  return response;
}

std::string UserAgent(const http::Request& request) {
  return std::string(request.Header("user-agent").substr(0, 300));
}

Result<service::Principal> Authorize(ApiContext& ctx, const http::Request& request,
                                     std::string_view scope, bool require_account) {
  std::string_view authorization = request.Header("authorization");
  std::string_view secret;
  bool via_cookie = false;
  if (!authorization.empty()) {
    if (authorization.size() < 7 || !(authorization.substr(0, 7) == "Bearer " ||
                                      authorization.substr(0, 7) == "bearer "))
      return Error::Unauthorized("The Authorization header must be a Bearer token", "invalid_token");
    secret = authorization.substr(7);
  } else {
    secret = request.Cookie("vantage_session");
    via_cookie = true;
    if (secret.empty()) return Error::Unauthorized("This action requires an access token");
  }
  auto principal = service::Authenticate(ctx.services, secret, via_cookie);
  if (!principal) return std::move(principal).error();

  if (via_cookie && request.method != "GET" && request.method != "HEAD") {
    std::string_view csrf = request.Header("x-csrf-token");
    if (csrf.empty() || !service::ConstantTimeEquals(csrf, principal->token.csrf_token))
      return Error::Forbidden("This request needs the session's X-CSRF-Token header", "csrf_failed");
  }
  if (!scope.empty() && !service::ScopeAllows(principal->token.scopes, scope))
    return Error::Forbidden("This action is outside the authorized scopes (needs " + std::string(scope) + ")",
                            "insufficient_scope");
  if (require_account) {
    if (!principal->account)
      return Error::Forbidden("This method requires an authenticated user", "user_required");
    if (!principal->account->approved)
      return Error::Forbidden("Your login is currently pending approval", "pending_approval");
    VANTAGE_TRY(service::CheckEmailConfirmed(ctx.services, principal->account->id));
  }
  if (std::string_view act_as = request.Header("vantage-act-as"); !act_as.empty() && principal->account) {
    // Staff acting as an organisation (docs/organisations.md). Anything but
    // a staff member of that organisation gets the same 404.
    auto organisation_id = ParseId(act_as);
    if (!organisation_id) return Error::NotFound();
    bool write = request.method != "GET" && request.method != "HEAD";
    auto organisation = service::ActAsOrganisation(ctx.services, StaffVisitOf(*principal, request), *organisation_id,
                                                   write, request.method, request.path);
    if (!organisation) return std::move(organisation).error();
    principal->acting_staff = std::move(principal->account);
    principal->account = std::move(*organisation);
    // The staff member's client is theirs, not the organisation's.
    principal->app.reset();
  }
  return principal;
}

service::StaffVisit StaffVisitOf(const service::Principal& principal, const http::Request& request) {
  const auto& staff = principal.acting_staff ? principal.acting_staff : principal.account;
  return service::StaffVisit{staff ? staff->id : 0, principal.token.id, principal.token.created_at,
                             request.remote_ip,
                             std::max(principal.token.created_at, principal.token.reauthenticated_at)};
}

Result<std::optional<service::Principal>> OptionalPrincipal(ApiContext& ctx, const http::Request& request,
                                                            std::string_view scope) {
  if (request.Header("authorization").empty() && request.Cookie("vantage_session").empty())
    return std::optional<service::Principal>();
  // App-only tokens (client_credentials) read as nobody in particular.
  auto principal = Authorize(ctx, request, scope, false);
  if (!principal) return std::move(principal).error();
  if (!principal->account) return std::optional<service::Principal>();
  if (!principal->account->approved)
    return Error::Forbidden("Your login is currently pending approval", "pending_approval");
  return std::optional<service::Principal>(std::move(*principal));
}

Result<service::Principal> AuthorizeAdmin(ApiContext& ctx, const http::Request& request, std::string_view scope,
                                          std::string_view what) {
  auto principal = Authorize(ctx, request, scope);
  if (!principal) return std::move(principal).error();
  if (principal->acting_staff || principal->account->role != store::Role::kAdmin)
    return Error::Forbidden("Only instance admins " + std::string(what), "admin_required");
  return principal;
}

Result<std::optional<store::Account>> OptionalViewer(ApiContext& ctx, const http::Request& request,
                                                     std::string_view scope) {
  auto principal = OptionalPrincipal(ctx, request, scope);
  if (!principal) return std::move(principal).error();
  if (!*principal) return std::optional<store::Account>();
  return std::move((*principal)->account);
}

Result<int64_t> PathId(const http::Request& request) {
  auto id = ParseId(request.path_params[0]);
  if (!id) return Error::NotFound();
  return *id;
}


void RegisterRoutes(http::Router& router, ApiContext& ctx) {
  RegisterInstanceRoutes(router, ctx);
  RegisterOAuthRoutes(router, ctx);
  RegisterAccountRoutes(router, ctx);
  RegisterSessionRoutes(router, ctx);
  RegisterSecondFactorRoutes(router, ctx);
  RegisterEmailRoutes(router, ctx);
  RegisterDataRightsRoutes(router, ctx);
  RegisterStatusRoutes(router, ctx);
  RegisterAtomFeedRoutes(router, ctx);
  RegisterInsightRoutes(router, ctx);
  RegisterMediaRoutes(router, ctx);
  RegisterClientStartupRoutes(router, ctx);
  RegisterGraphRoutes(router, ctx);
  RegisterInteractionRoutes(router, ctx);
  RegisterNotificationRoutes(router, ctx);
  RegisterTimelineRoutes(router, ctx);
  RegisterOrganisationRoutes(router, ctx);
  RegisterDraftRoutes(router, ctx);
  RegisterQaRoutes(router, ctx);
  RegisterDomainRoutes(router, ctx);
}

}  // namespace vantage::api
