#include "service/profile_text.h"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "core/text.h"

namespace vantage::service {

namespace json = boost::json;

std::string NoteHtml(const std::string& note) {
  if (note.empty()) return "";
  std::string html = "<p>";
  for (char c : HtmlEscape(note)) {
    if (c == '\n')
      html += "<br>";
    else
      html.push_back(c);
  }
  html += "</p>";
  return html;
}

namespace {

// An absolute http(s) URL with a host and nothing that needs escaping.
bool IsLinkable(std::string_view text) {
  std::string lower = AsciiLower(text.substr(0, 8));
  if (!lower.starts_with("https://") && !lower.starts_with("http://")) return false;
  for (unsigned char c : text)
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`') return false;
  auto url = boost::urls::parse_absolute_uri(text);
  return url && !url->encoded_host().empty() && !url->has_userinfo();
}

}  // namespace

std::string FieldValueHtml(std::string_view value) {
  if (!IsLinkable(value)) return HtmlEscape(value);
  std::string url = HtmlEscape(value);
  return "<a href=\"" + url + "\" rel=\"me nofollow noopener noreferrer\" target=\"_blank\">" + url + "</a>";
}

std::vector<ProfileField> DecodeProfileFields(const std::string& fields_json) {
  std::vector<ProfileField> fields;
  boost::system::error_code ec;
  json::value parsed = json::parse(fields_json, ec);
  if (ec || !parsed.is_array()) return fields;
  for (const json::value& entry : parsed.as_array()) {
    const json::object* object = entry.if_object();
    if (!object) continue;
    const json::value* name = object->if_contains("name");
    const json::value* value = object->if_contains("value");
    if (!name || !value || !name->is_string() || !value->is_string()) continue;
    fields.push_back({std::string(name->as_string()), std::string(value->as_string())});
  }
  return fields;
}

}  // namespace vantage::service
