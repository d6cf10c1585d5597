// The relying party's WebAuthn checks (service/webauthn.h) against ceremonies
// built here the way an authenticator and a browser build them: real keys
// (OpenSSL), a real COSE_Key and attestation object (libcbor), real
// authenticator data, client data and signatures. Every refusal must be
// Invalid with code "invalid_credential".
#include "service/webauthn.h"

#include <cbor.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vantage::service::webauthn {
namespace {

constexpr char kRpId[] = "photos.example.org";
constexpr char kOrigin[] = "https://photos.example.org";

// authenticatorData flags (WebAuthn Level 2, section 6.1).
constexpr uint8_t kUp = 0x01;
constexpr uint8_t kUv = 0x04;
constexpr uint8_t kBe = 0x08;
constexpr uint8_t kAt = 0x40;
constexpr uint8_t kEd = 0x80;

RelyingParty Rp() { return RelyingParty{kRpId, kOrigin}; }

// The issued challenge: raw bytes whose base64url form has both '-' and '_'.
std::string Challenge() {
  static const unsigned char bytes[] = {0xfb, 0xff, 0xbe, 0x00, 0x10, 0x83, 0x3e, 0xf7, 0x21, 0x42, 0x99,
                                        0xa5, 0x5a, 0xc3, 0x07, 0xee, 0x61, 0x1d, 0x4f, 0x80, 0x02, 0xd9,
                                        0x33, 0x7c, 0xfc, 0x13, 0x58, 0xb6, 0x0e, 0x95, 0x27, 0x6a};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

Expectations Expect(bool require_uv = false) { return Expectations{Challenge(), require_uv}; }

// ---- OpenSSL ----

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string Sha256(std::string_view data) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

// base64url without padding, written independently of the code under test.
std::string EncodeB64Url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

Pkey GenerateKey(int alg) {
  if (alg == kEs256) return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (alg == kRs256) return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
}

// ES256: DER ECDSA over SHA-256; RS256: PKCS#1 v1.5 over SHA-256; EdDSA: pure Ed25519.
std::string SignWith(EVP_PKEY* key, int alg, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (EVP_DigestSignInit(ctx.get(), nullptr, alg == kEdDsa ? nullptr : EVP_sha256(), nullptr, key) != 1) return {};
  size_t length = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &length, in, data.size()) != 1) return {};
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, in, data.size()) != 1)
    return {};
  signature.resize(length);
  return signature;
}

// Uncompressed P-256 point: x and y, 32 bytes each.
std::pair<std::string, std::string> EcPoint(EVP_PKEY* key) {
  unsigned char point[65];
  size_t length = 0;
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &length);
  if (length != 65 || point[0] != 0x04) return {};
  return {std::string(reinterpret_cast<const char*>(point + 1), 32),
          std::string(reinterpret_cast<const char*>(point + 33), 32)};
}

std::string BigNumParam(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return {};
  std::string out(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

std::string Ed25519Public(EVP_PKEY* key) {
  unsigned char raw[32];
  size_t length = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key, raw, &length) != 1) return {};
  return std::string(reinterpret_cast<const char*>(raw), length);
}

// ---- libcbor ----
// Builders return new items (reference count 1); Map() and Serialize() take
// them over.

cbor_item_t* Int(int64_t v) {
  if (v >= 0) {
    uint64_t u = static_cast<uint64_t>(v);
    if (u <= 0xff) return cbor_build_uint8(static_cast<uint8_t>(u));
    if (u <= 0xffff) return cbor_build_uint16(static_cast<uint16_t>(u));
    if (u <= 0xffffffff) return cbor_build_uint32(static_cast<uint32_t>(u));
    return cbor_build_uint64(u);
  }
  uint64_t u = static_cast<uint64_t>(-1 - v);  // CBOR major type 1 holds -1 - n
  if (u <= 0xff) return cbor_build_negint8(static_cast<uint8_t>(u));
  if (u <= 0xffff) return cbor_build_negint16(static_cast<uint16_t>(u));
  if (u <= 0xffffffff) return cbor_build_negint32(static_cast<uint32_t>(u));
  return cbor_build_negint64(u);
}

cbor_item_t* Bytes(std::string_view b) {
  return cbor_build_bytestring(reinterpret_cast<cbor_data>(b.data()), b.size());
}

cbor_item_t* Text(std::string_view s) { return cbor_build_stringn(s.data(), s.size()); }

cbor_item_t* Map(std::vector<std::pair<cbor_item_t*, cbor_item_t*>> entries) {
  cbor_item_t* map = cbor_new_definite_map(entries.size());
  for (auto& [key, value] : entries) {
    // cbor_map_add increments both; cbor_move hands ours over.
    bool added = cbor_map_add(map, cbor_pair{.key = cbor_move(key), .value = cbor_move(value)});
    EXPECT_TRUE(added);
  }
  return map;
}

