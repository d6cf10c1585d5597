#include "service/auth.h"

#include <algorithm>

#include "core/text.h"
#include "service/crypto.h"
#include "service/mail.h"
#include "service/organisations.h"
#include "service/scopes.h"
#include "service/second_factors.h"

namespace vantage::service {

namespace {

constexpr int64_t kCodeLifetimeMs = 10 * 60 * 1000;
constexpr int64_t kTouchEveryMs = 60 * 1000;
constexpr size_t kMaxAppName = 200;
constexpr size_t kMaxUri = 2000;

Error InvalidGrant(std::string message) {
  return Error::BadRequest("invalid_grant", std::move(message));
}

bool IsAbsoluteUri(std::string_view uri) {
  if (uri == kOutOfBand) return true;
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = uri[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  std::string scheme = AsciiLower(uri.substr(0, colon));
  if (scheme == "javascript" || scheme == "data" || scheme == "vbscript") return false;
  if (uri.find_first_of(" \t\r\n<>\"") != std::string_view::npos) return false;
  std::string_view rest = uri.substr(colon + 1);
  if (rest.starts_with("//")) {
    std::string_view authority = rest.substr(2, rest.find_first_of("/?#", 2) - 2);
    // A web redirect needs a host; app schemes (myapp://callback) need something.
    if (authority.empty() && (scheme == "http" || scheme == "https" || rest.size() == 2)) return false;
    return true;
  }
  return !rest.empty() && scheme != "http" && scheme != "https";
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool AppAllowsRedirect(const store::App& app, std::string_view redirect_uri) {
  for (std::string_view allowed : SplitLines(app.redirect_uris))
    if (allowed == redirect_uri) return true;
  return false;
}

}  // namespace

Result<CreatedApp> CreateApp(ServiceContext& ctx, const NewApp& input) {
  std::string name(Trim(input.name));
  if (name.empty()) return Error::Invalid("client_name", "client_name must not be empty", "missing_field");
  if (Utf8Length(name) > kMaxAppName)
    return Error::Invalid("client_name", "client_name must be at most 200 characters", "too_long");
  if (input.redirect_uris.empty())
    return Error::Invalid("redirect_uris", "redirect_uris must not be empty", "missing_field");
  std::string uris;
  for (const std::string& uri : input.redirect_uris) {
    if (uri.size() > kMaxUri)
      return Error::Invalid("redirect_uris", "redirect_uris entries must be at most 2000 characters",
                            "too_long");
    if (!IsAbsoluteUri(uri))
      return Error::Invalid("redirect_uris",
                            "redirect_uris must be absolute URIs or urn:ietf:wg:oauth:2.0:oob");
    if (!uris.empty()) uris.push_back('\n');
    uris += uri;
  }
  auto scopes = NormalizeScopes(input.scopes, "scopes");
  if (!scopes) return std::move(scopes).error();
  if (input.website.size() > kMaxUri)
    return Error::Invalid("website", "website must be at most 2000 characters", "too_long");
  if (!input.website.empty() && !(input.website.starts_with("https://") || input.website.starts_with("http://")))
    return Error::Invalid("website", "website must be an http(s) URL");

  CreatedApp created;
  created.client_secret = RandomToken();
  store::App& app = created.app;
  app.id = ctx.ids.Next();
  app.name = name;
  app.website = input.website;
  app.redirect_uris = uris;
  app.scopes = *scopes;
  app.client_id = RandomToken();
  app.client_secret_hash = Sha256Hex(created.client_secret);
  app.created_at = NowUnixMs();
  auto stored = ctx.store.apps().Create(app);
  if (!stored) return std::move(stored).error();
  created.app = std::move(*stored);
  return created;
}

Result<store::App> AuthenticateClient(ServiceContext& ctx, const ClientCredentials& client) {
  Error invalid = Error::Unauthorized("Client authentication failed", "invalid_client");
  if (client.client_id.empty() || client.client_secret.empty()) return invalid;
  auto app = ctx.store.apps().FindByClientId(client.client_id);
  if (!app) return std::move(app).error();
  if (!*app || !ConstantTimeEquals((*app)->client_secret_hash, Sha256Hex(client.client_secret)))
    return invalid;
  return std::move(**app);
}

Result<store::Account> CheckCredentials(ServiceContext& ctx, std::string_view login,
                                        std::string_view password, const std::string& ip) {
  int64_t now = NowUnixMs();
  if (int wait = ctx.sign_in_by_ip.Hit(AddressKey(ip), now)) return Error::RateLimited(wait);

  Error invalid = Error::Unauthorized("Invalid username or password", "invalid_credentials");
  if (login.empty() || password.empty() || login.size() > 320 || password.size() > 1024) {
    BurnPasswordCheck(password.substr(0, 128));
    return invalid;
  }
  auto account = login.find('@') != std::string_view::npos ? ctx.store.accounts().FindByEmail(login)
                                                           : ctx.store.accounts().FindByUsername(login);
  if (!account) return std::move(account).error();
  // Failures count per account and source together, however the account
  // was named (username or e-mail; names that match no account count under
  // the name itself): someone guessing from elsewhere cannot lock the real
  // person out, while each source (an IPv6 /64 counts as one) gets its ten
  // tries per account and, across accounts, the per-IP limit above.
  std::string key = (*account ? "id:" + std::to_string((*account)->id) : "name:" + AsciiLower(login)) + "@" +
                    AddressKey(ip);
  if (int wait = ctx.sign_in_by_account.Check(key, now)) return Error::RateLimited(wait);
  if (!*account) {
    BurnPasswordCheck(password);
    ctx.sign_in_by_account.Hit(key, now);
    return invalid;
  }
  if (!VerifyPassword((*account)->password_hash, password)) {
    ctx.sign_in_by_account.Hit(key, now);
    return invalid;
  }
  // A staff member's sign-in reaches an organisation's audit log only when
  // the session first acts for it (AdmitStaffVisit).
  return std::move(**account);
}

// Stores a new token or session for `secret` (a fresh random value the
// caller hands out once). The digest is all that is kept.
static Result<store::Token> StoreToken(ServiceContext& ctx, const std::string& secret,
                                       store::TokenKind kind, std::optional<int64_t> app_id,
                                       std::optional<int64_t> account_id, const std::string& scopes,
                                       const std::string& ip, const std::string& user_agent) {
  store::Token token;
  token.id = ctx.ids.Next();
  token.token_hash = Sha256Hex(secret);
  token.kind = kind;
  token.app_id = app_id;
  token.account_id = account_id;
  token.scopes = scopes;
  if (kind == store::TokenKind::kSession) token.csrf_token = RandomToken();
  token.ip = ip;
  token.user_agent = user_agent.substr(0, 300);
  token.created_at = token.last_used_at = NowUnixMs();
  return ctx.store.tokens().Create(token);
}

Result<IssuedToken> IssueToken(ServiceContext& ctx, const store::App& app,
                               std::optional<int64_t> account_id, const std::string& scopes,
                               const std::string& ip, const std::string& user_agent) {
  IssuedToken issued;
  issued.access_token = RandomToken();
  auto token = StoreToken(ctx, issued.access_token, store::TokenKind::kOAuth, app.id, account_id,
                          scopes, ip, user_agent);
  if (!token) return std::move(token).error();
  issued.token = std::move(*token);
  return issued;
}

Result<std::pair<store::App, std::string>> CheckAuthorizationRequest(ServiceContext& ctx,
                                                                     const AuthorizationRequest& req) {
  if (req.client_id.empty()) return Error::Invalid("client_id", "client_id is required", "missing_field");
  auto app = ctx.store.apps().FindByClientId(req.client_id);
  if (!app) return std::move(app).error();
  if (!*app) return Error::Invalid("client_id", "client_id does not name a registered application");
  if (!AppAllowsRedirect(**app, req.redirect_uri))
    return Error::Invalid("redirect_uri", "redirect_uri is not registered for this application");
  auto scopes = NormalizeScopes(req.scope, "scope", (*app)->scopes);
  if (!scopes) return std::move(scopes).error();
  if (!ScopesWithin(*scopes, (*app)->scopes))
    return Error::Invalid("scope", "scope asks for more than the application registered");
  if (!req.code_challenge.empty() || !req.code_challenge_method.empty()) {
    if (req.code_challenge_method != "S256")
      return Error::Invalid("code_challenge_method", "code_challenge_method must be S256");
    if (req.code_challenge.size() < 43 || req.code_challenge.size() > 128)
      return Error::Invalid("code_challenge", "code_challenge must be a base64url SHA-256 digest");
  }
  return std::make_pair(std::move(**app), std::move(*scopes));
}

Result<std::string> IssueAuthorizationCode(ServiceContext& ctx, const store::App& app,
                                           int64_t account_id, const AuthorizationRequest& req,
                                           const std::string& scopes) {
  std::string code = RandomToken();
  store::AuthorizationCode record;
  record.code_hash = Sha256Hex(code);
  record.app_id = app.id;
  record.account_id = account_id;
  record.redirect_uri = req.redirect_uri;
  record.scopes = scopes;
  record.code_challenge = req.code_challenge;
  record.expires_at = NowUnixMs() + kCodeLifetimeMs;
  VANTAGE_TRY(ctx.store.authorization_codes().Create(record));
  return code;
}

Result<IssuedToken> RedeemAuthorizationCode(ServiceContext& ctx, const store::App& app,
                                            const std::string& code, const std::string& redirect_uri,
                                            const std::string& code_verifier,
                                            const std::string& ip, const std::string& user_agent) {
  if (code.empty()) return Error::BadRequest("invalid_request", "code is required", "code");
  auto record = ctx.store.authorization_codes().Consume(Sha256Hex(code));
  if (!record) return std::move(record).error();
  if (!*record) return InvalidGrant("The authorization code is invalid or was already used");
  const store::AuthorizationCode& c = **record;
  if (c.app_id != app.id) return InvalidGrant("The authorization code was issued to another client");
  if (c.expires_at < NowUnixMs()) return InvalidGrant("The authorization code has expired");
  if (c.redirect_uri != redirect_uri)
    return InvalidGrant("redirect_uri does not match the one the code was issued for");
  if (!c.code_challenge.empty()) {
    if (code_verifier.empty()) return InvalidGrant("code_verifier is required for this code");
    if (!ConstantTimeEquals(Sha256Base64Url(code_verifier), c.code_challenge))
      return InvalidGrant("code_verifier does not match the code_challenge");
  }
  return IssueTokenForSignIn(ctx, app, c.account_id, c.scopes, ip, user_agent);
}

Result<IssuedToken> IssueTokenForSignIn(ServiceContext& ctx, const store::App& app, int64_t account_id,
                                        const std::string& scopes, const std::string& ip,
                                        const std::string& user_agent) {
  auto known = KnownDevice(ctx, account_id, user_agent);
  if (!known) return std::move(known).error();
  auto issued = IssueToken(ctx, app, account_id, scopes, ip, user_agent);
  if (!issued || *known) return issued;
  auto account = ctx.store.accounts().FindById(account_id);
  if (!account) return std::move(account).error();
  if (*account) VANTAGE_TRY(NoticeNewDevice(ctx, **account, ip, user_agent));
  return issued;
}

Status RevokeToken(ServiceContext& ctx, const store::App& app, const std::string& token) {
  if (token.empty()) return Error::BadRequest("invalid_request", "token is required", "token");
  std::string hash = Sha256Hex(token);
  auto found = ctx.store.tokens().FindByHash(hash);
  if (!found) return std::move(found).error();
  if (!*found || (*found)->app_id != app.id) return Ok();
  auto revoked = ctx.store.tokens().Revoke((*found)->id);
  if (!revoked) return std::move(revoked).error();
  TellAccessRevoked(ctx);
  return Ok();
}

Result<Principal> Authenticate(ServiceContext& ctx, std::string_view secret, bool via_cookie) {
  Error invalid = Error::Unauthorized("The access token is invalid", "invalid_token");
  if (secret.empty() || secret.size() > 200) return invalid;
  auto found = ctx.store.tokens().FindWithOwnersByHash(Sha256Hex(secret));
  if (!found) return std::move(found).error();
  if (!*found) return invalid;
  store::TokenOwners& owners = **found;
  bool is_session = owners.token.kind == store::TokenKind::kSession;
  if (is_session != via_cookie) return invalid;
  // A token whose account is gone authenticates nobody.
  if (owners.token.account_id && !owners.account) return invalid;

  Principal principal;
  principal.token = std::move(owners.token);
  principal.via_cookie = via_cookie;
  principal.account = std::move(owners.account);
  principal.app = std::move(owners.app);
  int64_t now = NowUnixMs();
  if (now - principal.token.last_used_at > kTouchEveryMs) {
    // Best effort: a failed touch must not fail the request.
    (void)ctx.store.tokens().Touch(principal.token.id, now);
    principal.token.last_used_at = now;
  }
  return principal;
}

Result<store::Account> CheckPasswordGrant(ServiceContext& ctx, std::string_view login,
                                          std::string_view password, const std::string& ip) {
  auto account = CheckCredentials(ctx, login, password, ip);
  if (!account) return std::move(account).error();
  auto second = HasSecondFactor(ctx, account->id);
  if (!second) return std::move(second).error();
  if (*second)
    return Error::Forbidden(
        "This account uses a second factor: sign in through the authorization page (/oauth/authorize) "
        "with grant_type=authorization_code",
        "second_factor_required");
  VANTAGE_TRY(CheckEmailConfirmed(ctx, account->id));
  return account;
}

Result<SignInStep> CheckSignIn(ServiceContext& ctx, const SignInAttempt& attempt) {
  SignInStep step;
  if (!attempt.sign_in_token.empty()) {
    auto account_id = CompleteSignIn(ctx, attempt.sign_in_token, attempt.code, attempt.assertion);
    if (!account_id) return std::move(account_id).error();
    auto account = ctx.store.accounts().FindById(*account_id);
    if (!account) return std::move(account).error();
    if (!*account) return Error::Unauthorized("The sign-in has expired; start again with the password", "sign_in_expired");
    VANTAGE_TRY(CheckEmailConfirmed(ctx, (*account)->id));
    step.account = std::move(**account);
    return step;
  }
  auto account = CheckCredentials(ctx, attempt.login, attempt.password, attempt.ip);
  if (!account) return std::move(account).error();
  auto second = HasSecondFactor(ctx, account->id);
  if (!second) return std::move(second).error();
  if (!*second) {
    VANTAGE_TRY(CheckEmailConfirmed(ctx, account->id));
    step.account = std::move(*account);
    return step;
  }
  auto token = IssueSignInToken(ctx, account->id);
  if (!token) return std::move(token).error();
  step.challenge = std::move(*token);
  return step;
}

Result<SignInOutcome> SignIn(ServiceContext& ctx, const SignInAttempt& attempt) {
  auto step = CheckSignIn(ctx, attempt);
  if (!step) return std::move(step).error();
  SignInOutcome outcome;
  if (!step->account) {
    outcome.challenge = std::move(step->challenge);
    return outcome;
  }
  auto known = KnownDevice(ctx, step->account->id, attempt.user_agent);
  if (!known) return std::move(known).error();
  WebSession session;
  session.cookie_value = RandomToken();
  auto token = StoreToken(ctx, session.cookie_value, store::TokenKind::kSession, std::nullopt,
                          step->account->id, std::string(kSessionScopes), attempt.ip, attempt.user_agent);
  if (!token) return std::move(token).error();
  session.token = std::move(*token);
  session.account = std::move(*step->account);
  if (!*known) VANTAGE_TRY(NoticeNewDevice(ctx, session.account, attempt.ip, attempt.user_agent));
  outcome.session = std::move(session);
  return outcome;
}

Result<std::vector<store::Token>> ListSessions(ServiceContext& ctx, int64_t account_id) {
  auto sessions = ctx.store.tokens().ListForAccount(account_id, store::TokenKind::kSession);
  if (!sessions) return std::move(sessions).error();
  auto tokens = ctx.store.tokens().ListForAccount(account_id, store::TokenKind::kOAuth);
  if (!tokens) return std::move(tokens).error();
  std::vector<store::Token> all = std::move(*sessions);
  for (auto& t : *tokens) all.push_back(std::move(t));
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  return all;
}

Status RevokeSession(ServiceContext& ctx, int64_t account_id, int64_t token_id) {
  auto sessions = ListSessions(ctx, account_id);
  if (!sessions) return std::move(sessions).error();
  bool owned = std::any_of(sessions->begin(), sessions->end(),
                           [&](const store::Token& t) { return t.id == token_id; });
  if (!owned) return Error::NotFound();
  return SignOut(ctx, token_id);
}

Result<int64_t> SignOutEverywhereElse(ServiceContext& ctx, int64_t account_id, int64_t keep_token_id) {
  auto revoked = ctx.store.tokens().RevokeAllForAccount(account_id, keep_token_id);
  if (!revoked) return std::move(revoked).error();
  TellAccessRevoked(ctx);
  return *revoked;
}

Status SignOut(ServiceContext& ctx, int64_t token_id) {
  auto revoked = ctx.store.tokens().Revoke(token_id);
  if (!revoked) return std::move(revoked).error();
  TellAccessRevoked(ctx);
  return Ok();
}

}  // namespace vantage::service
