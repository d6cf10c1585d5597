#include "service/hidden_words.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "core/id.h"
#include "core/text.h"
#include "service/confusables.h"
#include "store/hidden_word_store.h"

namespace vantage::service {

namespace {

// The default list: common English slurs and abuse aimed at a person, kept
// short on purpose (a list that holds ordinary words holds everyone). Each
// entry is matched as whole words after normalisation, so one spelling
// covers its look-alike, accented, fullwidth and zero-width variants.
const char* const kDefaultHiddenWords[] = {
    "kill yourself", "kys",    "go die",  "die in a fire", "retard", "retarded", "faggot", "fag",
    "nigger",        "nigga",  "kike",    "spic",          "chink",  "tranny",   "cunt",   "whore",
    "slut",          "fuck you", "piece of shit",
};

std::unique_ptr<icu::BreakIterator> WordBreaker() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> breaker(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !breaker) throw std::runtime_error("ICU word break iterator unavailable");
  return breaker;
}

}  // namespace

const std::vector<std::string>& DefaultHiddenWords() {
  static const std::vector<std::string> words(std::begin(kDefaultHiddenWords), std::end(kDefaultHiddenWords));
  return words;
}

std::vector<std::string> MatchWords(std::string_view text) {
  std::string key = FoldedSkeleton(text);
  icu::UnicodeString unicode =
      icu::UnicodeString::fromUTF8(icu::StringPiece(key.data(), static_cast<int32_t>(key.size())));
  // A break iterator is not thread-safe; each thread keeps its own.
  thread_local std::unique_ptr<icu::BreakIterator> breaker = WordBreaker();
  breaker->setText(unicode);
  std::vector<std::string> words;
  int32_t start = breaker->first();
  for (int32_t end = breaker->next(); end != icu::BreakIterator::DONE; start = end, end = breaker->next()) {
    // Spaces and punctuation are the "none" status; letters, numbers, kana
    // and ideographs are words.
    if (breaker->getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;
    std::string word;
    unicode.tempSubStringBetween(start, end).toUTF8String(word);
    words.push_back(std::move(word));
  }
  return words;
}

HiddenWordMatcher::HiddenWordMatcher(const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    std::vector<std::string> phrase = MatchWords(word);
    if (phrase.empty() || std::find(phrases_.begin(), phrases_.end(), phrase) != phrases_.end()) continue;
    phrases_.push_back(std::move(phrase));
  }
}

bool HiddenWordMatcher::Matches(std::string_view text) const {
  if (phrases_.empty()) return false;
  std::vector<std::string> words = MatchWords(text);
  for (const std::vector<std::string>& phrase : phrases_)
    if (std::search(words.begin(), words.end(), phrase.begin(), phrase.end()) != words.end()) return true;
  return false;
}

Result<HiddenWords> ReadHiddenWords(ServiceContext& ctx, int64_t account_id) {
  auto row = store::ReadHiddenWordRow(ctx.store.database(), account_id);
  if (!row) return std::move(row).error();
  HiddenWords out;
  if (!*row) return out;
  out.use_default = (*row)->use_default;
  std::string_view rest = (*row)->words;
  while (!rest.empty()) {
    size_t line = rest.find('\n');
    std::string_view word = rest.substr(0, line);
    if (!word.empty()) out.words.emplace_back(word);
    if (line == std::string_view::npos) break;
    rest.remove_prefix(line + 1);
  }
  return out;
}

Result<HiddenWords> WriteHiddenWords(ServiceContext& ctx, int64_t account_id, const HiddenWords& list) {
  if (list.words.size() > kMaxHiddenWords)
    return Error::Invalid("words", "words may list at most 1000 words and phrases", "too_many");
  HiddenWords out;
  out.use_default = list.use_default;
  std::vector<std::vector<std::string>> seen;
  std::string stored;
  for (const std::string& sent : list.words) {
    if (!IsValidUtf8(sent)) return Error::Invalid("words", "words must be UTF-8 text");
    std::string word(Trim(sent));
    if (Utf8Length(word) > kMaxHiddenWordChars)
      return Error::Invalid("words", "words: \"" + word.substr(0, 40) + "...\" is longer than 100 characters",
                            "too_long");
    if (std::any_of(word.begin(), word.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
      return Error::Invalid("words", "words: a word may not contain line breaks or control characters");
    std::vector<std::string> phrase = MatchWords(word);
    if (phrase.empty())
      return Error::Invalid("words", "words: \"" + word + "\" has no letters or digits to match", "blank");
    if (std::find(seen.begin(), seen.end(), phrase) != seen.end()) continue;
    seen.push_back(std::move(phrase));
    if (!stored.empty()) stored += '\n';
    stored += word;
    out.words.push_back(std::move(word));
  }
  VANTAGE_TRY(store::WriteHiddenWordRow(ctx.store.database(), account_id,
                                        store::HiddenWordRow{stored, list.use_default, NowUnixMs()}));
  return out;
}

Result<bool> HiddenByWords(ServiceContext& ctx, int64_t account_id, std::string_view text) {
  auto list = ReadHiddenWords(ctx, account_id);
  if (!list) return std::move(list).error();
  // The default list is compiled once; an owner's list for each comment
  // (at most 1,000 short entries).
  static const HiddenWordMatcher defaults(DefaultHiddenWords());
  if (list->use_default && defaults.Matches(text)) return true;
  if (list->words.empty()) return false;
  return HiddenWordMatcher(list->words).Matches(text);
}

}  // namespace vantage::service