std::string Serialize(cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  size_t buffer_size = 0;
  size_t length = cbor_serialize_alloc(item, &buffer, &buffer_size);
  std::string out(reinterpret_cast<const char*>(buffer), length);
  free(buffer);
  cbor_decref(&item);
  return out;
}

// COSE_Key (RFC 9053): 1 kty, 3 alg; EC2 -1 crv, -2 x, -3 y; RSA -1 n, -2 e;
// OKP -1 crv, -2 x.
std::string Ec2Key(int alg, int crv, std::string_view x, std::string_view y) {
  return Serialize(
      Map({{Int(1), Int(2)}, {Int(3), Int(alg)}, {Int(-1), Int(crv)}, {Int(-2), Bytes(x)}, {Int(-3), Bytes(y)}}));
}

std::string RsaKey(int alg, std::string_view n, std::string_view e) {
  return Serialize(Map({{Int(1), Int(3)}, {Int(3), Int(alg)}, {Int(-1), Bytes(n)}, {Int(-2), Bytes(e)}}));
}

std::string OkpKey(int alg, int crv, std::string_view x) {
  return Serialize(Map({{Int(1), Int(1)}, {Int(3), Int(alg)}, {Int(-1), Int(crv)}, {Int(-2), Bytes(x)}}));
}

std::string CoseKeyFor(EVP_PKEY* key, int alg) {
  if (alg == kEs256) {
    auto [x, y] = EcPoint(key);
    return Ec2Key(kEs256, 1, x, y);
  }
  if (alg == kRs256) return RsaKey(kRs256, BigNumParam(key, OSSL_PKEY_PARAM_RSA_N), BigNumParam(key, OSSL_PKEY_PARAM_RSA_E));
  return OkpKey(kEdDsa, 6, Ed25519Public(key));
}

std::string AttestationObject(std::string_view auth_data) {
  return Serialize(Map({{Text("fmt"), Text("none")},
                        {Text("attStmt"), Map({})},
                        {Text("authData"), Bytes(auth_data)}}));
}

// ---- the ceremonies' bytes ----

void AppendU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// rpIdHash || flags || signCount || attested (attested credential data and extensions).
std::string AuthData(std::string_view rp_id, uint8_t flags, uint32_t count, std::string_view attested = {}) {
  std::string out = Sha256(rp_id);
  out.push_back(static_cast<char>(flags));
  AppendU32(out, count);
  out.append(attested);
  return out;
}

