// Captions: hashtags, mentions and links found in the text, and the HTML
// `content` Mastodon clients display. Pure functions, no I/O.
//
// Recognition follows Mastodon, made Unicode-aware with ICU:
// - A hashtag is `#` followed by word characters of any script (letters,
//   combining marks, decimal digits, connector punctuation such as `_`), and
//   the joiners Mastodon allows inside tags (U+00B7, U+30FB, ZWNJ, ZWJ) when
//   another word character follows. It must contain a letter or mark (`#123`
//   is not a tag) and must not start mid-word (`a#b`, `x/#y` are not tags).
//   Tags compare by their key, the NFKC case fold of the name
//   (`#Café` = `#CAFÉ` = `#café`; default-ignorable characters fold away).
// - A mention is `@name` or `@name@domain` with an ASCII username of 1-30
//   letters, digits or underscores, not preceded by a word character, `/`
//   or `=`, and not followed by a word character.
// - A link is a bare http:// or https:// URL, not starting mid-word. It ends
//   at white space, quotes, angle brackets, control or format characters
//   (bidi overrides, zero-width joiners) and loses trailing punctuation and
//   unbalanced closing brackets. No other scheme is ever linked.
//
// All input must be valid UTF-8 (the API refuses anything else); invalid
// sequences are passed through escaped, never interpreted.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vantage::service {

struct CaptionTag {
  std::string name;  // as first written in this caption, without '#'
  std::string key;   // NFKC case fold of the name; identity
};

struct CaptionMention {
  std::string username;  // as written
  std::string domain;    // as written; empty for @name
};

struct CaptionEntities {
  std::vector<CaptionTag> tags;          // unique by key, in order of first appearance
  std::vector<CaptionMention> mentions;  // unique ignoring case, in order of first appearance
  std::vector<std::string> urls;
};

CaptionEntities ParseCaption(std::string_view text);

// The key tags are compared and stored by.
std::string TagKey(std::string_view name);

// Resolves a mention to the canonical username of a local account, or
// nullopt when it names nobody here (then it stays plain text).
using MentionResolver = std::function<std::optional<std::string>(const CaptionMention&)>;

// The caption as Mastodon renders it: HTML-escaped, paragraphs (<p>) split at
// blank lines, single newlines as <br>, hashtags, resolved mentions and
// links as anchors. `base_url` has no trailing slash. Empty text gives "".
std::string RenderCaptionHtml(std::string_view text, const std::string& base_url,
                              const MentionResolver& resolve);

}  // namespace vantage::service
