#include "service/organisations.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

#include "core/id.h"
#include "core/text.h"
#include "service/accounts.h"
#include "service/second_factors.h"

namespace vantage::service {

namespace {

constexpr size_t kMaxDisplayNameChars = 30;
constexpr size_t kMaxNoteChars = 500;

bool Has(const std::vector<store::StaffRole>& roles, store::StaffRole role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

store::AuditEntry AuditBase(const Actor& actor) { return ActorEntry(actor, ""); }

}  // namespace

std::string AuditAddress(std::string_view ip) {
  std::string text(ip);
  unsigned char bytes[16] = {};
  char out[INET6_ADDRSTRLEN + 4];
  auto v4 = [&](const unsigned char* a) {
    std::snprintf(out, sizeof out, "%u.%u.%u.0/24", a[0], a[1], a[2]);
    return std::string(out);
  };
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return v4(bytes);
  if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return "";
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, bytes)) return v4(bytes + 12);
  std::fill(bytes + 6, bytes + 16, 0);
  if (!inet_ntop(AF_INET6, bytes, out, INET6_ADDRSTRLEN)) return "";
  return std::string(out) + "/48";
}

store::AuditEntry ActorEntry(const std::optional<Actor>& actor, std::string action, std::string detail) {
  store::AuditEntry entry;
  entry.created_at = NowUnixMs();
  if (actor) {
    entry.actor_id = actor->account_id;
    entry.ip = AuditAddress(actor->ip);
  }
  entry.action = std::move(action);
  entry.detail = std::move(detail);
  return entry;
}

bool StaffMay(const std::vector<store::StaffRole>& roles, StaffAction action) {
  if (Has(roles, store::StaffRole::kOwner)) return true;
  switch (action) {
    case StaffAction::kManageStaff:
    case StaffAction::kReadAudit:
    case StaffAction::kEditProfile:
    case StaffAction::kChangeSettings:
      return false;
    case StaffAction::kActRead:
    case StaffAction::kReadSettings:
      return !roles.empty();
    case StaffAction::kReadDrafts:
    case StaffAction::kRelease:
      return Has(roles, store::StaffRole::kEditor) || Has(roles, store::StaffRole::kApprover);
    case StaffAction::kWriteDrafts:
      return Has(roles, store::StaffRole::kEditor);
    case StaffAction::kApprove:
      return Has(roles, store::StaffRole::kApprover);
    case StaffAction::kModerateComments:
      return Has(roles, store::StaffRole::kModerator);
    case StaffAction::kActWrite:
      return Has(roles, store::StaffRole::kEditor) || Has(roles, store::StaffRole::kModerator);
  }
  return false;
}

Result<store::Account> ActAsOrganisation(ServiceContext& ctx, const StaffVisit& visit, int64_t organisation_id,
                                         bool write, const std::string& method, const std::string& path) {
  auto roles = AuthorizeStaff(ctx, organisation_id, visit.account_id,
                              write ? StaffAction::kActWrite : StaffAction::kActRead);
  if (!roles) return std::move(roles).error();
  auto organisation = ctx.store.accounts().FindById(organisation_id);
  if (!organisation) return std::move(organisation).error();
  if (!*organisation) return Error::NotFound();
  VANTAGE_TRY(AdmitStaffVisit(ctx, organisation_id, visit));
  if (write) {
    store::AuditEntry entry = AuditBase(Actor{visit.account_id, visit.ip});
    entry.organisation_id = organisation_id;
    entry.action = "as_organisation";
    entry.detail = "{\"method\":" + JsonQuote(method) + ",\"path\":" + JsonQuote(path) + "}";
    auto appended = ctx.store.audit().Append(entry);
    if (!appended) return std::move(appended).error();
  }
  return std::move(**organisation);
}

Result<bool> IsOrganisation(ServiceContext& ctx, int64_t account_id) {
  auto found = ctx.store.organisations().Find(account_id);
  if (!found) return std::move(found).error();
  return found->has_value();
}

