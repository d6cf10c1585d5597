#include "service/hidden_words.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

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

// ICU's word rules keep an apostrophe, a full stop, a colon or an
// underscore between letters inside one word ("slut's", "cunt.Seriously",
// "kill_yourself"), and letters and digits together ("kys2"). Those are
// ordinary spellings, not evasion: here they separate words, on both sides
// of the match alike.
icu::UnicodeString SplitJoinedWords(const icu::UnicodeString& text) {
  icu::UnicodeString out;
  int32_t previous = -1;
  for (int32_t i = 0; i < text.length();) {
    UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    int32_t kind = u_getIntPropertyValue(c, UCHAR_WORD_BREAK);
    if (kind == U_WB_MIDLETTER || kind == U_WB_MIDNUMLET || kind == U_WB_MIDNUM || kind == U_WB_EXTENDNUMLET ||
        kind == U_WB_SINGLE_QUOTE) {
      out.append(UChar32{' '});
      previous = -1;
      continue;
    }
    bool digit = kind == U_WB_NUMERIC;
    bool letter = kind == U_WB_ALETTER || kind == U_WB_HEBREW_LETTER;
    if ((digit && previous == 1) || (letter && previous == 0)) out.append(UChar32{' '});
    out.append(c);
    previous = digit ? 0 : letter ? 1 : -1;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& DefaultHiddenWords() {
  static const std::vector<std::string> words(std::begin(kDefaultHiddenWords), std::end(kDefaultHiddenWords));
  return words;
}

std::vector<std::string> MatchWords(std::string_view text) {
  std::string key = FoldedSkeleton(text);
  icu::UnicodeString unicode =
      SplitJoinedWords(icu::UnicodeString::fromUTF8(icu::StringPiece(key.data(), static_cast<int32_t>(key.size()))));
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

namespace {

HiddenWords ParseRow(const std::optional<store::HiddenWordRow>& row) {
  HiddenWords out;
  if (!row) return out;
  out.use_default = row->use_default;
  std::string_view rest = row->words;
  while (!rest.empty()) {
    size_t line = rest.find('\n');
    std::string_view word = rest.substr(0, line);
    if (!word.empty()) out.words.emplace_back(word);
    if (line == std::string_view::npos) break;
    rest.remove_prefix(line + 1);
  }
  return out;
}

// The start of `word` for an error message, cut at a character boundary.
std::string Quoted(const std::string& word, size_t max_chars) {
  size_t end = 0;
  for (size_t chars = 0; end < word.size() && chars < max_chars; ++chars) {
    ++end;
    while (end < word.size() && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) ++end;
  }
  return "\"" + word.substr(0, end) + (end < word.size() ? "...\"" : "\"");
}

// Compiled owners' lists, reused while the stored text is the same: a wave
// of comments under one account's posts compiles its list once, not once a
// comment. Bounded: emptied when full.
class MatcherCache {
 public:
  std::shared_ptr<const HiddenWordMatcher> Get(int64_t account_id, const std::string& stored,
                                               const std::vector<std::string>& words) {
    {
      std::lock_guard lock(mu_);
      auto it = entries_.find(account_id);
      if (it != entries_.end() && it->second.stored == stored) return it->second.matcher;
    }
    auto matcher = std::make_shared<const HiddenWordMatcher>(words);
    std::lock_guard lock(mu_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_[account_id] = Entry{stored, matcher};
    return matcher;
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  struct Entry {
    std::string stored;
    std::shared_ptr<const HiddenWordMatcher> matcher;
  };
  std::mutex mu_;
  std::unordered_map<int64_t, Entry> entries_;
};

}  // namespace

Result<HiddenWords> ReadHiddenWords(ServiceContext& ctx, int64_t account_id) {
  auto row = store::ReadHiddenWordRow(ctx.store.database(), account_id);
  if (!row) return std::move(row).error();
  return ParseRow(*row);
}

Result<HiddenWords> WriteHiddenWords(ServiceContext& ctx, int64_t account_id,
                                     const std::optional<std::vector<std::string>>& words,
                                     std::optional<bool> use_default) {
  std::optional<std::string> stored;
  if (words) {
    if (words->size() > kMaxHiddenWords)
      return Error::Invalid("words", "words may list at most 1000 words and phrases", "too_many");
    std::vector<std::vector<std::string>> seen;
    stored.emplace();
    for (const std::string& sent : *words) {
      if (!IsValidUtf8(sent)) return Error::Invalid("words", "words must be UTF-8 text");
      std::string word(Trim(sent));
      if (Utf8Length(word) > kMaxHiddenWordChars)
        return Error::Invalid("words", "words: " + Quoted(word, 40) + " is longer than 100 characters", "too_long");
      if (std::any_of(word.begin(), word.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        return Error::Invalid("words", "words: a word may not contain line breaks or control characters");
      std::vector<std::string> phrase = MatchWords(word);
      if (phrase.empty())
        return Error::Invalid("words", "words: " + Quoted(word, 100) + " has no letters or digits to match", "blank");
      if (std::find(seen.begin(), seen.end(), phrase) != seen.end()) continue;
      seen.push_back(std::move(phrase));
      if (!stored->empty()) *stored += '\n';
      *stored += word;
    }
  }
  auto written = store::WriteHiddenWordRow(ctx.store.database(), account_id, stored, use_default, NowUnixMs());
  if (!written) return std::move(written).error();
  return ParseRow(*written);
}

Result<bool> HiddenByWords(ServiceContext& ctx, int64_t account_id, std::string_view text) {
  auto row = store::ReadHiddenWordRow(ctx.store.database(), account_id);
  if (!row) return std::move(row).error();
  HiddenWords list = ParseRow(*row);
  static const HiddenWordMatcher defaults(DefaultHiddenWords());
  if (list.use_default && defaults.Matches(text)) return true;
  if (list.words.empty()) return false;
  static MatcherCache cache;
  return cache.Get(account_id, (*row)->words, list.words)->Matches(text);
}

}  // namespace vantage::service
