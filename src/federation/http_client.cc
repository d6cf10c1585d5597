#include "federation/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <tuple>

#include "core/text.h"

namespace vantage::federation {

namespace {

using Clock = std::chrono::steady_clock;

// IPv4 as four bytes: whether it lies outside every range the internet does
// not route to a server.
bool IsPublicV4(const unsigned char a[4]) {
  auto in = [&](unsigned b0, unsigned b1, unsigned b2, int prefix, const unsigned char* x) {
    uint32_t address = (uint32_t{x[0]} << 24) | (uint32_t{x[1]} << 16) | (uint32_t{x[2]} << 8) | x[3];
    uint32_t network = (b0 << 24) | (b1 << 16) | (b2 << 8);
    uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
    return (address & mask) == (network & mask);
  };
  for (auto [b0, b1, b2, prefix] : std::initializer_list<std::tuple<unsigned, unsigned, unsigned, int>>{
           {0, 0, 0, 8},         // "this network"
           {10, 0, 0, 8},        // private
           {100, 64, 0, 10},     // carrier-grade NAT
           {127, 0, 0, 8},       // loopback
           {169, 254, 0, 16},    // link-local
           {172, 16, 0, 12},     // private
           {192, 0, 0, 24},      // IETF protocol assignments
           {192, 0, 2, 24},      // documentation
           {192, 88, 99, 24},    // 6to4 relays
           {192, 168, 0, 16},    // private
           {198, 18, 0, 15},     // benchmarking
           {198, 51, 100, 24},   // documentation
           {203, 0, 113, 24},    // documentation
           {224, 0, 0, 4},       // multicast
           {240, 0, 0, 4}})      // reserved, and broadcast
    if (in(b0, b1, b2, prefix, a)) return false;
  return true;
}

bool IsPublicV6(const unsigned char a[16]) {
  static const unsigned char kZero[16] = {};
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and
  // the deprecated compatible form (::a.b.c.d), judged as that IPv4.
  if (std::equal(kMapped, kMapped + 12, a) || std::equal(kNat64, kNat64 + 12, a)) return IsPublicV4(a + 12);
  if (std::equal(kZero, kZero + 12, a)) return false;  // ::, ::1 and ::a.b.c.d
  // 6to4 (2002:a.b.c.d::/48), as its IPv4.
  if (a[0] == 0x20 && a[1] == 0x02) return IsPublicV4(a + 2);
  // Only global unicast (2000::/3) is routed to servers...
  if ((a[0] & 0xe0) != 0x20) return false;
  // ...except IETF protocol assignments (2001::/23, Teredo among them),
  // documentation (2001:db8::/32, 3fff::/20).
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] < 0x02) return false;
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return false;
  if (a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xf0) == 0) return false;
  return true;
}

bool IsPublicSockaddr(const sockaddr* address) {
  if (!address) return false;
  if (address->sa_family == AF_INET)
    return IsPublicV4(reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(address)->sin_addr));
  if (address->sa_family == AF_INET6)
    return IsPublicV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr);
  return false;
}

std::string AddressText(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  else
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
  return text;
}

void InitCurlOnce() {
  static const bool initialised = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)initialised;
}

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using Url = std::unique_ptr<CURLU, UrlDeleter>;

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::optional<std::string> Part(CURLU* url, CURLUPart part) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, 0) != CURLUE_OK || !text) return std::nullopt;
  std::string out(text);
  curl_free(text);
  return out;
}

// What one hop is aimed at, checked.
struct Target {
  std::string url;   // normalised
  std::string host;  // as in the URL (an IPv6 literal in brackets)
  int port = 0;
  std::string address;  // the address checked, to connect to
};