// aaguid (zeros, as with attestation "none") || credentialIdLength (u16 BE) || credentialId || COSE_Key.
std::string AttestedCredentialData(std::string_view credential_id, std::string_view cose_key) {
  std::string out(16, '\0');
  out.push_back(static_cast<char>((credential_id.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(credential_id.size() & 0xff));
  out.append(credential_id);
  out.append(cose_key);
  return out;
}

std::string ClientData(std::string_view type, std::string_view challenge = Challenge(),
                       std::string_view origin = kOrigin, bool cross_origin = false) {
  std::string json = R"({"type":")";
  json.append(type);
  json.append(R"(","challenge":")");
  json.append(EncodeB64Url(challenge));
  json.append(R"(","origin":")");
  json.append(origin);
  json.append(R"(","crossOrigin":)");
  json.append(cross_origin ? "true" : "false");
  json.append("}");
  return json;
}

std::string CreateData(std::string_view challenge = Challenge(), std::string_view origin = kOrigin,
                       bool cross_origin = false) {
  return ClientData("webauthn.create", challenge, origin, cross_origin);
}

std::string GetData(std::string_view challenge = Challenge(), std::string_view origin = kOrigin,
                    bool cross_origin = false) {
  return ClientData("webauthn.get", challenge, origin, cross_origin);
}

// One credential on one authenticator.
struct Authenticator {
  int alg;
  Pkey key;
  std::string credential_id;
  std::string cose_key;

  explicit Authenticator(int algorithm)
      : alg(algorithm), key(GenerateKey(algorithm)), credential_id(RandomBytes(32)), cose_key(CoseKeyFor(key.get(), alg)) {}

  // authenticatorData for a registration, attested credential data included.
  std::string RegistrationAuthData(uint8_t flags = kUp | kUv | kAt, uint32_t count = 0,
                                   std::string_view rp_id = kRpId) const {
    return AuthData(rp_id, flags, count, AttestedCredentialData(credential_id, cose_key));
  }

  std::string Attestation(uint8_t flags = kUp | kUv | kAt, uint32_t count = 0) const {
    return AttestationObject(RegistrationAuthData(flags, count));
  }

  // The assertion signature: over authenticatorData || SHA-256(clientDataJSON).
  std::string Sign(std::string_view auth_data, std::string_view client_data) const {
    std::string signed_data(auth_data);
    signed_data.append(Sha256(client_data));
    return SignWith(key.get(), alg, signed_data);
  }

  StoredCredential Stored(uint32_t count) const { return StoredCredential{cose_key, alg, count}; }
};

const char* AlgName(int alg) { return alg == kEs256 ? "ES256" : alg == kRs256 ? "RS256" : "EdDSA"; }

template <class T>
::testing::AssertionResult Refused(const Result<T>& result) {
  if (result.ok()) return ::testing::AssertionFailure() << "accepted";
  const Error& e = result.error();
  if (e.kind != ErrorKind::kInvalid || e.code != "invalid_credential")
    return ::testing::AssertionFailure() << "refused, but with kind " << static_cast<int>(e.kind) << " and code \""
                                         << e.code << "\": " << e.message;
  if (e.message.empty()) return ::testing::AssertionFailure() << "refused without a message";
  return ::testing::AssertionSuccess() << "refused: " << e.message;
}

template <class T>
::testing::AssertionResult Accepted(const Result<T>& result) {
  if (result.ok()) return ::testing::AssertionSuccess() << "accepted";
  return ::testing::AssertionFailure() << "refused (" << result.error().code << "): " << result.error().message;
}

std::string FlipBit(std::string bytes, size_t index, int bit = 0) {
  bytes[index] = static_cast<char>(bytes[index] ^ (1 << bit));
  return bytes;
}

// ---- each algorithm ----

class WebAuthnEachAlgorithm : public ::testing::TestWithParam<int> {};

TEST_P(WebAuthnEachAlgorithm, RegistrationReturnsTheCredentialItsKeyAlgorithmCountAndFlags) {
  Authenticator a(GetParam());
  ASSERT_FALSE(a.cose_key.empty());
  auto result = VerifyRegistration(Rp(), Expect(), CreateData(), a.Attestation(kUp | kUv | kAt, 0x01020304));
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->id, a.credential_id);
  EXPECT_EQ(result->public_key, a.cose_key);
  EXPECT_EQ(result->algorithm, GetParam());
  EXPECT_EQ(result->sign_count, 0x01020304u);
  EXPECT_TRUE(result->user_verified);
  EXPECT_FALSE(result->backup_eligible);
}

TEST_P(WebAuthnEachAlgorithm, AssertionWithTheRegisteredKeyVerifiesAndReturnsTheNewCount) {
  Authenticator a(GetParam());
  auto registered = VerifyRegistration(Rp(), Expect(true), CreateData(), a.Attestation(kUp | kUv | kAt, 0));
  ASSERT_TRUE(Accepted(registered));
  StoredCredential stored{registered->public_key, registered->algorithm, registered->sign_count};

  std::string client_data = GetData();
  std::string auth_data = AuthData(kRpId, kUp | kUv, 1);
  auto first = VerifyAssertion(Rp(), Expect(true), stored, client_data, auth_data, a.Sign(auth_data, client_data));
  ASSERT_TRUE(Accepted(first));
  EXPECT_EQ(first->sign_count, 1u);
  EXPECT_TRUE(first->user_verified);

  stored.sign_count = first->sign_count;
  auth_data = AuthData(kRpId, kUp | kUv, 0x00010002);
  auto second = VerifyAssertion(Rp(), Expect(true), stored, client_data, auth_data, a.Sign(auth_data, client_data));
  ASSERT_TRUE(Accepted(second));
  EXPECT_EQ(second->sign_count, 0x00010002u);
}

TEST_P(WebAuthnEachAlgorithm, ForgedSignatureWithOneBitFlippedIsRefused) {
  Authenticator a(GetParam());
  std::string client_data = GetData();
  std::string auth_data = AuthData(kRpId, kUp | kUv, 6);
  std::string signature = a.Sign(auth_data, client_data);
  ASSERT_TRUE(Accepted(VerifyAssertion(Rp(), Expect(), a.Stored(5), client_data, auth_data, signature)));
  for (size_t index : {signature.size() - 1, signature.size() / 2, size_t{8}}) {
    for (int bit : {0, 5}) {
      EXPECT_TRUE(Refused(
          VerifyAssertion(Rp(), Expect(), a.Stored(5), client_data, auth_data, FlipBit(signature, index, bit))))
          << "byte " << index << " bit " << bit;
    }
  }
  EXPECT_TRUE(Refused(VerifyAssertion(Rp(), Expect(), a.Stored(5), client_data, auth_data, "")));
}

TEST_P(WebAuthnEachAlgorithm, SignatureByAnotherKeyIsRefused) {
  Authenticator a(GetParam());
  Authenticator other(GetParam());
  std::string client_data = GetData();
  std::string auth_data = AuthData(kRpId, kUp | kUv, 6);
  EXPECT_TRUE(
      Refused(VerifyAssertion(Rp(), Expect(), a.Stored(5), client_data, auth_data, other.Sign(auth_data, client_data))));
}

