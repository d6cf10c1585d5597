#include "service/crypto.h"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

#include "core/text.h"

namespace vantage::service {

namespace {
std::once_flag g_init;
std::string g_dummy_hash;
}  // namespace

void InitCrypto() {
  std::call_once(g_init, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    char out[crypto_pwhash_STRBYTES];
    std::string random = RandomToken();
    if (crypto_pwhash_str(out, random.data(), random.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
      throw std::runtime_error("out of memory hashing the reference password");
    g_dummy_hash = out;
  });
}

Result<std::string> HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Error::Unavailable("Not enough memory to hash the password", 2);
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void BurnPasswordCheck(std::string_view password) { (void)VerifyPassword(g_dummy_hash, password); }

std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return Base64UrlEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

static std::string Sha256Raw(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256Raw(data)); }
std::string Sha256Base64Url(std::string_view data) { return Base64UrlEncode(Sha256Raw(data)); }

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return HexEncode(std::string(reinterpret_cast<const char*>(mac), sizeof mac));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vantage::service
