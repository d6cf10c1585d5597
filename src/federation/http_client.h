// The one outbound HTTP client of federation: every request to another
// server (fetching an actor or a post, delivering an activity) goes through
// it, because everything a remote server names is untrusted. It
//   - speaks http and https only, with TLS certificates and host names
//     verified (libcurl over OpenSSL), and no proxy;
//   - resolves the host itself and refuses private, loopback, link-local,
//     multicast, reserved and documentation addresses (IPv4 and IPv6, and
//     IPv6 forms that embed an IPv4 address), then connects to the very
//     address it checked, and checks the socket's address again as it opens,
//     so a name that resolves differently the second time gains nothing;
//   - follows at most `max_redirects` redirects itself, checking each
//     target as the first, and signing each hop anew when asked to;
//   - gives up at a total deadline and at a byte cap on the body;
//   - says who it is in User-Agent.
// `allow_private` (the server's --federation-allow-private, for tests with
// peers on loopback) lifts the address check and nothing else.
//
// Blocking: call from a pool thread. Thread-safe: each call has its own
// handle.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace vantage::federation {

// Whether `address` (an IPv4 or IPv6 address in text) is one a server on the
// internet may be reached at: false for private (RFC 1918, unique local),
// loopback, link-local, carrier-grade NAT, multicast, broadcast,
// unspecified, reserved, benchmarking and documentation ranges, and for
// IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms of any of those;
// false for anything that is not an address.
bool IsPublicAddress(std::string_view address);

struct HttpClientOptions {
  std::string user_agent = "Vantage";
  int max_redirects = 3;
  int64_t deadline_ms = 10'000;     // the whole exchange, redirects included
  size_t max_body_bytes = 1 << 20;  // larger bodies are refused
  bool allow_private = false;       // tests only (--federation-allow-private)
  // The certificate authorities TLS trusts (a PEM bundle), instead of the
  // system's (--federation-ca-file); empty: the system's.
  std::string ca_file;
};

struct OutboundRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given
  std::string body;
};

struct InboundResponse {
  int status = 0;
  std::string url;  // the last one asked, after redirects
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  // The first value of a header (lower-case name), or empty.
  std::string_view Header(std::string_view lower_name) const;
};

// Called before each hop with the request as it is about to go (its url
// already the hop's): signs it, e.g. with the instance actor's key.
using SignHop = std::function<Status(OutboundRequest& request)>;

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);

  // Sends `request` and returns the final response, whatever its status.
  // Invalid "url" for a URL that is not http(s) or names no host; Forbidden
  // "address_not_allowed" for a host that resolves to no public address (or
  // a redirect to one); Unavailable for a host that does not resolve or
  // answer, a TLS failure, too many redirects or the deadline passing;
  // TooLarge for a body over the cap.
  Result<InboundResponse> Send(OutboundRequest request, const SignHop& sign = nullptr) const;

 private:
  HttpClientOptions options_;
};

}  // namespace vantage::federation
