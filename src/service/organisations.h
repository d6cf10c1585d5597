// Organisations and their staff: creation by instance admins, roles set by
// owners, the audit log read by owners, and staff sign-ins recorded.
//
// Who may do what (the permission matrix, docs/organisations.md): an
// outsider, whether signed in or not, is told an organisation's staff pages
// do not exist (NotFound), exactly as for a missing organisation; staff
// lacking the role get Forbidden. All functions block (database): call them
// from a pool thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/audit_store.h"
#include "store/organisation_store.h"
#include "store/store.h"

namespace vantage::service {

// What staff may do in an organisation. Owners may do everything.
enum class StaffAction {
  kManageStaff,  // owner
  kReadAudit,    // owner
  kEditProfile,  // owner: the organisation's display name, bio and lock
  kActRead,      // any role: read as the organisation (its home timeline, notifications)
  kActWrite,     // owner, editor, moderator: comment, reply, like, follow as the organisation
  kReadDrafts,   // editor, approver: read drafts (service/drafts.h)
  kWriteDrafts,  // editor: create, edit, delete, submit and withdraw drafts
  kApprove,      // approver: approve and reject others' drafts
  kRelease,      // editor, approver: publish an approved draft now, schedule and unschedule it
  kReadSettings,    // any role: the organisation's settings (approvals_required)
  kChangeSettings,  // owner
  kModerateComments,  // moderator: review held comments, delete comments on its posts (service/comments.h)
};

// Whether `roles` allow `action` (the policy, pure, tested as a matrix).
bool StaffMay(const std::vector<store::StaffRole>& roles, StaffAction action);

// Who acts, for the audit log.
struct Actor {
  std::optional<int64_t> account_id;  // none: the command line
  std::string ip;
};

// The address an organisation's audit log keeps of `ip`: its network, an
// IPv4 /24 or an IPv6 /48 (an IPv4-mapped address as IPv4), enough to see
// a session come from an unexpected network, not enough to place a member
// of staff at home; empty for anything that is not an address. Owners read
// the log, and staff need not give them more (docs/security.md).
std::string AuditAddress(std::string_view ip);

// An audit entry of `action` by `actor` (none: the command line or the
// scheduler), now, with the actor's address as AuditAddress keeps it.
store::AuditEntry ActorEntry(const std::optional<Actor>& actor, std::string action, std::string detail = "{}");

// A staff member's request, for recording their session's sign-in in the
// log of the organisation it acts for.
struct StaffVisit {
  int64_t account_id = 0;
  int64_t token_id = 0;      // the token or web session
  int64_t signed_in_at = 0;  // when it was issued
  std::string ip;
  // When the holder last proved who they are: the sign-in, or a later
  // reauthentication (service/auth.h).
  int64_t authenticated_at = 0;
};

struct NewOrganisation {
  std::string username;
  std::string display_name;
  std::string note;
  std::string owner;  // the first owner's username
  bool require_second_factor = true;  // staff must use a second factor
};

struct CreatedOrganisation {
  store::Account account;
  store::Organisation organisation;
};

// Creates an organisation account with its first owner. Invalid naming the
// field ("username", "display_name", "note", "owner": owner_not_found when no
// local account has that name, or organisation_owner when it is itself an
// organisation).
Result<CreatedOrganisation> CreateOrganisation(ServiceContext& ctx, const NewOrganisation& input,
                                               const Actor& actor);

// The organisation `organisation_id` with the roles `viewer_id` holds in it,
// when the viewer may take `action`: NotFound for outsiders and missing
// organisations, Forbidden for staff without the role.
Result<std::vector<store::StaffRole>> AuthorizeStaff(ServiceContext& ctx, int64_t organisation_id,
                                                     int64_t viewer_id, StaffAction action);

// What an owner's change made of someone: the roles held, or offered.
struct StaffChange {
  std::vector<store::StaffRole> roles;
  bool invited = false;  // an invitation, pending until they accept
};

// An owner (the caller checks) sets someone's roles. A member's roles change
// at once; anyone else is invited (staff.invited) and joins only by
// accepting: nobody becomes staff, and so has their sign-ins logged, without
// consent. No roles: removes a member, or withdraws an invitation
// (staff.invitation_withdrawn); NotFound "not_staff" when there is neither.
// NotFound "account_not_found" when the account does not exist or awaits
// approval; Invalid "organisation_staff" for an organisation; Conflict
// "last_owner".
Result<StaffChange> SetStaffRoles(ServiceContext& ctx, int64_t organisation_id, int64_t member_id,
                                  const std::vector<store::StaffRole>& roles, const Actor& actor);

// The invitations `account_id` has not answered, newest first.
Result<std::vector<store::StaffInvitation>> StaffInvitationsOf(ServiceContext& ctx, int64_t account_id);
// The organisation's invitations nobody has answered yet (for its owners).
Result<std::vector<store::StaffInvitation>> StaffInvitationsTo(ServiceContext& ctx, int64_t organisation_id);
// The invitee answers: accepting makes them staff with the roles offered
// (staff.invitation_accepted, staff.role_added; their address as
// AuditAddress keeps it), declining deletes the invitation
// (staff.invitation_declined, without their address: they never joined).
// NotFound when no invitation of theirs is pending there.
Result<std::vector<store::StaffRole>> AcceptStaffInvitation(ServiceContext& ctx, int64_t organisation_id,
                                                            const Actor& invitee);
Status DeclineStaffInvitation(ServiceContext& ctx, int64_t organisation_id, int64_t invitee_id);

// Admits a staff member's request to act for the organisation (a staff
// route of it, or Vantage-Act-As), and records the session in its audit log
// (staff.sign_in, with when the session began) the first time it acts for
// the organisation: a staff route of it or Vantage-Act-As. Sign-ins are not
// logged otherwise, so an organisation learns nothing of a member's
// sessions that never act for it, nor of those that act for another.
//
// Before that, a staff member without a second factor is refused with
// Forbidden "second_factor_required" when the organisation requires one
// (the refusal is audited as staff.second_factor_missing).
Status AdmitStaffVisit(ServiceContext& ctx, int64_t organisation_id, const StaffVisit& visit);

// The actions that could do most harm if a session were stolen (approving
// and publishing drafts, changing roles and settings) need the staff
// member to have signed in, or proved who they are again, within the last
// 15 minutes: Forbidden "reauthentication_required" otherwise (audited as
// staff.reauthentication_required).
inline constexpr int64_t kRecentSignInMs = 15 * 60 * 1000;
Status RequireRecentSignIn(ServiceContext& ctx, int64_t organisation_id, const StaffVisit& visit);

// An owner turns the second-factor requirement on or off (settings.changed).
Status SetRequireSecondFactor(ServiceContext& ctx, int64_t organisation_id, bool required, const Actor& actor);

// A request made by `staff` as the organisation (the Vantage-Act-As header):
// the organisation's account when the staff member's roles allow the
// request (writes need kActWrite, reads kActRead). NotFound for outsiders and
// missing organisations alike, Forbidden "role_required" for staff without
// the role. A write is recorded in the organisation's audit log before it
// runs ("as_organisation", detail {"method", "path"}); when it cannot be
// recorded it does not run. The visit's session is recorded
// (AdmitStaffVisit) on reads and writes alike.
Result<store::Account> ActAsOrganisation(ServiceContext& ctx, const StaffVisit& visit, int64_t organisation_id,
                                         bool write, const std::string& method, const std::string& path);

// Whether the account is an organisation's (nobody signs in to those).
Result<bool> IsOrganisation(ServiceContext& ctx, int64_t account_id);

}  // namespace vantage::service
