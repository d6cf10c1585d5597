#include "service/status_text.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "core/text.h"

namespace vantage::service {

namespace {

enum class Kind { kTag, kMention, kUrl };

struct Span {
  Kind kind;
  size_t begin = 0;  // byte offsets into the scanned text
  size_t end = 0;
  std::string name;    // tag name, username or URL
  std::string domain;  // mentions only
};

// The code point at byte `pos` and its length; a negative code point for an
// ill-formed sequence (its length is then the bytes ICU skipped).
struct Char {
  UChar32 cp;
  size_t len;
};

Char Decode(std::string_view t, size_t pos) {
  int32_t i = static_cast<int32_t>(pos);
  int32_t length = static_cast<int32_t>(t.size());
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(t.data()), i, length, c);
  return Char{c, static_cast<size_t>(i) - pos};
}

bool InCategories(UChar32 c, uint32_t mask) { return c >= 0 && (U_GET_GC_MASK(c) & mask) != 0; }

// Ruby's [[:word:]], which Mastodon's patterns use: letters, marks, decimal
// digits, connector punctuation.
bool IsWord(UChar32 c) { return InCategories(c, U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK); }
bool IsAlpha(UChar32 c) { return InCategories(c, U_GC_L_MASK | U_GC_M_MASK); }
// Allowed inside a tag when a word character follows: middle dot, katakana
// middle dot, ZWNJ (Persian), ZWJ (Indic scripts).
bool IsTagJoiner(UChar32 c) { return c == 0x00B7 || c == 0x30FB || c == 0x200C || c == 0x200D; }
bool IsAsciiAlnum(UChar32 c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsUsernameChar(UChar32 c) { return IsAsciiAlnum(c) || c == '_'; }

bool EndsUrl(UChar32 c) {
  if (c < 0) return true;
  if (c == '<' || c == '>' || c == '"' || c == '\'' || c == '`') return true;
  if (u_isUWhiteSpace(c)) return true;
  // Controls, and format characters: bidi overrides and isolates, zero-width
  // joiners and spaces, which could make a link look like another.
  return InCategories(c, U_GC_CC_MASK | U_GC_CF_MASK | U_GC_ZS_MASK | U_GC_ZL_MASK | U_GC_ZP_MASK);
}

bool StartsWithIgnoreCase(std::string_view t, size_t pos, std::string_view prefix) {
  return t.size() - pos >= prefix.size() && EqualsIgnoreCase(t.substr(pos, prefix.size()), prefix);
}

// A tag starting at the '#' at `pos`; its end, or 0.
size_t ScanTag(std::string_view t, size_t pos, Span& span) {
  size_t i = pos + 1, name_end = 0;
  bool has_alpha = false;
  while (i < t.size()) {
    Char c = Decode(t, i);
    if (IsWord(c.cp)) {
      has_alpha = has_alpha || IsAlpha(c.cp);
      i += c.len;
      name_end = i;
    } else if (IsTagJoiner(c.cp) && name_end == i) {
      i += c.len;  // kept only when a word character follows
    } else {
      break;
    }
  }
  if (name_end == 0 || !has_alpha) return 0;
  span = Span{Kind::kTag, pos, name_end, std::string(t.substr(pos + 1, name_end - pos - 1)), {}};
  return name_end;
}

// A mention starting at the '@' at `pos`; its end, or 0.
size_t ScanMention(std::string_view t, size_t pos, Span& span) {
  size_t i = pos + 1;
  while (i < t.size() && IsUsernameChar(static_cast<unsigned char>(t[i]))) ++i;
  size_t user_end = i;
  if (user_end == pos + 1 || user_end - pos - 1 > 30) return 0;
  auto free_after = [&](size_t end) { return end >= t.size() || !IsWord(Decode(t, end).cp); };
  if (user_end < t.size() && t[user_end] == '@') {
    size_t j = user_end + 1, domain_end = 0;
    while (j < t.size()) {
      char c = t[j];
      if (IsAsciiAlnum(static_cast<unsigned char>(c))) {
        domain_end = ++j;
      } else if (c == '.' || c == '-' || c == ':') {
        ++j;
      } else {
        break;
      }
    }
    if (domain_end > 0 && free_after(domain_end)) {
      span = Span{Kind::kMention, pos, domain_end, std::string(t.substr(pos + 1, user_end - pos - 1)),
                  std::string(t.substr(user_end + 1, domain_end - user_end - 1))};
      return domain_end;
    }
  }
  if (!free_after(user_end) || (user_end < t.size() && t[user_end] == '@')) return 0;
  span = Span{Kind::kMention, pos, user_end, std::string(t.substr(pos + 1, user_end - pos - 1)), {}};
  return user_end;
}

// A link starting at `pos` ("http://" or "https://"); its end, or 0.
size_t ScanUrl(std::string_view t, size_t pos, Span& span) {
  size_t host = pos + (StartsWithIgnoreCase(t, pos, "https://") ? 8 : 7);
  if (host >= t.size()) return 0;
  Char first = Decode(t, host);
  if (!(IsAsciiAlnum(first.cp) || (first.cp >= 0x80 && IsAlpha(first.cp)) || t[host] == '[')) return 0;
  size_t end = host;
  while (end < t.size()) {
    Char c = Decode(t, end);
    if (EndsUrl(c.cp)) break;
    end += c.len;
  }
  // Trailing punctuation belongs to the sentence, and a closing bracket to
  // the text around the link unless the link opened it.
  for (;;) {
    if (end <= host) return 0;
    char last = t[end - 1];
    std::string_view url = t.substr(pos, end - pos);
    auto count = [&](char c) { return std::count(url.begin(), url.end(), c); };
    if (std::string_view(".,:;!?*").find(last) != std::string_view::npos ||
        (last == ')' && count('(') < count(')')) || (last == ']' && count('[') < count(']'))) {
      --end;
      continue;
    }
    break;
  }
  span = Span{Kind::kUrl, pos, end, std::string(t.substr(pos, end - pos)), {}};
  return end;
}

bool BlocksTag(UChar32 prev) {
  return IsWord(prev) || prev == '/' || prev == ')' || prev == '=' || prev == '#' || prev == '&';
}
bool BlocksMention(UChar32 prev) {
  return IsWord(prev) || prev == '/' || prev == '=' || prev == '@' || prev == '.';
}
bool BlocksUrl(UChar32 prev) {
  return IsWord(prev) || prev == '/' || prev == '=' || prev == '@' || prev == '.';
}

std::vector<Span> Scan(std::string_view t) {
  std::vector<Span> spans;
  UChar32 prev = ' ';
  size_t pos = 0;
  while (pos < t.size()) {
    Char c = Decode(t, pos);
    Span span{Kind::kTag};
    size_t end = 0;
    if (c.cp == '#' && !BlocksTag(prev)) {
      end = ScanTag(t, pos, span);
    } else if (c.cp == '@' && !BlocksMention(prev)) {
      end = ScanMention(t, pos, span);
    } else if ((c.cp == 'h' || c.cp == 'H') && !BlocksUrl(prev) &&
               (StartsWithIgnoreCase(t, pos, "http://") || StartsWithIgnoreCase(t, pos, "https://"))) {
      end = ScanUrl(t, pos, span);
    }
    if (end > 0) {
      spans.push_back(std::move(span));
      // What ends the entity decides what may follow it.
      size_t back = end - 1;
      while (back > pos && (static_cast<unsigned char>(t[back]) & 0xC0) == 0x80) --back;
      prev = Decode(t, back).cp;
      pos = end;
      continue;
    }
    prev = c.cp;
    pos += c.len;
  }
  return spans;
}

// Line breaks as "\n" only; the caption is rendered without the blank space
// around it.
std::string Normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  size_t first = out.find_first_not_of(" \t\n");
  if (first == std::string::npos) return {};
  size_t last = out.find_last_not_of(" \t\n");
  return out.substr(first, last - first + 1);
}

// Plain text: escaped; one newline is <br>, a blank line a new paragraph.
void AppendPlain(std::string& out, std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {
      size_t run = 0;
      while (i < text.size() && (text[i] == '\n' || text[i] == ' ' || text[i] == '\t')) {
        if (text[i] == '\n') ++run;
        ++i;
      }
      out += run >= 2 ? "</p><p>" : "<br>";
      continue;
    }
    size_t next = text.find('\n', i);
    if (next == std::string_view::npos) next = text.size();
    out += HtmlEscape(text.substr(i, next - i));
    i = next;
  }
}

