// Organisations and their staff: /api/vantage/v1/admin/organisations (instance
// admins) and /api/vantage/v1/organisations/... (staff). Nothing here is
// public: each route needs a signed-in account, and an organisation's staff
// pages answer 404 to everyone but its staff (service/organisations.h).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <limits>
#include <map>
#include <utility>

#include "api/api.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/serializers.h"
#include "core/id.h"
#include "core/text.h"
#include "service/organisations.h"
#include "store/audit_store.h"
#include "store/organisation_store.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

json::array RolesJson(const std::vector<store::StaffRole>& roles) {
  json::array out;
  for (store::StaffRole role : roles) out.emplace_back(store::StaffRoleName(role));
  return out;
}

Result<std::vector<store::StaffRole>> ParseRoles(const Params& params) {
  auto names = params.StringList("roles", 10);
  if (!names) return std::move(names).error();
  std::vector<store::StaffRole> roles;
  for (const std::string& name : *names) {
    auto role = store::ParseStaffRole(name);
    if (!role)
      return Error::Invalid("roles", "roles: " + name + " is not one of owner, editor, approver, moderator, analyst",
                            "unknown_role");
    roles.push_back(*role);
  }
  return roles;
}

// {account, roles, state}: "active" for a member, "invited" for roles
// offered and not yet accepted, "none" for someone removed.
json::object StaffJson(ApiContext& ctx, const store::Account& account, const std::vector<store::StaffRole>& roles,
                       const char* state) {
  json::object out;
  out["account"] = AccountJson(ctx.services.settings, account);
  out["roles"] = RolesJson(roles);
  out["state"] = state;
  return out;
}

Result<Response> StaffMemberResponse(ApiContext& ctx, int64_t account_id, const service::StaffChange& change) {
  auto account = ctx.services.store.accounts().FindById(account_id);
  if (!account) return std::move(account).error();
  if (!*account) return Error::NotFound();
  const char* state = change.invited ? "invited" : change.roles.empty() ? "none" : "active";
  return Json(StaffJson(ctx, **account, change.roles, state));
}

// The organisation of the path, for a staff member allowed `action`, whose
// session is then recorded as acting for it.
// `recent`: the action needs a sign-in from the last 15 minutes.
Result<int64_t> StaffRoute(ApiContext& ctx, Request& request, const service::Principal& principal,
                           service::StaffAction action, bool recent = false) {
  auto id = PathId(request);
  if (!id) return std::move(id).error();
  auto allowed = service::AuthorizeStaff(ctx.services, *id, principal.account->id, action);
  if (!allowed) return std::move(allowed).error();
  service::StaffVisit visit = StaffVisitOf(principal, request);
  VANTAGE_TRY(service::AdmitStaffVisit(ctx.services, *id, visit));
  if (recent) VANTAGE_TRY(service::RequireRecentSignIn(ctx.services, *id, visit));
  return *id;
}

// The invitee's own organisation of the path (no Vantage-Act-As: an
// organisation is nobody's staff).
Result<std::pair<service::Principal, int64_t>> InviteeRequest(ApiContext& ctx, Request& request) {
  auto principal = Authorize(ctx, request, "write:accounts");
  if (!principal) return std::move(principal).error();
  if (principal->acting_staff)
    return Error::Forbidden("Answer an invitation as yourself, not as an organisation", "not_allowed");
  auto id = PathId(request);
  if (!id) return std::move(id).error();
  return std::pair<service::Principal, int64_t>{std::move(*principal), *id};
}

json::object AuditEntryJson(const store::AuditEntry& e) {
  json::object out;
  out["id"] = std::to_string(e.seq);
  out["seq"] = e.seq;
  out["created_at"] = FormatIsoTime(e.created_at);
  out["actor_id"] = e.actor_id ? json::value(std::to_string(*e.actor_id)) : json::value(nullptr);
  out["action"] = e.action;
  out["target_type"] = e.target_type;
  out["target_id"] = e.target_id ? json::value(std::to_string(*e.target_id)) : json::value(nullptr);
  out["ip"] = e.ip;
  boost::system::error_code ec;
  json::value detail = json::parse(e.detail, ec);
  out["detail"] = ec ? json::value(json::object()) : std::move(detail);
  out["prev_hash"] = e.prev_hash;
  out["hash"] = e.hash;
  return out;
}

