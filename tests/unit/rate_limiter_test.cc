#include "service/rate_limiter.h"

#include <gtest/gtest.h>

namespace vantage::service {

TEST(RateLimiter, LimitsPerKeyAndResetsWithTheWindow) {
  RateLimiter limiter(2, 60);
  int64_t t = 1'000'000;
  EXPECT_EQ(limiter.Hit("a", t), 0);
  EXPECT_EQ(limiter.Hit("a", t + 1), 0);
  int wait = limiter.Hit("a", t + 1000);
  EXPECT_GT(wait, 0);
  EXPECT_LE(wait, 60);
  EXPECT_EQ(limiter.Hit("b", t + 1000), 0);  // other keys unaffected
  EXPECT_GT(limiter.Check("a", t + 2000), 0);
  EXPECT_EQ(limiter.Hit("a", t + 60'000), 0);  // new window
}

TEST(RateLimiter, ZeroDisables) {
  RateLimiter limiter(0, 60);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.Hit("a", i), 0);
}

}  // namespace vantage::service
