// Web sign-in with a cookie session, the session list, and password changes.
#include <algorithm>

#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/params.h"
#include "api/serializers.h"
#include "core/id.h"
#include "core/text.h"
#include "service/accounts.h"
#include "service/webauthn.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr int64_t kSessionMaxAgeSeconds = 365LL * 24 * 3600;

std::string SessionCookie(const ApiContext& ctx, const Request& request, const std::string& value,
                          int64_t max_age) {
  std::string cookie = "vantage_session=" + value + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                       std::to_string(max_age);
  if (ctx.services.settings.secure_cookies || request.secure) cookie += "; Secure";
  return cookie;
}

// Browsers say where a form came from; a sign-in posted from another site
// (login CSRF: signing the victim into the attacker's account) is refused.
// Clients that are not browsers send neither header and are unaffected.
Status CheckSameOrigin(const Request& request) {
  if (request.Header("sec-fetch-site") == "cross-site")
    return Error::Forbidden("Cross-site sign-in requests are refused", "csrf_failed");
  std::string_view origin = request.Header("origin");
  if (origin.empty()) return Ok();
  size_t scheme = origin.find("://");
  std::string_view host = scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
  if (!EqualsIgnoreCase(host, request.Header("host")))
    return Error::Forbidden("Cross-site sign-in requests are refused", "csrf_failed");
  return Ok();
}

json::object SessionJson(ApiContext& ctx, const store::Account& account, const store::Token& token) {
  json::object out;
  out["account"] = CredentialAccountJson(ctx.services.settings, account);
  out["csrf_token"] = token.csrf_token;
  return out;
}

// The 403 that asks for the second step of a sign-in, with the token to
// carry to it.
Response SecondFactorRequired(const service::SignInChallenge& challenge) {
  json::object body;
  body["error"] = "Confirm it is you with your second factor: a passkey, a code from your authenticator app, or a "
                  "recovery code";
  body["code"] = "second_factor_required";
  body["sign_in_token"] = challenge.token;
  json::array methods;
  for (const std::string& method : challenge.methods) methods.emplace_back(method);
  body["methods"] = std::move(methods);
  if (!challenge.webauthn_challenge.empty()) body["webauthn"] = WebAuthnRequestOptions(challenge);
  return Json(body, 403);
}

}  // namespace

json::object WebAuthnRequestOptions(const service::SignInChallenge& challenge) {
  json::array allow;
  for (const std::string& id : challenge.allow_credentials)
    allow.push_back(json::object{{"type", "public-key"}, {"id", id}});
  return json::object{{"challenge", challenge.webauthn_challenge},
                      {"rpId", challenge.rp_id},
                      {"allowCredentials", std::move(allow)},
                      {"userVerification", "preferred"},
                      {"timeout", 300000}};
}

Result<service::SecondFactorProof> SecondFactorProofFrom(const Params& params) {
  service::SecondFactorProof proof;
  auto code = params.String("code", 100);
  if (!code) return std::move(code).error();
  proof.code = code->value_or("");
  auto token = params.String("challenge_token", 200);
  if (!token) return std::move(token).error();
  proof.challenge_token = token->value_or("");
  auto assertion = PasskeyAssertionFrom(params);
  if (!assertion) return std::move(assertion).error();
  proof.assertion = std::move(*assertion);
  return proof;
}

Result<std::string> CredentialField(const std::map<std::string, std::string>& credential, const char* key) {
  auto found = credential.find(key);
  auto decoded = found == credential.end() ? std::nullopt : service::webauthn::FromBase64Url(found->second);
  if (!decoded || decoded->empty())
    return Error::Invalid("credential", std::string("credential.") + key + " must be base64url");
  return std::move(*decoded);
}

Result<std::optional<service::PasskeyAssertion>> PasskeyAssertionFrom(const Params& params) {
  auto object = params.Object("credential", {"id", "client_data_json", "authenticator_data", "signature"}, 20000);
  if (!object) return std::move(object).error();
  if (!*object) return std::optional<service::PasskeyAssertion>();
  // The authorize page's form sends its credential fields empty when a code
  // is used instead.
  bool all_empty = std::all_of((*object)->begin(), (*object)->end(), [](const auto& f) { return f.second.empty(); });
  if (all_empty) return std::optional<service::PasskeyAssertion>();
  service::PasskeyAssertion assertion;
  for (auto [key, target] : {std::pair{"id", &assertion.credential_id},
                             std::pair{"client_data_json", &assertion.client_data_json},
                             std::pair{"authenticator_data", &assertion.authenticator_data},
                             std::pair{"signature", &assertion.signature}}) {
    auto decoded = CredentialField(**object, key);
    if (!decoded) return std::move(decoded).error();
    *target = std::move(*decoded);
  }
  return std::optional<service::PasskeyAssertion>(std::move(assertion));
}

