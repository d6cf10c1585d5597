#include "federation/vocabulary.h"

#include <cctype>

#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>

#include "core/text.h"

namespace vantage::federation {

namespace json = boost::json;

std::optional<LocalObject> ParseLocalUri(const LocalUris& uris, std::string_view uri) {
  if (uri == uris.InstanceActor()) return LocalObject{LocalObject::Kind::kInstanceActor, "", 0};
  std::string prefix = uris.base + "/users/";
  if (!uri.starts_with(prefix)) return std::nullopt;
  std::string_view rest = uri.substr(prefix.size());
  size_t slash = rest.find('/');
  std::string_view name = rest.substr(0, slash);
  if (name.empty() || name.find_first_of("#?@") != std::string_view::npos) return std::nullopt;
  if (slash == std::string_view::npos) return LocalObject{LocalObject::Kind::kActor, std::string(name), 0};
  std::string_view tail = rest.substr(slash);
  if (!tail.starts_with("/statuses/")) return std::nullopt;
  std::string_view digits = tail.substr(10);
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  int64_t id = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  if (id <= 0) return std::nullopt;
  return LocalObject{LocalObject::Kind::kStatus, std::string(name), id};
}

bool IsPublic(std::string_view value) { return value == kPublic || value == "as:Public" || value == "Public"; }

std::optional<std::string> IdOf(const json::value& value) {
  if (const json::string* s = value.if_string()) return std::string(*s);
  if (const json::object* o = value.if_object()) {
    if (const json::value* id = o->if_contains("id"); id && id->is_string()) return std::string(id->as_string());
  }
  return std::nullopt;
}

std::vector<std::string> IdsOf(const json::value* value) {
  std::vector<std::string> out;
  if (!value) return out;
  if (const json::array* a = value->if_array()) {
    for (const json::value& entry : *a)
      if (auto id = IdOf(entry)) out.push_back(std::move(*id));
  } else if (auto id = IdOf(*value)) {
    out.push_back(std::move(*id));
  }
  return out;
}

std::string StringOf(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string TypeOf(const json::object& object) {
  const json::value* v = object.if_contains("type");
  if (!v) return "";
  if (v->is_string()) return std::string(v->as_string());
  if (const json::array* a = v->if_array())
    for (const json::value& entry : *a)
      if (entry.is_string()) return std::string(entry.as_string());
  return "";
}

std::vector<const json::object*> ObjectsOf(const json::value* value) {
  std::vector<const json::object*> out;
  if (!value) return out;
  if (const json::array* a = value->if_array()) {
    for (const json::value& entry : *a)
      if (const json::object* o = entry.if_object()) out.push_back(o);
  } else if (const json::object* o = value->if_object()) {
    out.push_back(o);
  }
  return out;
}

std::string UrlOf(const json::value* value, std::string_view media_type) {
  if (!value) return "";
  std::string first;
  auto consider = [&](const json::value& entry) -> bool {
    std::string href, type;
    if (entry.is_string()) {
      href = std::string(entry.as_string());
    } else if (const json::object* o = entry.if_object()) {
      href = StringOf(*o, "href");
      if (href.empty()) href = StringOf(*o, "url");
      type = StringOf(*o, "mediaType");
    }
    if (href.empty()) return false;
    if (first.empty()) first = href;
    if (!media_type.empty() && type == media_type) {
      first = href;
      return true;
    }
    return false;
  };
  if (const json::array* a = value->if_array()) {
    for (const json::value& entry : *a)
      if (consider(entry)) break;
  } else {
    consider(*value);
  }
  return first;
}

std::string HostOf(std::string_view url) {
  // parse_uri: an absolute URI that may carry a fragment (ids often do).
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "";
  std::string scheme = AsciiLower(parsed->scheme());
  if (scheme != "http" && scheme != "https") return "";
  std::string host = AsciiLower(parsed->encoded_host());
  if (host.empty()) return "";
  if (parsed->has_port()) {
    std::string_view port = parsed->port();
    bool default_port = (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
    if (!default_port && !port.empty()) host += ":" + std::string(port);
  }
  return host;
}

bool SameOrigin(std::string_view a, std::string_view b) {
  auto pa = boost::urls::parse_uri(a), pb = boost::urls::parse_uri(b);
  if (!pa || !pb) return false;
  return AsciiLower(pa->scheme()) == AsciiLower(pb->scheme()) && HostOf(a) == HostOf(b) && !HostOf(a).empty();
}

bool IsHttpUrl(std::string_view url) {
  if (url.size() > 2048) return false;
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) return false;
  auto parsed = boost::urls::parse_uri(url);
  return parsed && !parsed->has_userinfo() && !HostOf(url).empty();
}

std::string WithoutFragment(std::string_view url) { return std::string(url.substr(0, url.find('#'))); }

namespace {

void AppendCodePoint(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The character an entity at html[i] ('&') stands for, and its length;
// nullopt for an unknown one (kept as text).
std::optional<std::pair<uint32_t, size_t>> Entity(std::string_view html, size_t i) {
  size_t end = html.find(';', i);
  if (end == std::string_view::npos || end - i > 10) return std::nullopt;
  std::string_view name = html.substr(i + 1, end - i - 1);
  static const std::pair<std::string_view, uint32_t> kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}, {"#39", '\''}};
  for (const auto& [n, cp] : kNamed)
    if (name == n) return std::pair{cp, end - i + 1};
  if (name.size() >= 2 && name[0] == '#') {
    uint32_t cp = 0;
    bool hex = name[1] == 'x' || name[1] == 'X';
    std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return std::nullopt;
    for (char c : digits) {
      int d = c >= '0' && c <= '9' ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                              : -1;
      if (d < 0) return std::nullopt;
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      if (cp > 0x10FFFF) return std::nullopt;
    }
    return std::pair{cp, end - i + 1};
  }
  return std::nullopt;
}

}  // namespace

std::string HtmlToText(std::string_view html, size_t max_chars) {
  std::string out;
  size_t i = 0;
  auto newline = [&] {
    if (!out.empty() && out.back() != '\n') out.push_back('\n');
  };
  while (i < html.size()) {
    char c = html[i];
    // As HTML's tokenizer reads it: "<" starts a tag only before a letter,
    // "/", "!" or "?"; otherwise it is text ("<3").
    bool tag_start = c == '<' && i + 1 < html.size() &&
                     (std::isalpha(static_cast<unsigned char>(html[i + 1])) || html[i + 1] == '/' ||
                      html[i + 1] == '!' || html[i + 1] == '?');
    if (tag_start) {
      size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;  // a tag left open: the rest is markup
      std::string tag = AsciiLower(html.substr(i + 1, std::min<size_t>(end - i - 1, 16)));
      auto is = [&](std::string_view name) {
        return tag.starts_with(name) && (tag.size() == name.size() || tag[name.size()] == ' ' ||
                                         tag[name.size()] == '/' || tag[name.size()] == '>');
      };
      if (is("br")) newline();
      if (is("/p") && !out.empty()) {
        newline();
        out.push_back('\n');
      }
      // Scripts and styles are dropped with their text.
      for (std::string_view block : {"script", "style"}) {
        if (is(block)) {
          std::string closing = "</" + std::string(block);
          size_t close = AsciiLower(html.substr(end)).find(closing);
          end = close == std::string::npos ? html.size() - 1 : end + close + closing.size();
          end = html.find('>', end);
          if (end == std::string_view::npos) end = html.size() - 1;
        }
      }
      i = end + 1;
      continue;
    }
    if (c == '&') {
      if (auto entity = Entity(html, i)) {
        AppendCodePoint(out, entity->first == 0xA0 ? ' ' : entity->first);
        i += entity->second;
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  // Trailing blank lines go; invalid UTF-8 is refused as a whole.
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (!IsValidUtf8(out)) return "";
  if (Utf8Length(out) > max_chars) {
    size_t count = 0, at = 0;
    while (at < out.size() && count < max_chars) {
      unsigned char b = static_cast<unsigned char>(out[at]);
      at += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
      ++count;
    }
    out.resize(std::min(at, out.size()));
  }
  return out;
}

bool IsActivityContentType(std::string_view content_type) {
  std::string type = AsciiLower(Trim(content_type.substr(0, content_type.find(';'))));
  if (type == "application/activity+json") return true;
  if (type != "application/ld+json") return false;
  // ld+json counts with the ActivityStreams profile, or with none (some
  // servers leave the parameter out).
  std::string params = AsciiLower(content_type);
  return params.find("profile") == std::string::npos ||
         params.find("https://www.w3.org/ns/activitystreams") != std::string::npos;
}

}  // namespace vantage::federation
