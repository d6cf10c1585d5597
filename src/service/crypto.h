// Passwords, random secrets and digests (libsodium).
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace vantage::service {

// Must be called once before any other function here (idempotent).
void InitCrypto();

// argon2id with libsodium's INTERACTIVE limits (~64 MiB, tens of milliseconds).
// CPU- and memory-heavy: call only from the CPU pool.
Result<std::string> HashPassword(std::string_view password);
// Constant-time with respect to the password. False for a malformed hash.
bool VerifyPassword(const std::string& hash, std::string_view password);
// Does the same work as a failed VerifyPassword, for unknown accounts, so that
// "no such user" and "wrong password" take the same time.
void BurnPasswordCheck(std::string_view password);

// 256 random bits, base64url without padding (43 characters).
std::string RandomToken();
std::string Sha256Hex(std::string_view data);
std::string Sha256Base64Url(std::string_view data);
// HMAC-SHA-256 of `data` under `key`, as lower-case hex.
std::string HmacSha256Hex(std::string_view key, std::string_view data);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace vantage::service
