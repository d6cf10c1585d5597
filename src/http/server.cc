#include "http/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <spdlog/spdlog.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/text.h"
#include "http/access_log.h"
#include "http/cors.h"
#include "http/error_response.h"
#include "http/metrics.h"
#include "http/pool.h"

namespace vantage::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// A connection's state that shutdown needs to see.
struct Connection {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;  // waiting for the next request
  std::function<void()> wake_stream;  // set while an event stream is written
};

using SharedText = std::shared_ptr<const std::string>;

// One event stream being written: shared by its writer coroutine and the
// flushes that the source's wakes bring to the connection's thread. Touched
// only on that thread.
struct StreamState {
  StreamState(asio::io_context& ioc, tcp::socket& socket, ResponseStream& source)
      : timer(ioc), socket(socket), source(source) {}
  asio::steady_timer timer;  // the writer sleeps on it; its expiry is the heartbeat
  tcp::socket& socket;       // valid while !done
  ResponseStream& source;    // valid while !done
  std::vector<SharedText> pending;  // taken from the source, not written yet
  size_t offset = 0;                // bytes of pending.front() already written
  std::chrono::steady_clock::time_point last_write;
  bool writer_busy = false;  // the writer's own write is in flight: leave the socket to it
  bool woken = false;        // the writer has something to do
  bool source_ended = false;  // the source has no more: the stream ends once `pending` is written
  bool ended = false;        // the socket failed, or the stream is over
  bool done = false;         // the writer has returned
};

struct Worker {
  int index = 0;
  asio::io_context ioc{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unordered_set<Connection*> connections;  // touched only on this thread
  std::string log_buffer;                       // access-log lines not yet written
  uint64_t request_counter = 0;
  // Event streams with something to write: the event bus's thread adds,
  // one posted flush on this thread writes them all (one post per event and
  // thread, not per connection).
  std::mutex flush_mu;
  std::vector<std::shared_ptr<StreamState>> to_flush;  // guarded by flush_mu
  std::vector<std::shared_ptr<StreamState>> flushing;  // this thread's: being written
  size_t flush_next = 0;                               // this thread's: the next of `flushing`
  std::vector<SharedText> taken;                       // this thread's scratch
  std::thread thread;
};

Response MakeError(const Error& error) { return ErrorResponse(error); }

bool SafeHeaderText(std::string_view text) {
  return text.find_first_of("\r\n") == std::string_view::npos;
}

// The access log's timestamp: the seconds formatted once a second per
// thread, the milliseconds appended per line.
void AppendLogTime(std::string& out) {
  using namespace std::chrono;
  thread_local int64_t cached_second = -1;
  thread_local std::string cached;  // "2026-11-28T13:57:41"
  int64_t ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  if (ms / 1000 != cached_second) {
    cached_second = ms / 1000;
    cached = FormatIsoTime(cached_second * 1000).substr(0, 19);
  }
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(ms % 1000));
  out += cached;
  out += fraction;
}

