// Confusable names (service/confusables.h): a corpus of look-alikes that
// must match the name they imitate, and of distinct names that must not.
#include "service/confusables.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vantage::service {
namespace {

struct Pair {
  const char* name;
  const char* imitation;
  const char* why;
};

const std::vector<Pair> kConfusable = {
    // Case.
    {"police", "POLICE", "upper case"},
    {"CityMuseum", "citymuseum", "mixed case"},
    // Cyrillic and Greek look-alikes.
    {"police", "p\u043el\u0456ce", "Cyrillic о and і"},
    {"police", "p\u043eli\u0441e", "Cyrillic о and с"},
    {"paypal", "\u0440\u0430\u0443\u0440\u0430l", "Cyrillic р, а, у"},
    {"apple", "\u0430\u0440\u0440l\u0435", "Cyrillic а, р, е"},
    {"Official", "\u039f\u0066\u0066\u0456\u0441\u0456\u0430\u006c", "Greek capital omicron"},
    {"TOKYO", "\u03a4\u039f\u039a\u03a5\u039f", "Greek capitals Τ Ο Κ Υ Ο"},
    {"nasa", "\u03b7\u0430s\u0430", "Greek eta for n"},
    // Digit-for-letter swaps.
    {"official", "0fficial", "digit 0 for o"},
    {"police", "po1ice", "digit 1 for l"},
    {"police", "poIice", "capital I for l"},
    {"museum", "rnuseurn", "rn for m"},
    {"Interpol", "lnterpol", "l for capital I"},
    {"Interpol", "1nterpol", "1 for capital I"},
    {"CityPolice", "C1TYPOLICE", "1 for I, in capitals"},
    {"CityPolice", "cityp0l1ce", "0 for o and 1 for i, which looks like I in capitals"},
    {"Ivan", "lvan", "small l for capital I"},
    // Zero-width and other invisible characters.
    {"police", "pol\u200dice", "zero-width joiner"},
    {"police", "p\u200bolice", "zero-width space"},
    {"police", "poli\u200cce", "zero-width non-joiner"},
    {"police", "\ufeffpolice", "byte order mark"},
    {"police", "pol\u00adice", "soft hyphen"},
    {"police", "police\u2060", "word joiner"},
    // Blank characters that are neither white space nor default-ignorable
    // (regression: "police" with a Braille blank passed for new).
    {"police", "police\u2800", "Braille pattern blank after"},
    {"police", "\u2800police", "Braille pattern blank before"},
    {"police", "pol\u2800ice", "Braille pattern blank inside"},
    {"police", "pol\u3164ice", "Hangul filler"},
    {"police", "pol\uffa0ice", "halfwidth Hangul filler"},
    {"police", "po\u115flice", "Hangul choseong filler"},
    {"police", "pol\u1160ice", "Hangul jungseong filler"},
    {"police", "poli\u17b4ce", "Khmer inherent vowel aq"},
    {"police", "poli\u17b5ce", "Khmer inherent vowel aa"},
    {"police", "po\u180elice", "Mongolian vowel separator"},
    {"police", "p\u034folice", "combining grapheme joiner"},
    {"police", "pol\u2062ice", "invisible times"},
    {"police", "police\U000e0041", "tag letter"},
    {"police", "pol\ue000ice", "private use"},
    {"police", "pol\U0001d159ice", "musical null notehead"},
    {"police", "pol\u0007ice", "a control character"},
    // Small capitals and other letters that compatibility forms alone miss
    // (regression: "ᴘᴏʟɪᴄᴇ" and "Pᴏʟɪᴄᴇ" passed for new).
    {"police", "\u1d18\u1d0f\u029f\u026a\u1d04\u1d07", "small capitals"},
    {"Police", "P\u1d0f\u029f\u026a\u1d04\u1d07", "a capital, then small capitals"},
    {"POLICE", "\u1d18\u1d0f\u029f\u026a\u1d04\u1d07", "small capitals for capitals"},
    {"museum", "\u1d0d\u1d1cs\u1d07\u1d1c\u1d0d", "small capitals M, U, E"},
    {"agency", "\u1d00\u0262\u1d07\u0274\u1d04\u028f", "small capitals A, G, N, Y"},
    {"police", "\u1d56\u1d52\u02e1\u2071\u1d9c\u1d49", "modifier letters"},
    {"police", "\u24df\u24de\u24db\u24d8\u24d2\u24d4", "circled letters"},
    {"police", "\U0001d429\U0001d428\U0001d425\U0001d422\U0001d41c\U0001d41e", "mathematical bold"},
    {"police", "\U0001d4c5\U0001d45c\U0001d4c1\U0001d4be\U0001d4b8\U0001d452", "mathematical script and italic"},
    // Combining marks and precomposed diacritics.
    {"police", "pol\u0069\u0301ce", "combining acute"},
    {"police", "p\u00f6lice", "precomposed ö"},
    {"police", "po\u0307lice", "combining dot above"},
    {"Musée", "Musee", "diacritic removed"},
    {"Musée", "Muse\u0301e", "decomposed é"},
    {"police", "p\u0335olice", "combining overlay"},
    // Fullwidth and other compatibility forms.
    {"police", "\uff50\uff4f\uff4c\uff49\uff43\uff45", "fullwidth letters"},
    {"POLICE", "\uff30\uff2f\uff2c\uff29\uff23\uff25", "fullwidth capitals"},
    {"agent007", "agent\uff10\uff10\uff17", "fullwidth digits"},
    {"official", "o\ufb03cial", "ffi ligature"},
    // White space.
    {"City Museum", "City  Museum", "double space"},
    {"City Museum", " City Museum ", "leading and trailing space"},
    {"City Museum", "City\u00a0Museum", "no-break space"},
    // Several at once.
    {"Ministry of Defence", "M\u0456n\u0456stry \u043ef D\u0435f\u0435nc\u0435", "Cyrillic і, о, е"},
    {"police", "\uff50\u043e\u200d1\u0456\u0441\u0301e", "fullwidth, Cyrillic, zero-width, digit, combining"},
};

const std::vector<Pair> kDistinct = {
    {"police", "polite", "a different word"},
    {"alice", "alicia", "a longer name"},
    {"anna", "anne", "one letter apart"},
    {"bob", "bobby", "a prefix"},
    {"museum", "museums", "a plural"},
    {"city_museum", "city_museum_fan", "a suffix"},
    {"police", "police_news", "a fan account that says what it is"},
    {"agent007", "agent008", "another digit"},
    {"official", "officials", "another word"},
    {"ivan", "evan", "a different letter"},
    {"tokyo", "kyoto", "an anagram"},
    {"police", "\u043f\u043e\u043b\u0438\u0446\u0438\u044f", "Russian for police: visibly different letters"},
    {"City Museum", "CityMuseum", "a space is visible"},
    {"Archive", "Archives", "a plural with a capital"},
    {"ivan", "lvan", "small i and small l do not look alike"},
    {"ALICE", "AIICE", "capital L and capital I do not look alike"},
    {"BILL", "BIII", "capital L and capital I, again"},
    {"police", "pollce", "small i and small l, again"},
};

TEST(ConfusablesTest, LookAlikesMatchTheNameTheyImitate) {
  for (const Pair& pair : kConfusable) {
    EXPECT_TRUE(Confusable(pair.name, pair.imitation)) << pair.name << " vs " << pair.imitation << ": " << pair.why;
    EXPECT_TRUE(Confusable(pair.imitation, pair.name)) << "symmetric: " << pair.why;
  }
}

TEST(ConfusablesTest, DistinctNamesStayDistinct) {
  for (const Pair& pair : kDistinct) {
    EXPECT_FALSE(Confusable(pair.name, pair.imitation)) << pair.name << " vs " << pair.imitation << ": " << pair.why;
    EXPECT_FALSE(Confusable(pair.imitation, pair.name)) << "symmetric: " << pair.why;
  }
}

TEST(ConfusablesTest, ANameIsConfusableWithItself) {
  for (const char* name : {"police", "Musée d'Orsay", "🚓 Polizei", "東京都"}) EXPECT_TRUE(Confusable(name, name)) << name;
}

TEST(ConfusablesTest, NamesWithNothingVisibleMatchNothing) {
  EXPECT_TRUE(ConfusableKeys("").empty());
  EXPECT_TRUE(ConfusableKeys("\u200d\u200b ").empty());
  EXPECT_TRUE(ConfusableKeys("\u0301").empty());
  EXPECT_FALSE(Confusable("", ""));
  EXPECT_FALSE(Confusable("\u200b", "\u200d"));
}

TEST(ConfusablesTest, CharactersThatDrawNothingAloneMatchNothing) {
  for (const char* blank : {"\u2800", "\u3164", "\uffa0", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u180e",
                            "\u034f", "\u2062", "\U000e0041", "\ue000", "\U0001d159", "\u200b\u2800\u3164",
                            "\u00a0", "\u3000", "\u2003"})
    EXPECT_TRUE(ConfusableKeys(blank).empty()) << "U+" << std::hex << static_cast<int>(blank[0]);
}

TEST(ConfusablesTest, KeysAreFreeOfInvisibleCharactersAndOneIsFolded) {
  std::vector<std::string> keys = ConfusableKeys("P\u200dOL\u00cdCE");
  ASSERT_FALSE(keys.empty());
  bool folded = false;
  for (const std::string& key : keys) {
    EXPECT_EQ(key.find("\u200d"), std::string::npos) << key;
    EXPECT_EQ(key.find("\u0301"), std::string::npos) << key;
    folded = folded || key.find('P') == std::string::npos;
  }
  EXPECT_TRUE(folded) << "one key is case folded";
}

}  // namespace
}  // namespace vantage::service
