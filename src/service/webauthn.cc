#include "service/webauthn.h"

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <vector>

namespace vantage::service::webauthn {

namespace {

constexpr uint8_t kUserPresent = 0x01;
constexpr uint8_t kUserVerified = 0x04;
constexpr uint8_t kBackupEligible = 0x08;
constexpr uint8_t kAttestedData = 0x40;
constexpr uint8_t kExtensionData = 0x80;
constexpr size_t kAuthDataHeader = 37;  // rpIdHash, flags, signCount
constexpr size_t kMaxCredentialId = 1023;

Error Refuse(std::string message) { return Error::Invalid("credential", std::move(message), "invalid_credential"); }

struct CborDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using Cbor = std::unique_ptr<cbor_item_t, CborDeleter>;
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

std::string Sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

// One CBOR item from the start of `data`, and how many bytes it took.
Result<std::pair<Cbor, size_t>> LoadCbor(std::string_view data, const char* what) {
  cbor_load_result result{};
  Cbor item(cbor_load(reinterpret_cast<cbor_data>(data.data()), data.size(), &result));
  if (!item || result.error.code != CBOR_ERR_NONE) return Refuse(std::string(what) + " is not valid CBOR");
  return std::make_pair(std::move(item), result.read);
}

std::optional<std::string_view> TextOf(const cbor_item_t* item) {
  if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item)), cbor_string_length(item));
}

std::optional<std::string_view> BytesOf(const cbor_item_t* item) {
  if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(cbor_bytestring_handle(item)), cbor_bytestring_length(item));
}

std::optional<int64_t> IntOf(const cbor_item_t* item) {
  if (cbor_isa_uint(item)) {
    uint64_t v = cbor_get_int(item);
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (cbor_isa_negint(item)) {
    uint64_t v = cbor_get_int(item);
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return -1 - static_cast<int64_t>(v);
  }
  return std::nullopt;
}

// The value under an integer key (COSE) or a text key (attestation object).
const cbor_item_t* MapGet(const cbor_item_t* map, int64_t key) {
  size_t size = cbor_map_size(map);
  cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < size; ++i)
    if (auto k = IntOf(pairs[i].key); k && *k == key) return pairs[i].value;
  return nullptr;
}
const cbor_item_t* MapGet(const cbor_item_t* map, std::string_view key) {
  size_t size = cbor_map_size(map);
  cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < size; ++i)
    if (auto k = TextOf(pairs[i].key); k && *k == key) return pairs[i].value;
  return nullptr;
}

// An integer under an integer key; 0 when absent or not an integer.
int64_t IntAt(const cbor_item_t* map, int64_t key) {
  const cbor_item_t* item = MapGet(map, key);
  if (!item) return 0;
  return IntOf(item).value_or(0);
}

Result<Pkey> FromParams(const char* type, OSSL_PARAM_BLD* build) {
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(build), &OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr),
                                                                  &EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return Refuse("the credential's public key cannot be read");
  Pkey pkey(key);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr), &EVP_PKEY_CTX_free);
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return Refuse("the credential's public key is not valid");
  return pkey;
}

