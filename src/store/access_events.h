// Access revocations: what ends a live stream when its reader loses the
// right to read it (docs/architecture.md, "Live events", and
// docs/security.md).
//
// A stream is authorized once, when it opens; what it reads afterwards
// arrives for as long as the connection lives. So every change that takes
// a right away (a token or session revoked, a password changed, a staff
// member's roles changed or removed, a block) appends an event to the one
// topic kAccessTopic in its own transaction, naming whose access it ends.
// Every server's event bus reads that topic before it hands out the events
// it has just read of any topic with such readers, and ends the streams the
// revocation names (store/event_bus.h): an event committed after the
// revocation is never delivered to them, on any server. The conventions of
// store.h hold here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

inline constexpr std::string_view kAccessTopic = "access";

// Whose access a change ended. Zero fields match anything.
struct AccessRevocation {
  int64_t account_id = 0;  // the account whose streams end
  int64_t token_id = 0;    // only those opened with this token or session
  int64_t owner_id = 0;    // only those of this account's topics (an organisation's)
};

// What a stream was authorized as, when it opened.
struct AccessGrant {
  int64_t account_id = 0;  // whose credentials opened it
  int64_t acting_id = 0;   // the organisation acted as (Vantage-Act-As); 0: none
  int64_t token_id = 0;    // the token or session
  int64_t owner_id = 0;    // the account whose topic it reads (the organisation)
  // kAccessTopic's last id read before the right was checked: revocations
  // after it apply to the stream, even those committed before it joined.
  int64_t checked_after = 0;
};

// Whether `revocation` ends a stream granted `grant`.
bool Revokes(const AccessRevocation& revocation, const AccessGrant& grant);

// The event's data (JSON, ids as strings) and back; nullopt for anything
// this encoding did not write.
std::string EncodeAccessRevocation(const AccessRevocation& revocation);
std::optional<AccessRevocation> DecodeAccessRevocation(std::string_view data);

// Inside the transaction of the change: appends the revocation to
// kAccessTopic (type "revoked").
Status AppendAccessRevokedOn(Connection& conn, const AccessRevocation& revocation, int64_t now);

}  // namespace vantage::store
