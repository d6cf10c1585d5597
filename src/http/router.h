// Maps (method, path) to a route. Patterns are literal segments and `:name`
// parameters: "/api/v1/accounts/:id". A parameter may have a literal prefix
// and a suffix from a dot on ("/@:name.atom" matches "/@alice.atom" with
// "alice", not "/@alice"). Literal routes win over parameters.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/request.h"

namespace vantage::http {

// Where a handler runs. Inline handlers run on the I/O thread and must not
// block; the others run on a bounded worker pool.
// Where a route's handler runs (docs/architecture.md, "Requests"): kRemote
// is for handlers that may wait on other servers (resolving a remote
// account, fetching a remote photo), so that a slow server holds none of
// the threads local reads and uploads need.
enum class Pool { kInline, kDatabase, kCpu, kRemote };

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  Pool pool = Pool::kDatabase;
  size_t body_limit = 0;  // 0: the server's default
  size_t index = 0;       // dense, for metrics
};

struct RouteMatch {
  const Route* route = nullptr;  // null: no route
  bool method_mismatch = false;  // the path exists under other methods
  std::vector<std::string> params;  // percent-decoded
  bool bad_encoding = false;         // a parameter had a malformed escape
};

// The non-empty segments of a path ("/a//b/" -> {"a", "b"}).
std::vector<std::string_view> PathSegments(std::string_view path);

class Router {
 public:
  Route& Add(std::string method, std::string pattern, Handler handler, Pool pool = Pool::kDatabase,
             size_t body_limit = 0);
  // The route for `method` requests that match no pattern and no other
  // method's route (the web app's pages); it sees every such path.
  Route& SetFallback(std::string method, Handler handler, Pool pool = Pool::kInline);
  RouteMatch Match(std::string_view method, std::string_view path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }
  // The fallback route (null before SetFallback).
  const Route* fallback() const { return fallback_; }

 private:
  RouteMatch MatchRoutes(std::string_view method, std::string_view path) const;

  std::vector<std::unique_ptr<Route>> routes_;
  std::unordered_map<std::string, std::vector<const Route*>> literal_;  // path -> routes
  std::vector<const Route*> patterned_;
  const Route* fallback_ = nullptr;
};

}  // namespace vantage::http
