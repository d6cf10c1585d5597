#include "http/router.h"

#include "core/text.h"

namespace vantage::http {

std::vector<std::string_view> PathSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

Route& Router::Add(std::string method, std::string pattern, Handler handler, Pool pool,
                   size_t body_limit) {
  auto route = std::make_unique<Route>();
  route->method = std::move(method);
  route->pattern = std::move(pattern);
  route->handler = std::move(handler);
  route->pool = pool;
  route->body_limit = body_limit;
  route->index = routes_.size();
  Route* raw = route.get();
  routes_.push_back(std::move(route));
  if (raw->pattern.find(':') == std::string::npos)
    literal_[raw->pattern].push_back(raw);
  else
    patterned_.push_back(raw);
  return *raw;
}

Route& Router::SetFallback(std::string method, Handler handler, Pool pool) {
  auto route = std::make_unique<Route>();
  route->method = std::move(method);
  route->pattern = "(fallback)";
  route->handler = std::move(handler);
  route->pool = pool;
  route->index = routes_.size();
  fallback_ = route.get();
  routes_.push_back(std::move(route));
  return *routes_.back();
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch match = MatchRoutes(method, path);
  if (!match.route && !match.method_mismatch && !match.bad_encoding && fallback_ &&
      fallback_->method == method)
    match.route = fallback_;
  return match;
}

RouteMatch Router::MatchRoutes(std::string_view method, std::string_view path) const {
  RouteMatch match;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (auto it = literal_.find(std::string(path)); it != literal_.end()) {
    for (const Route* route : it->second)
      if (route->method == method) {
        match.route = route;
        return match;
      }
    match.method_mismatch = true;
  }
  std::vector<std::string_view> segments = PathSegments(path);
  for (const Route* route : patterned_) {
    std::vector<std::string_view> pattern = PathSegments(route->pattern);
    if (pattern.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (size_t idx = 0; idx < pattern.size() && ok; ++idx) {
      if (size_t colon = pattern[idx].find(':'); colon != std::string_view::npos) {
        // `:name`, or `@:name.atom`: a literal prefix before the colon and a
        // literal suffix from the first dot after it.
        std::string_view prefix = pattern[idx].substr(0, colon);
        size_t dot = pattern[idx].find('.', colon);
        std::string_view suffix = dot == std::string_view::npos ? std::string_view() : pattern[idx].substr(dot);
        std::string_view segment = segments[idx];
        if (segment.size() <= prefix.size() + suffix.size() || !segment.starts_with(prefix) ||
            !segment.ends_with(suffix)) {
          ok = false;
          continue;
        }
        segment = segment.substr(prefix.size(), segment.size() - prefix.size() - suffix.size());
        auto decoded = PercentDecode(segment, false);
        if (!decoded) {
          match.bad_encoding = true;
          ok = false;
        } else {
          params.push_back(std::move(*decoded));
        }
      } else {
        ok = pattern[idx] == segments[idx];
      }
    }
    if (!ok) continue;
    if (route->method != method) {
      match.method_mismatch = true;
      continue;
    }
    match.route = route;
    match.params = std::move(params);
    match.method_mismatch = false;
    return match;
  }
  return match;
}

}  // namespace vantage::http
