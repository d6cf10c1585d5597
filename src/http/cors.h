// Cross-origin requests (docs/api.md, "Browser clients"), as Mastodon
// answers them: browser-based clients (Elk, Phanpy, Pinafore) on their own
// origin call the API with a bearer token, never with this server's
// cookies. `Access-Control-Allow-Origin: *` without credentials, so a
// browser never lets another origin read what a cookie would have unlocked;
// cookie-authenticated writes are refused by their CSRF token anyway.
#pragma once

#include <string_view>

#include "http/request.h"

namespace vantage::http {

// Whether `path` answers other origins: /api/*, /oauth/token, /oauth/revoke
// and /.well-known/* (never the web app's pages, its sign-in or the
// authorize page).
bool CorsApplies(std::string_view path);

// The preflight's answer (an OPTIONS request to such a path): 200, empty,
// with the methods and headers clients send.
Response CorsPreflight();

// Adds the headers every answer to such a path carries.
void AddCorsHeaders(Response& response);

}  // namespace vantage::http
