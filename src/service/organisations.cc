#include "service/organisations.h"

#include <algorithm>

#include "core/id.h"
#include "core/text.h"
#include "service/accounts.h"

namespace vantage::service {

namespace {

constexpr size_t kMaxDisplayNameChars = 30;
constexpr size_t kMaxNoteChars = 500;

bool Has(const std::vector<store::StaffRole>& roles, store::StaffRole role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

store::AuditEntry AuditBase(const Actor& actor) {
  store::AuditEntry entry;
  entry.created_at = NowUnixMs();
  entry.actor_id = actor.account_id;
  entry.ip = actor.ip;
  return entry;
}

}  // namespace

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

Result<store::Account> ActAsOrganisation(ServiceContext& ctx, const store::Account& staff, int64_t organisation_id,
                                         bool write, const std::string& method, const std::string& path,
                                         const std::string& ip) {
  auto roles = AuthorizeStaff(ctx, organisation_id, staff.id, write ? StaffAction::kActWrite : StaffAction::kActRead);
  if (!roles) return std::move(roles).error();
  auto organisation = ctx.store.accounts().FindById(organisation_id);
  if (!organisation) return std::move(organisation).error();
  if (!*organisation) return Error::NotFound();
  if (write) {
    store::AuditEntry entry = AuditBase(Actor{staff.id, ip});
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
  auto created = ctx.store.organisations().Create(account, (*owner)->id, AuditBase(actor));
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

Result<std::vector<store::StaffRole>> SetStaffRoles(ServiceContext& ctx, int64_t organisation_id,
                                                    int64_t member_id, const std::vector<store::StaffRole>& roles,
                                                    const Actor& actor) {
  auto member = ctx.store.accounts().FindById(member_id);
  if (!member) return std::move(member).error();
  if (!*member || !(*member)->approved) return Error::NotFound("No such account", "account_not_found");
  auto is_organisation = IsOrganisation(ctx, member_id);
  if (!is_organisation) return std::move(is_organisation).error();
  if (*is_organisation)
    return Error::Invalid("account_id", "An organisation cannot be staff of an organisation", "organisation_staff");
  auto set = ctx.store.organisations().SetRoles(organisation_id, member_id, roles, AuditBase(actor));
  if (set) TellAccessRevoked(ctx);
  return set;
}

Status RecordStaffSignIn(ServiceContext& ctx, int64_t account_id, const std::string& ip) {
  auto organisations = ctx.store.organisations().OrganisationsOf(account_id);
  if (!organisations) return std::move(organisations).error();
  for (const auto& [organisation_id, roles] : *organisations) {
    store::AuditEntry entry = AuditBase(Actor{account_id, ip});
    entry.organisation_id = organisation_id;
    entry.action = "staff.sign_in";
    entry.target_type = "account";
    entry.target_id = account_id;
    auto appended = ctx.store.audit().Append(entry);
    if (!appended) return std::move(appended).error();
  }
  return Ok();
}

}  // namespace vantage::service
