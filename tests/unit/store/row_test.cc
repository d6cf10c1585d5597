#include <gtest/gtest.h>

#include <stdexcept>

#include "store/sql.h"

namespace vantage::store {
namespace {

TEST(RowTest, ReadsEachKindOfValue) {
  Row row({Value(int64_t{42}), Value(std::string("text")), Null(), Value(int64_t{0})});
  EXPECT_EQ(row.size(), 4u);
  EXPECT_EQ(row.Int(0), 42);
  EXPECT_TRUE(row.Bool(0));
  EXPECT_FALSE(row.Bool(3));
  EXPECT_EQ(row.Text(1), "text");
  EXPECT_FALSE(row.IsNull(0));
  EXPECT_TRUE(row.IsNull(2));
  EXPECT_EQ(row.OptInt(0), 42);
  EXPECT_EQ(row.OptText(1), "text");
  EXPECT_EQ(std::get<int64_t>(row.at(0)), 42);
}

TEST(RowTest, NullReadsAsZeroEmptyOrAbsent) {
  Row row({Null()});
  EXPECT_EQ(row.Int(0), 0);
  EXPECT_FALSE(row.Bool(0));
  EXPECT_EQ(row.Text(0), "");
  EXPECT_EQ(row.OptInt(0), std::nullopt);
  EXPECT_EQ(row.OptText(0), std::nullopt);
}

TEST(RowTest, EmptyTextIsNotNull) {
  Row row({Value(std::string())});
  EXPECT_FALSE(row.IsNull(0));
  EXPECT_EQ(row.OptText(0), std::string());
}

TEST(RowTest, WrongTypeOrIndexIsABug) {
  Row row({Value(int64_t{1}), Value(std::string("x"))});
  EXPECT_THROW(row.Text(0), std::logic_error);
  EXPECT_THROW(row.Int(1), std::logic_error);
  EXPECT_THROW(row.OptInt(1), std::logic_error);
  EXPECT_THROW(row.Int(2), std::out_of_range);
  EXPECT_THROW(row.IsNull(2), std::out_of_range);
}

TEST(ValueTest, OptMapsAbsentToNull) {
  EXPECT_TRUE(std::holds_alternative<std::monostate>(Opt(std::optional<int64_t>())));
  EXPECT_EQ(std::get<int64_t>(Opt(std::optional<int64_t>(7))), 7);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(Opt(std::optional<std::string>())));
  EXPECT_EQ(std::get<std::string>(Opt(std::optional<std::string>("s"))), "s");
}

// A connection that answers every query with fixed rows, for QueryOne.
class FixedConnection : public Connection {
 public:
  explicit FixedConnection(std::vector<Row> rows) : rows_(std::move(rows)) {}
  Result<std::vector<Row>> Query(const Statement&, std::initializer_list<Value> args) override {
    last_args_ = args.size();
    return rows_;
  }
  Result<std::vector<Row>> Query(const Statement&, const std::vector<Value>&) override {
    return rows_;
  }
  Result<int64_t> Exec(const Statement&, std::initializer_list<Value>) override { return 0; }
  Result<int64_t> Exec(const Statement&, const std::vector<Value>&) override { return 0; }
  size_t last_args_ = 0;

 private:
  std::vector<Row> rows_;
};

constexpr Statement kAny{"any", "SELECT ?"};

TEST(ConnectionTest, QueryOneGivesTheFirstRow) {
  FixedConnection conn({Row({Value(int64_t{1})}), Row({Value(int64_t{2})})});
  auto row = conn.QueryOne(kAny, {int64_t{5}});
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->Int(0), 1);
  EXPECT_EQ(conn.last_args_, 1u);
}

TEST(ConnectionTest, QueryOneOfNoRowsIsNullopt) {
  FixedConnection conn({});
  auto row = conn.QueryOne(kAny, {});
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(row->has_value());
}

}  // namespace
}  // namespace vantage::store
