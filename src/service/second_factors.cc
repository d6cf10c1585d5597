#include "service/second_factors.h"

#include <liboath/oath.h>
#include <qrencode.h>
#include <sodium.h>

#include <array>
#include <ctime>
#include <memory>
#include <mutex>

#include "core/id.h"
#include "core/text.h"
#include "service/crypto.h"
#include "service/mail.h"
#include "service/webauthn.h"
#include "store/second_factor_store.h"

namespace vantage::service {

namespace {

constexpr int kStepSeconds = 30;
constexpr int kDigits = 6;
constexpr size_t kSecretBytes = 20;  // 160 bits, as RFC 4226 recommends
constexpr int64_t kSignInTokenLifetimeMs = 5 * 60 * 1000;
// Crockford's base32 alphabet: no i, l, o or u to misread.
constexpr std::string_view kRecoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";

Error InvalidCode() {
  return Error::Invalid("code", "code is not a valid authentication code", "invalid_code");
}

void InitOath() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK) throw std::runtime_error("liboath failed to initialise");
  });
}

std::string Base32(std::string_view bytes) {
  InitOath();
  char* out = nullptr;
  size_t out_len = 0;
  if (oath_base32_encode(bytes.data(), bytes.size(), &out, &out_len) != OATH_OK)
    throw std::runtime_error("oath_base32_encode failed");
  std::string text(out, out_len);
  free(out);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::optional<std::string> FromBase32(std::string_view text) {
  InitOath();
  char* out = nullptr;
  size_t out_len = 0;
  if (oath_base32_decode(text.data(), text.size(), &out, &out_len) != OATH_OK) return std::nullopt;
  std::string bytes(out, out_len);
  sodium_memzero(out, out_len);
  free(out);
  return bytes;
}

// The code for one 30-second step.
std::string TotpAt(const std::string& key, int64_t step) {
  std::array<char, kDigits + 1> otp{};
  if (oath_totp_generate2(key.data(), key.size(), static_cast<time_t>(step * kStepSeconds), kStepSeconds, 0,
                          kDigits, 0, otp.data()) != OATH_OK)
    throw std::runtime_error("oath_totp_generate2 failed");
  return std::string(otp.data(), kDigits);
}

// The newest of the current step and one either side whose code is `code`,
// or 0. Every candidate is computed and compared in constant time, so the
// time taken says nothing about which (if any) matched.
int64_t MatchingStep(const std::string& secret, std::string_view code) {
  auto key = FromBase32(secret);
  if (!key) return 0;
  int64_t now_step = NowUnixMs() / 1000 / kStepSeconds;
  int64_t matched = 0;
  for (int64_t step = now_step - 1; step <= now_step + 1; ++step) {
    std::string expected = TotpAt(*key, step);
    bool equal = ConstantTimeEquals(expected, code);
    matched = equal ? step : matched;
  }
  sodium_memzero(key->data(), key->size());
  return matched;
}

// What was typed, without spaces, dashes, or case: "123 456" is a TOTP code,
// "ABCDE-12345" a recovery code.
std::string NormalizeCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool IsTotpShape(std::string_view code) {
  if (code.size() != kDigits) return false;
  for (char c : code)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string RecoveryDigest(std::string_view normalized) {
  return Sha256Hex("vantage-recovery-code:" + std::string(normalized));
}

struct RecoveryCodes {
  std::vector<std::string> plain;
  std::vector<std::string> digests;
};

RecoveryCodes MakeRecoveryCodes() {
  RecoveryCodes codes;
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    std::string code;
    for (int c = 0; c < 10; ++c) {
      if (c == 5) code.push_back('-');
      code.push_back(kRecoveryAlphabet[randombytes_uniform(kRecoveryAlphabet.size())]);
    }
    codes.digests.push_back(RecoveryDigest(NormalizeCode(code)));
    codes.plain.push_back(std::move(code));
  }
  return codes;
}

// The QR code as SVG: one path of unit squares, a four-module quiet zone,
// black on white whatever the page's colours.
std::string QrSvg(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                     &QRcode_free);
  if (!qr) throw std::runtime_error("QRcode_encodeString failed");
  int width = qr->width;
  int size = width + 8;
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width;) {
      if (!(qr->data[y * width + x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && (qr->data[y * width + x + run] & 1)) ++run;
      path += "M" + std::to_string(x + 4) + " " + std::to_string(y + 4) + "h" + std::to_string(run) + "v1h-" +
              std::to_string(run) + "z";
      x += run;
    }
  }
  std::string s = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + s + " " + s +
         "\" width=\"" + std::to_string(size * 5) + "\" height=\"" + std::to_string(size * 5) +
         "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code for your authenticator app\">"
         "<rect width=\"" + s + "\" height=\"" + s + "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path +
         "\"/></svg>";
}

