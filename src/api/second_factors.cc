// /api/vantage/v1/second_factors: an account's TOTP and recovery codes
// (docs/account-security.md). The factors are the person's own: a staff
// member acting for an organisation manages their own.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/params.h"
#include "core/text.h"
#include "service/second_factors.h"
#include "service/webauthn.h"

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

json::object PasskeyJson(const store::Passkey& passkey) {
  json::object out;
  out["id"] = std::to_string(passkey.id);
  out["name"] = passkey.name;
  out["created_at"] = FormatIsoTime(passkey.created_at);
  out["last_used_at"] = passkey.last_used_at ? json::value(FormatIsoTime(*passkey.last_used_at)) : json::value(nullptr);
  return out;
}

// The password and the second factor, for turning TOTP off and for new
// recovery codes.
struct PasswordAndProof {
  std::string password;
  service::SecondFactorProof proof;
};
Result<PasswordAndProof> PasswordAndProofFrom(const Params& params) {
  auto password = params.RequiredString("password", 1024);
  if (!password) return std::move(password).error();
  auto proof = SecondFactorProofFrom(params);
  if (!proof) return std::move(proof).error();
  return PasswordAndProof{std::move(*password), std::move(*proof)};
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
    json::array passkeys;
    for (const store::Passkey& passkey : state->passkeys) passkeys.push_back(PasskeyJson(passkey));
    out["passkeys"] = std::move(passkeys);
    return Json(out);
  }));

  // PublicKeyCredentialCreationOptions for navigator.credentials.create,
  // binary fields in base64url.
  router.Add("POST", "/api/vantage/v1/second_factors/webauthn/options",
             Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto password = params->RequiredString("password", 1024);
    if (!password) return std::move(password).error();
    auto options = service::BeginPasskeyRegistration(ctx.services, Person(*principal), *password);
    if (!options) return std::move(options).error();
    json::array algorithms;
    for (int alg : {service::webauthn::kEs256, service::webauthn::kEdDsa, service::webauthn::kRs256})
      algorithms.push_back(json::object{{"type", "public-key"}, {"alg", alg}});
    json::array exclude;
    for (const std::string& id : options->exclude_credentials)
      exclude.push_back(json::object{{"type", "public-key"}, {"id", id}});
    json::object public_key{
        {"challenge", options->challenge},
        {"rp", json::object{{"id", options->rp_id}, {"name", options->rp_name}}},
        {"user", json::object{{"id", options->user_id}, {"name", options->user_name},
                              {"displayName", options->user_name}}},
        {"pubKeyCredParams", std::move(algorithms)},
        {"timeout", 300000},
        {"attestation", "none"},
        {"authenticatorSelection", json::object{{"residentKey", "discouraged"}, {"userVerification", "preferred"}}},
        {"excludeCredentials", std::move(exclude)}};
    Response response = Json(json::object{{"publicKey", std::move(public_key)}});
    response.AddHeader("Cache-Control", "no-store");
    return response;
  }), Pool::kCpu);

  router.Add("POST", "/api/vantage/v1/second_factors/webauthn", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto name = params->RequiredString("name", 200);
    if (!name) return std::move(name).error();
    auto credential = params->Object("credential", {"client_data_json", "attestation_object"}, 20000);
    if (!credential) return std::move(credential).error();
    if (!*credential) return Error::Invalid("credential", "credential is required", "missing_field");
    auto client_data_json = CredentialField(**credential, "client_data_json");
    if (!client_data_json) return std::move(client_data_json).error();
    auto attestation_object = CredentialField(**credential, "attestation_object");
    if (!attestation_object) return std::move(attestation_object).error();
    auto registered =
        service::FinishPasskeyRegistration(ctx.services, Person(*principal).id, *name, *client_data_json,
                                           *attestation_object);
    if (!registered) return std::move(registered).error();
    json::object out;
    out["passkey"] = PasskeyJson(registered->passkey);
    json::array codes;
    for (const std::string& code : registered->recovery_codes) codes.emplace_back(code);
    out["recovery_codes"] = std::move(codes);
    Response response = Json(out);
    response.AddHeader("Cache-Control", "no-store");
    return response;
  }));

  router.Add("PATCH", "/api/vantage/v1/second_factors/webauthn/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto name = params->RequiredString("name", 200);
    if (!name) return std::move(name).error();
    VANTAGE_TRY(service::RenamePasskey(ctx.services, Person(*principal).id, *id, *name));
    return Json(json::object());
  }));

  router.Add("DELETE", "/api/vantage/v1/second_factors/webauthn/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto password = params->RequiredString("password", 1024);
    if (!password) return std::move(password).error();
    VANTAGE_TRY(service::RemovePasskey(ctx.services, Person(*principal), *id, *password));
    return Json(json::object());
  }), Pool::kCpu);

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
    auto input = PasswordAndProofFrom(*params);
    if (!input) return std::move(input).error();
    VANTAGE_TRY(service::DisableTotp(ctx.services, Person(*principal), input->password, input->proof));
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
    auto proof = SecondFactorProofFrom(*params);
    if (!proof) return std::move(proof).error();
    VANTAGE_TRY(service::Reauthenticate(ctx.services, Person(*principal), principal->token.id,
                                        password->value_or(""), *proof));
    return Json(json::object());
  }), Pool::kCpu);

  // A challenge to answer with one of the account's passkeys, instead of a
  // code, when proving the second factor again (reauthenticate, turning
  // TOTP off, new recovery codes).
  router.Add("POST", "/api/vantage/v1/second_factors/webauthn/challenge", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "");
    if (!principal) return std::move(principal).error();
    auto challenge = service::PasskeyChallenge(ctx.services, Person(*principal).id);
    if (!challenge) return std::move(challenge).error();
    Response response = Json(json::object{{"challenge_token", challenge->token},
                                          {"webauthn", WebAuthnRequestOptions(*challenge)}});
    response.AddHeader("Cache-Control", "no-store");
    return response;
  }));

  router.Add("POST", "/api/vantage/v1/second_factors/recovery_codes", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto input = PasswordAndProofFrom(*params);
    if (!input) return std::move(input).error();
    auto codes = service::RegenerateRecoveryCodes(ctx.services, Person(*principal), input->password, input->proof);
    if (!codes) return std::move(codes).error();
    return RecoveryCodesJson(*codes);
  }), Pool::kCpu);
}

}  // namespace vantage::api
