// /api/v1/admin/domain_blocks and /api/v1/admin/domain_allows (instance
// admins, admin:read/admin:write), shaped as Mastodon's admin API: which
// servers this one federates with (docs/federation.md, "Control"). A
// block's and an allowance's id is its domain. /api/v1/admin/held_statuses:
// remote posts from silenced servers, for the moderators. And a user's own
// /api/v1/domain_blocks, as Mastodon's.
#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/status_json.h"
#include "core/text.h"
#include "service/domains.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr std::string_view kWhat = "manage federation";

// Mastodon says suspend, silence or noop, with reject_media beside; a
// silenced server's media are rejected too.
json::object BlockJson(const store::DomainBlock& b) {
  json::object o;
  o["id"] = b.domain;
  o["domain"] = b.domain;
  o["created_at"] = FormatIsoTime(b.created_at);
  o["severity"] = b.severity == "reject_media" ? "noop" : b.severity;
  o["reject_media"] = b.severity != "suspend";
  o["reject_reports"] = false;
  o["private_comment"] = b.reason;
  o["public_comment"] = nullptr;
  o["obfuscate"] = false;
  return o;
}

json::object AllowJson(const store::DomainAllow& allow) {
  return json::object{{"id", allow.domain}, {"domain", allow.domain}, {"created_at", FormatIsoTime(allow.created_at)}};
}

service::DomainAdmin AdminOf(const service::Principal& principal, const Request& request) {
  return service::DomainAdmin{principal.account->id, request.remote_ip};
}

Result<Response> SaveBlock(ApiContext& ctx, Request& request, std::optional<std::string> domain) {
  bool editing = domain.has_value();
  auto principal = AuthorizeAdmin(ctx, request, "admin:write", kWhat);
  if (!principal) return std::move(principal).error();
  auto params = Params::From(request);
  if (!params) return std::move(params).error();
  if (!domain) {
    auto given = params->RequiredString("domain", 300);
    if (!given) return std::move(given).error();
    domain = std::move(*given);
  }
  auto severity = params->String("severity", 40);
  if (!severity) return std::move(severity).error();
  auto reject_media = params->Bool("reject_media");
  if (!reject_media) return std::move(reject_media).error();
  auto comment = params->String("private_comment", 1000);
  if (!comment) return std::move(comment).error();
  if (*severity && **severity != "noop" &&
      std::find(std::begin(service::kDomainSeverities), std::end(service::kDomainSeverities), **severity) ==
          std::end(service::kDomainSeverities))
    return Error::Invalid("severity", "severity must be suspend, silence or noop (with reject_media)");
  // PUT changes what it gives, of a block that exists; POST makes one
  // (silence unless told).
  std::optional<store::DomainBlock> existing;
  if (editing) {
    auto found = service::FindDomainBlock(ctx.services, *domain);
    if (!found) return std::move(found).error();
    if (!*found) return Error::NotFound();
    existing = std::move(*found);
  }
  std::string level = severity->value_or(existing ? existing->severity : "silence");
  if (level == "noop") {
    if (!reject_media->value_or(false))
      return Error::Invalid("severity", "severity noop blocks nothing: give reject_media true, or silence or suspend");
    level = "reject_media";
  }
  auto block = service::BlockDomain(ctx.services, AdminOf(*principal, request), *domain, level,
                                    comment->value_or(existing ? existing->reason : ""));
  if (!block) return std::move(block).error();
  return Json(BlockJson(*block));
}

}  // namespace

void RegisterDomainRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/admin/domain_blocks", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = AuthorizeAdmin(ctx, request, "admin:read", kWhat);
    if (!principal) return std::move(principal).error();
    auto blocks = service::DomainBlocks(ctx.services);
    if (!blocks) return std::move(blocks).error();
    json::array out;
    for (const store::DomainBlock& b : *blocks) out.push_back(BlockJson(b));
    return Json(out);
  }));
  router.Add("GET", "/api/v1/admin/domain_blocks/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = AuthorizeAdmin(ctx, request, "admin:read", kWhat);
    if (!principal) return std::move(principal).error();
    auto blocks = service::DomainBlocks(ctx.services);
    if (!blocks) return std::move(blocks).error();
    for (const store::DomainBlock& b : *blocks)
      if (b.domain == AsciiLower(request.path_params[0])) return Json(BlockJson(b));
    return Error::NotFound();
  }));
  router.Add("POST", "/api/v1/admin/domain_blocks",
             Wrap([&ctx](Request& request) { return SaveBlock(ctx, request, std::nullopt); }));
  router.Add("PUT", "/api/v1/admin/domain_blocks/:id",
             Wrap([&ctx](Request& request) { return SaveBlock(ctx, request, request.path_params[0]); }));
  router.Add("DELETE", "/api/v1/admin/domain_blocks/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = AuthorizeAdmin(ctx, request, "admin:write", kWhat);
    if (!principal) return std::move(principal).error();
    VANTAGE_TRY(service::UnblockDomain(ctx.services, AdminOf(*principal, request), request.path_params[0]));
    return Json(json::object{});
  }));

  // Held remote posts, as Status entities, newest first.
  router.Add("GET", "/api/v1/admin/held_statuses", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = AuthorizeAdmin(ctx, request, "admin:read", kWhat);
    if (!principal) return std::move(principal).error();
    auto page = ParsePage(request, kDefaultLimit, kMaxLimit);
    if (!page) return std::move(page).error();
    auto ids = service::HeldRemotePosts(ctx.services, page->below, static_cast<int>(page->limit));
    if (!ids) return std::move(ids).error();
    auto body = StatusesJsonText(ctx, *ids, principal->account->id);
    if (!body) return std::move(body).error();
    Response response;
    response.body = std::move(*body);
    if (!ids->empty()) AddLinkHeader(ctx.services.settings.base_url, request, response, ids->front(), ids->back());
    return response;
  }));
  for (const char* action : {"approve", "reject"}) {
    bool approve = std::string_view(action) == "approve";
    router.Add("POST", std::string("/api/v1/admin/held_statuses/:id/") + action,
               Wrap([&ctx, approve](Request& request) -> Result<Response> {
                 auto principal = AuthorizeAdmin(ctx, request, "admin:write", kWhat);
                 if (!principal) return std::move(principal).error();
                 auto id = PathId(request);
                 if (!id) return std::move(id).error();
                 service::DomainAdmin admin = AdminOf(*principal, request);
                 VANTAGE_TRY(approve ? service::ApproveHeldPost(ctx.services, admin, *id)
                                     : service::RejectHeldPost(ctx.services, admin, *id));
                 return Json(json::object{});
               }));
  }

  // A user's own: the domains, as strings (Mastodon).
  router.Add("GET", "/api/v1/domain_blocks", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:blocks");
    if (!principal) return std::move(principal).error();
    auto blocks = service::AccountDomainBlocks(ctx.services, principal->account->id, service::kMaxAccountDomainBlocks);
    if (!blocks) return std::move(blocks).error();
    json::array out;
    for (const std::string& domain : *blocks) out.emplace_back(domain);
    return Json(out);
  }));
  for (const char* method : {"POST", "DELETE"}) {
    bool block = std::string_view(method) == "POST";
    router.Add(method, "/api/v1/domain_blocks", Wrap([&ctx, block](Request& request) -> Result<Response> {
      auto principal = Authorize(ctx, request, "write:blocks");
      if (!principal) return std::move(principal).error();
      auto params = Params::From(request);
      if (!params) return std::move(params).error();
      auto domain = params->RequiredString("domain", 300);
      if (!domain) return std::move(domain).error();
      int64_t me = principal->account->id;
      VANTAGE_TRY(block ? service::BlockDomainForAccount(ctx.services, me, *domain)
                        : service::UnblockDomainForAccount(ctx.services, me, *domain));
      return Json(json::object{});
    }));
  }

  router.Add("GET", "/api/v1/admin/domain_allows", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = AuthorizeAdmin(ctx, request, "admin:read", kWhat);
    if (!principal) return std::move(principal).error();
    auto allowed = service::AllowedDomains(ctx.services);
    if (!allowed) return std::move(allowed).error();
    json::array out;
    for (const store::DomainAllow& allow : *allowed) out.push_back(AllowJson(allow));
    return Json(out);
  }));
  router.Add("POST", "/api/v1/admin/domain_allows", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = AuthorizeAdmin(ctx, request, "admin:write", kWhat);
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto domain = params->RequiredString("domain", 300);
    if (!domain) return std::move(domain).error();
    auto allow = service::AllowDomain(ctx.services, AdminOf(*principal, request), *domain);
    if (!allow) return std::move(allow).error();
    return Json(AllowJson(*allow));
  }));
  router.Add("DELETE", "/api/v1/admin/domain_allows/:id", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = AuthorizeAdmin(ctx, request, "admin:write", kWhat);
    if (!principal) return std::move(principal).error();
    VANTAGE_TRY(service::DisallowDomain(ctx.services, AdminOf(*principal, request), request.path_params[0]));
    return Json(json::object{});
  }));
}

}  // namespace vantage::api