constexpr size_t kChallengeBytes = 32;
constexpr int64_t kRegistrationLifetimeMs = 5 * 60 * 1000;
constexpr size_t kMaxPasskeyName = 50;

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

// This server as WebAuthn's relying party: the host of its public URL
// (without a port) and that URL's origin.
webauthn::RelyingParty RelyingPartyOf(const ServiceContext& ctx) {
  const std::string& base = ctx.settings.base_url;
  size_t scheme = base.find("://");
  std::string host = scheme == std::string::npos ? base : base.substr(scheme + 3);
  host = host.substr(0, host.find('/'));
  std::string origin = scheme == std::string::npos ? base : base.substr(0, scheme + 3) + host;
  if (!host.empty() && host.front() == '[') host = host.substr(0, host.find(']') + 1);
  else host = host.substr(0, host.find(':'));
  return webauthn::RelyingParty{host, origin};
}

Result<std::string> ValidPasskeyName(std::string_view name) {
  std::string trimmed(Trim(name));
  if (trimmed.empty()) return Error::Invalid("name", "name is required (1-50 characters)", "missing_field");
  if (!IsValidUtf8(trimmed) || Utf8Length(trimmed) > kMaxPasskeyName)
    return Error::Invalid("name", "name must be at most 50 characters", "too_long");
  for (char c : trimmed)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return Error::Invalid("name", "name must be one line of text");
  return trimmed;
}

Error CountFailure(ServiceContext& ctx, int64_t account_id) {
  ctx.second_factor_failures.Hit("id:" + std::to_string(account_id), NowUnixMs());
  return InvalidCode();
}

}  // namespace

Status CheckPassword(ServiceContext& ctx, const store::Account& account, std::string_view password,
                     const std::string& field) {
  // Guessing the password with a stolen session counts against the same
  // per-account allowance as failed sign-ins.
  std::string key = "id:" + std::to_string(account.id);
  int64_t now = NowUnixMs();
  if (int wait = ctx.sign_in_by_account.Check(key, now)) return Error::RateLimited(wait);
  if (!VerifyPassword(account.password_hash, password)) {
    ctx.sign_in_by_account.Hit(key, now);
    return Error::Invalid(field, field + " is incorrect", "invalid_password");
  }
  return Ok();
}

Result<SecondFactorState> SecondFactorsOf(ServiceContext& ctx, int64_t account_id) {
  SecondFactorState state;
  auto totp = store::ReadTotp(ctx.store.database(), account_id);
  if (!totp) return std::move(totp).error();
  state.totp = *totp && (*totp)->enabled_at;
  auto codes = store::CountRecoveryCodes(ctx.store.database(), account_id);
  if (!codes) return std::move(codes).error();
  state.recovery_codes_remaining = *codes;
  auto passkeys = store::ListPasskeys(ctx.store.database(), account_id);
  if (!passkeys) return std::move(passkeys).error();
  state.passkeys = std::move(*passkeys);
  return state;
}

Result<bool> HasSecondFactor(ServiceContext& ctx, int64_t account_id) {
  auto totp = store::ReadTotp(ctx.store.database(), account_id);
  if (!totp) return std::move(totp).error();
  if (*totp && (*totp)->enabled_at) return true;
  auto passkeys = store::CountPasskeys(ctx.store.database(), account_id);
  if (!passkeys) return std::move(passkeys).error();
  return *passkeys > 0;
}

Result<TotpEnrolment> BeginTotp(ServiceContext& ctx, const store::Account& account, std::string_view password) {
  VANTAGE_TRY(CheckPassword(ctx, account, password, "password"));
  std::string key(kSecretBytes, '\0');
  randombytes_buf(key.data(), key.size());
  TotpEnrolment enrolment;
  enrolment.secret = Base32(key);
  sodium_memzero(key.data(), key.size());
  VANTAGE_TRY(store::WritePendingTotp(ctx.store.database(), account.id, enrolment.secret, NowUnixMs()));
  // The label says which account on which server; the issuer is the server,
  // so that one app can hold accounts on several.
  std::string issuer = ctx.settings.domain;
  enrolment.otpauth_uri = "otpauth://totp/" + PercentEncode(issuer) + ":" +
                          PercentEncode(account.username + "@" + ctx.settings.domain) +
                          "?secret=" + enrolment.secret + "&issuer=" + PercentEncode(issuer) +
                          "&algorithm=SHA1&digits=6&period=30";
  enrolment.qr_svg = QrSvg(enrolment.otpauth_uri);
  return enrolment;
}

