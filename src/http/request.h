// The server's view of one HTTP exchange, free of Beast types so that handlers
// compile fast and can be tested without sockets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vantage::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;      // "GET", "POST", ...
  std::string target;      // as received: path and query
  std::string path;        // percent-encoded path, without the query
  std::string query;       // without the '?'
  Headers headers;         // names in lower case
  std::string body;
  std::string remote_ip;
  std::string request_id;
  bool secure = false;     // arrived over TLS (or from a trusted TLS proxy)
  std::vector<std::string> path_params;  // decoded values of the route's :params

  // The first header with this lower-case name, or "".
  std::string_view Header(std::string_view lower_name) const;
  // The value of a cookie, or "".
  std::string_view Cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  Headers headers;  // extra headers
  std::string body;
  bool close = false;  // close the connection after this response

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

const char* StatusReason(int status);

}  // namespace vantage::http
