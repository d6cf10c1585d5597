// The subscribers of bench/live/run.sh: N Server-Sent Events connections to
// one stream, over plain non-blocking sockets and one epoll loop (one thread,
// so that on a 2-core machine the server keeps the other core).
//
//   live_bench --port PORT --path /api/vantage/v1/qa/ID/stream
//              [--host 127.0.0.1] [--connections 10000] [--rate 1000] [--answers 60]
//
// Connections are opened at --rate per second. Once each has either answered
// 200 with its event-stream head or failed, one line goes to standard output:
//   ready established=N failed=F
// Every `answer` event's data must carry "sent_us=<microseconds since the
// epoch>", written into the answer's text by whoever posted it, at the moment
// it sent the request (the same machine's clock): the delay is the time of
// receipt minus that. The run ends once every established subscriber has
// --answers answers (or has dropped), or on SIGINT/SIGTERM, with one line of
// key=value pairs on standard output: connections established, failed
// (refused, error status, reset before the head) and dropped (closed after
// the head), deliveries expected (connections x answers) and received,
// subscribers that got every answer, duplicated or out-of-order event ids,
// the delay's p50/p90/p99/max in milliseconds, and the CPU seconds this
// process used from "ready" to the end. Progress goes to
// standard error every second.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

int64_t NowMicros() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int64_t MonotonicMicros() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path;
  int connections = 10'000;
  int rate = 1'000;
  int answers = 60;
};

enum class State { kConnecting, kHead, kStreaming, kClosed };

struct Subscriber {
  int fd = -1;
  State state = State::kConnecting;
  size_t request_sent = 0;
  std::string pending;  // input not yet making a whole head or event
  int answers = 0;
  int64_t last_id = 0;
  bool finished = false;  // has every answer, or is closed
};

struct Counts {
  int started = 0;
  int established = 0;
  int failed = 0;
  int dropped = 0;
  int complete = 0;  // subscribers with every answer
  int finished = 0;  // subscribers with every answer or closed: the run ends when all are
  int64_t received = 0;
  int64_t out_of_order = 0;  // an id not above the previous one: a duplicate or a reordering
  int64_t unmarked = 0;      // answer events without sent_us=
  int64_t heartbeats = 0;
  int64_t other_events = 0;
  int statuses_not_200 = 0;
};

class Generator {
 public:
  explicit Generator(Options options) : options_(std::move(options)) {
    request_ = "GET " + options_.path + " HTTP/1.1\r\nHost: " + options_.host + ":" + std::to_string(options_.port) +
               "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n";
    subscribers_.resize(options_.connections);
    delays_us_.reserve(static_cast<size_t>(options_.connections) * options_.answers);
    address_.sin_family = AF_INET;
    address_.sin_port = htons(static_cast<uint16_t>(options_.port));
    inet_pton(AF_INET, options_.host.c_str(), &address_.sin_addr);
  }

