#include "api/serializers.h"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "core/text.h"

namespace vantage::api {

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

std::vector<service::ProfileField> DecodeProfileFields(const std::string& fields_json) {
  std::vector<service::ProfileField> fields;
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

json::object AccountJson(const service::Settings& settings, const store::Account& account) {
  std::string profile = settings.base_url + "/@" + account.username;
  std::string avatar = account.avatar_key.empty() ? settings.base_url + "/avatars/original/missing.png"
                                                  : settings.base_url + "/avatars/" + account.avatar_key + ".jpg";
  std::string avatar_small = account.avatar_small_key.empty()
                                 ? avatar
                                 : settings.base_url + "/avatars/" + account.avatar_small_key + ".jpg";
  std::string header = settings.base_url + "/headers/original/missing.png";
  json::object out;
  out["id"] = std::to_string(account.id);
  out["username"] = account.username;
  out["acct"] = account.username;
  out["display_name"] = account.display_name;
  out["locked"] = account.locked;
  out["bot"] = false;
  out["discoverable"] = true;
  out["group"] = false;
  out["created_at"] = FormatIsoTime(account.created_at);
  out["note"] = NoteHtml(account.note);
  out["url"] = profile;
  out["uri"] = settings.base_url + "/users/" + account.username;
  out["avatar"] = avatar;
  out["avatar_static"] = avatar;
  out["vantage_avatar_small"] = avatar_small;
  out["header"] = header;
  out["header_static"] = header;
  out["followers_count"] = account.followers_count;
  out["following_count"] = account.following_count;
  out["statuses_count"] = account.statuses_count;
  out["last_status_at"] = nullptr;
  out["emojis"] = json::array();
  json::array fields;
  for (const service::ProfileField& field : DecodeProfileFields(account.fields_json))
    fields.push_back(json::object{{"name", field.name}, {"value", FieldValueHtml(field.value)}, {"verified_at", nullptr}});
  out["fields"] = std::move(fields);
  out["verified"] = account.verified;
  return out;
}

json::object CredentialAccountJson(const service::Settings& settings, const store::Account& account,
                                   int64_t follow_requests_count) {
  json::object out = AccountJson(settings, account);
  json::object source;
  source["privacy"] = account.locked ? "private" : "public";
  source["sensitive"] = false;
  source["language"] = "";
  source["note"] = account.note;
  json::array fields;
  for (const service::ProfileField& field : DecodeProfileFields(account.fields_json))
    fields.push_back(json::object{{"name", field.name}, {"value", field.value}, {"verified_at", nullptr}});
  source["fields"] = std::move(fields);
  source["follow_requests_count"] = follow_requests_count;
  out["source"] = std::move(source);
  json::object role;
  role["name"] = store::RoleName(account.role);
  out["role"] = std::move(role);
  return out;
}

json::object TokenJson(const service::IssuedToken& token) {
  json::object out;
  out["access_token"] = token.access_token;
  out["token_type"] = "Bearer";
  out["scope"] = token.token.scopes;
  out["created_at"] = token.token.created_at / 1000;
  return out;
}

}  // namespace vantage::api
