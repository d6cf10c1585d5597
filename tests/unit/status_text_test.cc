// Captions: hashtags, mentions and links, and the HTML content as Mastodon
// renders it, including hostile input.
#include "service/status_text.h"

#include <gtest/gtest.h>

namespace vantage::service {
namespace {

const std::string kBase = "https://vantage.example";

std::vector<std::string> TagNames(std::string_view text) {
  std::vector<std::string> names;
  for (const CaptionTag& t : ParseCaption(text).tags) names.push_back(t.name);
  return names;
}

std::vector<std::string> MentionNames(std::string_view text) {
  std::vector<std::string> names;
  for (const CaptionMention& m : ParseCaption(text).mentions)
    names.push_back(m.domain.empty() ? m.username : m.username + "@" + m.domain);
  return names;
}

// Knows "alice" and "Bob" (any case), on this instance only.
std::optional<std::string> Resolve(const CaptionMention& m) {
  if (!m.domain.empty() && m.domain != "vantage.example") return std::nullopt;
  std::string lower;
  for (char c : m.username) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "alice") return std::string("alice");
  if (lower == "bob") return std::string("Bob");
  return std::nullopt;
}

std::string Render(std::string_view text) { return RenderCaptionHtml(text, kBase, Resolve); }

TEST(CaptionTags, FindsTagsOfAnyScript) {
  using V = std::vector<std::string>;
  EXPECT_EQ(TagNames("Sunset #photo #Museum_Archive"), (V{"photo", "Museum_Archive"}));
  EXPECT_EQ(TagNames("#日本 #Ärger #фото #تصوير #שלום"), (V{"日本", "Ärger", "фото", "تصوير", "שלום"}));
  // Combining marks stay part of the tag (e + U+0301, Devanagari vowel sign).
  EXPECT_EQ(TagNames("#cafe\xcc\x81 #\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\x82\xe0\xa4\xa6\xe0\xa5\x80"),
            (V{"cafe\xcc\x81", "\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\x82\xe0\xa4\xa6\xe0\xa5\x80"}));
  EXPECT_EQ(TagNames("#2024photos #abc123"), (V{"2024photos", "abc123"}));
}

TEST(CaptionTags, RefusesNumbersMidWordAndUrls) {
  EXPECT_TRUE(TagNames("#123 #_ # alone").empty());
  EXPECT_TRUE(TagNames("a#b x/#y (x)#z =#q ##double").empty());
  EXPECT_TRUE(TagNames("https://example.org/page#section").empty());
  EXPECT_TRUE(TagNames("&#39; &#x41;").empty());
}

TEST(CaptionTags, EndAtPunctuationAndEmojiAndTrailingJoiners) {
  using V = std::vector<std::string>;
  EXPECT_EQ(TagNames("(#tag), #tag2. #tag3!"), (V{"tag", "tag2", "tag3"}));
  EXPECT_EQ(TagNames("#sun\xf0\x9f\x8c\x85"), (V{"sun"}));          // emoji ends a tag
  EXPECT_EQ(TagNames("#end\xe2\x80\x8d"), (V{"end"}));               // trailing ZWJ dropped
  EXPECT_EQ(TagNames("#\xe2\x80\x8dlead"), V{});                     // ZWJ cannot start one
  EXPECT_EQ(TagNames("#\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85"),
            (V{"\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85"}));  // Persian ZWNJ
  // An emoji ZWJ sequence is no tag at all.
  EXPECT_TRUE(TagNames("#\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x9a\x92").empty());
}

TEST(CaptionTags, CompareIgnoringCaseAndWidthAndKeepTheFirstForm) {
  auto tags = ParseCaption("#Photo #PHOTO #photo #Ｐｈｏｔｏ #Straße #STRASSE").tags;
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].name, "Photo");
  EXPECT_EQ(tags[0].key, "photo");
  EXPECT_EQ(tags[1].name, "Straße");
  EXPECT_EQ(tags[1].key, "strasse");
  EXPECT_EQ(TagKey("Ärger"), TagKey("äRGER"));
  EXPECT_EQ(TagKey("a\xe2\x80\x8d" "b"), TagKey("ab"));  // default-ignorables fold away
}

