#include "core/id.h"

#include <charconv>
#include <chrono>

namespace vantage {

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

IdGenerator::IdGenerator(int shard) : shard_(shard & 0x3ff) {}

int64_t IdGenerator::Next() {
  int64_t now = (NowUnixMs() - kEpochMs) << 12;
  int64_t last = last_.load(std::memory_order_relaxed);
  int64_t next;
  do {
    // Same or earlier millisecond (or clock stepped back): continue the sequence;
    // overflowing it borrows the next millisecond, which keeps ids unique and ordered.
    next = now > last ? now : last + 1;
  } while (!last_.compare_exchange_weak(last, next, std::memory_order_relaxed));
  int64_t ms = next >> 12, seq = next & 0xfff;
  return (ms << 22) | (shard_ << 12) | seq;
}

int64_t IdGenerator::FloorForTime(int64_t unix_ms) {
  int64_t ms = unix_ms - kEpochMs;
  return ms < 0 ? 0 : ms << 22;
}

int64_t IdGenerator::UnixMs(int64_t id) { return (id >> 22) + kEpochMs; }

std::optional<int64_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace vantage
