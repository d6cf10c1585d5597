#include "service/confusables.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

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

// Compatibility forms as their plain letters (NFKC), without diacritics,
// default-ignorable characters or repeated, leading and trailing white space.
// Keeps case.
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
    if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) continue;
    if (u_isUWhiteSpace(c)) {
      space = !out.isEmpty();
      continue;
    }
    if (space) out.append(static_cast<UChar>(u' '));
    space = false;
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
