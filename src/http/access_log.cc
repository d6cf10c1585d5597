#include "http/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

namespace vantage::http {

AccessLog::AccessLog(const std::string& target) {
  if (target == "off" || target.empty()) return;
  if (target == "-") {
    fd_ = STDOUT_FILENO;
  } else {
    fd_ = ::open(target.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) throw std::runtime_error("cannot open access log " + target);
    owns_fd_ = true;
  }
  writer_ = std::thread([this] { WriterLoop(); });
}

AccessLog::~AccessLog() {
  if (writer_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    writer_.join();
  }
  if (owns_fd_) ::close(fd_);
}

void AccessLog::Write(std::string_view lines) {
  if (fd_ < 0 || lines.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (pending_.size() + lines.size() > kMaxPending) {
      dropped_ += lines.size();
      return;
    }
    pending_.append(lines);
  }
  cv_.notify_one();
}

void AccessLog::WriterLoop() {
  std::string block;
  uint64_t dropped = 0;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty() && stopping_) return;
      block.swap(pending_);
      dropped = std::exchange(dropped_, 0);
    }
    if (dropped > 0) spdlog::warn("access log: its destination stalled; {} bytes of lines dropped", dropped);
    std::string_view rest = block;
    while (!rest.empty()) {
      ssize_t n = ::write(fd_, rest.data(), rest.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        break;  // a full disk or a closed pipe must not take the server down
      }
      rest.remove_prefix(static_cast<size_t>(n));
    }
    block.clear();
  }
}

}  // namespace vantage::http