TEST_P(WebAuthnEachAlgorithm, DataSignedThenChangedIsRefused) {
  Authenticator a(GetParam());
  std::string client_data = GetData();
  std::string auth_data = AuthData(kRpId, kUp, 6);
  std::string signature = a.Sign(auth_data, client_data);
  // The counter bytes altered (still ahead of the stored 5).
  std::string recounted = AuthData(kRpId, kUp, 7);
  EXPECT_TRUE(Refused(VerifyAssertion(Rp(), Expect(), a.Stored(5), client_data, recounted, signature)));
  recounted = AuthData(kRpId, kUp, 0x01000006);
  EXPECT_TRUE(Refused(VerifyAssertion(Rp(), Expect(), a.Stored(5), client_data, recounted, signature)));
  // The UV flag added after signing.
  EXPECT_TRUE(Refused(
      VerifyAssertion(Rp(), Expect(), a.Stored(5), client_data, AuthData(kRpId, kUp | kUv, 6), signature)));
  // The client data changed after signing (same challenge, other spacing).
  std::string respaced = client_data;
  respaced.insert(1, " ");
  EXPECT_TRUE(Refused(VerifyAssertion(Rp(), Expect(), a.Stored(5), respaced, auth_data, signature)));
  // Unchanged, it verifies.
  EXPECT_TRUE(Accepted(VerifyAssertion(Rp(), Expect(), a.Stored(5), client_data, auth_data, signature)));
}

INSTANTIATE_TEST_SUITE_P(WebAuthn, WebAuthnEachAlgorithm, ::testing::Values(kEs256, kRs256, kEdDsa),
                         [](const ::testing::TestParamInfo<int>& info) { return std::string(AlgName(info.param)); });

// ---- registration (section 7.1) ----

TEST(WebAuthnRegistration, UserVerifiedAndBackupEligibleFollowTheFlags) {
  Authenticator a(kEs256);
  auto result = VerifyRegistration(Rp(), Expect(), CreateData(), a.Attestation(kUp | kAt | kBe, 0));
  ASSERT_TRUE(Accepted(result));
  EXPECT_FALSE(result->user_verified);
  EXPECT_TRUE(result->backup_eligible);
  EXPECT_EQ(result->sign_count, 0u);
}

TEST(WebAuthnRegistration, WrongOriginIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(Challenge(), "https://evil.example.org"),
                                         a.Attestation())));
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(Challenge(), ""), a.Attestation())));
}

TEST(WebAuthnRegistration, OriginDifferingOnlyByPortOrSchemeIsRefused) {
  Authenticator a(kEs256);
  for (const char* origin : {"https://photos.example.org:8443", "http://photos.example.org"})
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(Challenge(), origin), a.Attestation())))
        << origin;
}

TEST(WebAuthnRegistration, WrongRpIdHashIsRefused) {
  Authenticator a(kEs256);
  for (const char* rp_id : {"example.org", "evil.example.org", "photos.example.org:443"}) {
    std::string attestation = AttestationObject(a.RegistrationAuthData(kUp | kUv | kAt, 0, rp_id));
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), attestation))) << rp_id;
  }
}

TEST(WebAuthnRegistration, WrongChallengeIsRefused) {
  Authenticator a(kEs256);
  std::string other = Challenge();
  other.back() = static_cast<char>(other.back() ^ 1);
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(other), a.Attestation())));
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(""), a.Attestation())));
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(Challenge().substr(1)), a.Attestation())));
}

TEST(WebAuthnRegistration, AssertionTypeIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), GetData(), a.Attestation())));
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), ClientData("webauthn.create "), a.Attestation())));
}

TEST(WebAuthnRegistration, CrossOriginIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(Challenge(), kOrigin, true), a.Attestation())));
}

TEST(WebAuthnRegistration, UserPresenceClearIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), a.Attestation(kUv | kAt))));
}

TEST(WebAuthnRegistration, UserVerificationRequiredButClearIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(true), CreateData(), a.Attestation(kUp | kAt))));
  EXPECT_TRUE(Accepted(VerifyRegistration(Rp(), Expect(false), CreateData(), a.Attestation(kUp | kAt))));
  EXPECT_TRUE(Accepted(VerifyRegistration(Rp(), Expect(true), CreateData(), a.Attestation(kUp | kUv | kAt))));
}

TEST(WebAuthnRegistration, AttestedDataFlagClearIsRefused) {
  Authenticator a(kEs256);
  // The credential data present but not flagged...
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), a.Attestation(kUp | kUv))));
  // ...and absent altogether.
  EXPECT_TRUE(
      Refused(VerifyRegistration(Rp(), Expect(), CreateData(), AttestationObject(AuthData(kRpId, kUp | kUv, 0)))));
}