// The Date header, formatted once a second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    cached = FormatHttpDate(now);
  }
  return cached;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, Metrics& metrics, WorkerPool& db_pool,
       WorkerPool& cpu_pool, WorkerPool& remote_pool)
      : options_(std::move(options)),
        router_(router),
        metrics_(metrics),
        db_pool_(db_pool),
        cpu_pool_(cpu_pool),
        remote_pool_(remote_pool),
        access_log_(options_.access_log) {
    std::random_device rd;
    id_prefix_ = (static_cast<uint32_t>(rd()) & 0xffffff00u);
    int threads = options_.threads < 1 ? 1 : options_.threads;
    for (int i = 0; i < threads; ++i) {
      auto worker = std::make_unique<Worker>();
      worker->index = i;
      workers_.push_back(std::move(worker));
    }
  }

  Result<uint16_t> Listen() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return Error::Invalid("listen", "listen host is not an IP address: " + options_.host);
    uint16_t port = options_.port;
    // SO_REUSEPORT would let this server share a port another process is
    // already listening on (traffic split at random between them); a plain
    // bind first makes that an error.
    if (port != 0) {
      tcp::acceptor probe(workers_.front()->ioc);
      tcp::endpoint endpoint(address, port);
      probe.open(endpoint.protocol(), ec);
      if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) probe.bind(endpoint, ec);
      if (ec)
        return Error::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(port) +
                                  ": " + ec.message());
      probe.close(ec);
    }
    for (auto& worker : workers_) {
      auto acceptor = std::make_unique<tcp::acceptor>(worker->ioc);
      tcp::endpoint endpoint(address, port);
      acceptor->open(endpoint.protocol(), ec);
      if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) {
        int one = 1;
        if (::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
          ec = boost::system::error_code(errno, boost::system::system_category());
      }
      if (!ec) acceptor->bind(endpoint, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec)
        return Error::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(port) +
                                  ": " + ec.message());
      // With port 0 the first acceptor picks the port; the others join it.
      port = acceptor->local_endpoint().port();
      worker->acceptor = std::move(acceptor);
    }
    return port;
  }

  void Run() {
    for (auto& worker : workers_) {
      Worker* w = worker.get();
      asio::co_spawn(w->ioc, Accept(*w), asio::detached);
      asio::co_spawn(w->ioc, FlushLogPeriodically(*w), asio::detached);
      w->thread = std::thread([w] {
        try {
          w->ioc.run();
        } catch (const std::exception& e) {
          spdlog::critical("I/O thread {} stopped: {}", w->index, e.what());
        }
      });
    }

    asio::io_context main;
    asio::signal_set signals(main, SIGINT, SIGTERM);
    signals.async_wait([this](boost::system::error_code ec, int) {
      if (!ec) BeginShutdown();
    });
    // The caller blocked these signals before starting any thread (see
    // server.h), so one that arrived early is pending: let it in now, on
    // this thread only, where the handler above is installed.
    sigset_t shutdown_signals;
    sigemptyset(&shutdown_signals);
    sigaddset(&shutdown_signals, SIGINT);
    sigaddset(&shutdown_signals, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &shutdown_signals, nullptr);
    asio::steady_timer poll(main);
    std::chrono::steady_clock::time_point deadline{};
    std::function<void()> watch = [&] {
      poll.expires_after(std::chrono::milliseconds(25));
      poll.async_wait([&](boost::system::error_code) {
        if (stopping_.load()) {
          if (deadline == std::chrono::steady_clock::time_point{})
            deadline = std::chrono::steady_clock::now() + options_.shutdown_timeout;
          if (open_connections_.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
            signals.cancel();
            return;
          }
        }
        watch();
      });
    };
    watch();
    main.run();

    if (open_connections_.load() > 0)
      spdlog::warn("shutdown: {} connections still open after {} s, closing them",
                   open_connections_.load(), options_.shutdown_timeout.count());
    for (auto& worker : workers_) {
      Worker* w = worker.get();
      w->ioc.stop();
    }
    for (auto& worker : workers_)
      if (worker->thread.joinable()) worker->thread.join();
    for (auto& worker : workers_) FlushLog(*worker);
  }

  void BeginShutdown() {
    if (stopping_.exchange(true)) return;
    spdlog::info("shutting down: no new connections, draining requests");
    for (auto& worker : workers_) {
      Worker* w = worker.get();
      asio::post(w->ioc, [w] {
        boost::system::error_code ignored;
        if (w->acceptor) w->acceptor->close(ignored);
        // Idle connections are closed, unless a request already waits in
        // the socket: that one is served (with Connection: close) first.
        for (Connection* c : w->connections) {
          boost::system::error_code available_ec;
          if (c->idle && c->stream->socket().available(available_ec) == 0) c->stream->cancel();
          // An event stream never ends by itself: wake its writer, which sees
          // the shutdown and closes it, and end a write a slow client holds
          // up (a partly sent event is dropped by the client, which resumes
          // from its last whole one).
          if (c->wake_stream) {
            c->wake_stream();
            c->stream->cancel();
          }
        }
      });
    }
  }

 private:
  asio::awaitable<void> Accept(Worker& worker) {
    for (;;) {
      auto [ec, socket] = co_await worker.acceptor->async_accept(kTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || stopping_.load()) co_return;
        // Out of descriptors and the like: back off briefly rather than spin.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer pause(worker.ioc, std::chrono::milliseconds(50));
        co_await pause.async_wait(kTuple);
        continue;
      }
      if (open_connections_.load(std::memory_order_relaxed) >= options_.max_connections) {
        RefuseOverCapacity(socket);
        continue;
      }
      open_connections_.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(worker.ioc, Session(worker, std::move(socket)), asio::detached);
    }
  }

  void RefuseOverCapacity(tcp::socket& socket) {
    Error error = Error::Unavailable("The server has too many open connections", 1);
    Response response = MakeError(error);
    response.close = true;
    std::string head = SerializeHead(response, "-", true);
    head += response.body;
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(head), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  std::string NextRequestId(Worker& worker) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%08x%02x%06llx", id_prefix_, worker.index & 0xff,
                  static_cast<unsigned long long>(++worker.request_counter & 0xffffff));
    // 16 hex characters: process prefix, thread, counter.
    return std::string(buf, 16);
  }

  // The status line and headers of `response`; `framing` says how its body
  // ends (a Content-Length, or the stream's own headers), then come the
  // response's headers and `last` (a Connection header, or nothing).
  static std::string Head(const Response& response, std::string_view request_id, std::string_view framing,
                          std::string_view last) {
    std::string head;
    head.reserve(256 + response.headers.size() * 64);
    head += "HTTP/1.1 ";
    head += std::to_string(response.status);
    head += ' ';
    head += StatusReason(response.status);
    head += "\r\nContent-Type: ";
    head += response.content_type;
    head += "\r\n";
    head += framing;
    head += "Date: ";
    head += HttpDate();
    head += "\r\nX-Request-Id: ";
    head += request_id;
    head += "\r\nX-Content-Type-Options: nosniff\r\n";
    for (const auto& [name, value] : response.headers) {
      if (!SafeHeaderText(name) || !SafeHeaderText(value)) continue;
      head += name;
      head += ": ";
      head += value;
      head += "\r\n";
    }
    head += last;
    head += "\r\n";
    return head;
  }

  static std::string SerializeHead(const Response& response, std::string_view request_id, bool close) {
    return Head(response, request_id, "Content-Length: " + std::to_string(response.body.size()) + "\r\n",
                close ? "Connection: close\r\n" : "");
  }

  // The body ends when the connection does (no length, no chunking: an event
  // stream is never followed by another response).
  static std::string SerializeStreamHead(const Response& response, std::string_view request_id) {
    return Head(response, request_id, "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n",
                "Connection: close\r\n");
  }

  // From the source's wake, on any thread: the stream joins its worker's
  // list, and the first to join posts the flush.
  void QueueFlush(Worker& worker, std::shared_ptr<StreamState> state) {
    bool post = false;
    {
      std::lock_guard lock(worker.flush_mu);
      post = worker.to_flush.empty();
      worker.to_flush.push_back(std::move(state));
    }
    if (post) asio::post(worker.ioc, [this, &worker] { FlushStreams(worker); });
  }

  // Writes the woken streams in slices, posting itself again between them,
  // so that the requests this thread also serves wait for one slice (a few
  // milliseconds), not for all of an event's connections.
  void FlushStreams(Worker& worker) {
    constexpr size_t kSlice = 256;
    if (worker.flush_next == worker.flushing.size()) {
      worker.flushing.clear();
      worker.flush_next = 0;
      std::lock_guard lock(worker.flush_mu);
      worker.flushing.swap(worker.to_flush);
    }
    size_t end = std::min(worker.flushing.size(), worker.flush_next + kSlice);
    for (; worker.flush_next < end; ++worker.flush_next) Flush(worker, *worker.flushing[worker.flush_next]);
    if (worker.flush_next < worker.flushing.size()) {
      asio::post(worker.ioc, [this, &worker] { FlushStreams(worker); });
      return;
    }
    worker.flushing.clear();
    worker.flush_next = 0;
  }

  // What the source has now joins what is waiting to be written.
  static void TakeInto(Worker& worker, StreamState& state) {
    bool ended = false;
    if (state.pending.empty()) {
      state.offset = 0;
      state.source.Take(state.pending, ended);
    } else {
      state.source.Take(worker.taken, ended);
      for (auto& text : worker.taken) state.pending.push_back(std::move(text));
      worker.taken.clear();
    }
    if (ended) state.source_ended = true;
  }

  // Whether the stream is over: the socket failed, or the source ended and
  // all it gave is written (an overflowed source's last events included).
  static bool Over(const StreamState& state) {
    return state.ended || (state.source_ended && state.pending.empty());
  }

  // On the connection's thread: writes what the source has at once, with one
  // non-blocking send, when the writer is asleep; a send that would block (a
  // full socket buffer) or an ending is left to the writer, which is woken.
  // An event thus costs each connection a lock and a send, not a round of
  // timers and coroutine resumptions.
  void Flush(Worker& worker, StreamState& state) {
    if (state.done || state.ended) return;
    if (state.writer_busy) {
      state.woken = true;  // it takes the rest once its write is done
      return;
    }
    TakeInto(worker, state);
    if (!state.pending.empty()) {
      std::array<asio::const_buffer, 16> buffers{};  // the unused ones are empty
      size_t count = 0;
      for (const SharedText& text : state.pending) {
        if (count == buffers.size()) break;
        buffers[count] = asio::buffer(*text) + (count == 0 ? state.offset : 0);
        ++count;
      }
      boost::system::error_code ec;
      size_t written = state.socket.write_some(buffers, ec);
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
        state.ended = true;
      } else {
        state.last_write = std::chrono::steady_clock::now();
        Consume(state, written);
        if (state.pending.empty() && !state.source_ended) return;
      }
    }
    state.woken = true;
    state.timer.cancel();
  }

  // Drops `written` bytes from the front of what waits.
  static void Consume(StreamState& state, size_t written) {
    size_t done_idx = 0;
    while (done_idx < state.pending.size()) {
      size_t left = state.pending[done_idx]->size() - (done_idx == 0 ? state.offset : 0);
      if (written < left) break;
      written -= left;
      ++done_idx;
      if (done_idx == 1) state.offset = 0;
    }
    state.pending.erase(state.pending.begin(), state.pending.begin() + static_cast<std::ptrdiff_t>(done_idx));
    if (!state.pending.empty()) state.offset += written;
  }

  // Writes an event stream until it ends, the client goes away or the server
  // shuts down. Events are written by the flushes (above) while this writer
  // sleeps on its timer; it wakes to finish what a flush could not send, and
  // at the timer's expiry to write a heartbeat if the stream has been quiet.
  asio::awaitable<void> WriteStream(Worker& worker, Connection& connection, beast::tcp_stream& stream,
                                    ResponseStream& source) {
    auto state = std::make_shared<StreamState>(worker.ioc, stream.socket(), source);
    boost::system::error_code ec;
    stream.socket().non_blocking(true, ec);  // a flush's send never waits
    connection.wake_stream = [state] {       // shutdown, on this thread
      state->woken = true;
      state->timer.cancel();
    };
    // The wake holds the state weakly: a wake after the end finds it gone or done.
    source.Start([this, &worker, weak = std::weak_ptr<StreamState>(state)] {
      if (auto strong = weak.lock()) QueueFlush(worker, std::move(strong));
    });
    open_streams_.fetch_add(1, std::memory_order_relaxed);
    state->last_write = std::chrono::steady_clock::now();
    std::vector<asio::const_buffer> buffers;
    while (!stopping_.load() && !state->ended) {
      state->woken = false;
      TakeInto(worker, *state);
      if (Over(*state)) break;
      if (!state->pending.empty()) {
        buffers.clear();
        for (const SharedText& text : state->pending)
          buffers.push_back(asio::buffer(*text) + (buffers.empty() ? state->offset : 0));
        state->writer_busy = true;
        stream.expires_after(options_.read_timeout);  // a client that stops reading is dropped
        auto [write_ec, written] = co_await asio::async_write(stream, buffers, kTuple);
        (void)written;
        state->writer_busy = false;
        if (write_ec) break;
        state->pending.clear();
        state->offset = 0;
        state->last_write = std::chrono::steady_clock::now();
        if (state->pending.capacity() > 16) {  // a resumed stream's backlog: do not keep its room
          state->pending = {};
          buffers = {};
        }
        continue;  // more may have come while writing
      }
      if (state->woken) continue;
      auto quiet = std::chrono::steady_clock::now() - state->last_write;
      if (quiet >= options_.stream_heartbeat) {
        auto heartbeat = source.Heartbeat();
        state->writer_busy = true;
        stream.expires_after(options_.read_timeout);
        auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(*heartbeat), kTuple);
        (void)written;
        state->writer_busy = false;
        if (write_ec) break;
        state->last_write = std::chrono::steady_clock::now();
        continue;
      }
      state->timer.expires_after(options_.stream_heartbeat - quiet);
      co_await state->timer.async_wait(kTuple);
    }
    state->done = true;
    connection.wake_stream = nullptr;
    source.Stop();
    open_streams_.fetch_sub(1, std::memory_order_relaxed);
  }

  // Runs a handler on a worker pool and resumes on this connection's thread.
  asio::awaitable<Response> Offload(WorkerPool& pool, const Route& route, Request& request) {
    auto executor = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
        [&pool, &route, &request, executor](auto handler) {
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          auto complete = [shared, executor](Response response) {
            asio::post(executor, [shared, response = std::move(response)]() mutable {
              (*shared)(std::move(response));
            });
          };
          pool.Submit(
              [&route, &request, complete] { complete(RunHandler(route, request)); },
              [complete] {
                complete(MakeError(Error::Unavailable("The server is busy, try again shortly", 1)));
              });
        },
        asio::use_awaitable);
  }

  static Response RunHandler(const Route& route, Request& request) {
    try {
      return route.handler(request);
    } catch (const std::exception& e) {
      spdlog::error("request {} {} {}: unhandled exception: {}", request.request_id, request.method,
                    route.pattern, e.what());
    } catch (...) {
      spdlog::error("request {} {} {}: unhandled exception", request.request_id, request.method,
                    route.pattern);
    }
    return MakeError(Error::Internal("Internal server error"));
  }

  void LogRequest(Worker& worker, const Request& request, std::string_view route, int status,
                  double seconds) {
    if (!access_log_.enabled()) return;
    std::string& out = worker.log_buffer;
    AppendLogTime(out);
    out += " id=";
    out += request.request_id;
    out += " ip=";
    out += request.remote_ip;
    out += " method=";
    out += request.method.empty() ? "-" : request.method;
    out += " route=";
    out += route;
    out += " status=";
    out += std::to_string(status);
    char duration[32];
    std::snprintf(duration, sizeof duration, " ms=%.3f\n", seconds * 1000);
    out += duration;
    if (out.size() >= 32 * 1024) FlushLog(worker);
  }

  void FlushLog(Worker& worker) {
    if (worker.log_buffer.empty()) return;
    access_log_.Write(worker.log_buffer);
    worker.log_buffer.clear();
  }

  asio::awaitable<void> FlushLogPeriodically(Worker& worker) {
    asio::steady_timer timer(worker.ioc);
    for (;;) {
      timer.expires_after(std::chrono::milliseconds(500));
      auto [ec] = co_await timer.async_wait(kTuple);
      FlushLog(worker);
      if (ec) co_return;
    }
  }

  asio::awaitable<void> Session(Worker& worker, tcp::socket socket) {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote_ip = "-";
    if (auto endpoint = socket.remote_endpoint(ec); !ec) remote_ip = endpoint.address().to_string();

    beast::tcp_stream stream(std::move(socket));
    Connection connection{&stream, true};
    worker.connections.insert(&connection);
    // Room for the largest header plus read-ahead. Bounded, because Beast
    // does not bound a chunk-size line by itself.
    beast::flat_buffer buffer(options_.header_limit + 64 * 1024);
    std::string head;
    bool first = true;
    bool unread_body = false;  // closing while the client may still be sending
    std::shared_ptr<ResponseStream> streaming;  // the response is an event stream, its head written

    // Whatever happens below, the connection leaves the registry and the count.
    struct Deregister {
      Impl& impl;
      Worker& worker;
      Connection& connection;
      ~Deregister() {
        worker.connections.erase(&connection);
        impl.open_connections_.fetch_sub(1, std::memory_order_relaxed);
      }
    } deregister{*this, worker, connection};

    try {
      for (;;) {
        // Wait for the first byte of a request: the idle timeout applies here,
        // the (shorter) read timeout from then on.
        if (buffer.size() == 0) {
          if (stopping_.load()) break;
          connection.idle = true;
          stream.expires_after(first ? options_.read_timeout : options_.idle_timeout);
          auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(8192), kTuple);
          connection.idle = false;
          if (read_ec) break;
          buffer.commit(n);
        }
        connection.idle = false;
        first = false;

        auto started = std::chrono::steady_clock::now();
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
        parser.body_limit(boost::none);

        Request request;
        request.remote_ip = remote_ip;
        request.request_id = NextRequestId(worker);
        size_t route_index = router_.routes().size();  // "unmatched"
        std::string_view route_name = "-";
        Response response;
        bool close = true;
        bool head_only = false;

        stream.expires_after(options_.read_timeout);
        auto [header_ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
        (void)header_bytes;
        if (header_ec) {
          if (header_ec == bhttp::error::end_of_stream || header_ec == asio::error::eof ||
              header_ec == asio::error::connection_reset || header_ec == asio::error::operation_aborted)
            break;
          unread_body = true;  // the client may still be sending
          if (header_ec == bhttp::error::header_limit)
            response = MakeError({ErrorKind::kHeadersTooLarge, "headers_too_large",
                                  "Request headers are larger than the server accepts"});
          else if (header_ec == beast::error::timeout)
            response = MakeError({ErrorKind::kTimeout, "request_timeout",
                                  "The request did not arrive in time"});
          else
            response = MakeError(Error::BadRequest("bad_request", "Malformed HTTP request: " + header_ec.message()));
        } else {
          auto& message = parser.get();
          request.method = std::string(message.method_string());
          request.target = std::string(message.target());
          size_t question = request.target.find('?');
          request.path = request.target.substr(0, question);
          if (question != std::string::npos) request.query = request.target.substr(question + 1);
          request.headers.reserve(16);
          for (const auto& field : message) {
            std::string name = AsciiLower(field.name_string());
            request.headers.emplace_back(std::move(name), std::string(field.value()));
          }
          if (options_.trust_forwarded) {
            // Proxies append the address they saw, so the last entry is the one
            // our proxy wrote; anything to its left came from the client.
            std::string_view forwarded = request.Header("x-forwarded-for");
            size_t comma = forwarded.rfind(',');
            std::string last(Trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1)));
            boost::system::error_code parse_ec;
            auto address = asio::ip::make_address(last, parse_ec);
            if (!parse_ec) request.remote_ip = address.to_string();
            request.secure = request.Header("x-forwarded-proto") == "https";
          }
          close = !message.keep_alive();
          head_only = request.method == "HEAD";

          std::string_view method = head_only ? std::string_view("GET") : std::string_view(request.method);
          RouteMatch match;
          bool cors = CorsApplies(request.path);
          if (request.path.empty() || request.path.front() != '/')
            match.route = nullptr;
          else if (!(cors && method == "OPTIONS"))
            match = router_.Match(method, request.path);

          if (cors && method == "OPTIONS") {
            unread_body = !parser.is_done();
            close = close || unread_body;
            response = CorsPreflight();
          } else if (!match.route) {
            unread_body = !parser.is_done();
            close = close || unread_body;  // do not read an unwanted body
            if (match.method_mismatch)
              response = MakeError({ErrorKind::kMethodNotAllowed, "method_not_allowed",
                                    request.method + " is not allowed on " + request.path});
            else
              response = MakeError(Error::NotFound("No route matches " + request.path.substr(0, 200)));
          } else {
            const Route& route = *match.route;
            route_index = route.index;
            route_name = route.pattern;
            request.path_params = std::move(match.params);
            size_t limit = route.body_limit ? route.body_limit : options_.body_limit;
            auto length = parser.content_length();
            bool ok = true;
            if (length && *length > limit) {
              response = MakeError(Error::TooLarge("The request body is larger than " +
                                                   std::to_string(limit) + " bytes"));
              ok = false;
            } else {
              parser.body_limit(limit);
              if (!parser.is_done()) {
                if (beast::iequals(message[bhttp::field::expect], "100-continue")) {
                  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
                  auto [continue_ec, written] =
                      co_await asio::async_write(stream, asio::buffer(kContinue), kTuple);
                  (void)written;
                  if (continue_ec) break;
                }
                auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
                (void)body_bytes;
                if (body_ec) {
                  ok = false;
                  if (body_ec == bhttp::error::body_limit) {
                    response = MakeError(Error::TooLarge("The request body is larger than " +
                                                         std::to_string(limit) + " bytes"));
                  } else if (body_ec == beast::error::timeout) {
                    response = MakeError({ErrorKind::kTimeout, "request_timeout",
                                          "The request body did not arrive in time"});
                  } else if (body_ec == bhttp::error::end_of_stream || body_ec == asio::error::eof ||
                             body_ec == asio::error::connection_reset) {
                    break;
                  } else {
                    response = MakeError(Error::BadRequest("bad_request", "Malformed request body: " + body_ec.message()));
                  }
                }
              }
            }
            if (!ok) unread_body = !parser.is_done();
            if (ok) {
              request.body = std::move(parser.get().body());
              if (route.pool == Pool::kInline)
                response = RunHandler(route, request);
              else
                response = co_await Offload(PoolFor(route.pool), route, request);
            } else {
              close = true;
            }
          }
          if (cors && method != "OPTIONS") AddCorsHeaders(response);
        }

        if (response.stream && !head_only && !stopping_.load()) {
          head = SerializeStreamHead(response, request.request_id);
          stream.expires_after(options_.read_timeout);
          auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(head), kTuple);
          (void)written;
          double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
          metrics_.Record(worker.index, route_index, response.status, seconds);
          LogRequest(worker, request, route_name, response.status, seconds);
          // The stream is written once the request's parser, headers and
          // body are gone (they leave with this scope).
          if (!write_ec) streaming = std::move(response.stream);
          else response.stream->Stop();
          break;
        }
        if (response.stream) {
          response.stream->Stop();
          response.stream.reset();
        }
        if (stopping_.load()) close = true;
        close = close || response.close;
        head = SerializeHead(response, request.request_id, close);
        stream.expires_after(options_.read_timeout);
        std::array<asio::const_buffer, 2> buffers = {
            asio::buffer(head), head_only ? asio::const_buffer() : asio::buffer(response.body)};
        auto [write_ec, written] = co_await asio::async_write(stream, buffers, kTuple);
        (void)written;

        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        metrics_.Record(worker.index, route_index, response.status, seconds);
        LogRequest(worker, request, route_name, response.status, seconds);
        if (write_ec || close) break;
      }
      if (streaming) {
        // An event stream reads nothing more: a connection that may stay
        // open for hours keeps no read buffer and no request.
        buffer.clear();
        buffer.shrink_to_fit();
        head = std::string();
        co_await WriteStream(worker, connection, stream, *streaming);
      }
    } catch (const std::exception& e) {
      // Handlers catch their own exceptions; this is exhaustion (bad_alloc)
      // or a bug in the connection code. Drop the connection, keep serving.
      spdlog::error("connection from {} dropped: {}", remote_ip, e.what());
      unread_body = false;
    }

    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (unread_body) co_await DrainBeforeClose(stream);
    stream.close();
  }

  // Closing a socket with unread input makes the kernel send a reset, which
  // can destroy the error response before the client reads it. So, like
  // nginx's lingering close, read and discard for a short bounded while.
  static asio::awaitable<void> DrainBeforeClose(beast::tcp_stream& stream) {
    constexpr size_t kMaxDiscard = 8 * 1024 * 1024;
    std::array<char, 16 * 1024> scratch;
    size_t discarded = 0;
    stream.expires_after(std::chrono::seconds(2));
    while (discarded < kMaxDiscard) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
      if (ec) break;
      discarded += n;
    }
  }

  ServerOptions options_;
  const Router& router_;
  Metrics& metrics_;
  WorkerPool& PoolFor(Pool pool) {
    if (pool == Pool::kCpu) return cpu_pool_;
    if (pool == Pool::kRemote) return remote_pool_;
    return db_pool_;
  }

  WorkerPool& db_pool_;
  WorkerPool& cpu_pool_;
  WorkerPool& remote_pool_;
  AccessLog access_log_;
  uint32_t id_prefix_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> open_connections_{0};

 public:
  std::atomic<size_t> open_streams_{0};
};

Server::Server(ServerOptions options, const Router& router, Metrics& metrics, WorkerPool& db_pool,
               WorkerPool& cpu_pool, WorkerPool& remote_pool)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, db_pool, cpu_pool, remote_pool)) {}
Server::~Server() = default;

void BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}
Result<uint16_t> Server::Listen() { return impl_->Listen(); }
void Server::Run() { impl_->Run(); }
void Server::Shutdown() { impl_->BeginShutdown(); }
size_t Server::open_streams() const { return impl_->open_streams_.load(std::memory_order_relaxed); }

}  // namespace vantage::http
