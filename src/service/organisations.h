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

struct NewOrganisation {
  std::string username;
  std::string display_name;
  std::string note;
  std::string owner;  // the first owner's username
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

// Sets (or, with no roles, removes) a member's roles; the caller must be an
// owner. NotFound "account" when the member account does not exist or is an
// organisation; Conflict "last_owner".
Result<std::vector<store::StaffRole>> SetStaffRoles(ServiceContext& ctx, int64_t organisation_id,
                                                    int64_t member_id, const std::vector<store::StaffRole>& roles,
                                                    const Actor& actor);

// A request made by `staff` as the organisation (the Vantage-Act-As header):
// the organisation's account when the staff member's roles allow the
// request (writes need kActWrite, reads kActRead). NotFound for outsiders and
// missing organisations alike, Forbidden "role_required" for staff without
// the role. A write is recorded in the organisation's audit log before it
// runs ("as_organisation", detail {"method", "path"}); when it cannot be
// recorded it does not run.
Result<store::Account> ActAsOrganisation(ServiceContext& ctx, const store::Account& staff, int64_t organisation_id,
                                         bool write, const std::string& method, const std::string& path,
                                         const std::string& ip);

// Records a staff member's sign-in in the audit log of each organisation they
// serve (nothing for other accounts).
Status RecordStaffSignIn(ServiceContext& ctx, int64_t account_id, const std::string& ip);

// Whether the account is an organisation's (nobody signs in to those).
Result<bool> IsOrganisation(ServiceContext& ctx, int64_t account_id);

}  // namespace vantage::service
