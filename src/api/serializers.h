// Mastodon entities as JSON.
#pragma once

#include <boost/json/object.hpp>

#include "service/accounts.h"
#include "service/auth.h"
#include "service/context.h"
#include "store/store.h"

namespace vantage::api {

boost::json::object AccountJson(const service::Settings& settings, const store::Account& account);
// The signed-in user's own account, with `source` (verify_credentials);
// `follow_requests_count` is the pending requests to follow it.
boost::json::object CredentialAccountJson(const service::Settings& settings, const store::Account& account,
                                          int64_t follow_requests_count = 0);
boost::json::object TokenJson(const service::IssuedToken& token);

// The plain-text bio as the HTML Mastodon clients expect.
std::string NoteHtml(const std::string& note);

// A profile field's value as HTML: an http(s) URL becomes a link (rel="me
// nofollow noopener noreferrer", a new tab) showing the URL; anything else is
// escaped text.
std::string FieldValueHtml(std::string_view value);
// store::Account::fields_json read back; text that does not parse is no fields.
std::vector<service::ProfileField> DecodeProfileFields(const std::string& fields_json);

}  // namespace vantage::api
