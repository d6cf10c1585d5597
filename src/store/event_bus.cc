#include "store/event_bus.h"

#include <algorithm>

namespace vantage::store {

namespace {
// Rows read per query; a topic with more new events is read in turns.
constexpr int kReadBatch = 500;
}  // namespace

void InProcessNotifier::Notify(const std::string& topic, int64_t id) {
  Listener listener;
  {
    std::lock_guard lock(mu_);
    listener = listener_;
  }
  if (listener) listener(topic, id);
}

void InProcessNotifier::Listen(Listener listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

EventBus::EventBus(Database& db, EventNotifier& notifier, std::chrono::milliseconds poll_interval)
    : events_(MakeSqlEventStore(db)), poll_interval_(poll_interval) {
  notifier.Listen([this](const std::string& topic, int64_t id) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      int64_t& told = notified_[topic];
      told = std::max(told, id);
    }
    cv_.notify_one();
  });
  thread_ = std::thread([this] { Run(); });
}

EventBus::~EventBus() { Stop(); }

void EventBus::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::shared_ptr<EventBus::Subscription> EventBus::Subscribe(const std::string& topic,
                                                            std::optional<int64_t> after_id, Deliver deliver) {
  auto subscription = std::make_shared<Subscription>();
  subscription->topic_ = topic;
  subscription->deliver_ = std::move(deliver);
  subscription->after_id_ = after_id;
  {
    std::lock_guard lock(mu_);
    joining_.push_back(subscription);
  }
  cv_.notify_one();
  return subscription;
}

void EventBus::Run() {
  auto next_poll = std::chrono::steady_clock::now() + poll_interval_;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_until(lock, next_poll, [this] { return stopping_ || !joining_.empty() || !notified_.empty(); });
    if (stopping_) break;
    std::deque<std::shared_ptr<Subscription>> joining;
    joining.swap(joining_);
    std::map<std::string, int64_t> notified;
    notified.swap(notified_);
    lock.unlock();

    for (const auto& subscription : joining) Join(subscription);
    for (const auto& [topic, id] : notified) {
      auto it = topics_.find(topic);
      // Nobody here listens, or everything up to `id` was read already.
      if (it == topics_.end() || it->second.last_read >= id) continue;
      ReadNew(topic, it->second);
    }
    if (std::chrono::steady_clock::now() >= next_poll) {
      Poll();
      next_poll = std::chrono::steady_clock::now() + poll_interval_;
    }
    lock.lock();
  }
  lock.unlock();
  topics_.clear();
}

// On the bus thread: the subscriber is given what it missed up to what the
// topic has been read to, then joins the live ones; since both happen here,
// no event falls between them.
void EventBus::Join(const std::shared_ptr<Subscription>& subscription) {
  if (subscription->cancelled()) return;
  Topic& state = topics_[subscription->topic_];
  if (!state.known) {
    auto last = events_->LastId(subscription->topic_);
    ++reads_;
    // On a database error start from 0: the next read finds what is there.
    state.last_read = last ? *last : 0;
    state.known = true;
  }
  if (subscription->after_id_ && *subscription->after_id_ < state.last_read) {
    int64_t after = *subscription->after_id_;
    while (after < state.last_read && !subscription->cancelled()) {
      auto missed = events_->Since(subscription->topic_, after, kReadBatch);
      ++reads_;
      if (!missed || missed->empty()) break;
      for (const Event& event : *missed) {
        if (event.id > state.last_read) break;
        subscription->deliver_(event);
        after = event.id;
      }
      if (static_cast<int>(missed->size()) < kReadBatch) break;
    }
  }
  state.subscribers.push_back(subscription);
  ++subscribers_;
}

void EventBus::ReadNew(const std::string& topic, Topic& state) {
  auto& subscribers = state.subscribers;
  auto gone = std::remove_if(subscribers.begin(), subscribers.end(),
                             [](const std::shared_ptr<Subscription>& s) { return s->cancelled(); });
  subscribers_ -= subscribers.end() - gone;
  subscribers.erase(gone, subscribers.end());
  if (subscribers.empty()) {
    topics_.erase(topic);  // read afresh when someone subscribes again
    return;
  }
  for (;;) {
    auto events = events_->Since(topic, state.last_read, kReadBatch);
    ++reads_;
    if (!events || events->empty()) return;
    for (const Event& event : *events) {
      for (const auto& subscription : subscribers)
        if (!subscription->cancelled()) subscription->deliver_(event);
      state.last_read = event.id;
    }
    if (static_cast<int>(events->size()) < kReadBatch) return;
  }
}

void EventBus::Poll() {
  std::vector<std::string> topics;
  for (const auto& [topic, state] : topics_) topics.push_back(topic);
  for (const std::string& topic : topics) {
    auto it = topics_.find(topic);
    if (it != topics_.end()) ReadNew(topic, it->second);
  }
}

}  // namespace vantage::store
