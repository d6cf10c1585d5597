// The HTTP/1.1 server: one io_context per I/O thread, each with its own
// SO_REUSEPORT acceptor, so a connection lives on one thread and needs no
// strand. Handlers marked Pool::kInline run on the I/O thread; the others are
// offloaded to bounded worker pools and resumed on the connection's thread.
//
// Limits enforced on every connection: header size (431), per-route body size
// (413, sent before the body is read), time to receive a whole request after
// its first byte (slowloris: 408 and close), keep-alive idle time, and the
// number of open connections (over it, 503 and close).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "http/router.h"

namespace vantage::http {

class Metrics;
class WorkerPool;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port
  int threads = 2;
  size_t max_connections = 10000;
  size_t header_limit = 16 * 1024;
  size_t body_limit = 1024 * 1024;  // default for routes without their own
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds shutdown_timeout{10};
  // A comment written on an event stream that has been quiet this long.
  std::chrono::seconds stream_heartbeat{15};
  std::string access_log = "-";
  bool trust_forwarded = false;  // take the client address from X-Forwarded-For
};

// Blocks SIGINT and SIGTERM in the calling thread and so in every thread it
// starts afterwards. Call it first thing in main's serving path, before any
// thread exists: Run() then takes a signal that arrived early as a request to
// shut down, instead of the process dying of it.
void BlockShutdownSignals();

class Server {
 public:
  // The router, metrics and pools must outlive the server.
  Server(ServerOptions options, const Router& router, Metrics& metrics, WorkerPool& db_pool,
         WorkerPool& cpu_pool, WorkerPool& remote_pool);
  ~Server();

  // Binds every acceptor. Returns the bound port.
  Result<uint16_t> Listen();
  // Serves until SIGINT/SIGTERM or Shutdown(), then drains in-flight requests
  // for up to shutdown_timeout and returns.
  void Run();
  // Starts a graceful shutdown; thread-safe.
  void Shutdown();
  // Event streams being written now (a gauge).
  size_t open_streams() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vantage::http
