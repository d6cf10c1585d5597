#include "http/router.h"

#include <gtest/gtest.h>

namespace vantage::http {

namespace {
Response Named(const char* name) {
  Response r;
  r.body = name;
  return r;
}
}  // namespace

TEST(Router, LiteralBeatsParameterAndDecodesParams) {
  Router router;
  router.Add("GET", "/api/v1/accounts/verify_credentials", [](Request&) { return Named("verify"); });
  router.Add("GET", "/api/v1/accounts/:id", [](Request&) { return Named("show"); });
  router.Add("PATCH", "/api/v1/accounts/update_credentials", [](Request&) { return Named("update"); });

  Request request;
  auto literal = router.Match("GET", "/api/v1/accounts/verify_credentials");
  ASSERT_TRUE(literal.route);
  EXPECT_EQ(literal.route->handler(request).body, "verify");

  auto param = router.Match("GET", "/api/v1/accounts/12%334");
  ASSERT_TRUE(param.route);
  ASSERT_EQ(param.params.size(), 1u);
  EXPECT_EQ(param.params[0], "1234");

  auto trailing = router.Match("GET", "/api/v1/accounts/42/");
  ASSERT_TRUE(trailing.route);
  EXPECT_EQ(trailing.params[0], "42");
}

TEST(Router, ReportsMethodMismatchAndMissing) {
  Router router;
  router.Add("GET", "/a/:id", [](Request&) { return Named("a"); });
  router.Add("POST", "/b", [](Request&) { return Named("b"); });
  EXPECT_TRUE(router.Match("DELETE", "/a/1").method_mismatch);
  EXPECT_TRUE(router.Match("GET", "/b").method_mismatch);
  auto missing = router.Match("GET", "/c");
  EXPECT_FALSE(missing.route);
  EXPECT_FALSE(missing.method_mismatch);
  EXPECT_FALSE(router.Match("GET", "/a/1/extra").route);
  EXPECT_TRUE(router.Match("GET", "/a/%zz").bad_encoding);
}

TEST(Router, ParametersWithAPrefixAndSuffixMatchOnlyBetweenThem) {
  Router router;
  router.Add("GET", "/@:name.atom", [](Request&) { return Named("feed"); });
  auto feed = router.Match("GET", "/@Alice%5F1.atom");
  ASSERT_TRUE(feed.route);
  ASSERT_EQ(feed.params.size(), 1u);
  EXPECT_EQ(feed.params[0], "Alice_1");
  for (const char* other : {"/@alice", "/alice.atom", "/@.atom", "/@alice.atom/x", "/@alice.rss", "/x@alice.atom"})
    EXPECT_FALSE(router.Match("GET", other).route) << other;
  EXPECT_TRUE(router.Match("POST", "/@alice.atom").method_mismatch);
}

TEST(Request, FindsHeadersAndCookies) {
  Request request;
  request.headers = {{"cookie", "a=1; vantage_session=abc; b=2"}, {"x-test", "yes"}};
  EXPECT_EQ(request.Header("x-test"), "yes");
  EXPECT_EQ(request.Header("missing"), "");
  EXPECT_EQ(request.Cookie("vantage_session"), "abc");
  EXPECT_EQ(request.Cookie("b"), "2");
  EXPECT_EQ(request.Cookie("c"), "");
}

}  // namespace vantage::http
