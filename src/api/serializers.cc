#include "api/serializers.h"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "core/text.h"
#include "service/profile_text.h"

namespace vantage::api {

namespace json = boost::json;


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
  // A remote account's username is "name@host" (store.h): its acct.
  out["username"] = account.local() ? account.username : account.username.substr(0, account.username.find('@'));
  out["acct"] = account.username;
  out["display_name"] = account.display_name;
  out["locked"] = account.locked;
  out["bot"] = false;
  out["discoverable"] = true;
  out["group"] = false;
  out["created_at"] = FormatIsoTime(account.created_at);
  out["note"] = service::NoteHtml(account.note);
  out["url"] = account.local() ? profile : account.url;
  out["uri"] = account.local() ? settings.base_url + "/users/" + account.username : account.url;
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
  for (const service::ProfileField& field : service::DecodeProfileFields(account.fields_json))
    fields.push_back(json::object{{"name", field.name}, {"value", service::FieldValueHtml(field.value)}, {"verified_at", nullptr}});
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
  for (const service::ProfileField& field : service::DecodeProfileFields(account.fields_json))
    fields.push_back(json::object{{"name", field.name}, {"value", field.value}, {"verified_at", nullptr}});
  source["fields"] = std::move(fields);
  source["follow_requests_count"] = follow_requests_count;
  source["hide_collections"] = account.hide_collections.value_or(false);
  // Vantage's own: the address mail goes to (only ever shown to the account
  // itself), for the settings page to show.
  source["email"] = account.email;
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
