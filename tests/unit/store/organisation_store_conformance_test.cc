// The OrganisationStore contract (store/organisation_store.h) on every
// backend that instantiates StoreConformanceTest: creation with its first
// owner and audit entries, people joining only by accepting an invitation,
// roles replaced as sets with one audit entry per change, an organisation
// never left without an owner, also when two owners remove each other at
// the same moment, and a session's sign-in recorded once per organisation.
#include <algorithm>
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

AuditEntry By(int64_t actor_id, std::string action) {
  AuditEntry e = By(actor_id);
  e.action = std::move(action);
  return e;
}

// Makes the account staff with `roles`: invited, then accepting.
void Join(Store& store, int64_t organisation_id, int64_t account_id, const std::vector<StaffRole>& roles,
          int64_t owner_id) {
  auto invited = store.organisations().Invite(organisation_id, account_id, roles, By(owner_id, "staff.invited"));
  ASSERT_TRUE(invited.ok()) << invited.error().message;
  auto accepted =
      store.organisations().AcceptInvitation(organisation_id, account_id, By(account_id, "staff.invitation_accepted"));
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
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

  ASSERT_NO_FATAL_FAILURE(Join(*store_, id, member.id, {StaffRole::kApprover, StaffRole::kEditor}, owner.id));
  auto set = store_->organisations().SetRoles(id, member.id, {StaffRole::kEditor, StaffRole::kAnalyst}, By(owner.id));
  ASSERT_TRUE(set.ok()) << Describe(set);
  EXPECT_EQ(*set, (std::vector<StaffRole>{StaffRole::kEditor, StaffRole::kAnalyst}));

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

  // Invited and accepted as editor and approver; then removed approver, added analyst.
  auto entries = store_->audit().ListForOrganisation(id, std::nullopt, 10);
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> actions;
  for (const AuditEntry& e : *entries) actions.push_back(e.action + " " + e.detail);
  EXPECT_EQ(actions, (std::vector<std::string>{
                         R"(staff.role_added {"role":"analyst"})", R"(staff.role_removed {"role":"approver"})",
                         R"(staff.role_added {"role":"approver"})", R"(staff.role_added {"role":"editor"})",
                         R"(staff.invitation_accepted {"roles":["editor","approver"]})",
                         R"(staff.invited {"roles":["editor","approver"]})", R"(staff.role_added {"role":"owner"})",
                         R"(organisation.created {"username":"roles_org"})"}));

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

  ASSERT_NO_FATAL_FAILURE(Join(*store_, id, second.id, {StaffRole::kOwner}, first.id));
  for (int round = 0; round < 5; ++round) {
    // Whoever was removed last round comes back.
    for (const Account* owner : {&first, &second}) {
      auto roles = store_->organisations().RolesOf(id, owner->id);
      ASSERT_TRUE(roles.ok());
      if (roles->empty()) ASSERT_NO_FATAL_FAILURE(Join(*store_, id, owner->id, {StaffRole::kOwner}, first.id));
    }
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

// Regression: any owner could make anyone staff, and then read their
// sign-in addresses. Now only an invitation the person accepts does.
TEST_P(StoreConformanceTest, PeopleJoinTheStaffOnlyByAcceptingAnInvitation) {
  Account owner = CreateAccount("invite_owner");
  Account person = CreateAccount("invite_person");
  OrganisationFixture f(*store_, ids_);
  auto org = f.Create("invite_org", owner.id);
  ASSERT_TRUE(org.ok());
  int64_t id = org->account_id;

  auto direct = store_->organisations().SetRoles(id, person.id, {StaffRole::kEditor}, By(owner.id));
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.error().code, "not_staff");
  EXPECT_TRUE(store_->organisations().RolesOf(id, person.id)->empty());

  // An invitation is an offer: nothing changes until it is accepted, and a
  // second one replaces the roles offered.
  ASSERT_TRUE(store_->organisations().Invite(id, person.id, {StaffRole::kEditor}, By(owner.id, "staff.invited")).ok());
  auto again = store_->organisations().Invite(id, person.id, {StaffRole::kModerator, StaffRole::kEditor},
                                              By(owner.id, "staff.invited"));
  ASSERT_TRUE(again.ok()) << Describe(again);
  EXPECT_EQ(again->roles, (std::vector<StaffRole>{StaffRole::kEditor, StaffRole::kModerator}));
  EXPECT_TRUE(store_->organisations().RolesOf(id, person.id)->empty());
  EXPECT_TRUE(store_->organisations().OrganisationsOf(person.id)->empty());
  auto mine = store_->organisations().InvitationsOf(person.id);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].organisation_id, id);
  EXPECT_EQ(store_->organisations().InvitationsTo(id)->size(), 1u);

  // Declined (or withdrawn): gone; answering again finds nothing.
  ASSERT_TRUE(store_->organisations().DeleteInvitation(id, person.id, By(person.id, "staff.invitation_declined")).ok());
  EXPECT_TRUE(store_->organisations().InvitationsOf(person.id)->empty());
  auto nothing = store_->organisations().AcceptInvitation(id, person.id, By(person.id, "staff.invitation_accepted"));
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->organisations().DeleteInvitation(id, person.id, By(owner.id, "x")).error().kind,
            ErrorKind::kNotFound);

  // Accepted: staff with the roles offered; a member is not invited again.
  ASSERT_NO_FATAL_FAILURE(Join(*store_, id, person.id, {StaffRole::kAnalyst}, owner.id));
  EXPECT_EQ(*store_->organisations().RolesOf(id, person.id), std::vector<StaffRole>{StaffRole::kAnalyst});
  EXPECT_TRUE(store_->organisations().InvitationsTo(id)->empty());
  auto member = store_->organisations().Invite(id, person.id, {StaffRole::kEditor}, By(owner.id, "staff.invited"));
  ASSERT_FALSE(member.ok());
  EXPECT_EQ(member.error().code, "already_staff");

  auto verified = store_->audit().Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact()) << verified->message;
}

TEST_P(StoreConformanceTest, ASessionsSignInIsRecordedOncePerOrganisation) {
  Account owner = CreateAccount("session_owner");
  OrganisationFixture f(*store_, ids_);
  auto org = f.Create("session_org", owner.id);
  auto other = f.Create("session_other", owner.id);
  ASSERT_TRUE(org.ok() && other.ok());
  Token token;
  token.id = ids_.Next();
  token.token_hash = "session-token-hash";
  token.kind = TokenKind::kSession;
  token.account_id = owner.id;
  token.scopes = "read";
  token.created_at = token.last_used_at = 1700000000000;
  ASSERT_TRUE(store_->tokens().Create(token).ok());

  auto count = [&](int64_t organisation_id) {
    auto entries = store_->audit().ListForOrganisation(organisation_id, std::nullopt, 50);
    EXPECT_TRUE(entries.ok());
    return std::count_if(entries->begin(), entries->end(),
                         [](const AuditEntry& e) { return e.action == "staff.sign_in"; });
  };
  for (int i = 0; i < 3; ++i) {
    auto recorded = store_->organisations().RecordSession(org->account_id, token.id, By(owner.id, "staff.sign_in"));
    ASSERT_TRUE(recorded.ok()) << Describe(recorded);
    EXPECT_EQ(*recorded, i == 0);
  }
  EXPECT_EQ(count(org->account_id), 1);
  EXPECT_EQ(count(other->account_id), 0);  // the session never acted for it
  // The session's rows go with it.
  ASSERT_TRUE(store_->tokens().Revoke(token.id).ok());
  EXPECT_EQ(count(org->account_id), 1);
}

}  // namespace
}  // namespace vantage::store::testing