Result<service::SignInAttempt> SignInAttemptFrom(const Params& params, const Request& request) {
  service::SignInAttempt attempt;
  attempt.ip = request.remote_ip;
  attempt.user_agent = UserAgent(request);
  auto token = params.String("sign_in_token", 200);
  if (!token) return std::move(token).error();
  if (token->value_or("").empty()) {
    auto username = params.RequiredString("username", 320);
    if (!username) return std::move(username).error();
    auto password = params.RequiredString("password", 1024);
    if (!password) return std::move(password).error();
    attempt.login = std::move(*username);
    attempt.password = std::move(*password);
    return attempt;
  }
  attempt.sign_in_token = std::move(**token);
  auto credential = PasskeyAssertionFrom(params);
  if (!credential) return std::move(credential).error();
  if (*credential) {
    attempt.assertion = std::move(**credential);
    return attempt;
  }
  auto code = params.RequiredString("code", 100);
  if (!code) return std::move(code).error();
  attempt.code = std::move(*code);
  return attempt;
}

void RegisterSessionRoutes(http::Router& router, ApiContext& ctx) {
  using http::Pool;

  router.Add("POST", "/auth/sign_in", Wrap([&ctx](Request& request) -> Result<Response> {
    VANTAGE_TRY(CheckSameOrigin(request));
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto attempt = SignInAttemptFrom(*params, request);
    if (!attempt) return std::move(attempt).error();
    auto outcome = service::SignIn(ctx.services, *attempt);
    if (!outcome) return std::move(outcome).error();
    if (!outcome->session) {
      Response response = SecondFactorRequired(outcome->challenge);
      response.AddHeader("Cache-Control", "no-store");
      return response;
    }
    const service::WebSession& session = *outcome->session;
    Response response = Json(SessionJson(ctx, session.account, session.token));
    response.AddHeader("Set-Cookie", SessionCookie(ctx, request, session.cookie_value, kSessionMaxAgeSeconds));
    response.AddHeader("Cache-Control", "no-store");
    return response;
  }), Pool::kCpu);

  router.Add("GET", "/auth/session", Wrap([&ctx](Request& request) -> Result<Response> {
    if (request.Cookie("vantage_session").empty())
      return Error::Unauthorized("No session cookie");
    auto principal = Authorize(ctx, request, "", false);
    if (!principal) return std::move(principal).error();
    if (!principal->account) return Error::Unauthorized("No session");
    Response response = Json(SessionJson(ctx, *principal->account, principal->token));
    response.AddHeader("Cache-Control", "no-store");
    return response;
  }));

  router.Add("POST", "/auth/sign_out", Wrap([&ctx](Request& request) -> Result<Response> {
    if (request.Cookie("vantage_session").empty())
      return Error::Unauthorized("No session cookie");
    auto principal = Authorize(ctx, request, "", false);
    if (!principal) return std::move(principal).error();
    VANTAGE_TRY(service::SignOut(ctx.services, principal->token.id));
    Response response = Json(json::object());
    response.AddHeader("Set-Cookie", SessionCookie(ctx, request, "", 0));
    return response;
  }));

  router.Add("GET", "/api/vantage/v1/sessions", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:accounts");
    if (!principal) return std::move(principal).error();
    auto sessions = service::ListSessions(ctx.services, principal->account->id);
    if (!sessions) return std::move(sessions).error();
    json::array out;
    for (const store::Token& token : *sessions) {
      json::object item;
      item["id"] = std::to_string(token.id);
      item["kind"] = token.kind == store::TokenKind::kSession ? "session" : "oauth";
      json::value app = nullptr;
      if (token.app_id) {
        auto found = ctx.services.store.apps().FindById(*token.app_id);
        if (found && *found) app = json::value((*found)->name);
      }
      item["app"] = app;
      item["created_at"] = FormatIsoTime(token.created_at);
      item["last_used_at"] = FormatIsoTime(token.last_used_at);
      item["user_agent"] = token.user_agent;
      item["ip"] = token.ip;
      item["current"] = token.id == principal->token.id;
      out.push_back(std::move(item));
    }
    return Json(out);
  }));

  // Sign out everywhere else: every other session and token of the account.
  router.Add("DELETE", "/api/vantage/v1/sessions", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    if (principal->acting_staff)
      return Error::Forbidden("Sign out as yourself, not as an organisation", "not_allowed");
    auto ended = service::SignOutEverywhereElse(ctx.services, principal->account->id, principal->token.id);
    if (!ended) return std::move(ended).error();
    json::object out;
    out["ended"] = *ended;
    return Json(out);
  }));

  router.Add("DELETE", "/api/vantage/v1/sessions/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto id = ParseId(request.path_params[0]);
    if (!id) return Error::NotFound();
    VANTAGE_TRY(service::RevokeSession(ctx.services, principal->account->id, *id));
    return Json(json::object());
  }));

  router.Add("POST", "/api/vantage/v1/password", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto current = params->RequiredString("current_password", 1024);
    if (!current) return std::move(current).error();
    auto next = params->RequiredString("new_password", 1024);
    if (!next) return std::move(next).error();
    VANTAGE_TRY(service::ChangePassword(ctx.services, principal->account->id, *current, *next,
                                        principal->token.id));
    return Json(json::object());
  }), Pool::kCpu);
}

}  // namespace vantage::api
