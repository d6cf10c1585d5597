#include "service/call_to_action.h"

#include <algorithm>

#include "core/text.h"

namespace vantage::service {

namespace {

constexpr std::string_view kUrlField = "vantage_cta[url]";
constexpr std::string_view kLabelField = "vantage_cta[label]";
constexpr std::string_view kScheme = "https://";

Error BadUrl(std::string message, std::string code = "invalid_url") {
  return Error::Invalid(std::string(kUrlField), std::string(kUrlField) + " " + message, std::move(code));
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A DNS name of ASCII letters, digits and hyphens: internationalised names
// come as punycode (xn--), so what readers see is the domain the link goes to.
bool IsDomainName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  size_t labels = 0;
  std::string_view last;
  for (size_t begin = 0; begin <= host.size();) {
    size_t dot = host.find('.', begin);
    if (dot == std::string_view::npos) dot = host.size();
    std::string_view label = host.substr(begin, dot - begin);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return IsAlpha(c) || IsDigit(c) || c == '-'; }))
      return false;
    ++labels;
    last = label;
    begin = dot + 1;
  }
  // The top-level label is never all digits, which also keeps IPv4 addresses out.
  return labels >= 2 && !std::all_of(last.begin(), last.end(), IsDigit);
}

// Control characters (C0 and C1), line and paragraph separators, and the
// bidirectional overrides and isolates that would let a label reorder the
// text around it.
bool HasControlCharacters(std::string_view text) {
  for (size_t at = 0; at < text.size(); ++at) {
    auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x20 || byte == 0x7f) return true;
    if (at + 1 < text.size() && byte == 0xc2 && static_cast<unsigned char>(text[at + 1]) <= 0x9f) return true;
    if (at + 2 < text.size() && byte == 0xe2) {
      auto second = static_cast<unsigned char>(text[at + 1]);
      auto third = static_cast<unsigned char>(text[at + 2]);
      if (second == 0x80 && third >= 0xa8 && third <= 0xae) return true;  // U+2028-U+202E
      if (second == 0x81 && third >= 0xa6 && third <= 0xa9) return true;  // U+2066-U+2069
    }
  }
  return false;
}

}  // namespace

Result<CallToAction> CheckCallToAction(const CallToAction& link) {
  CallToAction out;
  std::string_view url = Trim(link.url);
  if (url.empty()) return BadUrl("is required: an https:// link", "missing_field");
  if (Utf8Length(url) > kMaxCallToActionUrlChars) return BadUrl("must be at most 2000 characters", "too_long");
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || !EqualsIgnoreCase(url.substr(0, colon), "https"))
    return BadUrl("must be an https:// link", "unsupported_scheme");
  if (url.size() < kScheme.size() || !EqualsIgnoreCase(url.substr(0, kScheme.size()), kScheme))
    return BadUrl("must be an absolute https:// link");
  for (char c : url) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '\\' || c == '<' || c == '>' || c == '"' || c == '`' || c == '{' ||
        c == '}' || c == '|' || c == '^')
      return BadUrl("may contain only printable ASCII without spaces (percent-encode the rest)");
  }
  std::string_view rest = url.substr(kScheme.size());
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos)
    return BadUrl("must not contain a user name or password", "userinfo_not_allowed");
  std::string_view host = authority;
  if (size_t port_at = authority.rfind(':'); port_at != std::string_view::npos) {
    std::string_view port = authority.substr(port_at + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit) ||
        std::stoi(std::string(port)) > 65535)
      return BadUrl("has an invalid port");
    host = authority.substr(0, port_at);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (!IsDomainName(host)) return BadUrl("must name a domain, such as https://example.org/");
  out.url = std::string(url);

  std::string_view label = Trim(link.label);
  if (label.empty()) return Error::Invalid(std::string(kLabelField), "vantage_cta[label] must not be empty", "missing_field");
  if (Utf8Length(label) > kMaxCallToActionLabelChars)
    return Error::Invalid(std::string(kLabelField), "vantage_cta[label] must be at most 30 characters", "too_long");
  if (HasControlCharacters(label))
    return Error::Invalid(std::string(kLabelField),
                          "vantage_cta[label] must be one line without control or direction characters");
  out.label = std::string(label);
  return out;
}

std::string CallToActionDomain(std::string_view url) {
  std::string_view rest = url.size() >= kScheme.size() ? url.substr(kScheme.size()) : url;
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  host = host.substr(0, host.rfind(':'));
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return AsciiLower(host);
}

}  // namespace vantage::service