Result<CreatedOrganisation> CreateOrganisation(ServiceContext& ctx, const NewOrganisation& input,
                                               const Actor& actor) {
  VANTAGE_TRY(ValidateUsername(input.username));
  if (!IsValidUtf8(input.display_name) || Utf8Length(input.display_name) > kMaxDisplayNameChars)
    return Error::Invalid("display_name", "display_name must be at most 30 characters", "too_long");
  if (!IsValidUtf8(input.note) || Utf8Length(input.note) > kMaxNoteChars)
    return Error::Invalid("note", "note must be at most 500 characters", "too_long");
  // An organisation's names may not pass for a verified account either.
  VANTAGE_TRY(CheckNotImpersonating(ctx, "username", input.username, 0));
  VANTAGE_TRY(CheckNotImpersonating(ctx, "display_name", input.display_name, 0));
  if (input.owner.empty()) return Error::Invalid("owner", "owner is required (the first owner's username)", "blank");
  auto owner = ctx.store.accounts().FindByUsername(input.owner);
  if (!owner) return std::move(owner).error();
  if (!*owner)
    return Error::Invalid("owner", "owner: no local account is named " + input.owner, "owner_not_found");
  auto owner_is_organisation = IsOrganisation(ctx, (*owner)->id);
  if (!owner_is_organisation) return std::move(owner_is_organisation).error();
  if (*owner_is_organisation)
    return Error::Invalid("owner", "owner must be a person's account, not an organisation", "organisation_owner");

  store::Account account;
  account.id = ctx.ids.Next();
  account.username = input.username;
  account.display_name = input.display_name;
  account.note = input.note;
  account.created_at = account.updated_at = NowUnixMs();
  auto created = ctx.store.organisations().Create(account, (*owner)->id, AuditBase(actor), input.require_second_factor);
  if (!created) return std::move(created).error();
  auto stored = ctx.store.accounts().FindById(account.id);
  if (!stored) return std::move(stored).error();
  if (!*stored) return Error::Internal("The new organisation's account is gone");
  return CreatedOrganisation{std::move(**stored), *created};
}

Result<std::vector<store::StaffRole>> AuthorizeStaff(ServiceContext& ctx, int64_t organisation_id,
                                                     int64_t viewer_id, StaffAction action) {
  auto roles = ctx.store.organisations().RolesOf(organisation_id, viewer_id);
  if (!roles) return std::move(roles).error();
  // No roles: an outsider, or no such organisation; the same answer for both.
  if (roles->empty()) return Error::NotFound();
  if (!StaffMay(*roles, action))
    return Error::Forbidden("Your roles in this organisation do not allow this", "role_required");
  return roles;
}

Result<StaffChange> SetStaffRoles(ServiceContext& ctx, int64_t organisation_id, int64_t member_id,
                                  const std::vector<store::StaffRole>& roles, const Actor& actor) {
  auto member = ctx.store.accounts().FindById(member_id);
  if (!member) return std::move(member).error();
  if (!*member || !(*member)->approved) return Error::NotFound("No such account", "account_not_found");
  auto is_organisation = IsOrganisation(ctx, member_id);
  if (!is_organisation) return std::move(is_organisation).error();
  if (*is_organisation)
    return Error::Invalid("account_id", "An organisation cannot be staff of an organisation", "organisation_staff");
  store::OrganisationStore& organisations = ctx.store.organisations();
  // Twice at most: the person may accept a pending invitation meanwhile.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto current = organisations.RolesOf(organisation_id, member_id);
    if (!current) return std::move(current).error();
    if (!current->empty()) {
      auto set = organisations.SetRoles(organisation_id, member_id, roles, AuditBase(actor));
      if (!set) {
        if (set.error().code == "not_staff") continue;  // removed meanwhile
        return std::move(set).error();
      }
      TellAccessRevoked(ctx);
      return StaffChange{std::move(*set), false};
    }
    if (roles.empty()) {
      Status withdrawn = organisations.DeleteInvitation(organisation_id, member_id,
                                                        ActorEntry(actor, "staff.invitation_withdrawn"));
      if (!withdrawn && withdrawn.error().kind == ErrorKind::kNotFound)
        return Error::NotFound("This account is neither on the staff nor invited", "not_staff");
      if (!withdrawn) return std::move(withdrawn).error();
      return StaffChange{};
    }
    auto invited = organisations.Invite(organisation_id, member_id, roles, ActorEntry(actor, "staff.invited"));
    if (!invited) {
      if (invited.error().code == "already_staff") continue;
      return std::move(invited).error();
    }
    return StaffChange{std::move(invited->roles), true};
  }
  return Error::Conflict("conflict", "The staff changed while this was being done; try again");
}