TEST(CaptionMentions, FindsLocalAndQualifiedNames) {
  using V = std::vector<std::string>;
  EXPECT_EQ(MentionNames("hi @alice and @Bob@vantage.example, @carol@other.example:8080."),
            (V{"alice", "Bob@vantage.example", "carol@other.example:8080"}));
  EXPECT_EQ(MentionNames("@alice @ALICE @alice"), (V{"alice"}));
}

TEST(CaptionMentions, RefusesEmailsAndOverlongAndMidWord) {
  EXPECT_TRUE(MentionNames("mail me: bob@example.org").empty());
  EXPECT_TRUE(MentionNames("@" + std::string(31, 'a')).empty());
  EXPECT_TRUE(MentionNames("x/@alice =@alice @@alice").empty());
  EXPECT_TRUE(MentionNames("@josé").empty());  // not an ASCII username
}

TEST(CaptionRender, ParagraphsAndLineBreaks) {
  EXPECT_EQ(Render(""), "");
  EXPECT_EQ(Render("  \n\n "), "");
  EXPECT_EQ(Render("one"), "<p>one</p>");
  EXPECT_EQ(Render("one\ntwo"), "<p>one<br>two</p>");
  EXPECT_EQ(Render("one\r\ntwo\r\n\r\nthree\n\n\n\nfour"), "<p>one<br>two</p><p>three</p><p>four</p>");
  EXPECT_EQ(Render("\n\nlead and trail\n\n"), "<p>lead and trail</p>");
}

TEST(CaptionRender, LinksTagsAsMastodonDoes) {
  EXPECT_EQ(Render("#Photo"),
            "<p><a href=\"https://vantage.example/tags/Photo\" class=\"mention hashtag\" "
            "rel=\"tag\">#<span>Photo</span></a></p>");
  // Non-ASCII names are percent-encoded in the link and shown as written.
  EXPECT_EQ(Render("#фото"),
            "<p><a href=\"https://vantage.example/tags/%D1%84%D0%BE%D1%82%D0%BE\" class=\"mention "
            "hashtag\" rel=\"tag\">#<span>фото</span></a></p>");
}

TEST(CaptionRender, LinksKnownMentionsOnly) {
  EXPECT_EQ(Render("@bob hi"),
            "<p><span class=\"h-card\"><a href=\"https://vantage.example/@Bob\" class=\"u-url "
            "mention\">@<span>Bob</span></a></span> hi</p>");
  EXPECT_EQ(Render("@nobody @alice@elsewhere.example"), "<p>@nobody @alice@elsewhere.example</p>");
}

TEST(CaptionRender, LinksBareUrls) {
  EXPECT_EQ(Render("see https://example.org/a?b=1&c=2."),
            "<p>see <a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow noopener "
            "noreferrer\" target=\"_blank\"><span class=\"invisible\">https://</span><span "
            "class=\"\">example.org/a?b=1&amp;c=2</span><span class=\"invisible\"></span></a>.</p>");
  std::string long_url = "https://www.example.org/" + std::string(40, 'x');
  EXPECT_EQ(Render(long_url),
            "<p><a href=\"" + long_url +
                "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\"><span "
                "class=\"invisible\">https://www.</span><span class=\"ellipsis\">example.org/" +
                std::string(18, 'x') + "</span><span class=\"invisible\">" + std::string(22, 'x') +
                "</span></a></p>");
  // Brackets: kept when the link opened them, left outside otherwise.
  EXPECT_EQ(ParseCaption("(https://en.wikipedia.org/wiki/Foo_(bar))").urls,
            std::vector<std::string>{"https://en.wikipedia.org/wiki/Foo_(bar)"});
}

