// The lenient readers of what peers send (federation/vocabulary.h).
#include "federation/vocabulary.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace vantage::federation {
namespace {

namespace json = boost::json;

TEST(HtmlToText, KeepsTheWordsAndNothingOfTheMarkup) {
  EXPECT_EQ(HtmlToText("<p>Hello <b>world</b></p><p>Second<br>line</p>", 100), "Hello world\n\nSecond\nline");
  EXPECT_EQ(HtmlToText("Tom &amp; Jerry &#39;s &lt;script&gt; &#x41; &nbsp;", 100), "Tom & Jerry 's <script> A");
  EXPECT_EQ(HtmlToText("a<script>alert(1)</script>b<style>p{}</style>c", 100), "abc");
  EXPECT_EQ(HtmlToText("<a href=\"javascript:x\" onclick=\"y\">link</a>", 100), "link");
}

TEST(HtmlToText, ALessThanSignThatStartsNoTagIsText) {
  EXPECT_EQ(HtmlToText("Strobe <3 & flashing lights", 100), "Strobe <3 & flashing lights");
  EXPECT_EQ(HtmlToText("1 < 2", 100), "1 < 2");
  EXPECT_EQ(HtmlToText("unclosed <b tag and the rest", 100), "unclosed");
}

TEST(HtmlToText, CutsAtCodePointsAndRefusesBrokenUtf8) {
  EXPECT_EQ(HtmlToText("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xc3\xa9");
  EXPECT_EQ(HtmlToText("bad \xff byte", 100), "");
  EXPECT_EQ(HtmlToText("&#0; &#xD800; &#1114112;", 100), "\xef\xbf\xbd \xef\xbf\xbd &#1114112;");
}

TEST(Vocabulary, OneOrManyStringsOrObjects) {
  json::value v = json::parse(R"(["a", {"id": "b"}, 3, {"x": 1}, {"id": "c", "type": "Link"}])");
  EXPECT_EQ(IdsOf(&v), (std::vector<std::string>{"a", "b", "c"}));
  json::value one = json::parse(R"({"id": "only"})");
  EXPECT_EQ(IdsOf(&one), std::vector<std::string>{"only"});
  EXPECT_TRUE(IdsOf(nullptr).empty());
  json::value objects = json::parse(R"({"type": "PropertyValue"})");
  EXPECT_EQ(ObjectsOf(&objects).size(), 1u);
  json::value typed = json::parse(R"({"type": ["Note", "Other"]})");
  EXPECT_EQ(TypeOf(typed.as_object()), "Note");
}

TEST(Vocabulary, UrlsFromStringsLinksAndArrays) {
  json::value links = json::parse(
      R"([{"type": "Link", "href": "https://a.example/x", "mediaType": "application/activity+json"},
          {"type": "Link", "href": "https://a.example/@x", "mediaType": "text/html"}])");
  EXPECT_EQ(UrlOf(&links, "text/html"), "https://a.example/@x");
  EXPECT_EQ(UrlOf(&links), "https://a.example/x");
  json::value text = json::parse(R"("https://a.example/p")");
  EXPECT_EQ(UrlOf(&text), "https://a.example/p");
}

TEST(Vocabulary, PublicInItsThreeSpellings) {
  EXPECT_TRUE(IsPublic("https://www.w3.org/ns/activitystreams#Public"));
  EXPECT_TRUE(IsPublic("as:Public"));
  EXPECT_TRUE(IsPublic("Public"));
  EXPECT_FALSE(IsPublic("https://a.example/users/x/followers"));
}

TEST(Vocabulary, HostsAndOrigins) {
  EXPECT_EQ(HostOf("https://Social.Example/users/x#main-key"), "social.example");
  EXPECT_EQ(HostOf("https://social.example:443/x"), "social.example");
  EXPECT_EQ(HostOf("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
  EXPECT_EQ(HostOf("ftp://social.example/x"), "");
  EXPECT_TRUE(SameOrigin("https://a.example/users/x", "https://a.example/inbox"));
  EXPECT_FALSE(SameOrigin("https://a.example/x", "http://a.example/x"));
  EXPECT_FALSE(SameOrigin("https://a.example/x", "https://b.example/x"));
  EXPECT_TRUE(IsHttpUrl("https://pixelfed.example/users/x#follow/1"));
  EXPECT_FALSE(IsHttpUrl("https://user:pw@a.example/x"));
  EXPECT_FALSE(IsHttpUrl("https://a.example/x y"));
  EXPECT_EQ(WithoutFragment("https://a.example/x#main-key"), "https://a.example/x");
}

TEST(Vocabulary, LocalIds) {
  LocalUris uris{"https://vantage.example"};
  auto actor = ParseLocalUri(uris, "https://vantage.example/users/vera");
  ASSERT_TRUE(actor);
  EXPECT_EQ(actor->kind, LocalObject::Kind::kActor);
  EXPECT_EQ(actor->username, "vera");
  auto status = ParseLocalUri(uris, "https://vantage.example/users/vera/statuses/123");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, LocalObject::Kind::kStatus);
  EXPECT_EQ(status->status_id, 123);
  EXPECT_FALSE(ParseLocalUri(uris, "https://vantage.example/users/vera/statuses/12x"));
  EXPECT_FALSE(ParseLocalUri(uris, "https://vantage.example/users/a@b"));
  EXPECT_FALSE(ParseLocalUri(uris, "https://elsewhere.example/users/vera"));
  EXPECT_EQ(ParseLocalUri(uris, "https://vantage.example/actor")->kind, LocalObject::Kind::kInstanceActor);
}

TEST(Vocabulary, WhatCountsAsADocument) {
  EXPECT_TRUE(IsActivityContentType("application/activity+json; charset=utf-8"));
  EXPECT_TRUE(IsActivityContentType("application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""));
  EXPECT_TRUE(IsActivityContentType("application/ld+json"));
  EXPECT_FALSE(IsActivityContentType("application/ld+json; profile=\"https://example.org/other\""));
  EXPECT_FALSE(IsActivityContentType("text/html"));
}

}  // namespace
}  // namespace vantage::federation
