#include "service/rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace vantage::service {

namespace {
// Bounds memory under a flood of distinct keys: past kSweepAt keys, expired
// windows are swept (at most once a second, so a large live table does not
// make every hit a full scan); past kMaxKeys live keys the table is cleared,
// which forgets some counts rather than growing without end.
constexpr size_t kSweepAt = 100000;
constexpr size_t kMaxKeys = 1000000;
}  // namespace

std::string AddressKey(const std::string& ip) {
  unsigned char bytes[16];
  if (ip.find(':') == std::string::npos || inet_pton(AF_INET6, ip.c_str(), bytes) != 1) return ip;
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char out[64];
  if (std::equal(kMapped, kMapped + 12, bytes)) {
    std::snprintf(out, sizeof out, "%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);
  } else {
    std::snprintf(out, sizeof out, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", bytes[0], bytes[1], bytes[2],
                  bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
  }
  return out;
}

RateLimiter::RateLimiter(int limit, int window_seconds)
    : limit_(limit), window_ms_(static_cast<int64_t>(window_seconds) * 1000) {}

int RateLimiter::Hit(const std::string& key, int64_t now_ms) {
  if (limit_ <= 0) return 0;
  std::lock_guard lock(mu_);
  if (windows_.size() >= kSweepAt && now_ms - last_sweep_ms_ >= 1000) {
    last_sweep_ms_ = now_ms;
    SweepLocked(now_ms);
    if (windows_.size() >= kMaxKeys) windows_.clear();
  }
  auto [it, inserted] = windows_.try_emplace(key, Window{now_ms, 0});
  Window& w = it->second;
  if (now_ms - w.start_ms >= window_ms_) w = Window{now_ms, 0};
  if (w.count >= limit_) return static_cast<int>((w.start_ms + window_ms_ - now_ms + 999) / 1000);
  ++w.count;
  return 0;
}

int RateLimiter::Check(const std::string& key, int64_t now_ms) {
  if (limit_ <= 0) return 0;
  std::lock_guard lock(mu_);
  auto it = windows_.find(key);
  if (it == windows_.end()) return 0;
  const Window& w = it->second;
  if (now_ms - w.start_ms >= window_ms_ || w.count < limit_) return 0;
  return static_cast<int>((w.start_ms + window_ms_ - now_ms + 999) / 1000);
}

void RateLimiter::SweepLocked(int64_t now_ms) {
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now_ms - it->second.start_ms >= window_ms_)
      it = windows_.erase(it);
    else
      ++it;
  }
}

}  // namespace vantage::service