TEST(WebAuthnRegistration, TruncatedAuthenticatorDataIsRefused) {
  Authenticator a(kEs256);
  std::string auth_data = a.RegistrationAuthData();
  ASSERT_TRUE(Accepted(VerifyRegistration(Rp(), Expect(), CreateData(), AttestationObject(auth_data))));
  // Every cut: inside the rpIdHash, flags, counter, aaguid, length, id and COSE key.
  for (size_t length = 0; length < auth_data.size(); ++length)
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(),
                                           AttestationObject(auth_data.substr(0, length)))))
        << "authenticatorData cut to " << length << " of " << auth_data.size() << " bytes";
}

TEST(WebAuthnRegistration, CredentialIdLengthBeyondTheDataIsRefused) {
  Authenticator a(kEs256);
  std::string auth_data = a.RegistrationAuthData();
  auth_data[37 + 16] = static_cast<char>(0x04);  // length 0x0420: past the end
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), AttestationObject(auth_data))));
}

TEST(WebAuthnRegistration, TruncatedOrGarbageAttestationObjectIsRefused) {
  Authenticator a(kEs256);
  std::string attestation = a.Attestation();
  for (size_t length = 0; length < attestation.size(); ++length)
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), attestation.substr(0, length))))
        << "attestationObject cut to " << length << " of " << attestation.size() << " bytes";

  std::vector<std::string> garbage = {
      "garbage",
      std::string("\xff\xff\xff\xff", 4),
      std::string("\xa3\x63", 2),
      RandomBytes(64),
      Serialize(cbor_build_bytestring(reinterpret_cast<cbor_data>(attestation.data()), attestation.size())),
      // A map without authData.
      Serialize(Map({{Text("fmt"), Text("none")}, {Text("attStmt"), Map({})}})),
      // authData as a text string.
      Serialize(Map({{Text("fmt"), Text("none")},
                     {Text("attStmt"), Map({})},
                     {Text("authData"), Text(a.RegistrationAuthData())}})),
      // authData as an integer.
      Serialize(Map({{Text("fmt"), Text("none")}, {Text("attStmt"), Map({})}, {Text("authData"), Int(7)}})),
  };
  for (size_t i = 0; i < garbage.size(); ++i)
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), garbage[i]))) << "garbage #" << i;
}

TEST(WebAuthnRegistration, TrailingBytesAfterTheKeyWithoutExtensionFlagAreRefused) {
  Authenticator a(kEs256);
  std::string extensions = Serialize(Map({{Text("credProtect"), Int(1)}}));
  for (const std::string& trailing : {std::string(1, '\0'), extensions}) {
    std::string auth_data = a.RegistrationAuthData() + trailing;
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), AttestationObject(auth_data))));
  }
}

TEST(WebAuthnRegistration, ExtensionsAfterTheKeyWithExtensionFlagAreAccepted) {
  Authenticator a(kEs256);
  std::string extensions = Serialize(Map({{Text("credProtect"), Int(1)}}));
  std::string auth_data = a.RegistrationAuthData(kUp | kUv | kAt | kEd) + extensions;
  auto result = VerifyRegistration(Rp(), Expect(), CreateData(), AttestationObject(auth_data));
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->public_key, a.cose_key);
  EXPECT_EQ(result->id, a.credential_id);
}

TEST(WebAuthnRegistration, CoseKeyWithUnsupportedAlgorithmIsRefused) {
  Authenticator ec(kEs256);
  auto [x, y] = EcPoint(ec.key.get());
  Authenticator rsa(kRs256);
  std::string n = BigNumParam(rsa.key.get(), OSSL_PKEY_PARAM_RSA_N);
  std::string e = BigNumParam(rsa.key.get(), OSSL_PKEY_PARAM_RSA_E);
  std::vector<std::pair<const char*, std::string>> keys = {
      {"EC2 P-256 under ES384 (-35)", Ec2Key(-35, 1, x, y)},
      {"EC2 P-256 under ECDH-ES (-25)", Ec2Key(-25, 1, x, y)},
      {"RSA under PS256 (-37)", RsaKey(-37, n, e)},
      {"RSA under RS1 (-65535)", RsaKey(-65535, n, e)},
      {"EC2 without alg", Serialize(Map({{Int(1), Int(2)}, {Int(-1), Int(1)}, {Int(-2), Bytes(x)}, {Int(-3), Bytes(y)}}))},
  };
  for (const auto& [what, key] : keys) {
    std::string auth_data = AuthData(kRpId, kUp | kUv | kAt, 0, AttestedCredentialData(ec.credential_id, key));
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), AttestationObject(auth_data)))) << what;
  }
}