Result<std::vector<std::string>> ConfirmTotp(ServiceContext& ctx, int64_t account_id, std::string_view code) {
  std::string key = "id:" + std::to_string(account_id);
  if (int wait = ctx.second_factor_failures.Check(key, NowUnixMs())) return Error::RateLimited(wait);
  auto totp = store::ReadTotp(ctx.store.database(), account_id);
  if (!totp) return std::move(totp).error();
  if (!*totp) return Error::Conflict("no_second_factor", "Start enrolling before confirming a code");
  if ((*totp)->enabled_at)
    return Error::Conflict("second_factor_enabled", "Two-factor authentication is already on");
  std::string normalized = NormalizeCode(code);
  int64_t step = IsTotpShape(normalized) ? MatchingStep((*totp)->secret, normalized) : 0;
  if (step == 0) return CountFailure(ctx, account_id);
  // The first second factor makes the recovery codes; a passkey's stay.
  auto passkeys = store::CountPasskeys(ctx.store.database(), account_id);
  if (!passkeys) return std::move(passkeys).error();
  RecoveryCodes codes = *passkeys > 0 ? RecoveryCodes{} : MakeRecoveryCodes();
  auto enabled = store::EnableTotp(ctx.store.database(), account_id, step, codes.digests, NowUnixMs());
  if (!enabled) return std::move(enabled).error();
  if (!*enabled) return CountFailure(ctx, account_id);
  VANTAGE_TRY(NoticeSecondFactorChange(ctx, account_id, "two-factor authentication was turned on"));
  return codes.plain;
}

Status VerifySecondFactor(ServiceContext& ctx, int64_t account_id, std::string_view code) {
  std::string key = "id:" + std::to_string(account_id);
  if (int wait = ctx.second_factor_failures.Check(key, NowUnixMs())) return Error::RateLimited(wait);
  std::string normalized = NormalizeCode(code);
  if (normalized.empty() || normalized.size() > 64) return CountFailure(ctx, account_id);
  if (IsTotpShape(normalized)) {
    auto totp = store::ReadTotp(ctx.store.database(), account_id);
    if (!totp) return std::move(totp).error();
    if (!*totp || !(*totp)->enabled_at) return CountFailure(ctx, account_id);
    int64_t step = MatchingStep((*totp)->secret, normalized);
    if (step == 0) return CountFailure(ctx, account_id);
    auto spent = store::SpendTotpStep(ctx.store.database(), account_id, step);
    if (!spent) return std::move(spent).error();
    if (!*spent) return CountFailure(ctx, account_id);  // replayed
    return Ok();
  }
  auto spent = store::SpendRecoveryCode(ctx.store.database(), account_id, RecoveryDigest(normalized));
  if (!spent) return std::move(spent).error();
  if (!*spent) return CountFailure(ctx, account_id);
  return Ok();
}

// Where a PasskeyChallenge is kept among the sign-in challenges: under a key
// no SHA-256 digest of a sign-in token can equal, so the sign-in's second
// step never finds it, nor this one a sign-in's.
static std::string ProofKey(std::string_view token) { return "proof:" + Sha256Hex(token); }

static Status VerifyProof(ServiceContext& ctx, int64_t account_id, const SecondFactorProof& proof) {
  if (!proof.assertion) {
    if (proof.code.empty())
      return Error::Invalid("code", "code is required (or a passkey): this account uses a second factor",
                            "missing_field");
    return VerifySecondFactor(ctx, account_id, proof.code);
  }
  Error expired = Error::Invalid("challenge_token", "challenge_token is unknown, used or expired: ask for a new one",
                                 "invalid_token");
  if (proof.challenge_token.empty() || proof.challenge_token.size() > 200) return expired;
  std::string key = ProofKey(proof.challenge_token);
  auto challenge = store::ReadSignInChallenge(ctx.store.database(), key, NowUnixMs());
  if (!challenge) return std::move(challenge).error();
  if (!*challenge || (*challenge)->account_id != account_id) return expired;
  VANTAGE_TRY(VerifyPasskeyAssertion(ctx, account_id, (*challenge)->challenge, *proof.assertion));
  auto consumed = store::ConsumeSignInChallenge(ctx.store.database(), key);
  if (!consumed) return std::move(consumed).error();
  if (!*consumed) return expired;
  return Ok();
}

