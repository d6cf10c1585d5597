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

TEST(RateLimiter, AddressKeyCountsIpv6ByItsSlash64) {
  EXPECT_EQ(AddressKey("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(AddressKey("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(AddressKey("2001:db8:1:2::1"), "2001:0db8:0001:0002::/64");
  EXPECT_EQ(AddressKey("2001:db8:1:2:ffff:ffff:ffff:ffff"), AddressKey("2001:db8:1:2::1"));
  EXPECT_NE(AddressKey("2001:db8:1:3::1"), AddressKey("2001:db8:1:2::1"));
  EXPECT_EQ(AddressKey("not an address"), "not an address");
  EXPECT_EQ(AddressKey(""), "");
  RateLimiter limiter(1, 60);
  EXPECT_EQ(limiter.Hit(AddressKey("2001:db8::a"), 0), 0);
  EXPECT_GT(limiter.Hit(AddressKey("2001:db8::b"), 1), 0);  // the same /64
}

}  // namespace vantage::service
