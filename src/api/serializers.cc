#include "api/serializers.h"

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

json::object AccountJson(const service::Settings& settings, const store::Account& account) {
  std::string profile = settings.base_url + "/@" + account.username;
  std::string avatar = settings.base_url + "/avatars/original/missing.png";
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
  out["header"] = header;
  out["header_static"] = header;
  out["followers_count"] = account.followers_count;
  out["following_count"] = account.following_count;
  out["statuses_count"] = account.statuses_count;
  out["last_status_at"] = nullptr;
  out["emojis"] = json::array();
  out["fields"] = json::array();
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
  source["fields"] = json::array();
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