Status DisableTotp(ServiceContext& ctx, const store::Account& account, std::string_view password,
                   const SecondFactorProof& proof) {
  auto totp = store::ReadTotp(ctx.store.database(), account.id);
  if (!totp) return std::move(totp).error();
  if (!*totp || !(*totp)->enabled_at)
    return Error::Conflict("no_second_factor", "Two-factor authentication is not on");
  VANTAGE_TRY(CheckPassword(ctx, account, password, "password"));
  VANTAGE_TRY(VerifyProof(ctx, account.id, proof));
  VANTAGE_TRY(store::DeleteTotp(ctx.store.database(), account.id));
  return NoticeSecondFactorChange(ctx, account.id, "two-factor authentication was turned off");
}

Result<std::vector<std::string>> RegenerateRecoveryCodes(ServiceContext& ctx, const store::Account& account,
                                                         std::string_view password, const SecondFactorProof& proof) {
  auto has = HasSecondFactor(ctx, account.id);
  if (!has) return std::move(has).error();
  if (!*has) return Error::Conflict("no_second_factor", "Two-factor authentication is not on");
  VANTAGE_TRY(CheckPassword(ctx, account, password, "password"));
  VANTAGE_TRY(VerifyProof(ctx, account.id, proof));
  RecoveryCodes codes = MakeRecoveryCodes();
  VANTAGE_TRY(store::ReplaceRecoveryCodes(ctx.store.database(), account.id, codes.digests));
  VANTAGE_TRY(NoticeSecondFactorChange(ctx, account.id,
                                       "new recovery codes were made, and the old ones no longer work"));
  return codes.plain;
}

Status Reauthenticate(ServiceContext& ctx, const store::Account& account, int64_t token_id,
                      std::string_view password, const SecondFactorProof& proof) {
  auto has = HasSecondFactor(ctx, account.id);
  if (!has) return std::move(has).error();
  if (*has) {
    VANTAGE_TRY(VerifyProof(ctx, account.id, proof));
  } else {
    if (password.empty()) return Error::Invalid("password", "password is required", "missing_field");
    VANTAGE_TRY(CheckPassword(ctx, account, password, "password"));
  }
  return ctx.store.tokens().MarkReauthenticated(token_id, NowUnixMs());
}

Result<PasskeyRegistrationOptions> BeginPasskeyRegistration(ServiceContext& ctx, const store::Account& account,
                                                            std::string_view password) {
  VANTAGE_TRY(CheckPassword(ctx, account, password, "password"));
  PasskeyRegistrationOptions options;
  options.challenge = webauthn::Base64Url(RandomBytes(kChallengeBytes));
  VANTAGE_TRY(store::WritePasskeyRegistration(ctx.store.database(), account.id, options.challenge,
                                              NowUnixMs() + kRegistrationLifetimeMs));
  options.rp_id = RelyingPartyOf(ctx).id;
  options.rp_name = ctx.settings.title;
  std::string id(8, '\0');
  for (int i = 0; i < 8; ++i) id[i] = static_cast<char>((static_cast<uint64_t>(account.id) >> (56 - 8 * i)) & 0xff);
  options.user_id = webauthn::Base64Url(id);
  options.user_name = account.username + "@" + ctx.settings.domain;
  auto passkeys = store::ListPasskeys(ctx.store.database(), account.id);
  if (!passkeys) return std::move(passkeys).error();
  for (const store::Passkey& passkey : *passkeys) options.exclude_credentials.push_back(passkey.credential_id);
  return options;
}