// A COSE_Key (RFC 9053) as an OpenSSL key, for the algorithm it names.
Result<std::pair<Pkey, int>> KeyFromCose(std::string_view cose) {
  auto loaded = LoadCbor(cose, "the public key");
  if (!loaded) return std::move(loaded).error();
  const cbor_item_t* map = loaded->first.get();
  if (!cbor_isa_map(map)) return Refuse("the public key is not a COSE_Key map");
  // 0 is no key type, algorithm or curve: it stands for a missing one.
  int64_t kty = IntAt(map, 1), alg = IntAt(map, 3), crv = IntAt(map, -1);
  if (kty == 0 || alg == 0) return Refuse("the public key lacks its key type or algorithm");
  auto bytes = [&](int64_t key) -> std::optional<std::string_view> {
    const cbor_item_t* item = MapGet(map, key);
    return item ? BytesOf(item) : std::nullopt;
  };

  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
  if (!build) return Error::Internal("OSSL_PARAM_BLD_new failed");
  if (alg == kEs256) {
    auto x = bytes(-2), y = bytes(-3);
    if (kty != 2 || crv != 1 || !x || !y || x->size() != 32 || y->size() != 32)
      return Refuse("an ES256 key must be an EC2 key on P-256 with 32-byte coordinates");
    std::string point = "\x04" + std::string(*x) + std::string(*y);
    OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    auto key = FromParams("EC", build.get());
    if (!key) return std::move(key).error();
    return std::make_pair(std::move(*key), kEs256);
  }
  if (alg == kRs256) {
    auto n = bytes(-1), e = bytes(-2);
    if (kty != 3 || !n || !e || n->size() < 256 || n->size() > 1024 || e->empty() || e->size() > 8)
      return Refuse("an RS256 key must be an RSA key of 2048 bits or more");
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_n(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr), &BN_free);
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_e(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr), &BN_free);
    if (!bn_n || !bn_e || BN_num_bits(bn_n.get()) < 2048) return Refuse("an RS256 key must be 2048 bits or more");
    OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
    OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
    auto key = FromParams("RSA", build.get());
    if (!key) return std::move(key).error();
    return std::make_pair(std::move(*key), kRs256);
  }
  if (alg == kEdDsa) {
    auto x = bytes(-2);
    if (kty != 1 || crv != 6 || !x || x->size() != 32) return Refuse("an EdDSA key must be an Ed25519 OKP key");
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                reinterpret_cast<const unsigned char*>(x->data()), x->size());
    if (!key) return Refuse("the credential's public key is not valid");
    return std::make_pair(Pkey(key), kEdDsa);
  }
  return Refuse("the credential's algorithm is not ES256, RS256 or EdDSA");
}

Status CheckClientData(const RelyingParty& rp, const Expectations& expect, std::string_view client_data_json,
                       std::string_view type) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(client_data_json, ec);
  if (ec || !value.is_object()) return Refuse("clientDataJSON is not a JSON object");
  const boost::json::object& data = value.as_object();
  auto text = [&](std::string_view key) -> std::optional<std::string_view> {
    const boost::json::value* v = data.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string_view(v->as_string());
  };
  if (text("type") != type) return Refuse("clientDataJSON's type is not " + std::string(type));
  auto challenge = text("challenge");
  if (!challenge) return Refuse("clientDataJSON has no challenge");
  auto decoded = FromBase64Url(*challenge);
  if (!decoded || decoded->size() != expect.challenge.size() || expect.challenge.empty() ||
      sodium_memcmp(decoded->data(), expect.challenge.data(), decoded->size()) != 0)
    return Refuse("the challenge is not the one this server issued");
  if (text("origin") != rp.origin) return Refuse("the origin is not this server's");
  if (const boost::json::value* cross = data.if_contains("crossOrigin"); cross && !(cross->is_bool() && !cross->as_bool()))
    return Refuse("the ceremony ran in a cross-origin frame");
  return Ok();
}

struct AuthData {
  uint8_t flags = 0;
  uint32_t sign_count = 0;
  std::string_view credential_id;
  std::string_view public_key;  // COSE_Key bytes
};

Result<AuthData> ParseAuthData(const RelyingParty& rp, const Expectations& expect, std::string_view data,
                               bool registration) {
  if (data.size() < kAuthDataHeader) return Refuse("authenticatorData is too short");
  if (sodium_memcmp(data.data(), Sha256(rp.id).data(), SHA256_DIGEST_LENGTH) != 0)
    return Refuse("authenticatorData is for another rpId");
  AuthData out;
  out.flags = static_cast<uint8_t>(data[32]);
  if (!(out.flags & kUserPresent)) return Refuse("the user was not present (UP flag clear)");
  if (expect.require_user_verification && !(out.flags & kUserVerified))
    return Refuse("the user was not verified (UV flag clear)");
  for (int i = 0; i < 4; ++i) out.sign_count = (out.sign_count << 8) | static_cast<uint8_t>(data[33 + i]);
  std::string_view rest = data.substr(kAuthDataHeader);
  if (registration) {
    if (!(out.flags & kAttestedData)) return Refuse("authenticatorData carries no credential (AT flag clear)");
    if (rest.size() < 18) return Refuse("authenticatorData's credential data is too short");
    size_t id_length = (static_cast<uint8_t>(rest[16]) << 8) | static_cast<uint8_t>(rest[17]);
    rest.remove_prefix(18);
    if (id_length == 0 || id_length > kMaxCredentialId || rest.size() < id_length)
      return Refuse("the credential id is missing or too long");
    out.credential_id = rest.substr(0, id_length);
    rest.remove_prefix(id_length);
    auto key = LoadCbor(rest, "the public key");
    if (!key) return std::move(key).error();
    out.public_key = rest.substr(0, key->second);
    rest.remove_prefix(key->second);
  } else if (out.flags & kAttestedData) {
    return Refuse("an assertion carries no credential data (AT flag set)");
  }
  if (out.flags & kExtensionData) {
    auto extensions = LoadCbor(rest, "the extensions");
    if (!extensions) return std::move(extensions).error();
    if (!cbor_isa_map(extensions->first.get())) return Refuse("the extensions are not a map");
    rest.remove_prefix(extensions->second);
  }
  if (!rest.empty()) return Refuse("authenticatorData has bytes after its end");
  return out;
}

}  // namespace

