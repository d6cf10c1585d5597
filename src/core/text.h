// Small text helpers: UTF-8 validation, case folding of ASCII, percent
// decoding, HTML escaping, encodings and times. No allocation surprises.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vantage {

bool IsValidUtf8(std::string_view text);
// Number of Unicode code points; assumes valid UTF-8.
size_t Utf8Length(std::string_view text);

std::string AsciiLower(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string_view Trim(std::string_view text);

// Decodes %XX and, when `plus_is_space`, '+'. nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);
std::string PercentEncode(std::string_view text);

std::string HtmlEscape(std::string_view text);

// `text` as a JSON string literal, quotes included (for small JSON written
// by hand, such as audit details).
std::string JsonQuote(std::string_view text);

std::string HexEncode(std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);  // no padding

// ISO 8601 UTC with milliseconds: 2026-11-28T13:57:41.123Z
std::string FormatIsoTime(int64_t unix_ms);
// RFC 1123 date for HTTP headers: Sat, 28 Nov 2026 13:57:41 GMT
std::string FormatHttpDate(int64_t unix_seconds);

}  // namespace vantage
