#include "http/event_stream.h"

#include <charconv>

namespace vantage::http {

std::string FormatSseEvent(int64_t id, std::string_view type, std::string_view data) {
  std::string out = "id: " + std::to_string(id) + "\nevent: ";
  // The type is ours, but a line break in it would forge a field.
  for (char c : type) out += (c == '\n' || c == '\r') ? ' ' : c;
  out += '\n';
  size_t start = 0;
  for (;;) {
    size_t end = data.find_first_of("\r\n", start);
    out += "data: ";
    out.append(data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    out += '\n';
    if (end == std::string_view::npos) break;
    // CRLF counts as one line break, as the format says.
    start = end + ((data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n') ? 2 : 1);
  }
  out += '\n';
  return out;
}

std::string FormatSseComment(std::string_view text) {
  std::string out = ": ";
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out + "\n\n";
}

std::optional<int64_t> ParseLastEventId(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

EventQueue::EventQueue(size_t capacity, std::function<void()> wake)
    : capacity_(capacity), wake_(std::move(wake)) {}

bool EventQueue::Push(SharedText bytes) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (closed_ || overflowed_) return false;
    if (waiting_.size() >= capacity_) {
      overflowed_ = true;  // what waits is still written, then the stream ends
      wake = true;
    } else {
      wake = waiting_.empty();
      waiting_.push_back(std::move(bytes));
    }
  }
  if (wake && wake_) wake_();
  return !overflowed();
}

void EventQueue::Take(std::vector<SharedText>& out) {
  out.clear();
  bool ending = false;
  {
    std::lock_guard lock(mu_);
    out.swap(waiting_);
    ending = overflowed_ && !out.empty();
  }
  if (ending && wake_) wake_();
}

void EventQueue::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    waiting_ = {};
  }
  if (wake_) wake_();
}

void EventQueue::End() {
  {
    std::lock_guard lock(mu_);
    if (closed_ || overflowed_) return;
    overflowed_ = true;
  }
  if (wake_) wake_();
}

bool EventQueue::overflowed() const {
  std::lock_guard lock(mu_);
  return overflowed_;
}

bool EventQueue::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

}  // namespace vantage::http
