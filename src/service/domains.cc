#include "service/domains.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/id.h"
#include "core/text.h"
#include "service/accounts.h"
#include "service/federation_events.h"
#include "service/organisations.h"
#include "service/statuses.h"
#include "store/audit_store.h"

namespace vantage::service {

namespace {

// Whether `host` is `domain` or one of its subdomains.
bool Covers(std::string_view domain, std::string_view host) {
  if (host == domain) return true;
  return host.size() > domain.size() && host.ends_with(domain) && host[host.size() - domain.size() - 1] == '.';
}

std::string WithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') return std::string(host.substr(0, host.find(']') + 1));
  return std::string(host.substr(0, host.find(':')));
}

Status Audit(ServiceContext& ctx, const DomainAdmin& admin, const std::string& action, const std::string& detail) {
  store::AuditEntry entry;
  entry.created_at = NowUnixMs();
  entry.actor_id = admin.account_id;
  entry.action = action;
  entry.target_type = "domain";
  entry.ip = admin.ip.empty() ? "" : AuditAddress(admin.ip);
  entry.detail = detail;
  auto appended = ctx.store.audit().Append(entry);
  if (!appended) return std::move(appended).error();
  return Ok();
}

// A suspended domain's accounts and everything of theirs.
Status RemoveDomainAccounts(ServiceContext& ctx, const std::string& domain) {
  auto accounts = store::RemoteAccountsOfDomain(ctx.store.database(), domain);
  if (!accounts) return std::move(accounts).error();
  for (int64_t id : *accounts) {
    Status deleted = DeleteRemoteAccount(ctx, id);
    if (!deleted && deleted.error().kind != ErrorKind::kNotFound) return deleted;
  }
  if (!accounts->empty()) spdlog::info("domains: {} accounts of {} removed", accounts->size(), domain);
  return Ok();
}

// A held remote post (NotFound otherwise).
Result<store::Post> HeldPost(ServiceContext& ctx, int64_t id) {
  auto post = ctx.store.statuses().FindById(id);
  if (!post) return std::move(post).error();
  if (!*post || (*post)->uri.empty() || (*post)->is_comment || (*post)->comment_state != store::CommentState::kHeld)
    return Error::NotFound("no held remote post " + std::to_string(id));
  return std::move(**post);
}

}  // namespace

Result<std::string> NormaliseDomain(std::string_view text) {
  std::string domain = AsciiLower(Trim(text));
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  bool ok = !domain.empty() && domain.size() <= 253 && domain.front() != '.' && domain.front() != '-';
  for (char c : domain)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
  ok = ok && domain.find("..") == std::string::npos;
  if (!ok)
    return Error::Invalid("domain", "domain must be a host name such as social.example (no scheme, port or path)");
  return domain;
}

Result<store::DomainBlock> BlockDomain(ServiceContext& ctx, const DomainAdmin& admin, std::string_view domain,
                                       std::string_view severity, std::string_view reason) {
  auto name = NormaliseDomain(domain);
  if (!name) return std::move(name).error();
  if (std::find(std::begin(kDomainSeverities), std::end(kDomainSeverities), severity) == std::end(kDomainSeverities))
    return Error::Invalid("severity", "severity must be suspend, silence or reject_media");
  if (Utf8Length(reason) > 1000) return Error::Invalid("reason", "reason must be at most 1000 characters", "too_long");
  store::DomainBlock block{*name, std::string(severity), std::string(reason), NowUnixMs()};
  auto existing = FindDomainBlock(ctx, *name);
  if (!existing) return std::move(existing).error();
  if (*existing) block.created_at = (*existing)->created_at;
  auto created = store::SaveDomainBlock(ctx.store.database(), block);
  if (!created) return std::move(created).error();
  if (block.severity == "suspend") VANTAGE_TRY(RemoveDomainAccounts(ctx, block.domain));
  VANTAGE_TRY(Audit(ctx, admin, *created ? "domain.blocked" : "domain.block_changed",
                    "{\"domain\":" + JsonQuote(block.domain) + ",\"severity\":" + JsonQuote(block.severity) + "}"));
  return block;
}

Result<std::optional<store::DomainBlock>> FindDomainBlock(ServiceContext& ctx, std::string_view domain) {
  auto name = NormaliseDomain(domain);
  if (!name) return std::optional<store::DomainBlock>();
  auto blocks = store::ListDomainBlocks(ctx.store.database());
  if (!blocks) return std::move(blocks).error();
  for (store::DomainBlock& block : *blocks)
    if (block.domain == *name) return std::optional<store::DomainBlock>(std::move(block));
  return std::optional<store::DomainBlock>();
}

Status UnblockDomain(ServiceContext& ctx, const DomainAdmin& admin, std::string_view domain) {
  auto name = NormaliseDomain(domain);
  if (!name) return std::move(name).error();
  auto removed = store::RemoveDomainBlock(ctx.store.database(), *name);
  if (!removed) return std::move(removed).error();
  if (!*removed) return Error::NotFound(*name + " is not blocked");
  return Audit(ctx, admin, "domain.unblocked", "{\"domain\":" + JsonQuote(*name) + "}");
}

Result<std::vector<store::DomainBlock>> DomainBlocks(ServiceContext& ctx) {
  return store::ListDomainBlocks(ctx.store.database());
}