// The first `n` code points of `text` and the rest.
std::pair<std::string_view, std::string_view> SplitAtChars(std::string_view text, size_t n) {
  size_t pos = 0;
  for (size_t count = 0; count < n && pos < text.size(); ++count) pos += Decode(text, pos).len;
  return {text.substr(0, pos), text.substr(pos)};
}

// Mastodon's link display: scheme and "www." hidden, at most 30 characters
// shown, the rest hidden behind an ellipsis.
void AppendUrl(std::string& out, std::string_view url) {
  size_t scheme = StartsWithIgnoreCase(url, 0, "https://") ? 8 : 7;
  if (StartsWithIgnoreCase(url, scheme, "www.")) scheme += 4;
  std::string_view shown = url.substr(scheme);
  auto [head, tail] = SplitAtChars(shown, 30);
  out += "<a href=\"" + HtmlEscape(url) + "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">";
  out += "<span class=\"invisible\">" + HtmlEscape(url.substr(0, scheme)) + "</span>";
  out += std::string("<span class=\"") + (tail.empty() ? "" : "ellipsis") + "\">" + HtmlEscape(head) +
         "</span>";
  out += "<span class=\"invisible\">" + HtmlEscape(tail) + "</span></a>";
}

}  // namespace

std::string TagKey(std::string_view name) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) return AsciiLower(name);
  icu::UnicodeString folded = fold->normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size()))),
      status);
  if (U_FAILURE(status)) return AsciiLower(name);
  std::string out;
  folded.toUTF8String(out);
  return out;
}