std::string Base64Url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &length, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(length);
  return out;
}

Result<NewCredential> VerifyRegistration(const RelyingParty& rp, const Expectations& expect,
                                         std::string_view client_data_json, std::string_view attestation_object) {
  VANTAGE_TRY(CheckClientData(rp, expect, client_data_json, "webauthn.create"));
  auto loaded = LoadCbor(attestation_object, "the attestation object");
  if (!loaded) return std::move(loaded).error();
  if (loaded->second != attestation_object.size()) return Refuse("the attestation object has bytes after its end");
  const cbor_item_t* object = loaded->first.get();
  if (!cbor_isa_map(object)) return Refuse("the attestation object is not a map");
  const cbor_item_t* fmt = MapGet(object, std::string_view("fmt"));
  const cbor_item_t* auth_item = MapGet(object, std::string_view("authData"));
  if (!fmt || !TextOf(fmt) || !auth_item || !BytesOf(auth_item))
    return Refuse("the attestation object lacks fmt or authData");
  auto auth = ParseAuthData(rp, expect, *BytesOf(auth_item), /*registration=*/true);
  if (!auth) return std::move(auth).error();
  auto key = KeyFromCose(auth->public_key);
  if (!key) return std::move(key).error();
  NewCredential out;
  out.id = std::string(auth->credential_id);
  out.public_key = std::string(auth->public_key);
  out.algorithm = key->second;
  out.sign_count = auth->sign_count;
  out.user_verified = auth->flags & kUserVerified;
  out.backup_eligible = auth->flags & kBackupEligible;
  return out;
}

Result<VerifiedAssertion> VerifyAssertion(const RelyingParty& rp, const Expectations& expect,
                                          const StoredCredential& credential, std::string_view client_data_json,
                                          std::string_view authenticator_data, std::string_view signature) {
  VANTAGE_TRY(CheckClientData(rp, expect, client_data_json, "webauthn.get"));
  auto auth = ParseAuthData(rp, expect, authenticator_data, /*registration=*/false);
  if (!auth) return std::move(auth).error();
  auto key = KeyFromCose(credential.public_key);
  if (!key) return std::move(key).error();
  if (key->second != credential.algorithm) return Refuse("the stored key is not of the stored algorithm");
  std::string signed_data = std::string(authenticator_data) + Sha256(client_data_json);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!md) return Error::Internal("EVP_MD_CTX_new failed");
  const EVP_MD* digest = credential.algorithm == kEdDsa ? nullptr : EVP_sha256();
  if (EVP_DigestVerifyInit(md.get(), nullptr, digest, nullptr, key->first.get()) != 1 ||
      EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(signed_data.data()), signed_data.size()) != 1)
    return Refuse("the signature does not verify");
  if ((auth->sign_count != 0 || credential.sign_count != 0) && auth->sign_count <= credential.sign_count)
    return Refuse("the signature counter did not move forward: the authenticator may have been cloned");
  return VerifiedAssertion{auth->sign_count, static_cast<bool>(auth->flags & kUserVerified)};
}

}  // namespace vantage::service::webauthn
