#include "core/id.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace vantage {

TEST(IdGenerator, IdsAreUniqueAndIncreasingAcrossThreads) {
  IdGenerator ids(3);
  std::vector<std::vector<int64_t>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread)
    threads.emplace_back([&ids, &out] {
      for (int i = 0; i < 20000; ++i) out.push_back(ids.Next());
    });
  for (auto& t : threads) t.join();
  std::set<int64_t> all;
  for (const auto& out : per_thread) {
    for (size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i - 1], out[i]);
    all.insert(out.begin(), out.end());
  }
  EXPECT_EQ(all.size(), 80000u);
}

TEST(IdGenerator, EncodesTimeAndShard) {
  IdGenerator ids(5);
  int64_t before = NowUnixMs();
  int64_t id = ids.Next();
  EXPECT_GT(id, 0);
  EXPECT_EQ((id >> 12) & 0x3ff, 5);
  EXPECT_GE(IdGenerator::UnixMs(id), before);
  EXPECT_LE(IdGenerator::UnixMs(id), NowUnixMs() + 1000);
  EXPECT_LE(IdGenerator::FloorForTime(before), id);
}

TEST(ParseId, AcceptsOnlyPositiveDecimals) {
  EXPECT_EQ(ParseId("123").value(), 123);
  EXPECT_FALSE(ParseId(""));
  EXPECT_FALSE(ParseId("0"));
  EXPECT_FALSE(ParseId("-5"));
  EXPECT_FALSE(ParseId("12a"));
  EXPECT_FALSE(ParseId("99999999999999999999"));
}

}  // namespace vantage
