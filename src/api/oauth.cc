// OAuth 2 as Mastodon clients use it: app registration, the authorization
// code flow (with PKCE and out-of-band codes), password and client-credential
// grants, revocation.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/api.h"
#include "api/params.h"
#include "api/serializers.h"
#include "core/text.h"
#include "http/error_response.h"
#include "service/crypto.h"
#include "service/scopes.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::string_view kAuthorizeCookie = "vantage_authorize";

json::object AppJson(const store::App& app) {
  json::object out;
  out["id"] = std::to_string(app.id);
  out["name"] = app.name;
  out["website"] = app.website.empty() ? json::value(nullptr) : json::value(app.website);
  std::string first = app.redirect_uris.substr(0, app.redirect_uris.find('\n'));
  out["redirect_uri"] = first;
  json::array uris;
  size_t start = 0;
  while (start <= app.redirect_uris.size()) {
    size_t end = app.redirect_uris.find('\n', start);
    if (end == std::string::npos) end = app.redirect_uris.size();
    uris.emplace_back(app.redirect_uris.substr(start, end - start));
    start = end + 1;
  }
  out["redirect_uris"] = std::move(uris);
  out["scopes"] = json::array();
  for (size_t s = 0; s <= app.scopes.size();) {
    size_t e = app.scopes.find(' ', s);
    if (e == std::string::npos) e = app.scopes.size();
    if (e > s) out["scopes"].as_array().emplace_back(app.scopes.substr(s, e - s));
    s = e + 1;
  }
  out["vapid_key"] = "";
  return out;
}

// OAuth endpoints add error_description for RFC 6749 clients.
Response OAuthError(const Error& error) { return http::ErrorResponse(error, true); }

http::Handler WrapOAuth(ApiHandler handler) {
  return [handler = std::move(handler)](Request& request) -> Response {
    auto result = handler(request);
    if (result) return std::move(*result);
    return OAuthError(result.error());
  };
}

Result<service::ClientCredentials> ClientFrom(const Params& params) {
  service::ClientCredentials client;
  auto id = params.String("client_id", 200);
  if (!id) return std::move(id).error();
  auto secret = params.String("client_secret", 200);
  if (!secret) return std::move(secret).error();
  client.client_id = id->value_or("");
  client.client_secret = secret->value_or("");
  return client;
}

Response Html(int status, std::string body) {
  Response response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = std::move(body);
  response.AddHeader("Content-Security-Policy",
                     "default-src 'none'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
                     "base-uri 'none'");
  // No form-action: browsers apply it to where a form's answer redirects,
  // and the authorize form's answer redirects to the application, on
  // another origin or an app's own scheme.
  response.AddHeader("Cache-Control", "no-store");
  response.AddHeader("Referrer-Policy", "no-referrer");
  response.AddHeader("X-Frame-Options", "DENY");
  return response;
}

std::string Hidden(std::string_view name, std::string_view value) {
  return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + HtmlEscape(value) + "\">\n";
}

// The authorize page's passkey button: asks the browser for an assertion
// with the options the page carries, and sends it in the form.
constexpr std::string_view kPasskeyScript = R"js('use strict';
const button = document.getElementById('passkey');
const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const text = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
if (button && window.PublicKeyCredential) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    const options = JSON.parse(button.dataset.options);
    const form = button.form;
    try {
      const credential = await navigator.credentials.get({ publicKey: {
        challenge: bytes(options.challenge), rpId: options.rpId, timeout: options.timeout,
        userVerification: options.userVerification,
        allowCredentials: options.allowCredentials.map((c) => ({ type: c.type, id: bytes(c.id) })),
      } });
      const r = credential.response;
      form.elements['credential[id]'].value = text(credential.rawId);
      form.elements['credential[client_data_json]'].value = text(r.clientDataJSON);
      form.elements['credential[authenticator_data]'].value = text(r.authenticatorData);
      form.elements['credential[signature]'].value = text(r.signature);
      form.elements.code.required = false;
      form.submit();
    } catch (error) {
      document.getElementById('passkey-error').textContent = 'The passkey was not used: ' + error.message;
    }
  });
}
)js";

