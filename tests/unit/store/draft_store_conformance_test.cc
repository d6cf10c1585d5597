// The DraftStore contract (store/draft_store.h) on every backend that
// instantiates StoreConformanceTest: a draft's photos are its own (not in a
// second draft, not someone else's, kept by the cleanup of unattached
// uploads), transitions are applied with their audit entries, and marking a
// draft published is conditional on its state, so it happens once.
#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/audit_store.h"
#include "store/draft_store.h"
#include "store/organisation_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

AuditEntry At(int64_t actor_id) {
  AuditEntry e;
  e.created_at = 1700000000000;
  e.actor_id = actor_id;
  return e;
}

class DraftFixture {
 public:
  DraftFixture(Store& store, IdGenerator& ids, Database& db) : store_(store), ids_(ids), drafts_(MakeSqlDraftStore(db)) {}

  int64_t Organisation(const std::string& username, int64_t owner_id) {
    Account a;
    a.id = ids_.Next();
    a.username = username;
    a.created_at = a.updated_at = 1700000000000;
    auto created = store_.organisations().Create(a, owner_id, At(owner_id));
    EXPECT_TRUE(created.ok()) << Describe(created);
    return a.id;
  }

  // A ready upload of `account_id`, made at `created_at`.
  int64_t Upload(int64_t account_id, int64_t created_at = 1000) {
    MediaAttachment m;
    m.id = ids_.Next();
    m.account_id = account_id;
    m.created_at = m.updated_at = created_at;
    EXPECT_TRUE(store_.media().Create(m).ok());
    EXPECT_TRUE(store_.media().MarkReady(m.id, {}, "", 10, 10, created_at).ok());
    return m.id;
  }

  Result<Draft> NewDraft(int64_t organisation_id, int64_t author_id, std::vector<int64_t> media) {
    Draft d;
    d.id = ids_.Next();
    d.organisation_id = organisation_id;
    d.author_id = author_id;
    d.content.text = "From the archive";
    d.content.media_ids = std::move(media);
    d.created_at = d.updated_at = 1700000000000;
    AuditEntry entry = At(author_id);
    entry.action = "draft.created";
    return drafts_->Create(d, entry);
  }

  DraftStore& drafts() { return *drafts_; }

 private:
  Store& store_;
  IdGenerator& ids_;
  std::unique_ptr<DraftStore> drafts_;
};

TEST_P(StoreConformanceTest, DraftMediaAreTheDraftsAlone) {
  Account owner = CreateAccount("draft_owner");
  DraftFixture f(*store_, ids_, *db_);
  int64_t org = f.Organisation("draft_org", owner.id);
  int64_t photo = f.Upload(org);
  int64_t loose = f.Upload(org);
  int64_t theirs = f.Upload(owner.id);

  auto draft = f.NewDraft(org, owner.id, {photo});
  ASSERT_TRUE(draft.ok()) << Describe(draft);
  EXPECT_EQ(draft->content.media_ids, std::vector<int64_t>{photo});
  EXPECT_EQ(draft->editor_ids, std::vector<int64_t>{owner.id});
  EXPECT_EQ(draft->state, DraftState::kDraft);

  auto second = f.NewDraft(org, owner.id, {loose, photo});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "media_attached");
  EXPECT_EQ(second.error().field, "media_ids");
  auto foreign = f.NewDraft(org, owner.id, {theirs});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, "media_not_found");
  // Nothing of the refused drafts was written: the loose upload is free.
  ASSERT_TRUE(f.NewDraft(org, owner.id, {loose}).ok());

  // The cleanup of unattached uploads leaves a draft's photos alone.
  int64_t stale = f.Upload(org);
  auto listed = store_->media().ListUnattachedBefore(5000, 10);
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  EXPECT_EQ(*listed, (std::vector<int64_t>{theirs, stale}));
  auto kept = store_->media().Delete(photo);
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(kept->has_value());

  // Deleting the draft frees them.
  AuditEntry deleted = At(owner.id);
  deleted.action = "draft.deleted";
  ASSERT_TRUE(f.drafts().Delete(org, draft->id, [&](const Draft&) -> Result<AuditEntry> { return deleted; }).ok());
  listed = store_->media().ListUnattachedBefore(5000, 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, (std::vector<int64_t>{photo, theirs, stale}));
  auto verified = store_->audit().Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact()) << verified->message;
}

// A draft's photos reach a post only through that draft's release: the
// status store refuses them to any other post, whoever's inability to post
// would otherwise have to prevent it.
TEST_P(StoreConformanceTest, DraftMediaAreRefusedToOtherPosts) {
  Account owner = CreateAccount("draft_owner3");
  DraftFixture f(*store_, ids_, *db_);
  int64_t org = f.Organisation("draft_org3", owner.id);
  int64_t photo = f.Upload(org);
  int64_t loose = f.Upload(org);
  auto draft = f.NewDraft(org, owner.id, {photo});
  ASSERT_TRUE(draft.ok()) << Describe(draft);
  auto other = f.NewDraft(org, owner.id, {loose});
  ASSERT_TRUE(other.ok()) << Describe(other);

  auto post = [&](std::optional<int64_t> draft_id) {
    Post p;
    p.id = ids_.Next();
    p.account_id = org;
    p.text = "Straight out";
    p.content = "<p>Straight out</p>";
    p.created_at = p.updated_at = 1700000000000;
    p.media_ids = {photo};
    p.draft_id = draft_id;
    return store_->statuses().Create(p, {});
  };
  for (std::optional<int64_t> wrong : {std::optional<int64_t>(), std::optional<int64_t>(other->id)}) {
    auto refused = post(wrong);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "media_in_draft");
    EXPECT_EQ(refused.error().field, "media_ids");
  }
  auto released = post(draft->id);
  ASSERT_TRUE(released.ok()) << Describe(released);
  EXPECT_EQ(released->post.media_ids, std::vector<int64_t>{photo});
}

