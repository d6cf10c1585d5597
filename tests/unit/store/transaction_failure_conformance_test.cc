// Failed transactions on every backend that instantiates StoreConformanceTest:
// a Write callback that fails in the middle (an error, an exception, a
// constraint violation, a nested Read or Write of the same database) leaves
// nothing behind and the connections clean, so the writes after it commit
// with fresh ids and see no unique violation that is not theirs.
#include <stdexcept>
#include <string>
#include <vector>

#include "store_backend.h"

namespace vantage::store::testing {
namespace {

constexpr Statement kInsertBare{
    "test_failure_insert_account",
    "INSERT INTO accounts (id, username, created_at, updated_at) VALUES (?, ?, 0, 0)"};
constexpr Statement kCountBare{"test_failure_count_accounts",
                               "SELECT COUNT(*) FROM accounts"};
constexpr Statement kFindBare{"test_failure_find_account", "SELECT username FROM accounts WHERE id = ?"};

Status Insert(Connection& conn, int64_t id, const std::string& name) {
  auto inserted = conn.Exec(kInsertBare, {id, "failure_" + name});
  if (!inserted) return std::move(inserted).error();
  return Ok();
}

int64_t Count(Database& db) {
  int64_t count = -1;
  Status status = db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kCountBare, {});
    if (!row) return std::move(row).error();
    count = (*row)->Int(0);
    return Ok();
  });
  EXPECT_TRUE(status.ok()) << Describe(status);
  return count;
}

bool Exists(Database& db, int64_t id) {
  bool found = false;
  Status status = db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kFindBare, {id});
    if (!row) return std::move(row).error();
    found = row->has_value();
    return Ok();
  });
  EXPECT_TRUE(status.ok()) << Describe(status);
  return found;
}

