// RSA keys of ActivityPub actors: ours (RSA-2048, made once per account and
// kept in the database as PEM) and peers' (read from the publicKeyPem of
// their actor documents), and the RSASSA-PKCS1-v1_5 SHA-256 signatures
// HTTP Signatures use. OpenSSL 3's EVP interface does the work; nothing here
// is our own cryptography.
//
// An RsaKey is immutable once made and may be used from any number of
// threads at once (each operation takes its own OpenSSL context).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace vantage::federation {

// The sizes of a peer's key we accept (Mastodon makes 2048 bits, Fedify 4096).
inline constexpr int kMinRemoteKeyBits = 2048;
inline constexpr int kMaxRemoteKeyBits = 8192;
// The size of ours.
inline constexpr int kLocalKeyBits = 2048;

class RsaKey {
 public:
  // A new key pair of `bits` (public exponent 65537). Internal error when
  // OpenSSL cannot make one.
  static Result<RsaKey> Generate(int bits = kLocalKeyBits);
  // Our own key as stored: a PKCS#8 PEM ("BEGIN PRIVATE KEY"), or the
  // traditional RSA form. Internal error when it does not parse: a stored
  // key that cannot be read is a loud failure, never replaced silently.
  static Result<RsaKey> FromPrivatePem(std::string_view pem);
  // A peer's public key: SubjectPublicKeyInfo ("BEGIN PUBLIC KEY") or PKCS#1
  // ("BEGIN RSA PUBLIC KEY"), RSA of kMinRemoteKeyBits to kMaxRemoteKeyBits.
  // Invalid "publicKeyPem" otherwise.
  static Result<RsaKey> FromPublicPem(std::string_view pem);

  // PKCS#8 PEM of the private key (Internal error for a public-only key).
  Result<std::string> PrivatePem() const;
  // SubjectPublicKeyInfo PEM, as an actor's publicKeyPem carries it.
  Result<std::string> PublicPem() const;

  bool has_private() const { return has_private_; }
  int bits() const;

  // RSASSA-PKCS1-v1_5 over SHA-256 of `message`: the raw signature bytes.
  // Deterministic: the same key and message give the same bytes.
  Result<std::string> SignSha256(std::string_view message) const;
  // Whether `signature` (raw bytes) is this key's signature of `message`.
  bool VerifySha256(std::string_view message, std::string_view signature) const;

 private:
  RsaKey(std::shared_ptr<evp_pkey_st> key, bool has_private) : key_(std::move(key)), has_private_(has_private) {}

  std::shared_ptr<evp_pkey_st> key_;
  bool has_private_ = false;
};

// Standard base64 (with padding), as HTTP Signatures and Digest headers use.
std::string Base64Encode(std::string_view bytes);
// Strict: nullopt for anything but standard, padded base64 (white space is
// not skipped).
std::optional<std::string> Base64Decode(std::string_view text);
// Base64 of the SHA-256 of `bytes` (a Digest header's SHA-256 value).
std::string Sha256Base64(std::string_view bytes);
// The SHA-512 of `bytes` (64 raw bytes), for Content-Digest.
std::string Sha512(std::string_view bytes);

}  // namespace vantage::federation