Result<Target> Aim(std::string_view text, const std::string& base, bool allow_private) {
  Url url(curl_url());
  if (!url) return Error::Internal("curl_url failed");
  auto invalid = [&] { return Error::Invalid("url", "url must be an http or https URL naming a host"); };
  if (!base.empty() && curl_url_set(url.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) return invalid();
  // Relative to the base for a redirect's Location.
  if (curl_url_set(url.get(), CURLUPART_URL, std::string(text).c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return invalid();
  auto scheme = Part(url.get(), CURLUPART_SCHEME);
  auto host = Part(url.get(), CURLUPART_HOST);
  if (!scheme || (*scheme != "http" && *scheme != "https") || !host || host->empty()) return invalid();
  if (Part(url.get(), CURLUPART_USER) || Part(url.get(), CURLUPART_PASSWORD))
    return Error::Invalid("url", "url must not carry a user name or password");
  Target target;
  target.url = *Part(url.get(), CURLUPART_URL);
  target.host = *host;
  auto port = Part(url.get(), CURLUPART_PORT);
  target.port = port ? std::atoi(port->c_str()) : (*scheme == "https" ? 443 : 80);

  std::string name = target.host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || !found)
    return Error::Unavailable("The host " + name + " does not resolve", 60);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  for (const addrinfo* at = found; at; at = at->ai_next) {
    if (allow_private || IsPublicSockaddr(at->ai_addr)) {
      target.address = AddressText(at->ai_addr);
      return target;
    }
  }
  return Error::Forbidden("The host " + name + " has no public address", "address_not_allowed");
}

// The socket callback's context: whether the address curl is about to
// connect to passed the check (again), and what it refused.
struct SocketGate {
  bool allow_private = false;
  bool refused = false;
};

curl_socket_t OpenSocket(void* context, curlsocktype purpose, curl_sockaddr* address) {
  auto* gate = static_cast<SocketGate*>(context);
  if (purpose != CURLSOCKTYPE_IPCXN || (!gate->allow_private && !IsPublicSockaddr(&address->addr))) {
    gate->refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

struct Received {
  size_t cap = 0;
  bool too_large = false;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

size_t OnBody(char* data, size_t size, size_t count, void* context) {
  auto* received = static_cast<Received*>(context);
  size_t bytes = size * count;
  if (received->body.size() + bytes > received->cap) {
    received->too_large = true;
    return 0;  // aborts the transfer
  }
  received->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* context) {
  auto* received = static_cast<Received*>(context);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    received->headers.clear();  // a new response (after an interim 1xx)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string name = AsciiLower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    received->headers.emplace_back(std::move(name), std::string(value));
  }
  return size * count;
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

bool IsPublicAddress(std::string_view address) {
  std::string text(address);
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return IsPublicV4(bytes);
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) return IsPublicV6(bytes);
  return false;
}

std::string_view InboundResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return {};
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) { InitCurlOnce(); }

Result<InboundResponse> HttpClient::Send(OutboundRequest request, const SignHop& sign) const {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(options_.deadline_ms);
  std::string base;
  for (int hop = 0;; ++hop) {
    auto target = Aim(request.url, base, options_.allow_private);
    if (!target) return std::move(target).error();
    request.url = target->url;
    // The Host header is the client's, right for every hop (and signed as sent).
    std::erase_if(request.headers, [](const auto& header) { return AsciiLower(header.first) == "host"; });
    bool default_port = (target->port == 443 && request.url.starts_with("https:")) ||
                        (target->port == 80 && request.url.starts_with("http:"));
    request.headers.emplace_back("host", default_port ? target->host
                                                      : target->host + ":" + std::to_string(target->port));
    if (sign) VANTAGE_TRY(sign(request));

    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (remaining <= 0) return Error::Unavailable("The remote server took too long", 60);

    std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
    if (!easy) return Error::Internal("curl_easy_init failed");
    CURL* c = easy.get();
    std::string bare_host = target->host;
    if (bare_host.size() > 2 && bare_host.front() == '[') bare_host = bare_host.substr(1, bare_host.size() - 2);
    std::string pinned = bare_host + ":" + std::to_string(target->port) + ":" +
                         (target->address.find(':') != std::string::npos ? "[" + target->address + "]"
                                                                        : target->address);
    std::unique_ptr<curl_slist, ListDeleter> resolve(curl_slist_append(nullptr, pinned.c_str()));
    std::unique_ptr<curl_slist, ListDeleter> headers;
    for (const auto& [name, value] : request.headers)
      headers.reset(curl_slist_append(headers.release(), (name + ": " + value).c_str()));
    // No "Expect: 100-continue" round trip for bodies.
    headers.reset(curl_slist_append(headers.release(), "Expect:"));

    SocketGate gate{options_.allow_private, false};
    Received received;
    received.cap = options_.max_body_bytes;
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &gate);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<int64_t>(remaining, 5000)));
    curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &received);
    if (request.method == "POST") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else if (request.method != "GET") {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (!request.body.empty()) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      }
    }
    CURLcode done = curl_easy_perform(c);
    if (received.too_large)
      return Error::TooLarge("The remote server's answer is larger than " + std::to_string(options_.max_body_bytes) +
                             " bytes");
    if (gate.refused)
      return Error::Forbidden("The connection went to an address that is not public", "address_not_allowed");
    if (done == CURLE_OPERATION_TIMEDOUT) return Error::Unavailable("The remote server took too long", 60);
    if (done != CURLE_OK)
      return Error::Unavailable(std::string("The remote server could not be reached: ") + curl_easy_strerror(done),
                                60);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);

    InboundResponse response;
    response.status = static_cast<int>(status);
    response.url = request.url;
    response.headers = std::move(received.headers);
    response.body = std::move(received.body);
    std::string_view location = response.Header("location");
    if (!IsRedirect(response.status) || location.empty()) return response;
    if (hop >= options_.max_redirects)
      return Error::Unavailable("The remote server redirected more than " + std::to_string(options_.max_redirects) +
                                    " times",
                                60);
    // The next hop: a 303, and a 301 or 302 after a POST, become a GET.
    if (response.status == 303 || ((response.status == 301 || response.status == 302) && request.method == "POST")) {
      request.method = "GET";
      request.body.clear();
      std::erase_if(request.headers, [](const auto& header) {
        std::string name = AsciiLower(header.first);
        return name == "content-type" || name == "digest";
      });
    }
    base = request.url;
    request.url = std::string(location);
  }
}

}  // namespace vantage::federation
