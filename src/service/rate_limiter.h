// Fixed-window counters keyed by a string (an IP, an account), in memory.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vantage::service {

// The key a per-address limit counts `ip` under: an IPv4 address as it is
// (also when written IPv4-mapped, ::ffff:a.b.c.d); an IPv6 address by its
// /64, the block one subscriber is given, so that walking through the
// addresses of one's own network does not multiply the allowance.
std::string AddressKey(const std::string& ip);

class RateLimiter {
 public:
  // At most `limit` hits per `window_seconds` per key; limit 0 disables.
  RateLimiter(int limit, int window_seconds);

  // Records a hit. Returns 0 when allowed, else the seconds until the window
  // resets (the hit is not counted then).
  int Hit(const std::string& key, int64_t now_ms);
  // Whether the key is currently over its limit, without counting a hit.
  int Check(const std::string& key, int64_t now_ms);

 private:
  struct Window {
    int64_t start_ms;
    int count;
  };
  void SweepLocked(int64_t now_ms);

  int limit_;
  int64_t window_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;  // guarded by mu_
  int64_t last_sweep_ms_ = 0;                         // guarded by mu_
};

}  // namespace vantage::service