// After a failed Write: its row is not there, and many later writes (more
// than a pool has connections) commit with fresh ids, each seen at once,
// without bringing the failed row back; a real duplicate is still refused
// and names the column.
void ExpectCleanAfter(Database& db, IdGenerator& ids, int64_t failed_id, int64_t expected_before) {
  EXPECT_FALSE(Exists(db, failed_id)) << "the failed write's row is there";
  EXPECT_EQ(Count(db), expected_before);
  for (int i = 0; i < 12; ++i) {
    int64_t id = ids.Next();
    Status wrote = db.Write([&](Connection& conn) { return Insert(conn, id, "later_" + std::to_string(id)); });
    ASSERT_TRUE(wrote.ok()) << "write " << i << " after the failure: " << Describe(wrote);
    EXPECT_TRUE(Exists(db, id));
  }
  EXPECT_FALSE(Exists(db, failed_id)) << "the failed write's row came back with a later commit";
  EXPECT_EQ(Count(db), expected_before + 12);
  int64_t taken = ids.Next();
  ASSERT_TRUE(db.Write([&](Connection& conn) { return Insert(conn, taken, "taken_" + std::to_string(taken)); })
                  .ok());
  Status again = db.Write([&](Connection& conn) { return Insert(conn, taken, "again"); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "unique_violation") << Describe(again);
  EXPECT_EQ(again.error().field, "accounts.id") << Describe(again);
}

TEST_P(StoreConformanceTest, AnErrorReturnedMidwayRollsBack) {
  int64_t id = ids_.Next();
  Status status = db_->Write([&](Connection& conn) -> Status {
    VANTAGE_TRY(Insert(conn, id, "returned"));
    return Error::Invalid("x", "changed my mind");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "changed my mind");
  ExpectCleanAfter(*db_, ids_, id, 0);
}

TEST_P(StoreConformanceTest, AnExceptionMidwayRollsBackAndPropagates) {
  int64_t id = ids_.Next();
  EXPECT_THROW((void)db_->Write([&](Connection& conn) -> Status {
    EXPECT_TRUE(Insert(conn, id, "thrown").ok());
    throw std::runtime_error("bug");
  }), std::runtime_error);
  ExpectCleanAfter(*db_, ids_, id, 0);
}

TEST_P(StoreConformanceTest, AnExceptionWhileReadingRowsLeavesNoStatementHalfRun) {
  int64_t first = ids_.Next(), second = ids_.Next();
  ASSERT_TRUE(db_->Write([&](Connection& conn) -> Status {
    VANTAGE_TRY(Insert(conn, first, "one"));
    return Insert(conn, second, "two");
  }).ok());
  int64_t id = ids_.Next();
  EXPECT_THROW((void)db_->Write([&](Connection& conn) -> Status {
    EXPECT_TRUE(Insert(conn, id, "thrown_after_read").ok());
    auto row = conn.QueryOne(kFindBare, {first});
    if (row.ok() && row->has_value()) throw std::runtime_error("bug after reading " + (*row)->Text(0));
    return Ok();
  }), std::runtime_error);
  // The same statements, with other arguments, read and write what they are given now.
  auto second_found = Exists(*db_, second);
  EXPECT_TRUE(second_found);
  ExpectCleanAfter(*db_, ids_, id, 2);
}

TEST_P(StoreConformanceTest, AConstraintViolationReturnedRollsBackTheWholeWrite) {
  int64_t taken = ids_.Next();
  ASSERT_TRUE(db_->Write([&](Connection& conn) { return Insert(conn, taken, "first"); }).ok());
  int64_t id = ids_.Next();
  Status status = db_->Write([&](Connection& conn) -> Status {
    VANTAGE_TRY(Insert(conn, id, "before_duplicate"));
    return Insert(conn, taken, "duplicate");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "unique_violation") << Describe(status);
  ExpectCleanAfter(*db_, ids_, id, 1);
}

TEST_P(StoreConformanceTest, ANestedReadIsRefusedClearlyAndTheWriteRollsBack) {
  int64_t id = ids_.Next();
  Status inner;
  Status status = db_->Write([&](Connection& conn) -> Status {
    VANTAGE_TRY(Insert(conn, id, "nested_read"));
    inner = db_->Read([](Connection&) { return Ok(); });
    return inner;
  });
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().kind, ErrorKind::kInternal);
  EXPECT_NE(inner.error().message.find("inside"), std::string::npos) << inner.error().message;
  ASSERT_FALSE(status.ok());
  ExpectCleanAfter(*db_, ids_, id, 0);
}

// A caller that drops the refusal still gets its Write refused: the nested
// call was a bug, and committing what it meant to guard would hide it.
TEST_P(StoreConformanceTest, ANestedCallTheCallbackIgnoresStillFailsTheWrite) {
  for (bool nested_write : {false, true}) {
    int64_t id = ids_.Next();
    Status status = db_->Write([&](Connection& conn) -> Status {
      VANTAGE_TRY(Insert(conn, id, nested_write ? "ignored_write" : "ignored_read"));
      if (nested_write) {
        (void)db_->Write([&](Connection& inner) { return Insert(inner, ids_.Next(), "inner"); });
      } else {
        (void)db_->Read([](Connection&) { return Ok(); });
      }
      return Ok();
    });
    ASSERT_FALSE(status.ok()) << (nested_write ? "nested Write" : "nested Read");
    EXPECT_EQ(status.error().kind, ErrorKind::kInternal);
    EXPECT_NE(status.error().message.find("inside"), std::string::npos) << status.error().message;
    ExpectCleanAfter(*db_, ids_, id, nested_write ? 13 : 0);
  }
}

TEST_P(StoreConformanceTest, ANestedCallInsideAReadFailsTheRead) {
  Status inner;
  Status status = db_->Read([&](Connection&) -> Status {
    inner = db_->Write([&](Connection& conn) { return Insert(conn, ids_.Next(), "from_read"); });
    return Ok();
  });
  ASSERT_FALSE(inner.ok());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(Count(*db_), 0);
  ExpectCleanAfter(*db_, ids_, ids_.Next(), 0);
}

// The sequence seen in production: a Write that fails through a nested Read
// in the middle of a change that also appends to a counter row, then new rows
// with fresh ids, many times over.
TEST_P(StoreConformanceTest, FailuresInterleavedWithWritesNeverReportAFalseDuplicate) {
  int64_t committed = 0;
  for (int round = 0; round < 30; ++round) {
    int64_t failed = ids_.Next();
    int mode = round % 4;
    try {
      (void)db_->Write([&](Connection& conn) -> Status {
        VANTAGE_TRY(Insert(conn, failed, "round_failed_" + std::to_string(round)));
        if (mode == 0) return db_->Read([](Connection&) { return Ok(); });
        if (mode == 1) throw std::runtime_error("bug");
        if (mode == 2) return Insert(conn, failed, "round_duplicate");
        (void)db_->Write([](Connection&) { return Ok(); });
        return Ok();
      });
    } catch (const std::runtime_error&) {
    }
    EXPECT_FALSE(Exists(*db_, failed)) << "round " << round;
    int64_t fresh = ids_.Next();
    Status wrote = db_->Write([&](Connection& conn) { return Insert(conn, fresh, "round_ok_" + std::to_string(round)); });
    ASSERT_TRUE(wrote.ok()) << "round " << round << ": " << Describe(wrote);
    ++committed;
  }
  EXPECT_EQ(Count(*db_), committed);
}

}  // namespace
}  // namespace vantage::store::testing
