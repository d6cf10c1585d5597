// Organisation accounts and their staff (docs/organisations.md).
//
// An organisation is an account (with no password: nobody signs in to it)
// plus a row in `organisations`; staff are ordinary accounts holding one or
// more roles in it. Which account is whose staff is never public: only the
// organisation's owners and the staff member themself read it.
//
// Every change writes its audit entries (store/audit_store.h) in its own
// transaction. The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/audit_store.h"
#include "store/sql.h"
#include "store/store.h"

namespace vantage::store {

enum class StaffRole { kOwner, kEditor, kApprover, kModerator, kAnalyst };
inline constexpr StaffRole kStaffRoles[] = {StaffRole::kOwner, StaffRole::kEditor, StaffRole::kApprover,
                                            StaffRole::kModerator, StaffRole::kAnalyst};
const char* StaffRoleName(StaffRole role);
std::optional<StaffRole> ParseStaffRole(std::string_view name);

struct Organisation {
  int64_t account_id = 0;
  int approvals_required = 1;  // approvals a post needs besides its author's
  int64_t created_at = 0;
  bool require_second_factor = true;  // staff must have a second factor to act for it
};

struct StaffMember {
  int64_t account_id = 0;
  std::vector<StaffRole> roles;  // in kStaffRoles order, never empty
};

// An owner's offer of roles, pending until the person accepts or declines.
struct StaffInvitation {
  int64_t organisation_id = 0;
  int64_t account_id = 0;
  std::vector<StaffRole> roles;  // in kStaffRoles order, never empty
  int64_t created_at = 0;
};

class OrganisationStore {
 public:
  virtual ~OrganisationStore() = default;

  // Creates the account, the organisation and `owner_id` as its first owner,
  // with `audit` (its organisation and target set here) appended once for
  // the organisation and once for the owner's role. Invalid "username" taken
  // as AccountStore::Create; NotFound "reference_gone" when the owner is gone.
  // `require_second_factor`: whether its staff must use a second factor.
  virtual Result<Organisation> Create(const Account& account, int64_t owner_id, const AuditEntry& audit,
                                      bool require_second_factor) = 0;
  Result<Organisation> Create(const Account& account, int64_t owner_id, const AuditEntry& audit) {
    return Create(account, owner_id, audit, true);
  }
  virtual Result<std::optional<Organisation>> Find(int64_t account_id) = 0;
  // The roles `account_id` holds in the organisation (empty: not staff).
  virtual Result<std::vector<StaffRole>> RolesOf(int64_t organisation_id, int64_t account_id) = 0;
  // The organisations `account_id` is staff of, with the roles there.
  virtual Result<std::vector<std::pair<int64_t, std::vector<StaffRole>>>> OrganisationsOf(int64_t account_id) = 0;
  // Staff, oldest member first.
  virtual Result<std::vector<StaffMember>> ListStaff(int64_t organisation_id) = 0;
  // Replaces the member's roles with `roles` (empty: removes them from the
  // staff), appending one audit entry per role added or removed (`audit`
  // gives the actor, time and IP). Conflict "last_owner" when the
  // organisation would be left without an owner; NotFound "not_staff" for an
  // account that holds no role there (people join by invitation). Returns
  // the roles held now. A change also ends the member's live streams of the
  // organisation (store/access_events.h).
  virtual Result<std::vector<StaffRole>> SetRoles(int64_t organisation_id, int64_t account_id,
                                                  const std::vector<StaffRole>& roles, const AuditEntry& audit) = 0;

  // Invites the account to the staff with `roles` (non-empty), replacing the
  // roles of an invitation already pending, and appends `audit` (its action,
  // e.g. "staff.invited"; organisation, target and detail set here).
  // Conflict "already_staff" when the account holds roles there.
  virtual Result<StaffInvitation> Invite(int64_t organisation_id, int64_t account_id,
                                         const std::vector<StaffRole>& roles, const AuditEntry& audit) = 0;
  // The account's pending invitations, newest first.
  virtual Result<std::vector<StaffInvitation>> InvitationsOf(int64_t account_id) = 0;
  // The organisation's pending invitations, oldest first.
  virtual Result<std::vector<StaffInvitation>> InvitationsTo(int64_t organisation_id) = 0;
  // The pending invitation's roles become the account's, in one
  // transaction with `audit` ("staff.invitation_accepted", detail the
  // roles) and one "staff.role_added" per role; NotFound when none is
  // pending. Returns the roles held now.
  virtual Result<std::vector<StaffRole>> AcceptInvitation(int64_t organisation_id, int64_t account_id,
                                                          const AuditEntry& audit) = 0;
  // Deletes the pending invitation and appends `audit` (declined, or
  // withdrawn by an owner); NotFound when none is pending.
  virtual Status DeleteInvitation(int64_t organisation_id, int64_t account_id, const AuditEntry& audit) = 0;

  // Records that the session (token) `token_id` acts for the organisation:
  // the first time only, `audit` (a sign-in) is appended with it. Whether it
  // was the first time.
  virtual Result<bool> RecordSession(int64_t organisation_id, int64_t token_id, const AuditEntry& audit) = 0;

  // Sets whether staff must use a second factor, appending `audit` (its
  // organisation and target set here) in the same transaction. NotFound for
  // no organisation.
  virtual Status SetRequireSecondFactor(int64_t organisation_id, bool required, const AuditEntry& audit) = 0;
};

std::unique_ptr<OrganisationStore> MakeSqlOrganisationStore(Database& db);

}  // namespace vantage::store
