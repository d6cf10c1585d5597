// The server's view of one HTTP exchange, free of Beast types so that handlers
// compile fast and can be tested without sockets.
#pragma once

#include <deque>
#include <functional>
#include <memory>
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

// A response that goes on after its headers (Server-Sent Events): the server
// writes the headers, calls Start on the connection's thread, then writes
// what Take returns whenever `wake` was called, until the stream ends or the
// server shuts down. The connection holds no thread while it waits.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // `wake` may be called from any thread, any number of times.
  virtual void Start(std::function<void()> wake) = 0;
  // The bytes to write now, in order, into `out` (emptied first); `ended` is
  // set once nothing more will come (the client is too slow and is to resume
  // later, or the source closed). The texts may be shared with other streams.
  virtual void Take(std::vector<std::shared_ptr<const std::string>>& out, bool& ended) = 0;
  // The connection is over (client gone, shutdown): release the source.
  virtual void Stop() = 0;
  // Written every heartbeat interval when nothing else was.
  virtual std::shared_ptr<const std::string> Heartbeat() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  Headers headers;  // extra headers
  std::string body;
  bool close = false;  // close the connection after this response
  // Set: the body is this stream, written until it ends (then the connection
  // closes); content_type, status and headers apply, `body` does not.
  std::shared_ptr<ResponseStream> stream;

  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

const char* StatusReason(int status);

}  // namespace vantage::http
