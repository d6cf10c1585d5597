// WebAuthn Level 2 (https://www.w3.org/TR/webauthn-2/) on the relying
// party's side: the checks of section 7.1 (registering a new credential)
// and 7.2 (verifying an authentication assertion), for passkeys used as a
// second factor (docs/account-security.md).
//
// Pure: bytes in, a verdict out; no store, no clock. CBOR is read with
// libcbor and signatures are checked with OpenSSL. Algorithms: ES256 (-7,
// ECDSA P-256 with SHA-256), RS256 (-257, RSASSA-PKCS1-v1_5 with SHA-256)
// and EdDSA (-8, Ed25519). Attestation statements are not verified (the
// relying party asks for attestation "none"): whatever the format, the
// credential is taken on the strength of the account holder's session.
//
// Every refusal is Invalid with code "invalid_credential" and a message
// that says which check failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vantage::service::webauthn {

inline constexpr int kEs256 = -7;
inline constexpr int kRs256 = -257;
inline constexpr int kEdDsa = -8;

struct RelyingParty {
  std::string id;      // rpId: the instance's host name, without a port
  std::string origin;  // the exact origin pages are served from: "https://photos.example.org"
};

// What the ceremony must show besides the signature.
struct Expectations {
  std::string challenge;  // the random bytes the server issued (raw, not encoded)
  bool require_user_verification = false;
};

struct NewCredential {
  std::string id;          // credential id, raw bytes
  std::string public_key;  // its COSE_Key, raw CBOR bytes as the authenticator gave it
  int algorithm = 0;       // kEs256, kRs256 or kEdDsa
  uint32_t sign_count = 0;
  bool user_verified = false;
  bool backup_eligible = false;
};

// Section 7.1: `client_data_json` and `attestation_object` as the browser's
// AuthenticatorAttestationResponse holds them (raw bytes, already decoded
// from base64url).
Result<NewCredential> VerifyRegistration(const RelyingParty& rp, const Expectations& expect,
                                         std::string_view client_data_json, std::string_view attestation_object);

struct StoredCredential {
  std::string public_key;  // COSE_Key bytes, as NewCredential::public_key
  int algorithm = 0;
  uint32_t sign_count = 0;
};

struct VerifiedAssertion {
  uint32_t sign_count = 0;  // to store
  bool user_verified = false;
};

// Section 7.2: the AuthenticatorAssertionResponse's fields (raw bytes). A
// signature counter that does not move forward (when either side is not
// zero) is refused: the authenticator may have been cloned.
Result<VerifiedAssertion> VerifyAssertion(const RelyingParty& rp, const Expectations& expect,
                                          const StoredCredential& credential, std::string_view client_data_json,
                                          std::string_view authenticator_data, std::string_view signature);

// base64url without padding, as WebAuthn's JSON carries binary fields.
std::string Base64Url(std::string_view bytes);
// Decodes base64url (padding tolerated); none when malformed.
std::optional<std::string> FromBase64Url(std::string_view text);

}  // namespace vantage::service::webauthn
