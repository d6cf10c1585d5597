// Server-Sent Events without Beast: the wire format of an event stream
// (text/event-stream) and the bounded queue between the event bus's thread
// and a connection's I/O thread (docs/architecture.md, "Live events").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vantage::http {

// Bytes to write to event streams: an event is formatted once and the same
// text is queued on every connection that sends it (10,000 subscribers hold
// 10,000 pointers, not 10,000 copies).
using SharedText = std::shared_ptr<const std::string>;

// One event as the stream sends it: "id: <id>", "event: <type>" and one
// "data:" line per line of `data` (a line break inside the data would end
// the field otherwise), then a blank line.
std::string FormatSseEvent(int64_t id, std::string_view type, std::string_view data);

// A comment line (": <text>"), which clients ignore: the heartbeat that
// keeps proxies from closing an idle stream.
std::string FormatSseComment(std::string_view text);

// The id a reconnecting client sends (the Last-Event-ID header, or the
// last_event_id query parameter for clients that cannot set headers): a
// non-negative decimal; nullopt when absent, empty or anything else.
std::optional<int64_t> ParseLastEventId(std::string_view text);

// The events waiting to be written to one connection. The bus's thread
// pushes, the connection's thread takes; when the client reads slower than
// events come and `capacity` events are waiting, the queue overflows: it
// takes nothing more, the events it holds are still taken and written, and
// then the connection is to be closed (the client resumes with Last-Event-ID
// and loses nothing). Keeping them makes every reconnect of a client with a
// long backlog move it forward by up to `capacity` events, instead of
// cutting it off again before anything is written. Thread-safe.
class EventQueue {
 public:
  // `wake` is called (without the lock) when the queue goes from empty to not
  // empty, or overflows, or closes (on the pushing or closing thread), and
  // when a Take empties an overflowed queue (on the taking thread: its end
  // is then due).
  EventQueue(size_t capacity, std::function<void()> wake);

  // Queues an event's bytes (shared, not copied); false once overflowed or closed.
  bool Push(SharedText bytes);
  // Everything waiting, in order, into `out` (emptied first; nothing waiting
  // leaves it empty). Overflowed and empty once taken: the stream has ended. The two vectors swap, so each keeps its room for the
  // next turn instead of allocating anew.
  void Take(std::vector<SharedText>& out);
  // Ends the stream (shutdown, the client went away, or its reader lost the
  // right to read it): what waits and later pushes are dropped.
  void Close();
  // Ends the stream after what waits, as an overflow does: the source has
  // nothing more to give (a Q&A session archived, for its staff).
  void End();

  // Overflowed or ended: nothing more is taken, what waits is still written.
  bool overflowed() const;
  bool closed() const;

 private:
  const size_t capacity_;
  const std::function<void()> wake_;
  mutable std::mutex mu_;
  std::vector<SharedText> waiting_;  // guarded by mu_
  bool overflowed_ = false;          // guarded by mu_
  bool closed_ = false;              // guarded by mu_
};

}  // namespace vantage::http
