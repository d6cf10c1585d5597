// Hidden words: an account's list of words and phrases whose comments under
// its posts are held for its review (service/comments.h), with a short
// default list of English slurs and abuse the owner can extend or switch off
// (docs/organisations.md, "Comment controls").
//
// Matching ignores case, diacritics, width and look-alike letters, and
// defeats zero-width characters: the comment and the words go through the
// same normalisation as confusable names (service/confusables.h: NFKC case
// fold, diacritics and default-ignorable characters removed, the UTS #39
// skeleton), then are split into words at Unicode word boundaries (ICU's
// word break rules, so any script's letters). A word or phrase matches a run
// of whole words: "ass" does not match "class", and "kill yourself" matches
// across any run of spaces or punctuation between its words. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/context.h"

namespace vantage::service {

inline constexpr size_t kMaxHiddenWords = 1000;
inline constexpr size_t kMaxHiddenWordChars = 100;

// The default list (hidden_words.cc), as written.
const std::vector<std::string>& DefaultHiddenWords();

// `text` as the sequence of normalised words matching compares. Invalid
// UTF-8 is read as U+FFFD.
std::vector<std::string> MatchWords(std::string_view text);

// A compiled list of words and phrases.
class HiddenWordMatcher {
 public:
  explicit HiddenWordMatcher(const std::vector<std::string>& words);
  // Whether `text` contains one of the words or phrases as whole words.
  bool Matches(std::string_view text) const;
  bool empty() const { return phrases_.empty(); }

 private:
  std::vector<std::vector<std::string>> phrases_;
};

struct HiddenWords {
  std::vector<std::string> words;  // the owner's own, as written
  bool use_default = true;
};

// The account's list (an account that never set one: none of its own, the
// default list on).
Result<HiddenWords> ReadHiddenWords(ServiceContext& ctx, int64_t account_id);

// Sets what is given of the account's list; the rest keeps its value, also
// when another change of it lands at the same moment. Invalid "words"
// (too_many: more than 1,000; too_long: a word of more than 100 characters,
// naming it; blank: nothing matchable in it, such as only spaces or
// punctuation). Duplicates (the same once normalised) are kept once.
Result<HiddenWords> WriteHiddenWords(ServiceContext& ctx, int64_t account_id,
                                     const std::optional<std::vector<std::string>>& words,
                                     std::optional<bool> use_default);

// Whether a comment with `text` under a post of `account_id` is held by the
// account's hidden words.
Result<bool> HiddenByWords(ServiceContext& ctx, int64_t account_id, std::string_view text);

}  // namespace vantage::service