Result<RegisteredPasskey> FinishPasskeyRegistration(ServiceContext& ctx, int64_t account_id, std::string_view name,
                                                    std::string_view client_data_json,
                                                    std::string_view attestation_object) {
  auto valid_name = ValidPasskeyName(name);
  if (!valid_name) return std::move(valid_name).error();
  auto challenge = store::ConsumePasskeyRegistration(ctx.store.database(), account_id, NowUnixMs());
  if (!challenge) return std::move(challenge).error();
  if (!*challenge)
    return Error::Conflict("no_registration", "Start registering a passkey first (it expires after 5 minutes)");
  auto raw_challenge = webauthn::FromBase64Url(**challenge);
  if (!raw_challenge) return Error::Internal("a stored passkey challenge is not base64url");
  auto verified = webauthn::VerifyRegistration(RelyingPartyOf(ctx), webauthn::Expectations{*raw_challenge, false},
                                               client_data_json, attestation_object);
  if (!verified) return std::move(verified).error();
  auto had_factor = HasSecondFactor(ctx, account_id);
  if (!had_factor) return std::move(had_factor).error();
  RegisteredPasskey out;
  store::Passkey& passkey = out.passkey;
  passkey.id = ctx.ids.Next();
  passkey.account_id = account_id;
  passkey.credential_id = webauthn::Base64Url(verified->id);
  passkey.public_key = webauthn::Base64Url(verified->public_key);
  passkey.algorithm = verified->algorithm;
  passkey.sign_count = verified->sign_count;
  passkey.name = std::move(*valid_name);
  passkey.created_at = NowUnixMs();
  Status inserted = store::InsertPasskey(ctx.store.database(), passkey);
  if (!inserted) {
    if (inserted.error().code == "unique_violation")
      return Error::Conflict("passkey_registered", "This passkey is registered already");
    return std::move(inserted).error();
  }
  if (!*had_factor) {
    RecoveryCodes codes = MakeRecoveryCodes();
    VANTAGE_TRY(store::ReplaceRecoveryCodes(ctx.store.database(), account_id, codes.digests));
    out.recovery_codes = std::move(codes.plain);
  }
  VANTAGE_TRY(NoticeSecondFactorChange(ctx, account_id, "a passkey named \"" + passkey.name + "\" was added"));
  return out;
}

Status RenamePasskey(ServiceContext& ctx, int64_t account_id, int64_t passkey_id, std::string_view name) {
  auto valid_name = ValidPasskeyName(name);
  if (!valid_name) return std::move(valid_name).error();
  return store::RenamePasskey(ctx.store.database(), account_id, passkey_id, *valid_name);
}

Status RemovePasskey(ServiceContext& ctx, const store::Account& account, int64_t passkey_id,
                     std::string_view password) {
  VANTAGE_TRY(CheckPassword(ctx, account, password, "password"));
  VANTAGE_TRY(store::DeletePasskey(ctx.store.database(), account.id, passkey_id));
  VANTAGE_TRY(store::DeleteRecoveryCodesIfNoFactor(ctx.store.database(), account.id));
  return NoticeSecondFactorChange(ctx, account.id, "a passkey was removed");
}

Status VerifyPasskeyAssertion(ServiceContext& ctx, int64_t account_id, const std::string& challenge,
                              const PasskeyAssertion& assertion) {
  std::string key = "id:" + std::to_string(account_id);
  if (int wait = ctx.second_factor_failures.Check(key, NowUnixMs())) return Error::RateLimited(wait);
  Error invalid = Error::Invalid("credential", "credential is not a valid passkey assertion", "invalid_credential");
  auto raw_challenge = webauthn::FromBase64Url(challenge);
  if (challenge.empty() || !raw_challenge) {
    ctx.second_factor_failures.Hit(key, NowUnixMs());
    return invalid;
  }
  auto passkey = store::FindPasskey(ctx.store.database(), account_id, webauthn::Base64Url(assertion.credential_id));
  if (!passkey) return std::move(passkey).error();
  if (!*passkey) {
    ctx.second_factor_failures.Hit(key, NowUnixMs());
    return invalid;
  }
  auto public_key = webauthn::FromBase64Url((*passkey)->public_key);
  if (!public_key) return Error::Internal("a stored passkey is not base64url");
  webauthn::StoredCredential stored{*public_key, static_cast<int>((*passkey)->algorithm),
                                    static_cast<uint32_t>((*passkey)->sign_count)};
  auto verified = webauthn::VerifyAssertion(RelyingPartyOf(ctx), webauthn::Expectations{*raw_challenge, false}, stored,
                                            assertion.client_data_json, assertion.authenticator_data,
                                            assertion.signature);
  if (!verified) {
    ctx.second_factor_failures.Hit(key, NowUnixMs());
    return verified.error();
  }
  auto used = store::RecordPasskeyUse(ctx.store.database(), (*passkey)->id, (*passkey)->sign_count,
                                      verified->sign_count, NowUnixMs());
  if (!used) return std::move(used).error();
  if (!*used) return invalid;  // another sign-in used the same counter meanwhile
  return Ok();
}

