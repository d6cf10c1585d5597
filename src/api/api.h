// Shared pieces of the API handlers: the context they run in, authorization,
// and JSON responses. Handlers are thin: parse, authorize, call a service,
// serialize.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/json/value.hpp>

#include "core/error.h"
#include "http/request.h"
#include "http/router.h"
#include "service/auth.h"
#include "service/context.h"
#include "service/organisations.h"

namespace vantage::http {
class Metrics;
class WorkerPool;
}  // namespace vantage::http
namespace vantage::service {
struct ExportContext;
struct MediaContext;
}  // namespace vantage::service
namespace vantage::store {
class EventBus;
}  // namespace vantage::store

namespace vantage::api {

// The instance entity changes rarely; it is rendered once and refreshed when
// accounts are created (and at most a minute late for changes made elsewhere).
class InstanceCache {
 public:
  struct Bodies {
    std::string v1;
    std::string v2;
    int64_t built_at = 0;
  };
  std::shared_ptr<const Bodies> Get() const;
  void Set(std::shared_ptr<const Bodies> bodies);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Bodies> bodies_;
};

struct ApiContext {
  service::ServiceContext& services;
  const http::Metrics* metrics = nullptr;  // set before serving
  http::WorkerPool* db_pool = nullptr;     // for background refreshes
  service::MediaContext* media = nullptr;  // uploads and files; set before RegisterRoutes
  service::ExportContext* exports = nullptr;  // account archives; set before RegisterRoutes
  store::EventBus* event_bus = nullptr;    // live event streams; none: they answer 503
  // /metrics answers loopback clients, and others that send this as a
  // bearer token (empty: loopback only). Its counters tell when staff open
  // the approval queue or change staff, so the world may not read them.
  std::string metrics_token;
  InstanceCache instance;
  std::atomic<bool> instance_refreshing{false};
  std::string version = "0.1.0";
};

// Registers every route of the API.
void RegisterRoutes(http::Router& router, ApiContext& ctx);

// --- helpers for handlers -------------------------------------------------

using ApiHandler = std::function<Result<http::Response>(http::Request&)>;
// Turns a Result-returning handler into a router handler.
http::Handler Wrap(ApiHandler handler);

http::Response Json(const boost::json::value& value, int status = 200);

// Authenticates the request (bearer token, or session cookie with CSRF check
// on writes) and checks the scope. With `require_account`, app-only tokens and
// accounts awaiting approval are refused.
Result<service::Principal> Authorize(ApiContext& ctx, const http::Request& request,
                                     std::string_view scope, bool require_account = true);

// Who is asking: nobody for a request without credentials; credentials that
// are present must be valid and carry `scope` (app-only tokens read as
// nobody in particular; an account awaiting approval is refused).
Result<std::optional<store::Account>> OptionalViewer(ApiContext& ctx, const http::Request& request,
                                                     std::string_view scope);
// The same with the credentials that say so (the token or session): nullopt
// without credentials, and for app-only tokens.
Result<std::optional<service::Principal>> OptionalPrincipal(ApiContext& ctx, const http::Request& request,
                                                            std::string_view scope);

// Authorize for an instance admin's route: Forbidden "admin_required"
// ("Only instance admins <what>") for anyone else, and for staff acting as
// an organisation, who act with its rights, never an admin's.
Result<service::Principal> AuthorizeAdmin(ApiContext& ctx, const http::Request& request, std::string_view scope,
                                          std::string_view what);
// The staff member behind `principal` (acting as an organisation or not),
// with the session they use, for AdmitStaffVisit.
service::StaffVisit StaffVisitOf(const service::Principal& principal, const http::Request& request);

// The request's first path parameter as an id; NotFound when it is not one.
Result<int64_t> PathId(const http::Request& request);

// The client's address and agent, for throttles and the session list.
std::string UserAgent(const http::Request& request);

class Params;
// A password sign-in's fields (sessions.cc): `username` and `password`, or
// for the second step `sign_in_token` and `code`.
Result<service::SignInAttempt> SignInAttemptFrom(const Params& params, const http::Request& request);
// A passkey's assertion sent as `credential` ({id, client_data_json,
// authenticator_data, signature}, base64url); none when not sent.
Result<std::optional<service::PasskeyAssertion>> PasskeyAssertionFrom(const Params& params);
// A second factor proved again (service::SecondFactorProof): `code`, or
// `challenge_token` with a `credential` answering its challenge.
Result<service::SecondFactorProof> SecondFactorProofFrom(const Params& params);
// PublicKeyCredentialRequestOptions for `challenge` (binary fields in
// base64url), as the browser's navigator.credentials.get takes them.
boost::json::object WebAuthnRequestOptions(const service::SignInChallenge& challenge);
// One binary field of a `credential` object, decoded from base64url;
// Invalid naming `credential` when it is missing, empty or not base64url.
Result<std::string> CredentialField(const std::map<std::string, std::string>& credential, const char* key);

// Rebuilds the instance entity now (blocking: call on a pool thread).
void RefreshInstance(ApiContext& ctx);

// Per-resource registration, one file each.
void RegisterInstanceRoutes(http::Router& router, ApiContext& ctx);
void RegisterOAuthRoutes(http::Router& router, ApiContext& ctx);
void RegisterAccountRoutes(http::Router& router, ApiContext& ctx);
void RegisterSessionRoutes(http::Router& router, ApiContext& ctx);
void RegisterSecondFactorRoutes(http::Router& router, ApiContext& ctx);  // second_factors.cc
void RegisterEmailRoutes(http::Router& router, ApiContext& ctx);         // email.cc
void RegisterDataRightsRoutes(http::Router& router, ApiContext& ctx);    // data_rights.cc
void RegisterStatusRoutes(http::Router& router, ApiContext& ctx);
void RegisterAtomFeedRoutes(http::Router& router, ApiContext& ctx);     // atom_feed.cc
void RegisterInsightRoutes(http::Router& router, ApiContext& ctx);      // insights.cc
void RegisterMediaRoutes(http::Router& router, ApiContext& ctx);
void RegisterClientStartupRoutes(http::Router& router, ApiContext& ctx);
void RegisterGraphRoutes(http::Router& router, ApiContext& ctx);        // graph.cc
void RegisterInteractionRoutes(http::Router& router, ApiContext& ctx);  // interactions.cc
void RegisterNotificationRoutes(http::Router& router, ApiContext& ctx); // notifications.cc
void RegisterTimelineRoutes(http::Router& router, ApiContext& ctx);     // timelines.cc
void RegisterOrganisationRoutes(http::Router& router, ApiContext& ctx); // organisations.cc
void RegisterDraftRoutes(http::Router& router, ApiContext& ctx);        // drafts.cc
void RegisterQaRoutes(http::Router& router, ApiContext& ctx);           // qa.cc
void RegisterDomainRoutes(http::Router& router, ApiContext& ctx);       // domains.cc

}  // namespace vantage::api
