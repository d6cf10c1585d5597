// The AuditStore contract (store/audit_store.h) on every backend that
// instantiates StoreConformanceTest: appends chain, concurrent appends keep
// one chain, an organisation reads its own entries, and the verifier names
// the entry that was changed, inserted or deleted behind the store's back.
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "store/audit_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

AuditEntry Entry(const std::string& action, std::optional<int64_t> organisation_id = std::nullopt) {
  AuditEntry e;
  e.created_at = 1700000000000;
  e.organisation_id = organisation_id;
  e.actor_id = 42;
  e.action = action;
  e.target_type = "account";
  e.target_id = 7;
  e.ip = "192.0.2.9";
  e.detail = R"({"role":"editor"})";
  return e;
}

// Runs one statement behind the store's back, as someone with SQL access would.
void Tamper(Database& db, const char* name, const char* sql, std::vector<Value> args = {}) {
  Statement st{name, sql};
  Status done = db.Write([&](Connection& conn) -> Status {
    auto changed = conn.Exec(st, args);
    if (!changed) return std::move(changed).error();
    return Ok();
  });
  ASSERT_TRUE(done.ok()) << Describe(done);
}

TEST_P(StoreConformanceTest, AuditAppendsChainFromGenesis) {
  auto empty = store_->audit().Verify();
  ASSERT_TRUE(empty.ok()) << Describe(empty);
  EXPECT_TRUE(empty->intact());
  EXPECT_EQ(empty->length, 0);
  EXPECT_EQ(empty->head_hash, kAuditGenesisHash);

  auto first = store_->audit().Append(Entry("staff.role_added", 5));
  ASSERT_TRUE(first.ok()) << Describe(first);
  auto second = store_->audit().Append(Entry("staff.sign_in", 5));
  ASSERT_TRUE(second.ok()) << Describe(second);
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(second->seq, 2);
  EXPECT_EQ(first->prev_hash, kAuditGenesisHash);
  EXPECT_EQ(second->prev_hash, first->hash);
  EXPECT_EQ(first->hash, AuditEntryHash(*first));
  EXPECT_EQ(first->hash.size(), 64u);

  auto verified = store_->audit().Verify();
  ASSERT_TRUE(verified.ok()) << Describe(verified);
  EXPECT_TRUE(verified->intact()) << verified->message;
  EXPECT_EQ(verified->length, 2);
  EXPECT_EQ(verified->head_hash, second->hash);

  // The chain survives a restart: the next append continues it.
  Reopen();
  auto third = store_->audit().Append(Entry("instance.organisation_created"));
  ASSERT_TRUE(third.ok()) << Describe(third);
  EXPECT_EQ(third->seq, 3);
  EXPECT_EQ(third->prev_hash, second->hash);
}

TEST_P(StoreConformanceTest, AuditEncodingCoversEveryField) {
  AuditEntry base = Entry("a", 1);
  base.seq = 3;
  base.prev_hash = std::string(kAuditGenesisHash);
  std::string hash = AuditEntryHash(base);
  std::vector<AuditEntry> changed(10, base);
  changed[0].seq = 4;
  changed[1].created_at += 1;
  changed[2].organisation_id.reset();
  changed[3].actor_id = 43;
  changed[4].action = "b";
  changed[5].target_type = "status";
  changed[6].target_id.reset();
  changed[7].ip = "192.0.2.10";
  changed[8].detail = "{}";
  changed[9].prev_hash = std::string(64, '1');
  for (size_t i = 0; i < changed.size(); ++i) EXPECT_NE(AuditEntryHash(changed[i]), hash) << "field " << i;
  // Length prefixes keep neighbouring text fields apart.
  AuditEntry shifted = base;
  shifted.action = "ac";
  shifted.target_type = "count";
  AuditEntry other = base;
  other.action = "acc";
  other.target_type = "ount";
  EXPECT_NE(AuditEntryHash(shifted), AuditEntryHash(other));
}

TEST_P(StoreConformanceTest, AuditConcurrentAppendsKeepOneChain) {
  constexpr int kThreads = 4, kEach = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        if (!store_->audit().Append(Entry("thread." + std::to_string(t))).ok()) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto verified = store_->audit().Verify();
  ASSERT_TRUE(verified.ok()) << Describe(verified);
  EXPECT_TRUE(verified->intact()) << verified->message;
  EXPECT_EQ(verified->length, kThreads * kEach);
}

TEST_P(StoreConformanceTest, AuditListsOneOrganisationNewestFirst) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->audit().Append(Entry("org.a", 100)).ok());
    ASSERT_TRUE(store_->audit().Append(Entry("org.b", 200)).ok());
  }
  auto page = store_->audit().ListForOrganisation(100, std::nullopt, 3);
  ASSERT_TRUE(page.ok()) << Describe(page);
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].seq, 9);
  EXPECT_EQ((*page)[2].seq, 5);
  for (const AuditEntry& e : *page) EXPECT_EQ(e.action, "org.a");
  auto next = store_->audit().ListForOrganisation(100, (*page)[2].seq, 10);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ((*next)[0].seq, 3);
  EXPECT_EQ((*next)[1].seq, 1);
}

// Six entries, then one kind of tampering; the verifier must name the entry.
struct TamperCase {
  const char* name;
  std::vector<std::pair<const char*, std::vector<Value>>> statements;
  AuditBreak expected;
  int64_t seq;
};

