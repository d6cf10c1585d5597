// The web app (web/): its files, compiled into the binary by
// cmake/EmbedWeb.cmake or read from a folder for development, and the routes
// that serve them. docs/web.md describes the routes, caching and headers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/router.h"

namespace vantage::api {

struct EmbeddedWebFile {
  std::string_view path;  // relative to web/, e.g. "js/feed.js"
  std::string_view body;
  std::string_view sha1;  // hex, of body
};

struct EmbeddedWeb {
  std::string_view version;  // names the asset URLs; changes whenever any file does
  std::vector<EmbeddedWebFile> files;
};

// Generated at build time from web/.
const EmbeddedWeb& EmbeddedWebFiles();

// Serves the app: index.html for every app route (/, /@name, /p/:id, ...) and
// the files under /app/VERSION/. With an empty `web_dir` the embedded files
// are served; otherwise the files are read from `web_dir` on every request
// (development: edits show on reload, nothing is cached). A GET the API does
// not know and that is no app route still answers the JSON 404.
void RegisterWebRoutes(http::Router& router, std::string web_dir);

// Whether `path` (percent-encoded, no query) is a route of the app, answered
// with index.html. Exposed for tests.
bool IsAppRoute(std::string_view path);

}  // namespace vantage::api