// PUT and DELETE /api/vantage/v1/organisations/:id/staff/:account_id: an
// owner sets a member's roles (the whole set, replaced), invites someone
// else with them, or removes a member or withdraws an invitation.
Result<Response> ChangeStaff(ApiContext& ctx, Request& request, bool remove) {
  auto principal = Authorize(ctx, request, "write:accounts");
  if (!principal) return std::move(principal).error();
  auto id = StaffRoute(ctx, request, *principal, service::StaffAction::kManageStaff, /*recent=*/true);
  if (!id) return std::move(id).error();
  auto member_id = ParseId(request.path_params[1]);
  if (!member_id) return Error::NotFound("No such account", "account_not_found");
  std::vector<store::StaffRole> roles;
  if (!remove) {
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto parsed = ParseRoles(*params);
    if (!parsed) return std::move(parsed).error();
    if (parsed->empty())
      return Error::Invalid("roles", "roles must name at least one role (DELETE removes a member)", "blank");
    roles = std::move(*parsed);
  }
  auto set = service::SetStaffRoles(ctx.services, *id, *member_id, roles,
                                    service::Actor{principal->account->id, request.remote_ip});
  if (!set) return std::move(set).error();
  return StaffMemberResponse(ctx, *member_id, *set);
}

}  // namespace

void RegisterOrganisationRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/vantage/v1/admin/organisations", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "admin:write");
    if (!principal) return std::move(principal).error();
    if (principal->account->role != store::Role::kAdmin)
      return Error::Forbidden("Only instance admins create organisations", "admin_required");
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto username = params->RequiredString("username", 100);
    if (!username) return std::move(username).error();
    auto display_name = params->String("display_name", 100);
    if (!display_name) return std::move(display_name).error();
    auto note = params->String("note", 1000);
    if (!note) return std::move(note).error();
    auto owner = params->RequiredString("owner", 100);
    if (!owner) return std::move(owner).error();
    auto require = params->Bool("require_second_factor");
    if (!require) return std::move(require).error();
    service::NewOrganisation input{*username, display_name->value_or(""), note->value_or(""), *owner,
                                   require->value_or(true)};
    auto created = service::CreateOrganisation(ctx.services, input,
                                               service::Actor{principal->account->id, request.remote_ip});
    if (!created) return std::move(created).error();
    json::object out;
    out["account"] = AccountJson(ctx.services.settings, created->account);
    out["approvals_required"] = created->organisation.approvals_required;
    out["require_second_factor"] = created->organisation.require_second_factor;
    return Json(out);
  }));

  // The organisations the signed-in account serves, with its roles there:
  // only ever shown to that account.
  router.Add("GET", "/api/vantage/v1/organisations", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:accounts");
    if (!principal) return std::move(principal).error();
    auto organisations = ctx.services.store.organisations().OrganisationsOf(principal->account->id);
    if (!organisations) return std::move(organisations).error();
    std::vector<int64_t> ids;
    for (const auto& [id, roles] : *organisations) ids.push_back(id);
    auto accounts = ctx.services.store.accounts().FindByIds(ids);
    if (!accounts) return std::move(accounts).error();
    json::array out;
    for (const auto& [id, roles] : *organisations) {
      for (const store::Account& account : *accounts) {
        if (account.id != id) continue;
        json::object item;
        item["account"] = AccountJson(ctx.services.settings, account);
        item["roles"] = RolesJson(roles);
        out.push_back(std::move(item));
      }
    }
    return Json(out);
  }));

  // Members, then pending invitations (state "invited").
  router.Add("GET", "/api/vantage/v1/organisations/:id/staff", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:accounts");
    if (!principal) return std::move(principal).error();
    auto id = StaffRoute(ctx, request, *principal, service::StaffAction::kManageStaff);
    if (!id) return std::move(id).error();
    auto staff = ctx.services.store.organisations().ListStaff(*id);
    if (!staff) return std::move(staff).error();
    auto invited = service::StaffInvitationsTo(ctx.services, *id);
    if (!invited) return std::move(invited).error();
    std::vector<int64_t> ids;
    for (const store::StaffMember& member : *staff) ids.push_back(member.account_id);
    for (const store::StaffInvitation& invitation : *invited) ids.push_back(invitation.account_id);
    auto accounts = ctx.services.store.accounts().FindByIds(ids);
    if (!accounts) return std::move(accounts).error();
    std::map<int64_t, const store::Account*> by_id;
    for (const store::Account& account : *accounts) by_id[account.id] = &account;
    json::array out;
    for (const store::StaffMember& member : *staff)
      if (auto it = by_id.find(member.account_id); it != by_id.end())
        out.push_back(StaffJson(ctx, *it->second, member.roles, "active"));
    for (const store::StaffInvitation& invitation : *invited) {
      auto it = by_id.find(invitation.account_id);
      if (it == by_id.end()) continue;
      json::object item = StaffJson(ctx, *it->second, invitation.roles, "invited");
      item["invited_at"] = FormatIsoTime(invitation.created_at);
      out.push_back(std::move(item));
    }
    return Json(out);
  }));

  // The invitations to staff the signed-in account has not answered: only
  // ever shown to that account, naming the organisation and the roles (not
  // who invited them: staff are not named).
  router.Add("GET", "/api/vantage/v1/organisations/invitations", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:accounts");
    if (!principal) return std::move(principal).error();
    if (principal->acting_staff) return Json(json::array());  // an organisation is nobody's staff
    auto invitations = service::StaffInvitationsOf(ctx.services, principal->account->id);
    if (!invitations) return std::move(invitations).error();
    std::vector<int64_t> ids;
    for (const store::StaffInvitation& invitation : *invitations) ids.push_back(invitation.organisation_id);
    auto accounts = ctx.services.store.accounts().FindByIds(ids);
    if (!accounts) return std::move(accounts).error();
    json::array out;
    for (const store::StaffInvitation& invitation : *invitations) {
      for (const store::Account& account : *accounts) {
        if (account.id != invitation.organisation_id) continue;
        json::object item;
        item["organisation"] = AccountJson(ctx.services.settings, account);
        item["roles"] = RolesJson(invitation.roles);
        item["created_at"] = FormatIsoTime(invitation.created_at);
        out.push_back(std::move(item));
      }
    }
    return Json(out);
  }));

  router.Add("POST", "/api/vantage/v1/organisations/:id/invitation/accept",
             Wrap([&ctx](Request& request) -> Result<Response> {
               auto invitee = InviteeRequest(ctx, request);
               if (!invitee) return std::move(invitee).error();
               auto& [principal, organisation_id] = *invitee;
               auto roles = service::AcceptStaffInvitation(
                   ctx.services, organisation_id, service::Actor{principal.account->id, request.remote_ip});
               if (!roles) return std::move(roles).error();
               auto organisation = ctx.services.store.accounts().FindById(organisation_id);
               if (!organisation) return std::move(organisation).error();
               if (!*organisation) return Error::NotFound();
               json::object out;
               out["account"] = AccountJson(ctx.services.settings, **organisation);
               out["roles"] = RolesJson(*roles);
               return Json(out);
             }));
  router.Add("POST", "/api/vantage/v1/organisations/:id/invitation/decline",
             Wrap([&ctx](Request& request) -> Result<Response> {
               auto invitee = InviteeRequest(ctx, request);
               if (!invitee) return std::move(invitee).error();
               VANTAGE_TRY(service::DeclineStaffInvitation(ctx.services, invitee->second,
                                                           invitee->first.account->id));
               return Json(json::object());
             }));

  // Adds a member, or changes their roles (the whole set, replaced).
  router.Add("PUT", "/api/vantage/v1/organisations/:id/staff/:account_id",
             Wrap([&ctx](Request& request) { return ChangeStaff(ctx, request, /*remove=*/false); }));
  router.Add("DELETE", "/api/vantage/v1/organisations/:id/staff/:account_id",
             Wrap([&ctx](Request& request) { return ChangeStaff(ctx, request, /*remove=*/true); }));

  // The organisation's audit entries, newest first; `max_id` is an entry's id.
  router.Add("GET", "/api/vantage/v1/organisations/:id/audit", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:accounts");
    if (!principal) return std::move(principal).error();
    auto id = StaffRoute(ctx, request, *principal, service::StaffAction::kReadAudit);
    if (!id) return std::move(id).error();
    auto page = ParsePage(request, kDefaultAccountLimit, kMaxAccountLimit);
    if (!page) return std::move(page).error();
    std::optional<int64_t> below;
    if (page->below != std::numeric_limits<int64_t>::max()) below = page->below;
    auto entries = ctx.services.store.audit().ListForOrganisation(*id, below, page->limit);
    if (!entries) return std::move(entries).error();
    json::array out;
    for (const store::AuditEntry& e : *entries) out.push_back(AuditEntryJson(e));
    Response response = Json(out);
    if (!entries->empty())
      AddLinkHeader(ctx.services.settings.base_url, request, response, entries->front().seq, entries->back().seq);
    return response;
  }));
}

}  // namespace vantage::api
