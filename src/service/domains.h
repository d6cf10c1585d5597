// Which other servers this one federates with (docs/federation.md,
// "Control"): domain blocks and, for an allowlisted instance, the allowed
// domains. Changes are made by instance admins (the admin API or the
// command line) and each is written to the audit log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/federation_store.h"

namespace vantage::service {

inline constexpr std::string_view kDomainSeverities[] = {"suspend", "silence", "reject_media"};

// Who changes the policy: an admin's account, or the command line (none).
struct DomainAdmin {
  std::optional<int64_t> account_id;
  std::string ip;  // "" from the command line
};

// A domain as written in a block: a host name, lower case, without a port,
// a trailing dot or a scheme ("social.example"). Invalid "domain" otherwise.
Result<std::string> NormaliseDomain(std::string_view text);

// Blocks `domain` and its subdomains, or changes its block; Invalid
// "severity" unless one of kDomainSeverities. Audited. Answers the block as
// stored (a changed block keeps its created_at).
Result<store::DomainBlock> BlockDomain(ServiceContext& ctx, const DomainAdmin& admin, std::string_view domain,
                                       std::string_view severity, std::string_view reason);
// A suspension also removes the domain's accounts here and everything of
// theirs (posts, comments, follows, likes, boosts), as if each had been
// deleted by its server.
//
// The block of exactly `domain`, if any.
Result<std::optional<store::DomainBlock>> FindDomainBlock(ServiceContext& ctx, std::string_view domain);
// NotFound when it is not blocked. Audited.
Status UnblockDomain(ServiceContext& ctx, const DomainAdmin& admin, std::string_view domain);
Result<std::vector<store::DomainBlock>> DomainBlocks(ServiceContext& ctx);

// Answers the allowance as stored.
Result<store::DomainAllow> AllowDomain(ServiceContext& ctx, const DomainAdmin& admin, std::string_view domain);
Status DisallowDomain(ServiceContext& ctx, const DomainAdmin& admin, std::string_view domain);
Result<std::vector<store::DomainAllow>> AllowedDomains(ServiceContext& ctx);

// Remote posts from silenced servers wait for the instance's moderators:
// listed newest first (ids below `below`, 0: from the newest), approved
// (shown where they belong) or rejected (deleted). NotFound for an id that
// is no held remote post. Audited.
Result<std::vector<int64_t>> HeldRemotePosts(ServiceContext& ctx, int64_t below, int limit);
Status ApproveHeldPost(ServiceContext& ctx, const DomainAdmin& admin, int64_t id);
Status RejectHeldPost(ServiceContext& ctx, const DomainAdmin& admin, int64_t id);

// A user's own domain blocks (Mastodon's /api/v1/domain_blocks): the
// server's accounts' posts, boosts and notifications are not shown to the
// user, and its accounts that followed the user (or asked to) no longer do
// (their servers are sent a Reject). Invalid "domain" for a malformed name
// or this server's own. Unblocking what is not blocked does nothing.
inline constexpr int kMaxAccountDomainBlocks = 1000;
Result<std::vector<std::string>> AccountDomainBlocks(ServiceContext& ctx, int64_t account_id, int limit);
Status BlockDomainForAccount(ServiceContext& ctx, int64_t account_id, std::string_view domain);
Status UnblockDomainForAccount(ServiceContext& ctx, int64_t account_id, std::string_view domain);

// What the policy says of a host ("social.example" or "social.example:8443";
// the port is ignored): blocked (suspended, or not allowed while
// `allowlist`), silenced, its media rejected. A block of a domain covers its
// subdomains; so does an allowance.
struct DomainVerdict {
  bool blocked = false;
  bool silenced = false;
  bool reject_media = false;
};
Result<DomainVerdict> JudgeDomain(ServiceContext& ctx, std::string_view host, bool allowlist);

}  // namespace vantage::service