Result<std::vector<store::StaffInvitation>> StaffInvitationsOf(ServiceContext& ctx, int64_t account_id) {
  return ctx.store.organisations().InvitationsOf(account_id);
}

Result<std::vector<store::StaffInvitation>> StaffInvitationsTo(ServiceContext& ctx, int64_t organisation_id) {
  return ctx.store.organisations().InvitationsTo(organisation_id);
}

Result<std::vector<store::StaffRole>> AcceptStaffInvitation(ServiceContext& ctx, int64_t organisation_id,
                                                            const Actor& invitee) {
  if (!invitee.account_id) return Error::Internal("An invitation is accepted by its invitee");
  return ctx.store.organisations().AcceptInvitation(organisation_id, *invitee.account_id,
                                                    ActorEntry(invitee, "staff.invitation_accepted"));
}

Status DeclineStaffInvitation(ServiceContext& ctx, int64_t organisation_id, int64_t invitee_id) {
  // No address: someone who declines never joined, and owners learn nothing of where they are.
  return ctx.store.organisations().DeleteInvitation(organisation_id, invitee_id,
                                                    ActorEntry(Actor{invitee_id, ""}, "staff.invitation_declined"));
}

// Appends a refusal of the staff member's request to the organisation's log.
static Status AuditRefusal(ServiceContext& ctx, int64_t organisation_id, const StaffVisit& visit, const char* action) {
  store::AuditEntry entry = ActorEntry(Actor{visit.account_id, visit.ip}, action);
  entry.organisation_id = organisation_id;
  entry.target_type = "account";
  entry.target_id = visit.account_id;
  auto appended = ctx.store.audit().Append(entry);
  if (!appended) return std::move(appended).error();
  return Ok();
}

Status AdmitStaffVisit(ServiceContext& ctx, int64_t organisation_id, const StaffVisit& visit) {
  if (visit.token_id == 0) return Ok();
  auto organisation = ctx.store.organisations().Find(organisation_id);
  if (!organisation) return std::move(organisation).error();
  if (!*organisation) return Error::NotFound();
  if ((*organisation)->require_second_factor) {
    auto has = HasSecondFactor(ctx, visit.account_id);
    if (!has) return std::move(has).error();
    if (!*has) {
      VANTAGE_TRY(AuditRefusal(ctx, organisation_id, visit, "staff.second_factor_missing"));
      return Error::Forbidden(
          "This organisation requires its staff to use a second factor: turn on two-factor authentication "
          "in your settings (/settings), then try again",
          "second_factor_required");
    }
  }
  store::AuditEntry entry = ActorEntry(Actor{visit.account_id, visit.ip}, "staff.sign_in",
                                       "{\"signed_in_at\":" + JsonQuote(FormatIsoTime(visit.signed_in_at)) + "}");
  entry.target_type = "account";
  entry.target_id = visit.account_id;
  auto recorded = ctx.store.organisations().RecordSession(organisation_id, visit.token_id, entry);
  if (!recorded) return std::move(recorded).error();
  return Ok();
}


Status RequireRecentSignIn(ServiceContext& ctx, int64_t organisation_id, const StaffVisit& visit) {
  if (visit.token_id == 0) return Ok();
  if (NowUnixMs() - visit.authenticated_at <= kRecentSignInMs) return Ok();
  VANTAGE_TRY(AuditRefusal(ctx, organisation_id, visit, "staff.reauthentication_required"));
  return Error::Forbidden(
      "Confirm it is you: this action needs a sign-in, password or second-factor code from the last 15 minutes "
      "(POST /api/vantage/v1/reauthenticate)",
      "reauthentication_required");
}

Status SetRequireSecondFactor(ServiceContext& ctx, int64_t organisation_id, bool required, const Actor& actor) {
  return ctx.store.organisations().SetRequireSecondFactor(
      organisation_id, required,
      ActorEntry(actor, "settings.changed", std::string("{\"require_second_factor\":") + (required ? "true" : "false") + "}"));
}

}  // namespace vantage::service
