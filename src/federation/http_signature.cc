#include "federation/http_signature.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "core/text.h"

namespace vantage::federation {

namespace {

// How far the clocks of two servers may disagree, and how long a signature
// without (expires) lasts and one with it at most (Mastodon's figures).
constexpr int64_t kClockSkew = 3600;
constexpr int64_t kDefaultLifetime = 300;
constexpr int64_t kMaxLifetime = 12 * 3600;

Error Refused(std::string reason) { return Error::Unauthorized(std::move(reason), "invalid_signature"); }

std::optional<int64_t> Seconds(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// The Digest header's SHA-256 value, when it has one ("SHA-256=…", among
// others separated by commas; the algorithm's name in any case).
std::optional<std::string_view> Sha256OfDigest(std::string_view digest) {
  while (!digest.empty()) {
    size_t comma = digest.find(',');
    std::string_view item = Trim(digest.substr(0, comma));
    digest = comma == std::string_view::npos ? std::string_view() : digest.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    if (AsciiLower(Trim(item.substr(0, eq))) == "sha-256") return Trim(item.substr(eq + 1));
  }
  return std::nullopt;
}

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::optional<std::string_view> HttpMessage::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return std::string_view(value);
  return std::nullopt;
}

void HttpMessage::SetHeader(std::string lower_name, std::string value) {
  for (auto& [name, existing] : headers) {
    if (name == lower_name) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(lower_name), std::move(value));
}

Result<SignatureHeader> ParseSignatureHeader(std::string_view value) {
  std::string_view rest = Trim(value);
  if (rest.starts_with("Signature ")) rest = Trim(rest.substr(10));
  std::vector<std::pair<std::string, std::string>> params;
  while (!rest.empty()) {
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return Refused("Signature: a parameter without a value");
    std::string name(Trim(rest.substr(0, eq)));
    rest = rest.substr(eq + 1);
    std::string text;
    if (!rest.empty() && rest.front() == '"') {
      size_t at = 1;
      bool closed = false;
      for (; at < rest.size(); ++at) {
        if (rest[at] == '\\' && at + 1 < rest.size()) {
          text.push_back(rest[++at]);
        } else if (rest[at] == '"') {
          closed = true;
          break;
        } else {
          text.push_back(rest[at]);
        }
      }
      if (!closed) return Refused("Signature: an unterminated quoted value");
      rest = rest.substr(at + 1);
    } else {
      size_t end = rest.find(',');
      text = std::string(Trim(rest.substr(0, end)));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    }
    if (name.empty()) return Refused("Signature: a parameter without a name");
    for (const auto& [seen, unused] : params)
      if (seen == name) return Refused("Signature: the parameter " + name + " is given twice");
    params.emplace_back(std::move(name), std::move(text));
    rest = Trim(rest);
    if (rest.empty()) break;
    if (rest.front() != ',') return Refused("Signature: parameters must be separated by commas");
    rest = Trim(rest.substr(1));
  }

  SignatureHeader out;
  std::optional<std::string> headers;
  std::optional<std::string> signature;
  std::optional<std::string> created;
  std::optional<std::string> expires;
  for (auto& [name, text] : params) {
    if (name == "keyId") out.key_id = std::move(text);
    else if (name == "algorithm") out.algorithm = AsciiLower(text);
    else if (name == "headers") headers = std::move(text);
    else if (name == "signature") signature = std::move(text);
    else if (name == "created") created = std::move(text);
    else if (name == "expires") expires = std::move(text);
  }
  if (out.key_id.empty()) return Refused("Signature: keyId is missing");
  if (!signature || signature->empty()) return Refused("Signature: signature is missing");
  if (out.algorithm.empty()) out.algorithm = "hs2019";
  if (out.algorithm != "rsa-sha256" && out.algorithm != "hs2019")
    return Refused("Signature: the algorithm " + out.algorithm + " is not supported");
  auto decoded = Base64Decode(*signature);
  if (!decoded || decoded->empty()) return Refused("Signature: signature is not base64");
  out.signature = std::move(*decoded);
  if (created || expires) {
    if (out.algorithm != "hs2019") return Refused("Signature: created and expires go with hs2019 only");
    if (created && !(out.created = Seconds(*created))) return Refused("Signature: created is not a time");
    if (expires && !(out.expires = Seconds(*expires))) return Refused("Signature: expires is not a time");
  }
  std::string_view list = headers ? std::string_view(*headers) : (out.algorithm == "hs2019" ? "(created)" : "date");
  while (!list.empty()) {
    size_t space = list.find(' ');
    std::string_view item = list.substr(0, space);
    list = space == std::string_view::npos ? std::string_view() : list.substr(space + 1);
    if (!item.empty()) out.headers.push_back(AsciiLower(item));
  }
  if (out.headers.empty()) return Refused("Signature: headers is empty");
  return out;
}

Result<std::string> SigningString(const HttpMessage& message, const SignatureHeader& signature, bool with_query) {
  std::string out;
  for (const std::string& name : signature.headers) {
    if (!out.empty()) out.push_back('\n');
    out += name;
    out += ": ";
    if (name == "(request-target)") {
      out += AsciiLower(message.method) + " " + message.path;
      if (with_query && !message.query.empty()) out += "?" + message.query;
    } else if (name == "(created)" || name == "(expires)") {
      const std::optional<int64_t>& at = name == "(created)" ? signature.created : signature.expires;
      if (!at) return Refused("Signature: " + name + " is signed but not given");
      out += std::to_string(*at);
    } else {
      auto value = message.Header(name);
      if (!value) return Refused("Signature: the signed header " + name + " is not in the request");
      out += Trim(*value);
    }
  }
  return out;
}

Status CheckSignedMessage(const HttpMessage& message, const SignatureHeader& signature, std::string_view body,
                          int64_t now) {
  auto signs = [&](std::string_view name) {
    return std::find(signature.headers.begin(), signature.headers.end(), name) != signature.headers.end();
  };
  std::string method = AsciiLower(message.method);
  if (!signs("date") && !signs("(created)")) return Refused("Signature: neither date nor (created) is signed");
  if (!signs("(request-target)") && !signs("digest"))
    return Refused("Signature: neither (request-target) nor digest is signed");
  if (method == "get" && !signs("host")) return Refused("Signature: a GET must sign host");
  if (method == "post" && !signs("digest")) return Refused("Signature: a POST must sign digest");

  // When it was made: (created) when signed, else the Date header.
  std::optional<int64_t> created;
  if (signs("(created)")) {
    created = signature.created;
  } else if (auto date = message.Header("date")) {
    created = ParseHttpDate(Trim(*date));
  }
  if (!created) return Refused("Signature: the time it was made is missing or not an HTTP date");
  int64_t expires = std::min(signature.expires.value_or(*created + kDefaultLifetime), *created + kMaxLifetime);
  if (*created > now + kClockSkew) return Refused("Signature: made more than an hour in the future");
  if (now > expires + kClockSkew) return Refused("Signature: expired more than an hour ago");

  if (signs("digest")) {
    auto digest = message.Header("digest");
    if (!digest) return Refused("Signature: digest is signed but missing");
    auto sha256 = Sha256OfDigest(*digest);
    if (!sha256) return Refused("Digest: no SHA-256 value");
    auto bytes = Base64Decode(*sha256);
    if (!bytes || bytes->size() != 32) return Refused("Digest: the SHA-256 value is not 32 bytes of base64");
    if (*bytes != Base64Decode(Sha256Base64(body))) return Refused("Digest: does not match the body");
  }
  return Ok();
}

bool VerifyWithKey(const HttpMessage& message, const SignatureHeader& signature, const RsaKey& key) {
  for (bool with_query : {true, false}) {
    if (!with_query && message.query.empty()) break;
    auto text = SigningString(message, signature, with_query);
    if (text && key.VerifySha256(*text, signature.signature)) return true;
  }
  return false;
}

Status SignMessage(HttpMessage& message, std::string_view body, const std::string& key_id, const RsaKey& key,
                   int64_t now) {
  if (!message.Header("host")) return Error::Internal("An outbound request is signed with its Host set");
  SignatureHeader signature;
  signature.key_id = key_id;
  signature.algorithm = "rsa-sha256";
  signature.headers = {"(request-target)", "host", "date"};
  message.SetHeader("date", HttpDate(now));
  if (!body.empty() || AsciiLower(message.method) == "post") {
    if (!message.Header("content-type")) return Error::Internal("An outbound body is signed with its Content-Type");
    message.SetHeader("digest", "SHA-256=" + Sha256Base64(body));
    signature.headers.push_back("digest");
    signature.headers.push_back("content-type");
  }
  auto text = SigningString(message, signature, /*with_query=*/true);
  if (!text) return std::move(text).error();
  auto signed_bytes = key.SignSha256(*text);
  if (!signed_bytes) return std::move(signed_bytes).error();
  std::string names;
  for (const std::string& name : signature.headers) names += (names.empty() ? "" : " ") + name;
  message.SetHeader("signature", "keyId=\"" + key_id + "\",algorithm=\"rsa-sha256\",headers=\"" + names +
                                     "\",signature=\"" + Base64Encode(*signed_bytes) + "\"");
  return Ok();
}

std::string HttpDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return out;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": exactly 29 characters.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") return std::nullopt;
  auto day_of_week = std::find(kDays.begin(), kDays.end(), text.substr(0, 3));
  auto month = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
  if (day_of_week == kDays.end() || month == kMonths.end()) return std::nullopt;
  auto number = [&](size_t at, size_t digits) -> std::optional<int> {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + digits, value);
    if (ec != std::errc() || end != text.data() + at + digits) return std::nullopt;
    return value;
  };
  auto day = number(5, 2), year = number(12, 4), hour = number(17, 2), minute = number(20, 2),
       second = number(23, 2);
  if (!day || !year || !hour || !minute || !second || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':' || *hour > 23 || *minute > 59 || *second > 60 || *day < 1 || *day > 31)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = static_cast<int>(month - kMonths.begin());
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  std::time_t t = timegm(&tm);
  if (tm.tm_mday != *day) return std::nullopt;  // 31 February and its kind
  return static_cast<int64_t>(t);
}

}  // namespace vantage::federation
