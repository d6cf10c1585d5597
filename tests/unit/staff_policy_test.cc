// The staff permission matrix (service/organisations.h): each role against
// each action an organisation's staff may take.
#include <gtest/gtest.h>

#include <algorithm>

#include "service/organisations.h"

namespace vantage::service {
namespace {

using store::StaffRole;

TEST(StaffPolicy, RoleByActionMatrix) {
  struct Row {
    std::vector<StaffRole> roles;
    bool manage_staff, read_audit, act_read, act_write;
    bool read_drafts, write_drafts, approve, release;
  };
  const Row matrix[] = {
      {{StaffRole::kOwner}, true, true, true, true, true, true, true, true},
      {{StaffRole::kEditor}, false, false, true, true, true, true, false, true},
      {{StaffRole::kApprover}, false, false, true, false, true, false, true, true},
      {{StaffRole::kModerator}, false, false, true, true, false, false, false, false},
      {{StaffRole::kAnalyst}, false, false, true, false, false, false, false, false},
      {{StaffRole::kApprover, StaffRole::kAnalyst}, false, false, true, false, true, false, true, true},
      {{StaffRole::kEditor, StaffRole::kApprover}, false, false, true, true, true, true, true, true},
      {{}, false, false, false, false, false, false, false, false},
  };
  for (const Row& row : matrix) {
    std::string name;
    for (StaffRole role : row.roles) name += std::string(store::StaffRoleName(role)) + " ";
    SCOPED_TRACE(name.empty() ? "no roles" : name);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kManageStaff), row.manage_staff);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kReadAudit), row.read_audit);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kEditProfile), row.manage_staff);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kActRead), row.act_read);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kActWrite), row.act_write);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kReadDrafts), row.read_drafts);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kWriteDrafts), row.write_drafts);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kApprove), row.approve);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kRelease), row.release);
    // Settings: any role reads them, owners alone change them.
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kReadSettings), row.act_read);
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kChangeSettings), row.manage_staff);
    // Comment moderation on its posts: owners and moderators.
    bool moderates = std::find(row.roles.begin(), row.roles.end(), StaffRole::kOwner) != row.roles.end() ||
                     std::find(row.roles.begin(), row.roles.end(), StaffRole::kModerator) != row.roles.end();
    EXPECT_EQ(StaffMay(row.roles, StaffAction::kModerateComments), moderates);
  }
}

TEST(StaffPolicy, RoleNamesRoundTrip) {
  for (StaffRole role : store::kStaffRoles) EXPECT_EQ(store::ParseStaffRole(store::StaffRoleName(role)), role);
  EXPECT_FALSE(store::ParseStaffRole("Owner").has_value());
  EXPECT_FALSE(store::ParseStaffRole("").has_value());
}

}  // namespace
}  // namespace vantage::service
