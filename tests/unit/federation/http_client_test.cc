// The outbound HTTP client (federation/http_client.h): the address check
// as a table, and requests to small HTTP servers of this test on loopback
// (reached only with allow_private, as the test peers are): refused without
// it before any connection, redirects followed and re-signed up to the
// limit, the byte cap and the deadline.
#include "federation/http_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vantage::federation {
namespace {

TEST(HttpClient, OnlyPublicAddressesArePublic) {
  for (const char* address : {"8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001::200e",
                              "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"})
    EXPECT_TRUE(IsPublicAddress(address)) << address;
  for (const char* address :
       {"127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
        "192.0.2.1", "198.51.100.1", "203.0.113.1", "198.18.0.1", "192.0.0.8", "192.88.99.1", "::", "::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "2002:a00:1::",
        "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1", "2001:db8::1", "2001::1", "2001:1::1",
        "3fff::1", "100::1", "", "localhost", "8.8.8", "1.2.3.4.5", "::ffff:999.1.1.1"})
    EXPECT_FALSE(IsPublicAddress(address)) << address;
}

// A loopback HTTP/1.1 server answering each request with what `answer`
// returns (the raw response), one connection at a time, closing each.
class TinyServer {
 public:
  using Answer = std::function<std::string(const std::string& request)>;

  explicit TinyServer(Answer answer) : answer_(std::move(answer)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TinyServer() {
    stopping_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }

  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int port() const { return port_; }
  int connections() const { return connections_; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) break;
      ++connections_;
      std::string request;
      char buffer[4096];
      // The head, then as much body as Content-Length says.
      size_t expected = std::string::npos;
      while (true) {
        ssize_t n = read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
        size_t head_end = request.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        if (expected == std::string::npos) {
          size_t at = request.find("Content-Length: ");
          size_t length = at == std::string::npos || at > head_end ? 0 : std::stoul(request.substr(at + 16));
          expected = head_end + 4 + length;
        }
        if (request.size() >= expected) break;
      }
      {
        std::lock_guard lock(mu_);
        requests_.push_back(request);
      }
      std::string response = answer_(request);
      for (size_t sent = 0; sent < response.size();) {
        ssize_t n = write(client, response.data() + sent, response.size() - sent);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      close(client);
    }
  }

  Answer answer_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> requests_;  // guarded by mu_
  std::thread thread_;
};

std::string Okay(const std::string& body, const std::string& type = "application/activity+json") {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

std::string Redirect(const std::string& location) {
  return "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

HttpClientOptions Loopback() {
  HttpClientOptions options;
  options.allow_private = true;
  options.user_agent = "Vantage/test (+https://vantage.example/)";
  return options;
}

TEST(HttpClient, RefusesPrivateAddressesBeforeConnecting) {
  TinyServer server([](const std::string&) { return Okay("{}"); });
  HttpClient client{HttpClientOptions{}};
  for (const std::string& url : {server.Url("/users/alice"), "http://localhost:" + std::to_string(server.port()) + "/",
                                 "http://[::1]:" + std::to_string(server.port()) + "/"}) {
    auto refused = client.Send(OutboundRequest{"GET", url, {}, ""});
    ASSERT_FALSE(refused.ok()) << url;
    EXPECT_EQ(refused.error().code, "address_not_allowed") << url;
  }
  EXPECT_EQ(server.connections(), 0);
}

TEST(HttpClient, RefusesUrlsThatAreNotHttp) {
  HttpClient client{Loopback()};
  for (const char* url : {"ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "http://",
                          "not a url", "http://user:secret@127.0.0.1/"}) {
    auto refused = client.Send(OutboundRequest{"GET", url, {}, ""});
    ASSERT_FALSE(refused.ok()) << url;
    EXPECT_EQ(refused.error().field, "url") << url;
  }
}

TEST(HttpClient, SendsAndReceives) {
  TinyServer server([](const std::string&) { return Okay(R"({"type":"Person"})"); });
  HttpClient client{Loopback()};
  auto got = client.Send(OutboundRequest{"GET", server.Url("/users/alice?page=1"),
                                         {{"Accept", "application/activity+json"}}, ""});
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, R"({"type":"Person"})");
  EXPECT_EQ(got->Header("content-type"), "application/activity+json");
  std::string request = server.requests().at(0);
  EXPECT_TRUE(request.starts_with("GET /users/alice?page=1 HTTP/1.1\r\n")) << request;
  EXPECT_NE(request.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("User-Agent: Vantage/test (+https://vantage.example/)\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("Accept: application/activity+json\r\n"), std::string::npos) << request;

  auto posted = client.Send(OutboundRequest{"POST", server.Url("/inbox"),
                                            {{"Content-Type", "application/activity+json"}}, std::string(5000, 'x')});
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  request = server.requests().at(1);
  EXPECT_TRUE(request.starts_with("POST /inbox HTTP/1.1\r\n"));
  EXPECT_EQ(request.find("Expect:"), std::string::npos) << "no 100-continue round trip";
  EXPECT_TRUE(request.ends_with(std::string(5000, 'x')));
}

TEST(HttpClient, FollowsRedirectsUpToTheLimitSigningEachHop) {
  TinyServer target([](const std::string&) { return Okay("{}"); });
  TinyServer hops([&](const std::string& request) {
    if (request.starts_with("GET /one ")) return Redirect("/two");
    if (request.starts_with("GET /two ")) return Redirect(target.Url("/actor"));
    if (request.starts_with("GET /loop")) return Redirect("/loop");
    return std::string("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  });
  HttpClient client{Loopback()};
  std::vector<std::string> signed_urls;
  auto sign = [&](OutboundRequest& request) -> Status {
    signed_urls.push_back(request.url);
    request.headers.emplace_back("Signature", "hop " + std::to_string(signed_urls.size()));
    return Ok();
  };
  auto got = client.Send(OutboundRequest{"GET", hops.Url("/one"), {}, ""}, sign);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->url, target.Url("/actor"));
  EXPECT_EQ(signed_urls, (std::vector<std::string>{hops.Url("/one"), hops.Url("/two"), target.Url("/actor")}));
  // The Host header follows the hop.
  EXPECT_NE(target.requests().at(0).find("Host: 127.0.0.1:" + std::to_string(target.port())), std::string::npos);

  auto looped = client.Send(OutboundRequest{"GET", hops.Url("/loop"), {}, ""});
  ASSERT_FALSE(looped.ok());
  EXPECT_EQ(looped.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(hops.connections(), 2 + 4);  // the first request and three redirects of the loop
}

TEST(HttpClient, RefusesBodiesOverTheCap) {
  TinyServer server([](const std::string&) { return Okay(std::string(300'000, 'a')); });
  HttpClientOptions options = Loopback();
  options.max_body_bytes = 100'000;
  auto refused = HttpClient{options}.Send(OutboundRequest{"GET", server.Url("/big"), {}, ""});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kTooLarge);
}

TEST(HttpClient, GivesUpAtTheDeadline) {
  TinyServer server([](const std::string&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    return Okay("{}");
  });
  HttpClientOptions options = Loopback();
  options.deadline_ms = 400;
  auto started = std::chrono::steady_clock::now();
  auto refused = HttpClient{options}.Send(OutboundRequest{"GET", server.Url("/slow"), {}, ""});
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kUnavailable);
  EXPECT_LT(took, std::chrono::milliseconds(2000));
}

}  // namespace
}  // namespace vantage::federation
