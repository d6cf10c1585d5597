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

}  // namespace vantage::api