TEST(WebAuthnRegistration, CoseKeyWithMismatchedKeyTypeOrCurveIsRefused) {
  Authenticator ec(kEs256);
  auto [x, y] = EcPoint(ec.key.get());
  Authenticator ed(kEdDsa);
  std::string ed_x = Ed25519Public(ed.key.get());
  Authenticator rsa(kRs256);
  std::string n = BigNumParam(rsa.key.get(), OSSL_PKEY_PARAM_RSA_N);
  std::string e = BigNumParam(rsa.key.get(), OSSL_PKEY_PARAM_RSA_E);
  std::vector<std::pair<const char*, std::string>> keys = {
      {"ES256 on P-384 (crv 2)", Ec2Key(kEs256, 2, x, y)},
      {"ES256 on Ed25519 (crv 6)", Ec2Key(kEs256, 6, x, y)},
      {"ES256 with kty OKP", Serialize(Map({{Int(1), Int(1)}, {Int(3), Int(kEs256)}, {Int(-1), Int(1)},
                                            {Int(-2), Bytes(x)}, {Int(-3), Bytes(y)}}))},
      {"ES256 with kty RSA", Serialize(Map({{Int(1), Int(3)}, {Int(3), Int(kEs256)}, {Int(-1), Int(1)},
                                            {Int(-2), Bytes(x)}, {Int(-3), Bytes(y)}}))},
      {"EdDSA on P-256 (crv 1)", OkpKey(kEdDsa, 1, ed_x)},
      {"EdDSA on X25519 (crv 4)", OkpKey(kEdDsa, 4, ed_x)},
      {"EdDSA with kty EC2", Serialize(Map({{Int(1), Int(2)}, {Int(3), Int(kEdDsa)}, {Int(-1), Int(6)},
                                            {Int(-2), Bytes(ed_x)}}))},
      {"RS256 with kty EC2", Serialize(Map({{Int(1), Int(2)}, {Int(3), Int(kRs256)}, {Int(-1), Bytes(n)},
                                            {Int(-2), Bytes(e)}}))},
      {"RS256 with kty OKP", Serialize(Map({{Int(1), Int(1)}, {Int(3), Int(kRs256)}, {Int(-1), Bytes(n)},
                                            {Int(-2), Bytes(e)}}))},
  };
  for (const auto& [what, key] : keys) {
    std::string auth_data = AuthData(kRpId, kUp | kUv | kAt, 0, AttestedCredentialData(ec.credential_id, key));
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), AttestationObject(auth_data)))) << what;
  }
}

TEST(WebAuthnRegistration, EcPointNotOnTheCurveIsRefused) {
  Authenticator a(kEs256);
  auto [x, y] = EcPoint(a.key.get());
  ASSERT_EQ(y.size(), 32u);
  std::string off_curve = Ec2Key(kEs256, 1, x, FlipBit(y, 31));
  std::string auth_data = AuthData(kRpId, kUp | kUv | kAt, 0, AttestedCredentialData(a.credential_id, off_curve));
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), AttestationObject(auth_data))));
  // Coordinates of the wrong length are no point either.
  std::string short_x = Ec2Key(kEs256, 1, x.substr(1), y);
  auth_data = AuthData(kRpId, kUp | kUv | kAt, 0, AttestedCredentialData(a.credential_id, short_x));
  EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), CreateData(), AttestationObject(auth_data))));
}

TEST(WebAuthnRegistration, ClientDataThatIsNotJsonIsRefused) {
  Authenticator a(kEs256);
  for (const char* json : {"", "not json", R"({"type":"webauthn.create",)", "[]", "null", R"("webauthn.create")",
                           "{\"type\":\"webauthn.create\"}}"})
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), json, a.Attestation()))) << json;
}

TEST(WebAuthnRegistration, ClientDataLackingFieldsIsRefused) {
  Authenticator a(kEs256);
  std::string challenge = EncodeB64Url(Challenge());
  std::vector<std::string> jsons = {
      R"({"challenge":")" + challenge + R"(","origin":"https://photos.example.org"})",
      R"({"type":"webauthn.create","origin":"https://photos.example.org"})",
      R"({"type":"webauthn.create","challenge":")" + challenge + R"("})",
      R"({"type":7,"challenge":")" + challenge + R"(","origin":"https://photos.example.org"})",
      R"({"type":"webauthn.create","challenge":null,"origin":"https://photos.example.org"})",
      R"({"type":"webauthn.create","challenge":")" + challenge + R"(","origin":["https://photos.example.org"]})",
      "{}",
  };
  for (const std::string& json : jsons)
    EXPECT_TRUE(Refused(VerifyRegistration(Rp(), Expect(), json, a.Attestation()))) << json;
}

