#include "core/text.h"

#include <gtest/gtest.h>

namespace vantage {

TEST(Utf8, AcceptsValidAndRejectsInvalid) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb7"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(Utf8, CountsCodePoints) { EXPECT_EQ(Utf8Length("caf\xc3\xa9"), 4u); }

TEST(PercentDecode, DecodesAndRejectsMalformed) {
  EXPECT_EQ(PercentDecode("a%20b+c", true).value(), "a b c");
  EXPECT_EQ(PercentDecode("a+b", false).value(), "a+b");
  EXPECT_FALSE(PercentDecode("%zz", true));
  EXPECT_FALSE(PercentDecode("%4", true));
  EXPECT_FALSE(PercentDecode("%", true));
}

TEST(PercentEncode, RoundTrips) {
  std::string raw = "a b&c=d/é";
  EXPECT_EQ(PercentDecode(PercentEncode(raw), false).value(), raw);
}

TEST(HtmlEscape, EscapesMarkup) { EXPECT_EQ(HtmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"); }

TEST(JsonQuote, QuotesAndEscapesWhatJsonRequires) {
  EXPECT_EQ(JsonQuote(""), "\"\"");
  EXPECT_EQ(JsonQuote("say \"hi\" \\ bye"), "\"say \\\"hi\\\" \\\\ bye\"");
  EXPECT_EQ(JsonQuote(std::string("a\nb\x01") + '\0'), "\"a\\u000ab\\u0001\\u0000\"");
  EXPECT_EQ(JsonQuote("Офицер A"), "\"Офицер A\"");
}

TEST(Base64Url, MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Times, FormatsIsoAndHttpDates) {
  EXPECT_EQ(FormatIsoTime(1764338261123), "2025-11-28T13:57:41.123Z");
  EXPECT_EQ(FormatHttpDate(1764338261), "Fri, 28 Nov 2025 13:57:41 GMT");
}

}  // namespace vantage
