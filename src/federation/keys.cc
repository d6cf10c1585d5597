#include "federation/keys.h"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <vector>

namespace vantage::federation {

namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }

Bio ReadBio(std::string_view bytes) {
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), BIO_free);
}

// What a memory BIO holds.
std::string Drain(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<size_t>(length)) : std::string();
}

// OpenSSL's reason for the last failure on this thread, and the queue cleared.
std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

}  // namespace

Result<RsaKey> RsaKey::Generate(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (!key) return Error::Internal("Cannot generate an RSA key: " + OpenSslError());
  return RsaKey(Own(key), true);
}

Result<RsaKey> RsaKey::FromPrivatePem(std::string_view pem) {
  Bio bio = ReadBio(pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!key) return Error::Internal("A stored private key does not parse: " + OpenSslError());
  auto owned = Own(key);
  if (!EVP_PKEY_is_a(key, "RSA")) return Error::Internal("A stored private key is not an RSA key");
  return RsaKey(std::move(owned), true);
}

Result<RsaKey> RsaKey::FromPublicPem(std::string_view pem) {
  // The decoder reads SubjectPublicKeyInfo and PKCS#1 alike (the PEM reader
  // for PKCS#1 is deprecated in OpenSSL 3).
  EVP_PKEY* key = nullptr;
  OSSL_DECODER_CTX* decoder =
      OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", nullptr, "RSA", EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  size_t length = pem.size();
  bool decoded = decoder && OSSL_DECODER_from_data(decoder, &data, &length) == 1;
  OSSL_DECODER_CTX_free(decoder);
  if (!decoded || !key) {
    EVP_PKEY_free(key);
    ERR_clear_error();
    return Error::Invalid("publicKeyPem", "publicKeyPem is not an RSA public key in PEM");
  }
  auto owned = Own(key);
  int bits = EVP_PKEY_get_bits(key);
  if (!EVP_PKEY_is_a(key, "RSA") || bits < kMinRemoteKeyBits || bits > kMaxRemoteKeyBits)
    return Error::Invalid("publicKeyPem", "publicKeyPem must be an RSA key of 2048 to 8192 bits");
  return RsaKey(std::move(owned), false);
}

Result<std::string> RsaKey::PrivatePem() const {
  if (!has_private_) return Error::Internal("A public key has no private PEM");
  Bio bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return Error::Internal("Cannot write a private key: " + OpenSslError());
  return Drain(bio.get());
}

Result<std::string> RsaKey::PublicPem() const {
  Bio bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1)
    return Error::Internal("Cannot write a public key: " + OpenSslError());
  return Drain(bio.get());
}

int RsaKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

Result<std::string> RsaKey::SignSha256(std::string_view message) const {
  if (!has_private_) return Error::Internal("A public key cannot sign");
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pkey_ctx, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) <= 0)
    return Error::Internal("Cannot start a signature: " + OpenSslError());
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  size_t length = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &length, data, message.size()) != 1)
    return Error::Internal("Cannot size a signature: " + OpenSslError());
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                     message.size()) != 1)
    return Error::Internal("Cannot sign: " + OpenSslError());
  signature.resize(length);
  return signature;
}

bool RsaKey::VerifySha256(std::string_view message, std::string_view signature) const {
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pkey_ctx = nullptr;
  bool valid = ctx && EVP_DigestVerifyInit(ctx.get(), &pkey_ctx, EVP_sha256(), nullptr, key_.get()) == 1 &&
               EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) > 0 &&
               EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                                message.size()) == 1;
  // A bad signature leaves its reason on this thread's error queue.
  if (!valid) ERR_clear_error();
  return valid;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(length);
  return out;
}

std::string Sha256Base64(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string Sha512(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha512_BYTES];
  crypto_hash_sha512(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

}  // namespace vantage::federation