  int Run() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    int signal_fd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    epoll_event signal_event{};
    signal_event.events = EPOLLIN;
    signal_event.data.u64 = kSignalTag;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, signal_fd, &signal_event);

    const int64_t started_at = MonotonicMicros();
    int64_t next_progress = started_at + 1'000'000;
    bool ready_said = false;
    std::vector<epoll_event> events(1024);
    std::vector<char> scratch(64 * 1024);
    for (;;) {
      int64_t now = MonotonicMicros();
      // The ramp: as many connections started as the rate allows by now.
      int64_t due = std::min<int64_t>(options_.connections,
                                      (now - started_at) * options_.rate / 1'000'000 + 1);
      while (counts_.started < due) Start(counts_.started++);

      if (!ready_said && counts_.established + counts_.failed == options_.connections) {
        std::printf("ready established=%d failed=%d\n", counts_.established, counts_.failed);
        std::fflush(stdout);
        ready_said = true;
        cpu_at_ready_ = CpuSeconds();
      }
      if (ready_said && options_.answers > 0 &&
          counts_.finished >= options_.connections)
        break;
      if (now >= next_progress) {
        Progress();
        next_progress = now + 1'000'000;
      }

      int timeout_ms = counts_.started < options_.connections ? 1 : 100;
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), timeout_ms);
      if (n < 0 && errno != EINTR) {
        std::perror("live_bench: epoll_wait");
        return 1;
      }
      bool stop = false;
      for (int event_idx = 0; event_idx < n; ++event_idx) {
        const epoll_event& event = events[event_idx];
        if (event.data.u64 == kSignalTag) {
          stop = true;
          continue;
        }
        Subscriber& s = subscribers_[event.data.u64];
        if (s.state == State::kConnecting) {
          OnWritable(s);
          if (s.state == State::kConnecting || s.state == State::kClosed) continue;
        }
        if (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) OnReadable(s, scratch);
      }
      if (stop) break;
    }
    Progress();
    Report();
    return 0;
  }

 private:
  static constexpr uint64_t kSignalTag = ~uint64_t{0};

  void Start(int index) {
    Subscriber& s = subscribers_[index];
    s.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) {
      Fail(s, "socket");
      return;
    }
    int one = 1;
    setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(s.fd, reinterpret_cast<const sockaddr*>(&address_), sizeof address_) != 0 && errno != EINPROGRESS) {
      Fail(s, "connect");
      return;
    }
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLIN;
    event.data.u64 = static_cast<uint64_t>(index);
    epoll_ctl(epoll_, EPOLL_CTL_ADD, s.fd, &event);
  }

  // Connected (or refused): send the request, then only read.
  void OnWritable(Subscriber& s) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      errno = error;
      Fail(s, "connect");
      return;
    }
    while (s.request_sent < request_.size()) {
      ssize_t n = write(s.fd, request_.data() + s.request_sent, request_.size() - s.request_sent);
      if (n < 0) {
        if (errno == EAGAIN) return;
        Fail(s, "write");
        return;
      }
      s.request_sent += static_cast<size_t>(n);
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = static_cast<uint64_t>(&s - subscribers_.data());
    epoll_ctl(epoll_, EPOLL_CTL_MOD, s.fd, &event);
    s.state = State::kHead;
  }

  void OnReadable(Subscriber& s, std::vector<char>& scratch) {
    for (;;) {
      ssize_t n = read(s.fd, scratch.data(), scratch.size());
      if (n > 0) {
        s.pending.append(scratch.data(), static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EAGAIN) break;
      // The end of the stream, or an error: what was read so far still counts.
      Consume(s);
      if (s.state == State::kStreaming) {
        ++counts_.dropped;
        Close(s);
      } else if (s.state != State::kClosed) {
        Fail(s, n == 0 ? "closed before the head" : "read");
      }
      return;
    }
    Consume(s);
  }

  void Consume(Subscriber& s) {
    if (s.state == State::kHead) {
      size_t end = s.pending.find("\r\n\r\n");
      if (end == std::string::npos) return;
      std::string_view head(s.pending.data(), end);
      // "HTTP/1.1 200 OK"
      if (head.size() < 12 || head.substr(9, 3) != "200") {
        ++counts_.statuses_not_200;
        Fail(s, "status");
        return;
      }
      s.pending.erase(0, end + 4);
      s.state = State::kStreaming;
      ++counts_.established;
    }
    if (s.state != State::kStreaming) return;
    size_t start = 0;
    for (;;) {
      size_t end = s.pending.find("\n\n", start);
      if (end == std::string::npos) break;
      OnEvent(s, std::string_view(s.pending).substr(start, end - start));
      start = end + 2;
    }
    s.pending.erase(0, start);
  }

  // One event block: "id: n", "event: type", "data: ..." lines, or a comment.
  void OnEvent(Subscriber& s, std::string_view block) {
    int64_t received_at = NowMicros();
    std::string_view type;
    int64_t id = -1;
    bool marked = false;
    int64_t sent_us = 0;
    bool comment_only = true;
    while (!block.empty()) {
      size_t line_end = block.find('\n');
      std::string_view line = block.substr(0, line_end);
      block = line_end == std::string_view::npos ? std::string_view() : block.substr(line_end + 1);
      if (line.empty() || line.front() == ':') continue;
      comment_only = false;
      if (line.starts_with("id: ")) {
        std::from_chars(line.data() + 4, line.data() + line.size(), id);
      } else if (line.starts_with("event: ")) {
        type = line.substr(7);
      } else if (line.starts_with("data: ")) {
        static constexpr std::string_view kMark = "sent_us=";
        size_t at = line.find(kMark);
        if (at != std::string_view::npos) {
          const char* digits = line.data() + at + kMark.size();
          marked = std::from_chars(digits, line.data() + line.size(), sent_us).ec == std::errc();
        }
      }
    }
    if (comment_only) {
      ++counts_.heartbeats;
      return;
    }
    if (id <= s.last_id) ++counts_.out_of_order;
    if (id > s.last_id) s.last_id = id;
    if (type != "answer") {
      ++counts_.other_events;
      return;
    }
    if (!marked) {
      ++counts_.unmarked;
      return;
    }
    ++counts_.received;
    delays_us_.push_back(received_at - sent_us);
    if (++s.answers == options_.answers) {
      ++counts_.complete;
      Finish(s);
    }
  }

  void Fail(Subscriber& s, const char* what) {
    if (failures_reported_ < 5) {
      std::fprintf(stderr, "live_bench: connection failed (%s): %s\n", what,
                   std::strcmp(what, "status") == 0 ? s.pending.substr(0, s.pending.find("\r\n")).c_str()
                                                    : std::strerror(errno));
      ++failures_reported_;
    }
    ++counts_.failed;
    Close(s);
  }

  void Finish(Subscriber& s) {
    if (s.finished) return;
    s.finished = true;
    ++counts_.finished;
  }

  void Close(Subscriber& s) {
    Finish(s);
    if (s.fd >= 0) close(s.fd);  // also leaves the epoll set
    s.fd = -1;
    s.state = State::kClosed;
    s.pending.clear();
    s.pending.shrink_to_fit();
  }

  void Progress() const {
    std::fprintf(stderr,
                 "live_bench: started=%d established=%d failed=%d dropped=%d deliveries=%lld complete=%d\n",
                 counts_.started, counts_.established, counts_.failed, counts_.dropped,
                 static_cast<long long>(counts_.received), counts_.complete);
  }

  void Report() {
    std::sort(delays_us_.begin(), delays_us_.end());
    auto percentile = [&](double p) -> double {
      if (delays_us_.empty()) return 0;
      size_t rank = static_cast<size_t>(p * static_cast<double>(delays_us_.size()) + 0.999999);
      rank = std::clamp<size_t>(rank, 1, delays_us_.size());
      return static_cast<double>(delays_us_[rank - 1]) / 1000.0;
    };
    long long expected = static_cast<long long>(options_.connections) * options_.answers;
    std::printf(
        "connections=%d established=%d failed=%d dropped=%d answers=%d deliveries_expected=%lld "
        "deliveries_received=%lld complete_subscribers=%d out_of_order=%lld unmarked=%lld heartbeats=%lld "
        "other_events=%lld p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f cpu_s_after_ready=%.2f\n",
        options_.connections, counts_.established, counts_.failed, counts_.dropped, options_.answers, expected,
        static_cast<long long>(counts_.received), counts_.complete, static_cast<long long>(counts_.out_of_order),
        static_cast<long long>(counts_.unmarked), static_cast<long long>(counts_.heartbeats),
        static_cast<long long>(counts_.other_events), percentile(0.50), percentile(0.90), percentile(0.99),
        delays_us_.empty() ? 0.0 : static_cast<double>(delays_us_.back()) / 1000.0,
        cpu_at_ready_ < 0 ? 0.0 : CpuSeconds() - cpu_at_ready_);
    std::fflush(stdout);
  }

  Options options_;
  std::string request_;
  sockaddr_in address_{};
  int epoll_ = -1;
  std::vector<Subscriber> subscribers_;
  std::vector<int64_t> delays_us_;
  Counts counts_;
  int failures_reported_ = 0;
  double cpu_at_ready_ = -1;
};

int Usage() {
  std::fprintf(stderr,
               "usage: live_bench --port PORT --path PATH [--host 127.0.0.1] [--connections 10000] "
               "[--rate 1000] [--answers 60]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    std::string_view name = argv[arg_idx];
    if (arg_idx + 1 >= argc) return Usage();
    const char* value = argv[++arg_idx];
    if (name == "--host") options.host = value;
    else if (name == "--port") options.port = std::atoi(value);
    else if (name == "--path") options.path = value;
    else if (name == "--connections") options.connections = std::atoi(value);
    else if (name == "--rate") options.rate = std::atoi(value);
    else if (name == "--answers") options.answers = std::atoi(value);
    else return Usage();
  }
  if (options.port <= 0 || options.path.empty() || options.connections <= 0 || options.rate <= 0 ||
      options.answers < 0)
    return Usage();

  // One descriptor per subscriber: take the hard limit.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < static_cast<rlim_t>(options.connections) + 64) {
    std::fprintf(stderr, "live_bench: %d connections need more descriptors than the limit of %llu\n",
                 options.connections, static_cast<unsigned long long>(limit.rlim_cur));
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  return Generator(std::move(options)).Run();
}