Result<store::DomainAllow> AllowDomain(ServiceContext& ctx, const DomainAdmin& admin, std::string_view domain) {
  auto name = NormaliseDomain(domain);
  if (!name) return std::move(name).error();
  auto added = store::AddDomainAllow(ctx.store.database(), *name, NowUnixMs());
  if (!added) return std::move(added).error();
  if (*added) VANTAGE_TRY(Audit(ctx, admin, "domain.allowed", "{\"domain\":" + JsonQuote(*name) + "}"));
  auto allowed = store::ListDomainAllows(ctx.store.database());
  if (!allowed) return std::move(allowed).error();
  for (store::DomainAllow& allow : *allowed)
    if (allow.domain == *name) return std::move(allow);
  return Error::Internal("an allowed domain vanished");
}

Status DisallowDomain(ServiceContext& ctx, const DomainAdmin& admin, std::string_view domain) {
  auto name = NormaliseDomain(domain);
  if (!name) return std::move(name).error();
  auto removed = store::RemoveDomainAllow(ctx.store.database(), *name);
  if (!removed) return std::move(removed).error();
  if (!*removed) return Error::NotFound(*name + " is not allowed");
  return Audit(ctx, admin, "domain.disallowed", "{\"domain\":" + JsonQuote(*name) + "}");
}

Result<std::vector<store::DomainAllow>> AllowedDomains(ServiceContext& ctx) {
  return store::ListDomainAllows(ctx.store.database());
}

Result<std::vector<int64_t>> HeldRemotePosts(ServiceContext& ctx, int64_t below, int limit) {
  return store::HeldRemotePosts(ctx.store.database(), below, limit);
}

Status ApproveHeldPost(ServiceContext& ctx, const DomainAdmin& admin, int64_t id) {
  auto released = store::ReleaseHeldPost(ctx.store.database(), id, NowUnixMs());
  if (!released) return std::move(released).error();
  if (!*released) return Error::NotFound("no held remote post " + std::to_string(id));
  return Audit(ctx, admin, "remote_post.approved", "{\"status_id\":\"" + std::to_string(id) + "\"}");
}

Status RejectHeldPost(ServiceContext& ctx, const DomainAdmin& admin, int64_t id) {
  auto post = HeldPost(ctx, id);
  if (!post) return std::move(post).error();
  auto deleted = DeleteStatus(ctx, id, post->account_id, nullptr);
  if (!deleted) return std::move(deleted).error();
  return Audit(ctx, admin, "remote_post.rejected", "{\"status_id\":\"" + std::to_string(id) + "\"}");
}

Result<std::vector<std::string>> AccountDomainBlocks(ServiceContext& ctx, int64_t account_id, int limit) {
  return store::ListAccountDomainBlocks(ctx.store.database(), account_id, limit);
}

Status BlockDomainForAccount(ServiceContext& ctx, int64_t account_id, std::string_view domain) {
  auto name = NormaliseDomain(domain);
  if (!name) return std::move(name).error();
  if (*name == AsciiLower(WithoutPort(ctx.settings.domain)))
    return Error::Invalid("domain", "domain names this server: block accounts one by one instead");
  auto existing = store::ListAccountDomainBlocks(ctx.store.database(), account_id, kMaxAccountDomainBlocks);
  if (!existing) return std::move(existing).error();
  if (existing->size() >= static_cast<size_t>(kMaxAccountDomainBlocks) &&
      std::find(existing->begin(), existing->end(), *name) == existing->end())
    return Error::Invalid("domain", "at most 1000 domains can be blocked", "too_many");
  auto ended = store::AddAccountDomainBlock(ctx.store.database(), account_id, *name, NowUnixMs());
  if (!ended) return std::move(ended).error();
  // Their servers learn that those follows ended.
  for (const store::EndedFollow& follow : *ended)
    if (!follow.follow_uri.empty())
      VANTAGE_TRY(RecordFollowAnswer(ctx, account_id, follow.follower_id, false, follow.follow_uri));
  return Ok();
}

Status UnblockDomainForAccount(ServiceContext& ctx, int64_t account_id, std::string_view domain) {
  auto name = NormaliseDomain(domain);
  if (!name) return std::move(name).error();
  auto removed = store::RemoveAccountDomainBlock(ctx.store.database(), account_id, *name);
  if (!removed) return std::move(removed).error();
  return Ok();
}

Result<DomainVerdict> JudgeDomain(ServiceContext& ctx, std::string_view host, bool allowlist) {
  std::string name = AsciiLower(WithoutPort(host));
  DomainVerdict verdict;
  auto blocks = store::ListDomainBlocks(ctx.store.database());
  if (!blocks) return std::move(blocks).error();
  for (const store::DomainBlock& block : *blocks) {
    if (!Covers(block.domain, name)) continue;
    if (block.severity == "suspend") verdict.blocked = true;
    if (block.severity == "silence") verdict.silenced = verdict.reject_media = true;
    if (block.severity == "reject_media") verdict.reject_media = true;
  }
  if (allowlist && !verdict.blocked) {
    auto allowed = store::ListDomainAllows(ctx.store.database());
    if (!allowed) return std::move(allowed).error();
    verdict.blocked = std::none_of(allowed->begin(), allowed->end(),
                                   [&](const store::DomainAllow& allow) { return Covers(allow.domain, name); });
  }
  return verdict;
}

}  // namespace vantage::service
