// One line per request, buffered per I/O thread and written in blocks, so the
// request path never waits on the disk or a pipe.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

namespace vantage::http {

class AccessLog {
 public:
  // `target`: "-" for standard output, "off", or a file path (appended to).
  explicit AccessLog(const std::string& target);
  ~AccessLog();
  bool enabled() const { return fd_ >= 0; }
  // Writes a block of complete lines. Thread-safe.
  void Write(std::string_view lines);

 private:
  int fd_ = -1;
  bool owns_fd_ = false;
  std::mutex mu_;
};

}  // namespace vantage::http
