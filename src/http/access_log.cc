#include "http/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace vantage::http {

AccessLog::AccessLog(const std::string& target) {
  if (target == "off" || target.empty()) return;
  if (target == "-") {
    fd_ = STDOUT_FILENO;
    return;
  }
  fd_ = ::open(target.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) throw std::runtime_error("cannot open access log " + target);
  owns_fd_ = true;
}

AccessLog::~AccessLog() {
  if (owns_fd_) ::close(fd_);
}

void AccessLog::Write(std::string_view lines) {
  if (fd_ < 0 || lines.empty()) return;
  std::lock_guard lock(mu_);
  while (!lines.empty()) {
    ssize_t n = ::write(fd_, lines.data(), lines.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a full disk or closed pipe must not take the server down
    }
    lines.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace vantage::http
