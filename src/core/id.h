// 64-bit time-ordered ids.
//
// Layout (most significant first): 1 zero bit, 41 bits of milliseconds since
// 2024-01-01T00:00:00Z (good until 2093), 10 bits of shard (an instance or
// server number, 0..1023), 12 bits of sequence within the millisecond. Ids
// compare in creation order across servers to the millisecond, which is what
// cursor pagination needs. They travel as decimal strings in JSON.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vantage {

class IdGenerator {
 public:
  static constexpr int64_t kEpochMs = 1704067200000;  // 2024-01-01T00:00:00Z

  explicit IdGenerator(int shard = 0);

  // Thread-safe; never returns the same id twice in one process, and ids grow.
  int64_t Next();

  // The smallest id that could have been generated at `unix_ms`: for "since" queries.
  static int64_t FloorForTime(int64_t unix_ms);
  static int64_t UnixMs(int64_t id);

 private:
  int64_t shard_;
  std::atomic<int64_t> last_{0};  // last (ms << 12 | seq) handed out
};

// Parses a decimal id as sent by clients; nullopt for anything else.
std::optional<int64_t> ParseId(std::string_view text);

int64_t NowUnixMs();

}  // namespace vantage
