// OAuth scopes as Mastodon defines them.
//
// Top-level scopes: read, write, follow, push, admin:read, admin:write.
// Sub-scopes: read:accounts, write:statuses, ... `read` grants every `read:*`,
// `write` every `write:*`; the legacy `follow` grants read/write of follows,
// blocks and mutes; `admin:read` grants every `admin:read:*`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vantage::service {

// Validates a space-separated list; returns it normalised (deduplicated,
// single spaces). Empty input gives `fallback`. Error names `field`.
Result<std::string> NormalizeScopes(std::string_view scopes, std::string_view field,
                                    std::string_view fallback = "read");

// Whether the granted list (space-separated) allows `required`.
bool ScopeAllows(std::string_view granted, std::string_view required);

// Whether every scope of `requested` is allowed by `granted`.
bool ScopesWithin(std::string_view requested, std::string_view granted);

}  // namespace vantage::service