CaptionEntities ParseCaption(std::string_view text) {
  CaptionEntities out;
  std::string normalized = Normalize(text);
  for (Span& span : Scan(normalized)) {
    switch (span.kind) {
      case Kind::kTag: {
        std::string key = TagKey(span.name);
        if (key.empty()) break;
        bool seen = std::any_of(out.tags.begin(), out.tags.end(),
                                [&](const CaptionTag& t) { return t.key == key; });
        if (!seen) out.tags.push_back(CaptionTag{std::move(span.name), std::move(key)});
        break;
      }
      case Kind::kMention: {
        bool seen = std::any_of(out.mentions.begin(), out.mentions.end(), [&](const CaptionMention& m) {
          return EqualsIgnoreCase(m.username, span.name) && EqualsIgnoreCase(m.domain, span.domain);
        });
        if (!seen) out.mentions.push_back(CaptionMention{std::move(span.name), std::move(span.domain)});
        break;
      }
      case Kind::kUrl:
        out.urls.push_back(std::move(span.name));
        break;
    }
  }
  return out;
}

std::string RenderCaptionHtml(std::string_view text, const std::string& base_url,
                              const MentionResolver& resolve) {
  std::string t = Normalize(text);
  if (t.empty()) return {};
  std::string out = "<p>";
  size_t pos = 0;
  for (const Span& span : Scan(t)) {
    AppendPlain(out, std::string_view(t).substr(pos, span.begin - pos));
    std::string_view written = std::string_view(t).substr(span.begin, span.end - span.begin);
    switch (span.kind) {
      case Kind::kTag:
        out += "<a href=\"" + HtmlEscape(base_url) + "/tags/" + HtmlEscape(PercentEncode(span.name)) +
               "\" class=\"mention hashtag\" rel=\"tag\">#<span>" + HtmlEscape(span.name) +
               "</span></a>";
        break;
      case Kind::kMention: {
        std::optional<std::string> username =
            resolve ? resolve(CaptionMention{span.name, span.domain}) : std::nullopt;
        if (!username) {
          out += HtmlEscape(written);
          break;
        }
        out += "<span class=\"h-card\"><a href=\"" + HtmlEscape(base_url) + "/@" +
               HtmlEscape(*username) + "\" class=\"u-url mention\">@<span>" + HtmlEscape(*username) +
               "</span></a></span>";
        break;
      }
      case Kind::kUrl:
        AppendUrl(out, span.name);
        break;
    }
    pos = span.end;
  }
  AppendPlain(out, std::string_view(t).substr(pos));
  out += "</p>";
  return out;
}

}  // namespace vantage::service
