// Hidden-words matching (service/hidden_words.h): whole words and phrases,
// insensitive to case, diacritics, width, look-alike letters and zero-width
// characters, against a corpus of evasions.
#include "service/hidden_words.h"

#include <gtest/gtest.h>

namespace vantage::service {
namespace {

TEST(HiddenWords, MatchesWholeWordsOnly) {
  HiddenWordMatcher m({"ass", "kill yourself"});
  EXPECT_TRUE(m.Matches("what an ass"));
  EXPECT_TRUE(m.Matches("ASS!"));
  EXPECT_TRUE(m.Matches("(ass)"));
  EXPECT_FALSE(m.Matches("a first class ticket"));
  EXPECT_FALSE(m.Matches("assessment pending"));
  EXPECT_FALSE(m.Matches("the bass player"));
  EXPECT_FALSE(m.Matches(""));
}

TEST(HiddenWords, PhrasesAcrossSpacesAndPunctuation) {
  HiddenWordMatcher m({"kill yourself"});
  EXPECT_TRUE(m.Matches("just kill yourself"));
  EXPECT_TRUE(m.Matches("kill     yourself"));
  EXPECT_TRUE(m.Matches("kill\tyourself\n"));
  EXPECT_TRUE(m.Matches("kill... yourself"));
  EXPECT_TRUE(m.Matches("kill\u00a0yourself"));  // no-break space
  EXPECT_FALSE(m.Matches("kill the lights yourself"));
  EXPECT_FALSE(m.Matches("killyourself2day"));
  EXPECT_FALSE(m.Matches("kill"));
}

TEST(HiddenWords, CaseDiacriticsAndWidth) {
  HiddenWordMatcher m({"idiot"});
  EXPECT_TRUE(m.Matches("IDIOT"));
  EXPECT_TRUE(m.Matches("ídìöt"));                    // precomposed accents
  EXPECT_TRUE(m.Matches("i\u0301di\u0308o\u0302t"));  // combining marks
  EXPECT_TRUE(m.Matches("\uff49\uff44\uff49\uff4f\uff54"));  // fullwidth ｉｄｉｏｔ
  EXPECT_TRUE(m.Matches("\uff29\uff24\uff29\uff2f\uff34"));  // fullwidth capitals
  // The list is normalised the same way.
  EXPECT_TRUE(HiddenWordMatcher({"ÍDIÖT"}).Matches("idiot"));
}

TEST(HiddenWords, LookAlikeLetters) {
  HiddenWordMatcher m({"idiot", "scum"});
  EXPECT_TRUE(m.Matches("\u0456d\u0456\u043et"));  // Cyrillic і and о
  EXPECT_TRUE(m.Matches("id\u03b9\u03bft"));        // Greek ι and ο
  EXPECT_TRUE(m.Matches("\u0405\u0421um"));       // Cyrillic Ѕ and С among Latin
  EXPECT_TRUE(m.Matches("\u0455\u0441um"));       // the same in small letters
  EXPECT_TRUE(m.Matches("idi0t"));                  // digit zero for o
  EXPECT_TRUE(HiddenWordMatcher({"loser"}).Matches("1oser"));  // digit one for l
  EXPECT_FALSE(m.Matches("idiom"));
}

TEST(HiddenWords, ZeroWidthAndIgnorables) {
  HiddenWordMatcher m({"idiot"});
  EXPECT_TRUE(m.Matches("id\u200biot"));        // zero-width space
  EXPECT_TRUE(m.Matches("i\u200dd\u200ci\u200dot"));  // joiners
  EXPECT_TRUE(m.Matches("idi\u00adot"));        // soft hyphen
  EXPECT_TRUE(m.Matches("\ufeffidiot\u2060"));  // BOM, word joiner
  EXPECT_TRUE(m.Matches("idio\ufe0ft"));        // variation selector
}

TEST(HiddenWords, OtherScriptsHaveWordBoundariesToo) {
  HiddenWordMatcher m({"дурак"});
  EXPECT_TRUE(m.Matches("ты дурак!"));
  EXPECT_TRUE(m.Matches("ТЫ ДУРАК"));
  EXPECT_FALSE(m.Matches("дураками"));
}

TEST(HiddenWords, DefaultList) {
  HiddenWordMatcher defaults(DefaultHiddenWords());
  ASSERT_FALSE(defaults.empty());
  EXPECT_TRUE(defaults.Matches("just k\u200by\u0455"));  // kys with a zero-width space and Cyrillic ѕ
  EXPECT_TRUE(defaults.Matches("Kill   Yourself"));
  EXPECT_FALSE(defaults.Matches("Thank you for the lovely photo of Scunthorpe"));
  EXPECT_FALSE(defaults.Matches("a great skyscraper"));
}

TEST(HiddenWords, MatchWordsSplitsAtUnicodeWordBoundaries) {
  EXPECT_EQ(MatchWords("Hello,  World!"), (std::vector<std::string>{"hello", "world"}));
  EXPECT_EQ(MatchWords("  ...  "), std::vector<std::string>{});
  // Apostrophes, full stops, colons and underscores inside a word, and a
  // change between letters and digits, separate words here.
  EXPECT_EQ(MatchWords("don't"), (std::vector<std::string>{"don", "t"}));
  EXPECT_EQ(MatchWords("a_b.c:d\u2019e"), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(MatchWords("kys2day"), (std::vector<std::string>{"kys", "2", "day"}));
  EXPECT_EQ(MatchWords("2.2"), (std::vector<std::string>{"2", "2"}));
}

TEST(HiddenWords, OrdinaryPunctuationInsideAWordDoesNotHideIt) {
  HiddenWordMatcher defaults(DefaultHiddenWords());
  EXPECT_TRUE(defaults.Matches("what a slut's photo"));
  EXPECT_TRUE(defaults.Matches("what a cunt.Seriously"));
  EXPECT_TRUE(defaults.Matches("kys2"));
  EXPECT_TRUE(defaults.Matches("kill_yourself"));
  EXPECT_TRUE(defaults.Matches("kill\u2019yourself"));  // right single quotation mark
  EXPECT_FALSE(defaults.Matches("Sluts-free? no: Scunthorpe's skyline"));
  EXPECT_FALSE(defaults.Matches("skys2"));
  HiddenWordMatcher own({"rock'n'roll"});
  EXPECT_TRUE(own.Matches("ROCK\u2019N\u2019ROLL forever"));
}

}  // namespace
}  // namespace vantage::service