Response AuthorizePage(const std::string& app_name, const service::AuthorizationRequest& req,
                       const std::string& scopes, const std::string& state,
                       const std::string& anti_forgery, const std::string& message, int status,
                       bool secure, const service::SignInChallenge* challenge = nullptr) {
  const std::string sign_in_token = challenge ? challenge->token : "";
  std::string body =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Sign in to authorize " + HtmlEscape(app_name) + "</title></head><body><main>\n"
      "<h1>Authorize " + HtmlEscape(app_name) + "</h1>\n"
      "<p>This application asks for access to your account with the scopes: <strong>" +
      HtmlEscape(scopes) + "</strong></p>\n";
  if (!message.empty()) body += "<p role=\"alert\">" + HtmlEscape(message) + "</p>\n";
  body += "<form method=\"post\" action=\"/oauth/authorize\">\n";
  body += Hidden("client_id", req.client_id) + Hidden("redirect_uri", req.redirect_uri) +
          Hidden("scope", scopes) + Hidden("state", state) +
          Hidden("code_challenge", req.code_challenge) +
          Hidden("code_challenge_method", req.code_challenge_method) +
          Hidden("authenticity_token", anti_forgery);
  if (sign_in_token.empty()) {
    body +=
        "<p><label for=\"username\">Username or e-mail</label><br>"
        "<input id=\"username\" name=\"username\" autocomplete=\"username\" required></p>\n"
        "<p><label for=\"password\">Password</label><br>"
        "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\n"
        "<p><button type=\"submit\">Authorize</button></p>\n</form></main></body></html>\n";
  } else {
    // The second step: the password was right, and the account has a
    // second factor (docs/account-security.md).
    body += Hidden("sign_in_token", sign_in_token);
    body +=
        "<p><label for=\"code\">Code from your authenticator app, or a recovery code</label><br>"
        "<input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" autocapitalize=\"none\" "
        "spellcheck=\"false\" required autofocus></p>\n"
        "<p><button type=\"submit\">Verify and authorize</button></p>\n";
    if (!challenge->webauthn_challenge.empty()) {
      json::array allow;
      for (const std::string& id : challenge->allow_credentials)
        allow.push_back(json::object{{"type", "public-key"}, {"id", id}});
      json::object options{{"challenge", challenge->webauthn_challenge}, {"rpId", challenge->rp_id},
                           {"allowCredentials", std::move(allow)}, {"userVerification", "preferred"},
                           {"timeout", 300000}};
      for (const char* field : {"id", "client_data_json", "authenticator_data", "signature"})
        body += Hidden(std::string("credential[") + field + "]", "");
      body += "<p><button type=\"button\" id=\"passkey\" hidden data-options=\"" +
              HtmlEscape(json::serialize(options)) + "\">Use a passkey instead</button></p>\n"
              "<p id=\"passkey-error\" role=\"alert\"></p>\n"
              "<script src=\"/oauth/passkey.js\"></script>\n";
    }
    body += "</form></main></body></html>\n";
  }
  Response response = Html(status, std::move(body));
  response.AddHeader("Set-Cookie", std::string(kAuthorizeCookie) + "=" + anti_forgery +
                                       "; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=3600" +
                                       (secure ? "; Secure" : ""));
  return response;
}

Result<service::AuthorizationRequest> AuthorizationFrom(const Params& params) {
  service::AuthorizationRequest req;
  for (auto [name, target] : {std::pair{"client_id", &req.client_id},
                              std::pair{"redirect_uri", &req.redirect_uri},
                              std::pair{"scope", &req.scope},
                              std::pair{"code_challenge", &req.code_challenge},
                              std::pair{"code_challenge_method", &req.code_challenge_method}}) {
    auto value = params.String(name, 2000);
    if (!value) return std::move(value).error();
    *target = value->value_or("");
  }
  if (req.redirect_uri.empty())
    return Error::Invalid("redirect_uri", "redirect_uri is required", "missing_field");
  return req;
}

}  // namespace

