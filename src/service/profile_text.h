// Profile text (bio and fields, stored as plain text) as the HTML that
// Mastodon clients and ActivityPub peers expect.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "service/accounts.h"

namespace vantage::service {

// The plain-text bio as HTML: escaped, in one paragraph, line breaks kept.
std::string NoteHtml(const std::string& note);

// A profile field's value as HTML: an http(s) URL becomes a link (rel="me
// nofollow noopener noreferrer", a new tab) showing the URL; anything else is
// escaped text.
std::string FieldValueHtml(std::string_view value);

// store::Account::fields_json read back; text that does not parse is no fields.
std::vector<ProfileField> DecodeProfileFields(const std::string& fields_json);

}  // namespace vantage::service
