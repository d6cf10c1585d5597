#include "service/scopes.h"

#include <gtest/gtest.h>

namespace vantage::service {

TEST(Scopes, NormalizesAndRejectsUnknown) {
  EXPECT_EQ(NormalizeScopes("read write read", "scopes").value(), "read write");
  EXPECT_EQ(NormalizeScopes("", "scopes").value(), "read");
  EXPECT_EQ(NormalizeScopes("read+write:statuses", "scopes").value(), "read write:statuses");
  auto bad = NormalizeScopes("read telepathy", "scopes");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "scopes");
  EXPECT_FALSE(NormalizeScopes("read:nothing", "scopes"));
}

// A permission matrix: granted scope x required scope.
TEST(Scopes, GrantMatrix) {
  struct Case {
    const char* granted;
    const char* required;
    bool allowed;
  } cases[] = {
      {"read", "read:accounts", true},       {"read", "write:accounts", false},
      {"write", "write:accounts", true},     {"write", "read:accounts", false},
      {"read:accounts", "read:accounts", true}, {"read:statuses", "read:accounts", false},
      {"follow", "write:follows", true},     {"follow", "read:blocks", true},
      {"follow", "write:statuses", false},   {"admin:read", "admin:read:accounts", true},
      {"admin:read", "admin:write:accounts", false}, {"read write", "write:media", true},
      {"", "read:accounts", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(ScopeAllows(c.granted, c.required), c.allowed) << c.granted << " / " << c.required;
}

TEST(Scopes, Within) {
  EXPECT_TRUE(ScopesWithin("read:accounts write", "read write follow"));
  EXPECT_FALSE(ScopesWithin("read admin:read", "read write follow"));
}

}  // namespace vantage::service
