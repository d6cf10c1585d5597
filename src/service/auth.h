// Authentication: OAuth applications and grants, bearer tokens and web
// sessions. Secrets are returned in plain text exactly once, at issue, and
// stored only as SHA-256 digests.
//
// All functions block: call them from a pool thread. Those that check a
// password run argon2id and belong on the CPU pool.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "service/second_factors.h"
#include "store/store.h"

namespace vantage::service {

inline constexpr std::string_view kOutOfBand = "urn:ietf:wg:oauth:2.0:oob";
inline constexpr std::string_view kSessionScopes = "read write follow";

// Who is making a request.
struct Principal {
  store::Token token;
  std::optional<store::Account> account;  // absent for app-only tokens
  std::optional<store::App> app;          // absent for web sessions
  bool via_cookie = false;
  // Set when a staff member acts as an organisation (Vantage-Act-As):
  // `account` is then the organisation's, and this the staff member's.
  std::optional<store::Account> acting_staff;
};

struct NewApp {
  std::string name;
  std::vector<std::string> redirect_uris;
  std::string scopes;
  std::string website;
};
struct CreatedApp {
  store::App app;
  std::string client_secret;  // plain, shown once
};
Result<CreatedApp> CreateApp(ServiceContext& ctx, const NewApp& input);

struct IssuedToken {
  store::Token token;
  std::string access_token;  // plain, shown once
};

struct ClientCredentials {
  std::string client_id;
  std::string client_secret;
};
// Checks a client's id and secret. Unauthorized "invalid_client" otherwise.
Result<store::App> AuthenticateClient(ServiceContext& ctx, const ClientCredentials& client);

// Checks a username-or-email and password under the sign-in throttles.
// Unknown accounts and wrong passwords give the same error after the same work.
Result<store::Account> CheckCredentials(ServiceContext& ctx, std::string_view login,
                                        std::string_view password, const std::string& ip);

Result<IssuedToken> IssueToken(ServiceContext& ctx, const store::App& app,
                               std::optional<int64_t> account_id, const std::string& scopes,
                               const std::string& ip, const std::string& user_agent);

// IssueToken for a sign-in of `account_id` (the authorization code and
// password grants): the account holder is told of a sign-in from a device
// (user agent) none of its sessions or tokens has used.
Result<IssuedToken> IssueTokenForSignIn(ServiceContext& ctx, const store::App& app, int64_t account_id,
                                        const std::string& scopes, const std::string& ip,
                                        const std::string& user_agent);

struct AuthorizationRequest {
  std::string client_id;
  std::string redirect_uri;
  std::string scope;
  std::string code_challenge;
  std::string code_challenge_method;
};
// Validates an authorization request (before showing the consent page).
// Returns the app and the normalised scopes.
Result<std::pair<store::App, std::string>> CheckAuthorizationRequest(ServiceContext& ctx,
                                                                     const AuthorizationRequest& req);
// Issues a single-use code for a signed-in account (valid 10 minutes).
Result<std::string> IssueAuthorizationCode(ServiceContext& ctx, const store::App& app,
                                           int64_t account_id, const AuthorizationRequest& req,
                                           const std::string& scopes);
// Redeems a code. Errors are OAuth's invalid_grant (400).
Result<IssuedToken> RedeemAuthorizationCode(ServiceContext& ctx, const store::App& app,
                                            const std::string& code, const std::string& redirect_uri,
                                            const std::string& code_verifier,
                                            const std::string& ip, const std::string& user_agent);

// Revokes a token issued to this client; unknown tokens are not an error (RFC 7009).
Status RevokeToken(ServiceContext& ctx, const store::App& app, const std::string& token);

// Resolves a bearer token or a session cookie value. Unauthorized when unknown
// or revoked. Touches last_used_at at most once a minute.
Result<Principal> Authenticate(ServiceContext& ctx, std::string_view secret, bool via_cookie);

// The password grant: CheckCredentials, and Forbidden
// "second_factor_required" for an account with a second factor, which must
// sign in through the authorization page.
Result<store::Account> CheckPasswordGrant(ServiceContext& ctx, std::string_view login,
                                          std::string_view password, const std::string& ip);

// A sign-in that takes a password (the web sign-in, the authorization page):
// the password first, then, for an account with a second factor, a code with
// the token the first step handed out (service/second_factors.h).
struct SignInAttempt {
  std::string login, password;      // the first step
  std::string sign_in_token, code;  // the second step, when sign_in_token is set
  std::optional<PasskeyAssertion> assertion;  // or a passkey instead of the code
  std::string ip, user_agent;
};
// Who signed in, or (after the password of an account with a second factor)
// the token to carry to the second step, with what it will take.
struct SignInStep {
  std::optional<store::Account> account;
  SignInChallenge challenge;
};
Result<SignInStep> CheckSignIn(ServiceContext& ctx, const SignInAttempt& attempt);

struct WebSession {
  store::Token token;
  store::Account account;
  std::string cookie_value;  // plain, shown once
};
// A web session once CheckSignIn names the account; otherwise no session and
// the token for the second step.
struct SignInOutcome {
  std::optional<WebSession> session;
  SignInChallenge challenge;
};
Result<SignInOutcome> SignIn(ServiceContext& ctx, const SignInAttempt& attempt);

Result<std::vector<store::Token>> ListSessions(ServiceContext& ctx, int64_t account_id);
// NotFound unless the token belongs to the account.
Status RevokeSession(ServiceContext& ctx, int64_t account_id, int64_t token_id);
// Ends the session (or token) `token_id`, and the live streams it opened.
Status SignOut(ServiceContext& ctx, int64_t token_id);
// "Sign out everywhere": ends every session and token of the account but
// `keep_token_id` (the one asking); how many ended.
Result<int64_t> SignOutEverywhereElse(ServiceContext& ctx, int64_t account_id, int64_t keep_token_id);

}  // namespace vantage::service