TEST(CaptionHostile, MarkupAndQuotesAreEscaped) {
  EXPECT_EQ(Render("<script>alert('x')</script> & \"q\""),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>");
  EXPECT_EQ(Render("<img src=x onerror=alert(1)>"), "<p>&lt;img src=x onerror=alert(1)&gt;</p>");
  // A URL cannot break out of its attribute: quotes and brackets end it.
  std::string html = Render("https://evil.example/\"onmouseover=\"alert(1)");
  EXPECT_NE(html.find("href=\"https://evil.example/\""), std::string::npos) << html;
  EXPECT_EQ(html.find("onmouseover=\"alert"), std::string::npos) << html;
  EXPECT_EQ(Render("#tag<b>"),
            "<p><a href=\"https://vantage.example/tags/tag\" class=\"mention hashtag\" "
            "rel=\"tag\">#<span>tag</span></a>&lt;b&gt;</p>");
}

TEST(CaptionHostile, OnlyHttpAndHttpsAreLinked) {
  for (const char* text : {"javascript:alert(1)", "JaVaScRiPt:alert(document.cookie)",
                           "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox", "file:///etc/passwd",
                           "http:/missing-slash", "https://", "http://\"x"}) {
    EXPECT_EQ(Render(text).find("<a "), std::string::npos) << text;
  }
  EXPECT_EQ(Render("xhttps://glued.example").find("<a "), std::string::npos);
}

TEST(CaptionHostile, BidiOverridesAndZeroWidthCharactersEndLinks) {
  // U+202E RIGHT-TO-LEFT OVERRIDE would make the link read as another.
  auto urls = ParseCaption("https://bank.example\xe2\x80\xaegpj.exe").urls;
  EXPECT_EQ(urls, std::vector<std::string>{"https://bank.example"});
  urls = ParseCaption("https://a.example\xe2\x80\x8b.evil").urls;  // zero-width space
  EXPECT_EQ(urls, std::vector<std::string>{"https://a.example"});
  // Right-to-left text around entities survives byte for byte.
  std::string rtl = "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d #\xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d @alice";
  std::string html = Render(rtl);
  EXPECT_EQ(html.rfind("<p>\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d <a href=", 0), 0u) << html;
  EXPECT_NE(html.find("#<span>\xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d</span>"), std::string::npos) << html;
  EXPECT_NE(html.find("@<span>alice</span>"), std::string::npos) << html;
}

TEST(CaptionHostile, EmojiAndJoinersPassThrough) {
  std::string family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
  EXPECT_EQ(Render(family + " " + family), "<p>" + family + " " + family + "</p>");
  EXPECT_EQ(Render("\xef\xbb\xbf#bom"),
            "<p>\xef\xbb\xbf<a href=\"https://vantage.example/tags/bom\" class=\"mention hashtag\" "
            "rel=\"tag\">#<span>bom</span></a></p>");
}

// Random captions from an alphabet of the characters the scanner cares about
// (markup, quotes, entity starters, joiners, bidi controls, emoji, combining
// marks, newlines) never produce markup of their own: outside the anchors
// and spans the renderer writes, every '<' is escaped.
TEST(CaptionHostile, RandomCaptionsRenderOnlyOurOwnMarkup) {
  const std::vector<std::string> alphabet = {
      "a", "Z", "7", "_", "#", "@", "<", ">", "&", "\"", "'", "/", ":", ".", "=", "(", ")", " ", "\n",
      "http://", "https://", "javascript:", "www.", "\xc3\xa9", "\xcc\x81", "\xe2\x80\x8d", "\xe2\x80\x8c",
      "\xe2\x80\xae", "\xe2\x80\x8b", "\xf0\x9f\x93\xb7", "\xd7\xa9", "\xe6\x97\xa5", "\xc2\xb7", "alice", "bob"};
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int length = static_cast<int>(next() % 40);
    for (int i = 0; i < length; ++i) text += alphabet[next() % alphabet.size()];
    std::string html = Render(text);
    ParseCaption(text);
    std::string stripped = html;
    for (const char* ours : {"<p>", "</p>", "<br>", "</a>", "<span>", "</span>", "<span class=\"h-card\">",
                             "<span class=\"invisible\">", "<span class=\"ellipsis\">", "<span class=\"\">"}) {
      for (size_t at; (at = stripped.find(ours)) != std::string::npos;) stripped.erase(at, std::string(ours).size());
    }
    // Our anchors: <a href="..." ...> with an http(s) or the instance's link.
    for (size_t at; (at = stripped.find("<a href=\"")) != std::string::npos;) {
      size_t end = stripped.find('>', at);
      ASSERT_NE(end, std::string::npos) << text;
      std::string tag = stripped.substr(at, end - at + 1);
      EXPECT_TRUE(tag.rfind("<a href=\"http://", 0) == 0 || tag.rfind("<a href=\"https://", 0) == 0) << tag;
      stripped.erase(at, end - at + 1);
    }
    EXPECT_EQ(stripped.find('<'), std::string::npos) << "input: " << text << "\nhtml: " << html;
    EXPECT_EQ(stripped.find('>'), std::string::npos) << "input: " << text << "\nhtml: " << html;
  }
}

}  // namespace
}  // namespace vantage::service