void RegisterOAuthRoutes(http::Router& router, ApiContext& ctx) {
  using http::Pool;

  router.Add("POST", "/api/v1/apps", Wrap([&ctx](Request& request) -> Result<Response> {
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    service::NewApp input;
    auto name = params->RequiredString("client_name", 10000);
    if (!name) return std::move(name).error();
    input.name = std::move(*name);
    auto uris = params->StringList("redirect_uris", 20);
    if (!uris) return std::move(uris).error();
    // A single string may hold several URIs separated by newlines or spaces.
    for (const std::string& entry : *uris) {
      size_t start = 0;
      while (start < entry.size()) {
        size_t end = entry.find_first_of("\n ", start);
        if (end == std::string::npos) end = entry.size();
        if (end > start) input.redirect_uris.push_back(entry.substr(start, end - start));
        start = end + 1;
      }
    }
    auto scopes = params->String("scopes", 1000);
    if (!scopes) return std::move(scopes).error();
    input.scopes = scopes->value_or("read");
    auto website = params->String("website", 2000);
    if (!website) return std::move(website).error();
    input.website = website->value_or("");
    auto created = service::CreateApp(ctx.services, input);
    if (!created) return std::move(created).error();
    json::object out = AppJson(created->app);
    out["client_id"] = created->app.client_id;
    out["client_secret"] = created->client_secret;
    return Json(out);
  }));

  router.Add("GET", "/api/v1/apps/verify_credentials", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "", false);
    if (!principal) return std::move(principal).error();
    if (!principal->app) return Error::Unauthorized("The access token is invalid", "invalid_token");
    json::object out = AppJson(*principal->app);
    return Json(out);
  }));

  router.Add("GET", "/oauth/authorize", [&ctx](Request& request) -> Response {
    auto params = Params::From(request);
    if (!params) return http::ErrorResponse(params.error());
    auto response_type = params->String("response_type", 50);
    if (!response_type) return http::ErrorResponse(response_type.error());
    if (response_type->value_or("") != "code")
      return http::ErrorResponse(Error::Invalid("response_type", "response_type must be code"));
    auto req = AuthorizationFrom(*params);
    if (!req) return http::ErrorResponse(req.error());
    auto checked = service::CheckAuthorizationRequest(ctx.services, *req);
    if (!checked) return http::ErrorResponse(checked.error());
    auto state = params->String("state", 2000);
    if (!state) return http::ErrorResponse(state.error());
    return AuthorizePage(checked->first.name, *req, checked->second, state->value_or(""),
                         service::RandomToken(), "", 200,
                         ctx.services.settings.secure_cookies || request.secure);
  });

  router.Add("POST", "/oauth/authorize", [&ctx](Request& request) -> Response {
    auto params = Params::From(request);
    if (!params) return http::ErrorResponse(params.error());
    auto req = AuthorizationFrom(*params);
    if (!req) return http::ErrorResponse(req.error());
    auto checked = service::CheckAuthorizationRequest(ctx.services, *req);
    if (!checked) return http::ErrorResponse(checked.error());
    auto state = params->String("state", 2000);
    if (!state) return http::ErrorResponse(state.error());
    auto token = params->String("authenticity_token", 100);
    if (!token) return http::ErrorResponse(token.error());
    std::string anti_forgery = token->value_or("");
    std::string_view cookie = request.Cookie(kAuthorizeCookie);
    if (anti_forgery.empty() || !service::ConstantTimeEquals(anti_forgery, cookie))
      return http::ErrorResponse(Error::Forbidden(
          "The sign-in form expired or was not sent from this site; reload it", "csrf_failed"));
    auto attempt = SignInAttemptFrom(*params, request);
    if (!attempt) return http::ErrorResponse(attempt.error());
    bool secure = ctx.services.settings.secure_cookies || request.secure;
    auto step = service::CheckSignIn(ctx.services, *attempt);
    if (!step) {
      const Error& error = step.error();
      // A wrong code (or passkey) asks again, with the same token.
      if (error.kind == ErrorKind::kUnauthorized && (error.code == "invalid_code" || error.code == "invalid_credential")) {
        auto retry = service::SignInChallengeOf(ctx.services, attempt->sign_in_token);
        if (!retry) return http::ErrorResponse(retry.error());
        if (*retry)
          return AuthorizePage(checked->first.name, *req, checked->second, state->value_or(""),
                               service::RandomToken(), error.message, 401, secure, &**retry);
      }
      if (error.kind != ErrorKind::kUnauthorized) return http::ErrorResponse(error);
      return AuthorizePage(checked->first.name, *req, checked->second, state->value_or(""),
                           service::RandomToken(), error.message, 401, secure);
    }
    if (!step->account)
      return AuthorizePage(checked->first.name, *req, checked->second, state->value_or(""),
                           service::RandomToken(), "", 200, secure, &step->challenge);
    const std::optional<store::Account>& account = step->account;
    if (!account->approved)
      return http::ErrorResponse(Error::Forbidden("Your login is currently pending approval", "pending_approval"));
    auto code = service::IssueAuthorizationCode(ctx.services, checked->first, account->id, *req,
                                                checked->second);
    if (!code) return http::ErrorResponse(code.error());
    if (req->redirect_uri == service::kOutOfBand) {
      return Html(200,
                  "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<title>Authorization code</title></head><body><main><h1>Authorization code</h1>"
                  "<p>Copy this code into the application:</p><p><code id=\"code\">" +
                      HtmlEscape(*code) + "</code></p></main></body></html>\n");
    }
    std::string location = req->redirect_uri;
    location += location.find('?') == std::string::npos ? '?' : '&';
    location += "code=" + PercentEncode(*code);
    if (!state->value_or("").empty()) location += "&state=" + PercentEncode(**state);
    Response response;
    response.status = 302;
    response.content_type = "text/plain; charset=utf-8";
    response.AddHeader("Location", location);
    response.AddHeader("Cache-Control", "no-store");
    return response;
  }, Pool::kCpu);

  router.Add("GET", "/oauth/passkey.js", [](Request&) -> Response {
    Response response;
    response.content_type = "text/javascript; charset=utf-8";
    response.body = std::string(kPasskeyScript);
    response.AddHeader("Cache-Control", "no-cache");
    response.AddHeader("X-Content-Type-Options", "nosniff");
    return response;
  });

  router.Add("POST", "/oauth/token", WrapOAuth([&ctx](Request& request) -> Result<Response> {
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto grant = params->String("grant_type", 100);
    if (!grant) return std::move(grant).error();
    if (!*grant) return Error::BadRequest("invalid_request", "grant_type is required", "grant_type");
    auto client = ClientFrom(*params);
    if (!client) return std::move(client).error();
    auto app = service::AuthenticateClient(ctx.services, *client);
    if (!app) return std::move(app).error();
    auto scope = params->String("scope", 1000);
    if (!scope) return std::move(scope).error();
    std::string ip = request.remote_ip, agent = UserAgent(request);

    Result<service::IssuedToken> issued = Error::Internal("unreachable");
    if (**grant == "authorization_code") {
      auto code = params->String("code", 200);
      auto redirect = params->String("redirect_uri", 2000);
      auto verifier = params->String("code_verifier", 200);
      if (!code) return std::move(code).error();
      if (!redirect) return std::move(redirect).error();
      if (!verifier) return std::move(verifier).error();
      issued = service::RedeemAuthorizationCode(ctx.services, *app, code->value_or(""),
                                                redirect->value_or(""), verifier->value_or(""), ip, agent);
    } else if (**grant == "password" || **grant == "client_credentials") {
      auto scopes = service::NormalizeScopes(scope->value_or(""), "scope", app->scopes);
      if (!scopes) return std::move(scopes).error();
      if (!service::ScopesWithin(*scopes, app->scopes))
        return Error::BadRequest("invalid_scope", "scope asks for more than the application registered", "scope");
      std::optional<int64_t> account_id;
      if (**grant == "password") {
        auto username = params->String("username", 320);
        auto password = params->String("password", 1024);
        if (!username) return std::move(username).error();
        if (!password) return std::move(password).error();
        auto account = service::CheckPasswordGrant(ctx.services, username->value_or(""),
                                                   password->value_or(""), ip);
        if (!account) {
          Error error = std::move(account).error();
          if (error.kind == ErrorKind::kUnauthorized) error.code = "invalid_grant", error.kind = ErrorKind::kBadRequest;
          return error;
        }
        account_id = account->id;
      }
      issued = account_id ? service::IssueTokenForSignIn(ctx.services, *app, *account_id, *scopes, ip, agent)
                          : service::IssueToken(ctx.services, *app, account_id, *scopes, ip, agent);
    } else {
      return Error::BadRequest("unsupported_grant_type",
                               "grant_type must be authorization_code, password or client_credentials",
                               "grant_type");
    }
    if (!issued) return std::move(issued).error();
    return Json(TokenJson(*issued));
  }), Pool::kCpu);

  router.Add("POST", "/oauth/revoke", WrapOAuth([&ctx](Request& request) -> Result<Response> {
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto client = ClientFrom(*params);
    if (!client) return std::move(client).error();
    auto app = service::AuthenticateClient(ctx.services, *client);
    if (!app) return std::move(app).error();
    auto token = params->String("token", 200);
    if (!token) return std::move(token).error();
    VANTAGE_TRY(service::RevokeToken(ctx.services, *app, token->value_or("")));
    return Json(json::object());
  }));
}

}  // namespace vantage::api
