// The OrganisationStore contract (store/organisation_store.h) on every
// backend that instantiates StoreConformanceTest: creation with its first
// owner and audit entries, roles replaced as sets with one audit entry per
// change, and an organisation never left without an owner, also when two
// owners remove each other at the same moment.
#include <atomic>
#include <thread>
#include <vector>

#include "store/audit_store.h"
#include "store/organisation_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

AuditEntry By(int64_t actor_id) {
  AuditEntry e;
  e.created_at = 1700000000000;
  e.actor_id = actor_id;
  e.ip = "192.0.2.3";
  return e;
}

class OrganisationFixture {
 public:
  OrganisationFixture(Store& store, IdGenerator& ids) : store_(store), ids_(ids) {}

  Result<Organisation> Create(const std::string& username, int64_t owner_id) {
    Account a;
    a.id = ids_.Next();
    a.username = username;
    a.display_name = "Service";
    a.created_at = a.updated_at = 1700000000000;
    return store_.organisations().Create(a, owner_id, By(owner_id));
  }

 private:
  Store& store_;
  IdGenerator& ids_;
};

TEST_P(StoreConformanceTest, OrganisationCreatedWithItsOwnerAndAudited) {
  Account owner = CreateAccount("org_owner");
  OrganisationFixture f(*store_, ids_);
  auto org = f.Create("service", owner.id);
  ASSERT_TRUE(org.ok()) << Describe(org);
  EXPECT_EQ(org->approvals_required, 1);

  auto account = store_->accounts().FindById(org->account_id);
  ASSERT_TRUE(account.ok() && account->has_value());
  EXPECT_EQ((*account)->username, "service");
  EXPECT_EQ((*account)->password_hash, "");
  EXPECT_EQ((*account)->email, "");

  auto found = store_->organisations().Find(org->account_id);
  ASSERT_TRUE(found.ok() && found->has_value());
  auto not_org = store_->organisations().Find(owner.id);
  ASSERT_TRUE(not_org.ok());
  EXPECT_FALSE(not_org->has_value());

  auto roles = store_->organisations().RolesOf(org->account_id, owner.id);
  ASSERT_TRUE(roles.ok());
  EXPECT_EQ(*roles, std::vector<StaffRole>{StaffRole::kOwner});

  auto entries = store_->audit().ListForOrganisation(org->account_id, std::nullopt, 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[1].action, "organisation.created");
  EXPECT_EQ((*entries)[0].action, "staff.role_added");
  EXPECT_EQ((*entries)[0].target_id, owner.id);
  EXPECT_EQ((*entries)[0].detail, R"({"role":"owner"})");

  // The name is taken like any account's, and nothing is left behind.
  auto again = f.Create("SERVICE", owner.id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "taken");
  EXPECT_EQ(again.error().field, "username");
  auto verified = store_->audit().Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact()) << verified->message;
  EXPECT_EQ(verified->length, 2);
}

TEST_P(StoreConformanceTest, OrganisationRolesAreReplacedAsSetsAndAudited) {
  Account owner = CreateAccount("roles_owner");
  Account member = CreateAccount("roles_member");
  OrganisationFixture f(*store_, ids_);
  auto org = f.Create("roles_org", owner.id);
  ASSERT_TRUE(org.ok());
  int64_t id = org->account_id;

  auto set = store_->organisations().SetRoles(id, member.id, {StaffRole::kApprover, StaffRole::kEditor}, By(owner.id));
  ASSERT_TRUE(set.ok()) << Describe(set);
  EXPECT_EQ(*set, (std::vector<StaffRole>{StaffRole::kEditor, StaffRole::kApprover}));
  set = store_->organisations().SetRoles(id, member.id, {StaffRole::kEditor, StaffRole::kAnalyst}, By(owner.id));
  ASSERT_TRUE(set.ok());

  auto staff = store_->organisations().ListStaff(id);
  ASSERT_TRUE(staff.ok());
  ASSERT_EQ(staff->size(), 2u);
  EXPECT_EQ((*staff)[0].account_id, owner.id);
  EXPECT_EQ((*staff)[1].account_id, member.id);
  EXPECT_EQ((*staff)[1].roles, (std::vector<StaffRole>{StaffRole::kEditor, StaffRole::kAnalyst}));
  auto of = store_->organisations().OrganisationsOf(member.id);
  ASSERT_TRUE(of.ok());
  ASSERT_EQ(of->size(), 1u);
  EXPECT_EQ((*of)[0].first, id);

  // Added editor, approver; then removed approver, added analyst.
  auto entries = store_->audit().ListForOrganisation(id, std::nullopt, 10);
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> actions;
  for (const AuditEntry& e : *entries) actions.push_back(e.action + " " + e.detail);
  EXPECT_EQ(actions, (std::vector<std::string>{
                         R"(staff.role_added {"role":"analyst"})", R"(staff.role_removed {"role":"approver"})",
                         R"(staff.role_added {"role":"approver"})", R"(staff.role_added {"role":"editor"})",
                         R"(staff.role_added {"role":"owner"})", R"(organisation.created {"username":"roles_org"})"}));

  set = store_->organisations().SetRoles(id, member.id, {}, By(owner.id));
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->empty());
  auto roles = store_->organisations().RolesOf(id, member.id);
  ASSERT_TRUE(roles.ok());
  EXPECT_TRUE(roles->empty());

  // A missing organisation.
  auto missing = store_->organisations().SetRoles(ids_.Next(), member.id, {StaffRole::kEditor}, By(owner.id));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, OrganisationKeepsAnOwnerEvenUnderRacingRemovals) {
  Account first = CreateAccount("race_first");
  Account second = CreateAccount("race_second");
  OrganisationFixture f(*store_, ids_);
  auto org = f.Create("race_org", first.id);
  ASSERT_TRUE(org.ok());
  int64_t id = org->account_id;

  auto last = store_->organisations().SetRoles(id, first.id, {StaffRole::kEditor}, By(first.id));
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, "last_owner");
  auto still = store_->organisations().RolesOf(id, first.id);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(*still, std::vector<StaffRole>{StaffRole::kOwner});

  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(store_->organisations().SetRoles(id, first.id, {StaffRole::kOwner}, By(first.id)).ok());
    ASSERT_TRUE(store_->organisations().SetRoles(id, second.id, {StaffRole::kOwner}, By(first.id)).ok());
    // Each owner removes the other at once: exactly one may succeed.
    std::atomic<int> succeeded{0};
    std::thread a([&] {
      if (store_->organisations().SetRoles(id, second.id, {}, By(first.id)).ok()) ++succeeded;
    });
    std::thread b([&] {
      if (store_->organisations().SetRoles(id, first.id, {}, By(second.id)).ok()) ++succeeded;
    });
    a.join();
    b.join();
    EXPECT_EQ(succeeded.load(), 1);
    auto staff = store_->organisations().ListStaff(id);
    ASSERT_TRUE(staff.ok());
    ASSERT_EQ(staff->size(), 1u);
    EXPECT_EQ((*staff)[0].roles, std::vector<StaffRole>{StaffRole::kOwner});
  }
  auto verified = store_->audit().Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact()) << verified->message;
}

}  // namespace
}  // namespace vantage::store::testing
