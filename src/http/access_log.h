// One line per request, buffered per I/O thread and handed in blocks to a
// writer thread of its own, so the request path never waits on a disk or a
// pipe. If the destination stalls and more than kMaxPending bytes pile up,
// further lines are dropped rather than stalling requests, and the drop is
// reported in the server log.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace vantage::http {

class AccessLog {
 public:
  static constexpr size_t kMaxPending = 8 * 1024 * 1024;

  // `target`: "-" for standard output, "off", or a file path (appended to).
  explicit AccessLog(const std::string& target);
  // Writes what is pending, then stops the writer thread.
  ~AccessLog();
  bool enabled() const { return fd_ >= 0; }
  // Queues a block of complete lines. Thread-safe; never blocks on I/O.
  void Write(std::string_view lines);

 private:
  void WriterLoop();

  int fd_ = -1;
  bool owns_fd_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;  // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  uint64_t dropped_ = 0;   // guarded by mu_: bytes dropped since last reported
  std::thread writer_;
};

}  // namespace vantage::http