TEST_P(StoreConformanceTest, AuditVerifyNamesTheTamperedEntry) {
  // Entries 1..6, and their hashes for forging links.
  std::vector<AuditEntry> entries;
  for (int i = 0; i < 6; ++i) {
    auto e = store_->audit().Append(Entry("step." + std::to_string(i + 1), 9));
    ASSERT_TRUE(e.ok());
    entries.push_back(*e);
  }
  // A forged entry that links properly to `after` and hashes properly.
  auto forge = [&](int64_t seq, const std::string& prev) {
    AuditEntry f = Entry("forged", 9);
    f.seq = seq;
    f.prev_hash = prev;
    f.hash = AuditEntryHash(f);
    return f;
  };
  auto insert = [&](const AuditEntry& f) -> std::pair<const char*, std::vector<Value>> {
    return {"INSERT INTO audit_log (seq, created_at, organisation_id, actor_id, action, target_type, target_id, "
            "ip, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {f.seq, f.created_at, Opt(f.organisation_id), Opt(f.actor_id), f.action, f.target_type,
             Opt(f.target_id), f.ip, f.detail, f.prev_hash, f.hash}};
  };
  // Moves entries from `from` on up by one, through negative numbers so that
  // no statement collides with the primary key.
  std::vector<std::pair<const char*, std::vector<Value>>> shift_up = {
      {"UPDATE audit_log SET seq = -seq WHERE seq >= ?", {int64_t{3}}},
      {"UPDATE audit_log SET seq = 1 - seq WHERE seq < 0", {}}};
  std::vector<std::pair<const char*, std::vector<Value>>> shift_down = {
      {"UPDATE audit_log SET seq = -seq WHERE seq > ?", {int64_t{3}}},
      {"UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0", {}}};
  AuditEntry rehashed = entries[2];
  rehashed.action = "step.changed";
  rehashed.hash = AuditEntryHash(rehashed);

  std::vector<TamperCase> cases = {
      {"edit a field", {{"UPDATE audit_log SET ip = '203.0.113.1' WHERE seq = ?", {int64_t{3}}}},
       AuditBreak::kModified, 3},
      {"edit a field and recompute its hash",
       {{"UPDATE audit_log SET action = ?, hash = ? WHERE seq = ?", {rehashed.action, rehashed.hash, int64_t{3}}}},
       AuditBreak::kModified, 3},
      {"edit the last entry and its hash",
       {{"UPDATE audit_log SET detail = '{}', hash = ? WHERE seq = ?",
         {[&] {
            AuditEntry last = entries[5];
            last.detail = "{}";
            return AuditEntryHash(last);
          }(),
          int64_t{6}}}},
       AuditBreak::kModified, 6},
      {"delete a middle entry", {{"DELETE FROM audit_log WHERE seq = ?", {int64_t{3}}}}, AuditBreak::kDeleted, 3},
      {"delete the last entry", {{"DELETE FROM audit_log WHERE seq = ?", {int64_t{6}}}}, AuditBreak::kDeleted, 6},
      {"delete the first entry", {{"DELETE FROM audit_log WHERE seq = ?", {int64_t{1}}}}, AuditBreak::kDeleted, 1},
      {"append past the head", {insert(forge(7, entries[5].hash))}, AuditBreak::kInserted, 7},
  };
  // Delete entry 3 and renumber the rest down.
  TamperCase renumbered{"delete and renumber", {{"DELETE FROM audit_log WHERE seq = ?", {int64_t{3}}}},
                        AuditBreak::kDeleted, 3};
  renumbered.statements.insert(renumbered.statements.end(), shift_down.begin(), shift_down.end());
  cases.push_back(renumbered);
  // Insert a well-forged entry at 3 and renumber the rest up.
  TamperCase inserted{"insert in the middle", shift_up, AuditBreak::kInserted, 3};
  inserted.statements.push_back(insert(forge(3, entries[1].hash)));
  cases.push_back(inserted);
  // Insert a badly forged one (random link) at 3.
  TamperCase junk{"insert junk in the middle", shift_up, AuditBreak::kInserted, 3};
  junk.statements.push_back(insert(forge(3, std::string(64, 'f'))));
  cases.push_back(junk);

  // Each case on a fresh copy of the same six entries: undo by rewriting
  // the table from `entries` between cases.
  int index = 0;
  for (const TamperCase& c : cases) {
    SCOPED_TRACE(c.name);
    Tamper(*db_, "test_audit_reset", "DELETE FROM audit_log");
    for (const AuditEntry& e : entries) {
      auto [sql, args] = insert(e);
      Tamper(*db_, "test_audit_restore", sql, args);
    }
    auto intact = store_->audit().Verify();
    ASSERT_TRUE(intact.ok());
    ASSERT_TRUE(intact->intact()) << intact->message;
    for (const auto& [sql, args] : c.statements) {
      std::string name = "test_audit_tamper_" + std::to_string(index++);
      Tamper(*db_, name.c_str(), sql, args);
    }
    auto verified = store_->audit().Verify();
    ASSERT_TRUE(verified.ok()) << Describe(verified);
    EXPECT_EQ(verified->problem, c.expected) << verified->message;
    EXPECT_EQ(verified->seq, c.seq) << verified->message;
    EXPECT_NE(verified->message.find("entry " + std::to_string(c.seq)), std::string::npos) << verified->message;
  }

  // Without its head the chain cannot vouch for any entry.
  Tamper(*db_, "test_audit_delete_head", "DELETE FROM audit_head");
  auto headless = store_->audit().Verify();
  ASSERT_TRUE(headless.ok());
  EXPECT_EQ(headless->problem, AuditBreak::kInserted) << headless->message;
  EXPECT_NE(headless->message.find("head"), std::string::npos) << headless->message;
}

}  // namespace
}  // namespace vantage::store::testing
