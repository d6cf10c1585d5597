// service::ParseScheduledAt (service/drafts.h): the ISO 8601 times a draft's
// release may be scheduled for, and the window they must fall in.
#include <gtest/gtest.h>

#include "service/drafts.h"

namespace vantage::service {
namespace {

// 2026-11-28T10:00:00Z.
constexpr int64_t kNow = 1795860000000;

TEST(ScheduledAt, ReadsUtcOffsetsAndFractions) {
  EXPECT_EQ(*ParseScheduledAt("2026-11-28T11:00:00Z", kNow), kNow + 3'600'000);
  EXPECT_EQ(*ParseScheduledAt("2026-11-28T11:00:00.250Z", kNow), kNow + 3'600'250);
  EXPECT_EQ(*ParseScheduledAt("2026-11-28T11:00:00.2Z", kNow), kNow + 3'600'200);
  EXPECT_EQ(*ParseScheduledAt("2026-11-28T11:00:00.123456Z", kNow), kNow + 3'600'123);
  EXPECT_EQ(*ParseScheduledAt("2026-11-28T13:00:00+02:00", kNow), kNow + 3'600'000);
  EXPECT_EQ(*ParseScheduledAt("2026-11-28T07:30:00-03:30", kNow), kNow + 3'600'000);
  EXPECT_EQ(*ParseScheduledAt(" 2026-11-28T11:00:00z ", kNow), kNow + 3'600'000);
}

TEST(ScheduledAt, KeepsToFiveSecondsToAYearAhead) {
  EXPECT_TRUE(ParseScheduledAt("2026-11-28T10:00:05Z", kNow).ok());
  EXPECT_FALSE(ParseScheduledAt("2026-11-28T10:00:04.999Z", kNow).ok());
  EXPECT_FALSE(ParseScheduledAt("2026-11-28T09:00:00Z", kNow).ok());
  EXPECT_TRUE(ParseScheduledAt("2027-11-28T10:00:00Z", kNow).ok());
  EXPECT_FALSE(ParseScheduledAt("2028-11-28T10:00:00Z", kNow).ok());
}

TEST(ScheduledAt, RefusesWhatIsNotAZonedTimeNamingTheField) {
  for (const char* text : {"", "tomorrow", "2026-11-28", "2026-11-28T11:00:00", "2026-11-28 11:00:00Z",
                           "2026-13-01T00:00:00Z", "2026-02-31T00:00:00Z", "2026-11-28T24:00:00Z",
                           "2026-11-28T11:00:00.Z", "2026-11-28T11:00:00+2:00", "2026-11-28T11:00:00+02:00x",
                           "2026-11-28T11:00:00Zjunk", "1795863600000"}) {
    SCOPED_TRACE(text);
    auto parsed = ParseScheduledAt(text, kNow);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().field, "scheduled_at");
    EXPECT_EQ(parsed.error().code, "invalid_field");
  }
}

}  // namespace
}  // namespace vantage::service
