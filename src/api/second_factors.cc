// /api/vantage/v1/second_factors: an account's TOTP and recovery codes
// (docs/account-security.md). The factors are the person's own: a staff
// member acting for an organisation manages their own.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/params.h"
#include "service/second_factors.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

const store::Account& Person(const service::Principal& principal) {
  return principal.acting_staff ? *principal.acting_staff : *principal.account;
}

Response RecoveryCodesJson(const std::vector<std::string>& codes) {
  json::object out;
  json::array list;
  for (const std::string& code : codes) list.emplace_back(code);
  out["recovery_codes"] = std::move(list);
  Response response = Json(out);
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

struct PasswordAndCode {
  std::string password;
  std::string code;
};
Result<PasswordAndCode> PasswordAndCodeFrom(const Params& params) {
  auto password = params.RequiredString("password", 1024);
  if (!password) return std::move(password).error();
  auto code = params.RequiredString("code", 100);
  if (!code) return std::move(code).error();
  return PasswordAndCode{std::move(*password), std::move(*code)};
}

}  // namespace

void RegisterSecondFactorRoutes(http::Router& router, ApiContext& ctx) {
  using http::Pool;

  router.Add("GET", "/api/vantage/v1/second_factors", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:accounts");
    if (!principal) return std::move(principal).error();
    auto state = service::SecondFactorsOf(ctx.services, Person(*principal).id);
    if (!state) return std::move(state).error();
    json::object out;
    out["totp"] = state->totp;
    out["recovery_codes_remaining"] = state->recovery_codes_remaining;
    return Json(out);
  }));

  router.Add("POST", "/api/vantage/v1/second_factors/totp", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto password = params->RequiredString("password", 1024);
    if (!password) return std::move(password).error();
    auto enrolment = service::BeginTotp(ctx.services, Person(*principal), *password);
    if (!enrolment) return std::move(enrolment).error();
    json::object out;
    out["secret"] = enrolment->secret;
    out["otpauth_uri"] = enrolment->otpauth_uri;
    out["qr_svg"] = enrolment->qr_svg;
    Response response = Json(out);
    response.AddHeader("Cache-Control", "no-store");
    return response;
  }), Pool::kCpu);

  router.Add("POST", "/api/vantage/v1/second_factors/totp/confirm", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto code = params->RequiredString("code", 100);
    if (!code) return std::move(code).error();
    auto codes = service::ConfirmTotp(ctx.services, Person(*principal).id, *code);
    if (!codes) return std::move(codes).error();
    return RecoveryCodesJson(*codes);
  }));

  router.Add("DELETE", "/api/vantage/v1/second_factors/totp", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto input = PasswordAndCodeFrom(*params);
    if (!input) return std::move(input).error();
    VANTAGE_TRY(service::DisableTotp(ctx.services, Person(*principal), input->password, input->code));
    return Json(json::object());
  }), Pool::kCpu);

  // Proves again who holds this token or session, for the organisation
  // actions that need a recent sign-in (docs/account-security.md).
  router.Add("POST", "/api/vantage/v1/reauthenticate", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto password = params->String("password", 1024);
    if (!password) return std::move(password).error();
    auto code = params->String("code", 100);
    if (!code) return std::move(code).error();
    VANTAGE_TRY(service::Reauthenticate(ctx.services, Person(*principal), principal->token.id,
                                        password->value_or(""), code->value_or("")));
    return Json(json::object());
  }), Pool::kCpu);

  router.Add("POST", "/api/vantage/v1/second_factors/recovery_codes", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto input = PasswordAndCodeFrom(*params);
    if (!input) return std::move(input).error();
    auto codes = service::RegenerateRecoveryCodes(ctx.services, Person(*principal), input->password, input->code);
    if (!codes) return std::move(codes).error();
    return RecoveryCodesJson(*codes);
  }), Pool::kCpu);
}

}  // namespace vantage::api
