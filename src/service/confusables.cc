#include "service/confusables.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace vantage::service {

namespace {

struct SpoofCheckerDeleter {
  void operator()(USpoofChecker* checker) const { uspoof_close(checker); }
};

// One checker for the process: getting a skeleton only reads it, which ICU
// allows from any number of threads.
const USpoofChecker& Checker() {
  static const std::unique_ptr<USpoofChecker, SpoofCheckerDeleter> checker = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<USpoofChecker, SpoofCheckerDeleter> opened(uspoof_open(&status));
    if (U_FAILURE(status) || !opened) throw std::runtime_error("ICU uspoof_open failed");
    return opened;
  }();
  return *checker;
}

icu::UnicodeString Skeleton(const icu::UnicodeString& text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out;
  uspoof_getSkeletonUnicodeString(&Checker(), 0, text, out, &status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU uspoof_getSkeleton failed");
  return out;
}

const icu::Normalizer2& Normalizer(const icu::Normalizer2* (*instance)(UErrorCode&)) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = instance(status);
  if (U_FAILURE(status) || !normalizer) throw std::runtime_error("ICU normalizer unavailable");
  return *normalizer;
}

icu::UnicodeString Normalize(const icu::Normalizer2& normalizer, const icu::UnicodeString& text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = normalizer.normalize(text, status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU normalization failed");
  return out;
}

// Characters that draw nothing but are neither default-ignorable nor white
// space in Unicode's terms: the Braille pattern blank, the Hangul fillers
// (also default-ignorable, listed for NFKC's sake), the Khmer inherent
// vowels, the Mongolian vowel separator and the musical null notehead.
bool DrawsNothing(UChar32 c) {
  switch (c) {
    case 0x2800:  // BRAILLE PATTERN BLANK
    case 0x115F: case 0x1160: case 0x3164: case 0xFFA0:  // Hangul fillers
    case 0x17B4: case 0x17B5:  // Khmer inherent vowels
    case 0x180E:               // Mongolian vowel separator
    case 0x1D159:              // musical symbol null notehead
      return true;
    default:
      break;
  }
  // Controls, format characters, private use, surrogates and unassigned
  // code points show as nothing (or as a box that says nothing).
  switch (u_charType(c)) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
    case U_UNASSIGNED:
      return true;
    default:
      return u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
  }
}

// A small capital letter ("LATIN LETTER SMALL CAPITAL P", ᴘ) as the capital
// it draws (P); 0 for anything else. NFKC leaves them alone and the UTS #39
// data maps only some, so "ᴘᴏʟɪᴄᴇ" would pass for nothing.
UChar32 SmallCapital(UChar32 c) {
  if (c < 0x0250 || u_charType(c) != U_LOWERCASE_LETTER) return 0;
  char name[128];
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = u_charName(c, U_UNICODE_CHAR_NAME, name, sizeof(name), &status);
  if (U_FAILURE(status)) return 0;
  constexpr std::string_view kPrefix = "LATIN LETTER SMALL CAPITAL ";
  std::string_view text(name, static_cast<size_t>(length));
  if (text.size() != kPrefix.size() + 1 || text.substr(0, kPrefix.size()) != kPrefix) return 0;
  char letter = text.back();
  return letter >= 'A' && letter <= 'Z' ? static_cast<UChar32>(letter) : 0;
}

// Compatibility forms as their plain letters (NFKC, and small capitals as
// capitals), without diacritics, characters that draw nothing, or repeated,
// leading and trailing white space. Keeps case.
icu::UnicodeString Clean(const icu::UnicodeString& text) {
  static const icu::Normalizer2& nfkc = Normalizer(&icu::Normalizer2::getNFKCInstance);
  static const icu::Normalizer2& nfd = Normalizer(&icu::Normalizer2::getNFDInstance);
  icu::UnicodeString decomposed = Normalize(nfd, Normalize(nfkc, text));
  icu::UnicodeString out;
  bool space = false;
  for (int32_t at = 0; at < decomposed.length();) {
    UChar32 c = decomposed.char32At(at);
    at += U16_LENGTH(c);
    int8_t type = u_charType(c);
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK) continue;
    if (u_isUWhiteSpace(c)) {
      space = !out.isEmpty();
      continue;
    }
    if (DrawsNothing(c)) continue;
    if (space) out.append(static_cast<UChar>(u' '));
    space = false;
    if (UChar32 capital = SmallCapital(c)) c = capital;
    out.append(c);
  }
  return out;
}

}  // namespace

std::vector<std::string> ConfusableKeys(std::string_view name) {
  static const icu::Normalizer2& casefold = Normalizer(&icu::Normalizer2::getNFKCCasefoldInstance);
  icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  icu::UnicodeString upper = text;
  upper.toUpper(icu::Locale::getRoot());
  // The skeleton keeps case, and case changes what looks alike: 1 passes
  // for l and for capital I, so "C1TYPOLICE" imitates "CityPolice" only
  // once both are in capitals, and "citypolice" only folded. Nothing is
  // folded after the skeleton, which would make capital L (folded to l)
  // pass for capital I.
  std::vector<std::string> keys;
  for (const icu::UnicodeString& rendering : {text, Normalize(casefold, text), upper}) {
    // Cleaned first too, so that a zero-width joiner cannot split "rn".
    icu::UnicodeString key = Clean(Skeleton(Clean(rendering)));
    if (key.isEmpty()) continue;
    std::string utf8;
    key.toUTF8String(utf8);
    if (std::find(keys.begin(), keys.end(), utf8) == keys.end()) keys.push_back(std::move(utf8));
  }
  return keys;
}

std::string FoldedSkeleton(std::string_view text) {
  static const icu::Normalizer2& casefold = Normalizer(&icu::Normalizer2::getNFKCCasefoldInstance);
  icu::UnicodeString unicode =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString key = Normalize(casefold, Clean(Skeleton(Clean(Normalize(casefold, unicode)))));
  std::string utf8;
  key.toUTF8String(utf8);
  return utf8;
}

bool Confusable(std::string_view a, std::string_view b) {
  std::vector<std::string> a_keys = ConfusableKeys(a);
  for (const std::string& key : ConfusableKeys(b))
    if (std::find(a_keys.begin(), a_keys.end(), key) != a_keys.end()) return true;
  return false;
}

}  // namespace vantage::service
