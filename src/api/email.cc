// E-mail links and the flows they finish (service/mail.h): confirming an
// address, resetting a forgotten password, changing the address.
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/params.h"
#include "service/mail.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

Response NoStore(Response response) {
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

}  // namespace

void RegisterEmailRoutes(http::Router& router, ApiContext& ctx) {
  using http::Pool;

  // The same answer whether or not an account has the address.
  router.Add("POST", "/auth/password/forgot", Wrap([&ctx](Request& request) -> Result<Response> {
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto email = params->RequiredString("email", 320);
    if (!email) return std::move(email).error();
    VANTAGE_TRY(service::RequestPasswordReset(ctx.services, *email, request.remote_ip));
    return NoStore(Json(json::object()));
  }));

  // The sign-up confirmation sent again to an address that awaits it, for
  // someone who cannot sign in until it is confirmed: `{}` whatever the
  // address, as for resets.
  router.Add("POST", "/auth/email/confirmation", Wrap([&ctx](Request& request) -> Result<Response> {
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto email = params->RequiredString("email", 320);
    if (!email) return std::move(email).error();
    VANTAGE_TRY(service::RequestConfirmationLink(ctx.services, *email, request.remote_ip));
    return NoStore(Json(json::object()));
  }));

  router.Add("POST", "/auth/password/reset", Wrap([&ctx](Request& request) -> Result<Response> {
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto token = params->RequiredString("token", 200);
    if (!token) return std::move(token).error();
    auto password = params->RequiredString("password", 1024);
    if (!password) return std::move(password).error();
    VANTAGE_TRY(service::ResetPasswordWithToken(ctx.services, *token, *password));
    return NoStore(Json(json::object()));
  }), Pool::kCpu);

  router.Add("POST", "/auth/email/confirm", Wrap([&ctx](Request& request) -> Result<Response> {
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto token = params->RequiredString("token", 200);
    if (!token) return std::move(token).error();
    VANTAGE_TRY(service::ConfirmEmail(ctx.services, *token));
    return NoStore(Json(json::object()));
  }));

  // Mastodon's: sends the confirmation again. The account's address is
  // unconfirmed, so its token is taken without the confirmation check.
  router.Add("POST", "/api/v1/emails/confirmations", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "", /*require_account=*/false);
    if (!principal) return std::move(principal).error();
    if (!principal->account) return Error::Forbidden("This method requires an authenticated user", "user_required");
    VANTAGE_TRY(service::ResendEmailConfirmation(ctx.services, *principal->account));
    return Json(json::object());
  }));

  router.Add("POST", "/api/vantage/v1/email", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    if (principal->acting_staff)
      return Error::Forbidden("An organisation has no e-mail address of its own", "not_allowed");
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto email = params->RequiredString("email", 320);
    if (!email) return std::move(email).error();
    auto password = params->RequiredString("password", 1024);
    if (!password) return std::move(password).error();
    VANTAGE_TRY(service::RequestEmailChange(ctx.services, *principal->account, *email, *password));
    return Json(json::object(), 202);
  }), Pool::kCpu);
}

}  // namespace vantage::api