// Section 5.8.1.2: members may come in any order and unknown ones are ignored.
TEST(WebAuthnRegistration, ClientDataMembersInAnyOrderAndUnknownOnesAreTolerated) {
  Authenticator a(kEs256);
  std::string json = R"({"origin":"https://photos.example.org","challenge":")" + EncodeB64Url(Challenge()) +
                     R"(","type":"webauthn.create","other_keys_can_be_added_here":"do not compare clientDataJSON against a template"})";
  EXPECT_TRUE(Accepted(VerifyRegistration(Rp(), Expect(), json, a.Attestation())));
}

// The header: attestation statements are not verified, whatever the format.
TEST(WebAuthnRegistration, OtherAttestationFormatsAreTakenWithoutVerification) {
  Authenticator a(kEs256);
  std::string attestation = Serialize(Map({{Text("fmt"), Text("packed")},
                                           {Text("attStmt"), Map({{Text("alg"), Int(kEs256)}, {Text("sig"), Bytes("x")}})},
                                           {Text("authData"), Bytes(a.RegistrationAuthData())}}));
  auto result = VerifyRegistration(Rp(), Expect(), CreateData(), attestation);
  ASSERT_TRUE(Accepted(result));
  EXPECT_EQ(result->public_key, a.cose_key);
}

// ---- assertion (section 7.2) ----

struct Signed {
  std::string client_data;
  std::string auth_data;
  std::string signature;
};

Signed SignedAssertion(const Authenticator& a, std::string client_data, std::string auth_data) {
  std::string signature = a.Sign(auth_data, client_data);
  return Signed{std::move(client_data), std::move(auth_data), std::move(signature)};
}

Result<VerifiedAssertion> Verify(const Authenticator& a, const Signed& s, uint32_t stored_count = 5,
                                 bool require_uv = false) {
  return VerifyAssertion(Rp(), Expect(require_uv), a.Stored(stored_count), s.client_data, s.auth_data, s.signature);
}

TEST(WebAuthnAssertion, UserVerifiedFollowsTheFlag) {
  Authenticator a(kEs256);
  auto result = Verify(a, SignedAssertion(a, GetData(), AuthData(kRpId, kUp, 6)));
  ASSERT_TRUE(Accepted(result));
  EXPECT_FALSE(result->user_verified);
  EXPECT_EQ(result->sign_count, 6u);
}

TEST(WebAuthnAssertion, WrongOriginIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(Challenge(), "https://evil.example.org"),
                                                AuthData(kRpId, kUp, 6)))));
}

TEST(WebAuthnAssertion, OriginDifferingOnlyByPortOrSchemeIsRefused) {
  Authenticator a(kEs256);
  for (const char* origin : {"https://photos.example.org:8443", "http://photos.example.org"})
    EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(Challenge(), origin), AuthData(kRpId, kUp, 6)))))
        << origin;
}

TEST(WebAuthnAssertion, WrongRpIdHashIsRefused) {
  Authenticator a(kEs256);
  for (const char* rp_id : {"example.org", "evil.example.org"})
    EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(), AuthData(rp_id, kUp, 6))))) << rp_id;
}

TEST(WebAuthnAssertion, WrongChallengeIsRefused) {
  Authenticator a(kEs256);
  std::string other = Challenge();
  other[0] = static_cast<char>(other[0] ^ 0x80);
  EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(other), AuthData(kRpId, kUp, 6)))));
  EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(""), AuthData(kRpId, kUp, 6)))));
}

TEST(WebAuthnAssertion, RegistrationTypeIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, CreateData(), AuthData(kRpId, kUp, 6)))));
}

TEST(WebAuthnAssertion, CrossOriginIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(Challenge(), kOrigin, true), AuthData(kRpId, kUp, 6)))));
}

TEST(WebAuthnAssertion, UserPresenceClearIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(), AuthData(kRpId, kUv, 6)))));
  EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(), AuthData(kRpId, 0, 6)))));
}

TEST(WebAuthnAssertion, UserVerificationRequiredButClearIsRefused) {
  Authenticator a(kEs256);
  EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(), AuthData(kRpId, kUp, 6)), 5, true)));
  EXPECT_TRUE(Accepted(Verify(a, SignedAssertion(a, GetData(), AuthData(kRpId, kUp | kUv, 6)), 5, true)));
}

TEST(WebAuthnAssertion, CounterNotMovingForwardIsRefused) {
  Authenticator a(kEs256);
  for (uint32_t presented : {5u, 3u, 0u})
    EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(), AuthData(kRpId, kUp, presented)), 5)))
        << "stored 5, presented " << presented;
  auto forward = Verify(a, SignedAssertion(a, GetData(), AuthData(kRpId, kUp, 6)), 5);
  ASSERT_TRUE(Accepted(forward));
  EXPECT_EQ(forward->sign_count, 6u);
}