// What the second step of `account_id`'s sign-in will take; the WebAuthn
// challenge is `challenge` when the account has passkeys.
static Result<SignInChallenge> ChallengeFor(ServiceContext& ctx, int64_t account_id, std::string token,
                                            const std::string& challenge) {
  SignInChallenge out;
  out.token = std::move(token);
  auto totp = store::ReadTotp(ctx.store.database(), account_id);
  if (!totp) return std::move(totp).error();
  if (*totp && (*totp)->enabled_at) out.methods.push_back("totp");
  out.methods.push_back("recovery_code");
  auto passkeys = store::ListPasskeys(ctx.store.database(), account_id);
  if (!passkeys) return std::move(passkeys).error();
  if (!passkeys->empty() && !challenge.empty()) {
    out.methods.push_back("webauthn");
    out.webauthn_challenge = challenge;
    out.rp_id = RelyingPartyOf(ctx).id;
    for (const store::Passkey& passkey : *passkeys) out.allow_credentials.push_back(passkey.credential_id);
  }
  return out;
}

Result<SignInChallenge> IssueSignInToken(ServiceContext& ctx, int64_t account_id) {
  auto count = store::CountPasskeys(ctx.store.database(), account_id);
  if (!count) return std::move(count).error();
  store::SignInChallenge record;
  if (*count > 0) record.challenge = webauthn::Base64Url(RandomBytes(kChallengeBytes));
  record.account_id = account_id;
  record.expires_at = NowUnixMs() + kSignInTokenLifetimeMs;
  std::string token = RandomToken();
  VANTAGE_TRY(store::CreateSignInChallenge(ctx.store.database(), Sha256Hex(token), record));
  return ChallengeFor(ctx, account_id, std::move(token), record.challenge);
}

Result<SignInChallenge> PasskeyChallenge(ServiceContext& ctx, int64_t account_id) {
  auto count = store::CountPasskeys(ctx.store.database(), account_id);
  if (!count) return std::move(count).error();
  if (*count == 0) return Error::Conflict("no_passkey", "This account has no passkey");
  store::SignInChallenge record;
  record.challenge = webauthn::Base64Url(RandomBytes(kChallengeBytes));
  record.account_id = account_id;
  record.expires_at = NowUnixMs() + kSignInTokenLifetimeMs;
  std::string token = RandomToken();
  VANTAGE_TRY(store::CreateSignInChallenge(ctx.store.database(), ProofKey(token), record));
  return ChallengeFor(ctx, account_id, std::move(token), record.challenge);
}

Result<std::optional<SignInChallenge>> SignInChallengeOf(ServiceContext& ctx, std::string_view sign_in_token) {
  if (sign_in_token.empty() || sign_in_token.size() > 200) return std::optional<SignInChallenge>();
  auto record = store::ReadSignInChallenge(ctx.store.database(), Sha256Hex(sign_in_token), NowUnixMs());
  if (!record) return std::move(record).error();
  if (!*record) return std::optional<SignInChallenge>();
  auto challenge = ChallengeFor(ctx, (*record)->account_id, std::string(sign_in_token), (*record)->challenge);
  if (!challenge) return std::move(challenge).error();
  return std::optional<SignInChallenge>(std::move(*challenge));
}

Result<int64_t> CompleteSignIn(ServiceContext& ctx, std::string_view sign_in_token, std::string_view code,
                               const std::optional<PasskeyAssertion>& assertion) {
  Error expired = Error::Unauthorized("The sign-in has expired; start again with the password", "sign_in_expired");
  if (sign_in_token.empty() || sign_in_token.size() > 200) return expired;
  std::string hash = Sha256Hex(sign_in_token);
  auto challenge = store::ReadSignInChallenge(ctx.store.database(), hash, NowUnixMs());
  if (!challenge) return std::move(challenge).error();
  if (!*challenge) return expired;
  int64_t account_id = (*challenge)->account_id;
  Status verified = assertion ? VerifyPasskeyAssertion(ctx, account_id, (*challenge)->challenge, *assertion)
                              : VerifySecondFactor(ctx, account_id, code);
  if (!verified) {
    Error error = std::move(verified).error();
    if (error.code == "invalid_code" || error.code == "invalid_credential") error.kind = ErrorKind::kUnauthorized;
    return error;
  }
  // Two requests with one token and two good codes: one sign-in.
  auto consumed = store::ConsumeSignInChallenge(ctx.store.database(), hash);
  if (!consumed) return std::move(consumed).error();
  if (!*consumed) return expired;
  return account_id;
}

}  // namespace vantage::service
