// Confusable names: what keeps an account from passing for a verified one.
//
// Two names are confusable when they look alike to a reader: the same after
// the Unicode confusable skeleton of UTS #39 (ICU's uspoof: Cyrillic а for
// Latin a, Greek Ο and digit 0 for O, 1 and capital I for l, rn for m),
// case folding (NFKC_Casefold, which also maps fullwidth and other
// compatibility forms to their plain letters; small capitals such as ᴘ count
// as their capitals), removing diacritics (NFD, then every combining mark
// dropped) and removing whatever draws nothing: default-ignorable
// characters (zero-width joiners and spaces, soft hyphens, variation
// selectors, Hangul fillers), the Braille pattern blank and other blanks,
// controls, format characters, private-use and unassigned code points.
// Runs of white space count as one space; leading and trailing space is
// ignored. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vantage::service {

// The keys of `name`: two names are confusable exactly when they share a
// key. There is one key for each of three renderings of the name (as
// written, case folded and in capitals), because the skeleton keeps case:
// capital I and small l look alike, small i and l do not. Empty for a name
// with nothing visible in it; `name` must be valid UTF-8.
std::vector<std::string> ConfusableKeys(std::string_view name);

// Whether `a` and `b` share a key (two names with nothing visible never are).
bool Confusable(std::string_view a, std::string_view b);

// One coarser key for matching text rather than names (service/hidden_words.h):
// the case-folded rendering's skeleton, cleaned and folded again, so that
// look-alikes of either case are one ("c0CK", "сock" and "cock" share it).
// Keeps white space (runs as one space) and punctuation.
std::string FoldedSkeleton(std::string_view text);

}  // namespace vantage::service