TEST_P(StoreConformanceTest, DraftTransitionsAndAConditionalPublish) {
  Account owner = CreateAccount("draft_owner2");
  Account approver = CreateAccount("draft_approver");
  DraftFixture f(*store_, ids_, *db_);
  int64_t org = f.Organisation("draft_org2", owner.id);
  auto draft = f.NewDraft(org, owner.id, {f.Upload(org)});
  ASSERT_TRUE(draft.ok()) << Describe(draft);

  auto submitted = f.drafts().Change(org, draft->id, [&](const Draft& current) -> Result<DraftChange> {
    DraftChange change = DraftChange::Keep(current);
    change.state = DraftState::kSubmitted;
    change.add_approval = approver.id;
    change.scheduled_at = 1800000000000;
    AuditEntry entry = At(owner.id);
    entry.action = "draft.submitted";
    change.audit.push_back(entry);
    return change;
  }, 1700000001000);
  ASSERT_TRUE(submitted.ok()) << Describe(submitted);
  EXPECT_EQ(submitted->state, DraftState::kSubmitted);
  EXPECT_EQ(submitted->scheduled_at, 1800000000000);
  ASSERT_EQ(submitted->approvals.size(), 1u);
  EXPECT_EQ(submitted->approvals[0].account_id, approver.id);
  EXPECT_EQ(submitted->updated_at, 1700000001000);
  EXPECT_GT(submitted->version, draft->version);

  // A refusal changes nothing; another organisation's id finds nothing.
  auto refused = f.drafts().Change(org, draft->id, [](const Draft&) -> Result<DraftChange> {
    return Error::Conflict("invalid_transition", "no");
  }, 1700000002000);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "invalid_transition");
  auto elsewhere = f.drafts().Change(owner.id, draft->id, [](const Draft& d) -> Result<DraftChange> {
    return DraftChange::Keep(d);
  }, 1);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().kind, ErrorKind::kNotFound);

  // Marked published only from the state and version it was read in, once:
  // a draft changed and brought back to that state since is not the one the
  // post holds.
  auto current = f.drafts().Find(org, draft->id);
  ASSERT_TRUE(current.ok() && current->has_value());
  int64_t version = (*current)->version;
  Post post;
  post.id = ids_.Next();
  post.account_id = org;
  post.created_at = post.updated_at = 1700000003000;
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  std::vector<bool> marked;
  for (auto [from, at] : std::vector<std::pair<DraftState, int64_t>>{{DraftState::kApproved, version},
                                                                     {DraftState::kSubmitted, version - 1},
                                                                     {DraftState::kSubmitted, version},
                                                                     {DraftState::kSubmitted, version}}) {
    ASSERT_TRUE(db_->Write([&](Connection& conn) -> Status {
      auto done = MarkDraftPublishedOn(conn, draft->id, from, at, post.id, 1700000003000);
      if (!done) return std::move(done).error();
      marked.push_back(*done);
      return Ok();
    }).ok());
  }
  EXPECT_EQ(marked, (std::vector<bool>{false, false, true, false}));
  auto published = f.drafts().Find(org, draft->id);
  ASSERT_TRUE(published.ok() && published->has_value());
  EXPECT_EQ((*published)->state, DraftState::kPublished);
  EXPECT_EQ((*published)->status_id, post.id);
  EXPECT_EQ((*published)->published_at, 1700000003000);

  auto entries = store_->audit().ListForOrganisation(org, std::nullopt, 10);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ((*entries)[0].action, "draft.submitted");
  EXPECT_EQ((*entries)[0].target_type, "draft");
  EXPECT_EQ((*entries)[0].target_id, draft->id);
  EXPECT_EQ((*entries)[0].organisation_id, org);
}

// Changes of one draft run one after the other (the version bump locks the
// row): eight approvers at once leave eight approvals, each decided from
// the draft as the previous one left it.
TEST_P(StoreConformanceTest, ConcurrentDraftChangesSeeEachOther) {
  Account owner = CreateAccount("draft_owner3");
  DraftFixture f(*store_, ids_, *db_);
  int64_t org = f.Organisation("draft_org3", owner.id);
  auto draft = f.NewDraft(org, owner.id, {f.Upload(org)});
  ASSERT_TRUE(draft.ok()) << Describe(draft);
  std::vector<int64_t> approvers;
  for (int i = 0; i < 8; ++i) approvers.push_back(CreateAccount("approver_" + std::to_string(i)).id);

  std::vector<std::thread> threads;
  std::vector<int> seen(approvers.size(), -1);
  for (size_t i = 0; i < approvers.size(); ++i) {
    threads.emplace_back([&, i] {
      auto changed = f.drafts().Change(org, draft->id, [&](const Draft& current) -> Result<DraftChange> {
        seen[i] = static_cast<int>(current.approvals.size());
        DraftChange change = DraftChange::Keep(current);
        change.add_approval = approvers[i];
        return change;
      }, 1700000001000 + static_cast<int64_t>(i));
      EXPECT_TRUE(changed.ok()) << Describe(changed);
    });
  }
  for (std::thread& t : threads) t.join();
  auto after = f.drafts().Find(org, draft->id);
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->approvals.size(), approvers.size());
  EXPECT_EQ((*after)->version, draft->version + static_cast<int64_t>(approvers.size()));
  // Each change saw the ones before it: the counts seen are 0..7, once each
  // (a transaction retried runs `decide` again; its last run is the one kept).
  std::sort(seen.begin(), seen.end());
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int>(i));
}

}  // namespace
}  // namespace vantage::store::testing
