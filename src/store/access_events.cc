#include "store/access_events.h"

#include <charconv>

#include "store/event_store.h"

namespace vantage::store {

namespace {

// The id after `"name":"` in `data`; nullopt when absent or not an id.
std::optional<int64_t> IdField(std::string_view data, std::string_view name) {
  std::string key = "\"" + std::string(name) + "\":\"";
  size_t at = data.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = data.substr(at + key.size());
  int64_t value = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc() || end == rest.data() + rest.size() || *end != '"' || value < 0) return std::nullopt;
  return value;
}

}  // namespace

bool Revokes(const AccessRevocation& revocation, const AccessGrant& grant) {
  if (revocation.account_id == 0) return false;
  if (revocation.account_id != grant.account_id && revocation.account_id != grant.acting_id) return false;
  if (revocation.token_id != 0 && revocation.token_id != grant.token_id) return false;
  if (revocation.owner_id != 0 && revocation.owner_id != grant.owner_id) return false;
  return true;
}

std::string EncodeAccessRevocation(const AccessRevocation& revocation) {
  return "{\"account_id\":\"" + std::to_string(revocation.account_id) + "\",\"token_id\":\"" +
         std::to_string(revocation.token_id) + "\",\"owner_id\":\"" + std::to_string(revocation.owner_id) + "\"}";
}

std::optional<AccessRevocation> DecodeAccessRevocation(std::string_view data) {
  auto account = IdField(data, "account_id");
  auto token = IdField(data, "token_id");
  auto owner = IdField(data, "owner_id");
  if (!account || !token || !owner) return std::nullopt;
  return AccessRevocation{*account, *token, *owner};
}

Status AppendAccessRevokedOn(Connection& conn, const AccessRevocation& revocation, int64_t now) {
  auto id = AppendEventOn(conn, kAccessTopic, "revoked", EncodeAccessRevocation(revocation), now);
  if (!id) return std::move(id).error();
  return Ok();
}

}  // namespace vantage::store