TEST(WebAuthnAssertion, CounterZeroOnBothSidesIsAccepted) {
  Authenticator a(kEs256);
  auto zero = Verify(a, SignedAssertion(a, GetData(), AuthData(kRpId, kUp, 0)), 0);
  ASSERT_TRUE(Accepted(zero));
  EXPECT_EQ(zero->sign_count, 0u);
  auto started = Verify(a, SignedAssertion(a, GetData(), AuthData(kRpId, kUp, 1)), 0);
  ASSERT_TRUE(Accepted(started));
  EXPECT_EQ(started->sign_count, 1u);
}

TEST(WebAuthnAssertion, TruncatedAuthenticatorDataIsRefused) {
  Authenticator a(kEs256);
  std::string auth_data = AuthData(kRpId, kUp, 6);
  ASSERT_EQ(auth_data.size(), 37u);
  // Each cut is signed as it stands: only its length is wrong.
  for (size_t length = 0; length < auth_data.size(); ++length)
    EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, GetData(), auth_data.substr(0, length)))))
        << "authenticatorData cut to " << length << " bytes";
}

TEST(WebAuthnAssertion, ClientDataThatIsNotJsonOrLacksFieldsIsRefused) {
  Authenticator a(kEs256);
  std::string challenge = EncodeB64Url(Challenge());
  std::vector<std::string> jsons = {
      "",
      "not json",
      R"({"type":"webauthn.get")",
      "[]",
      "{}",
      R"({"challenge":")" + challenge + R"(","origin":"https://photos.example.org"})",
      R"({"type":"webauthn.get","origin":"https://photos.example.org"})",
      R"({"type":"webauthn.get","challenge":")" + challenge + R"("})",
  };
  for (const std::string& json : jsons)
    EXPECT_TRUE(Refused(Verify(a, SignedAssertion(a, json, AuthData(kRpId, kUp, 6))))) << json;
}

TEST(WebAuthnAssertion, StoredKeyThatIsNotCoseIsRefused) {
  Authenticator a(kEs256);
  Signed s = SignedAssertion(a, GetData(), AuthData(kRpId, kUp, 6));
  for (const std::string& key : {std::string(), std::string("garbage"), a.cose_key.substr(0, a.cose_key.size() - 1)})
    EXPECT_TRUE(Refused(VerifyAssertion(Rp(), Expect(), StoredCredential{key, kEs256, 5}, s.client_data, s.auth_data,
                                        s.signature)));
}

// ---- base64url ----

TEST(WebAuthnBase64Url, EncodesWithoutPaddingInTheUrlAlphabet) {
  EXPECT_EQ(Base64Url(""), "");
  EXPECT_EQ(Base64Url("f"), "Zg");
  EXPECT_EQ(Base64Url("fo"), "Zm8");
  EXPECT_EQ(Base64Url("foo"), "Zm9v");
  EXPECT_EQ(Base64Url("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Url(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(Base64Url(std::string("\xfb\xef\xbe", 3)), "----");
  EXPECT_EQ(Base64Url(std::string("\xff\xff\xff", 3)), "____");
  EXPECT_EQ(Base64Url(Challenge()), EncodeB64Url(Challenge()));
}

TEST(WebAuthnBase64Url, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (size_t length = 0; length <= all.size(); ++length) {
    std::string bytes = all.substr(all.size() - length);
    std::string text = Base64Url(bytes);
    EXPECT_EQ(text, EncodeB64Url(bytes));
    auto back = FromBase64Url(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, bytes);
  }
  std::string random = RandomBytes(1000);
  EXPECT_EQ(FromBase64Url(Base64Url(random)), random);
}

TEST(WebAuthnBase64Url, ToleratesPadding) {
  EXPECT_EQ(FromBase64Url("Zg=="), "f");
  EXPECT_EQ(FromBase64Url("Zm8="), "fo");
  EXPECT_EQ(FromBase64Url("Zm9v"), "foo");
  EXPECT_EQ(FromBase64Url("Zg"), "f");
  EXPECT_EQ(FromBase64Url("-_8="), std::string("\xfb\xff", 2));
  EXPECT_EQ(FromBase64Url(""), "");
}

TEST(WebAuthnBase64Url, RefusesBadCharactersAndImpossibleLengths) {
  for (const char* text : {"Zm9v+A", "Zm9v/A", "Zm+v", "Zm/v", "Zm9v!", "Zm 9v", "Zm9v\n", "Zg=a", "=Zg",
                           "Z\xc3\xa9", "Z", "Zm9vY"}) {
    EXPECT_FALSE(FromBase64Url(text).has_value()) << text;
  }
  EXPECT_FALSE(FromBase64Url(std::string("Zm\0v", 4)).has_value());
}

}  // namespace
}  // namespace vantage::service::webauthn
