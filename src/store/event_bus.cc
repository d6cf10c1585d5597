#include "store/event_bus.h"

#include <algorithm>

namespace vantage::store {

namespace {
// Rows read per query; a topic with more new events is read in turns.
constexpr int kReadBatch = 500;
// Revocations kept in memory for subscribers joining after them; a grant
// checked before the oldest kept is compared with the database's.
constexpr size_t kKeptRevocations = 4096;
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

EventBus::EventBus(Database& db, EventNotifier& notifier, std::chrono::milliseconds poll_interval,
                   Encoder encoder)
    : events_(MakeSqlEventStore(db)), poll_interval_(poll_interval), encoder_(std::move(encoder)) {
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
                                                            std::optional<int64_t> after_id, Deliver deliver,
                                                            std::optional<AccessGrant> grant,
                                                            std::function<void()> revoked) {
  auto subscription = std::make_shared<Subscription>();
  subscription->topic_ = topic;
  subscription->deliver_ = std::move(deliver);
  subscription->after_id_ = after_id;
  subscription->grant_ = grant;
  subscription->revoked_ = std::move(revoked);
  {
    std::lock_guard lock(mu_);
    joining_.push_back(subscription);
  }
  cv_.notify_one();
  return subscription;
}

Result<int64_t> EventBus::LastId(const std::string& topic) {
  {
    std::lock_guard lock(mu_);
    auto it = following_.find(topic);
    if (it != following_.end()) return it->second;
  }
  ++reads_;
  return events_->LastId(topic);
}

BusEvent EventBus::Encode(Event event) const {
  BusEvent out;
  static_cast<Event&>(out) = std::move(event);
  if (encoder_) out.encoded = std::make_shared<const std::string>(encoder_(out));
  return out;
}

// On the bus thread: what LastId answers from memory for `topic` (nothing
// once the bus stops following it).
void EventBus::Publish(const std::string& topic, std::optional<int64_t> last_read) {
  std::lock_guard lock(mu_);
  if (last_read)
    following_[topic] = *last_read;
  else
    following_.erase(topic);
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
      if (topic == kAccessTopic) {
        ReadAccess();
        continue;
      }
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
  following_.clear();
  lock.unlock();
  topics_.clear();
  access_ = Access{};
}

// On the bus thread: the subscriber is given what it missed up to what the
// topic has been read to, then joins the live ones; since both happen here,
// no event falls between them.
void EventBus::Join(const std::shared_ptr<Subscription>& subscription) {
  if (subscription->cancelled()) return;
  if (subscription->grant_) {
    // Revocations since the grant was checked, committed before this join,
    // end it before it is given anything.
    access_.guarded.push_back(subscription);
    if (!ReadAccess() || subscription->cancelled() || RevokedSinceGrant(subscription)) {
      Revoke(subscription);
      return;
    }
  }
  Topic& state = topics_[subscription->topic_];
  if (!state.known) {
    auto last = events_->LastId(subscription->topic_);
    ++reads_;
    // On a database error start from 0: the next read finds what is there
    // (and LastId keeps asking the database until one succeeds).
    state.last_read = last ? *last : 0;
    state.known = true;
    if (last) Publish(subscription->topic_, state.last_read);
  }
  // An id beyond every event written (a database restored from a backup, or
  // an id made up) is taken as the topic's last: otherwise the stream would
  // stay silent until the numbering caught up with it.
  if (subscription->after_id_ && *subscription->after_id_ > state.last_read) {
    auto last = events_->LastId(subscription->topic_);
    ++reads_;
    if (last && *subscription->after_id_ > *last) subscription->after_id_ = *last;
  }
  if (subscription->after_id_ && *subscription->after_id_ < state.last_read) {
    int64_t after = *subscription->after_id_;
    while (after < state.last_read && !subscription->cancelled()) {
      auto missed = events_->Since(subscription->topic_, after, kReadBatch);
      ++reads_;
      if (!missed) {
        // A database error: it joins again at the next poll from where it
        // got to, rather than live with a gap behind it.
        subscription->after_id_ = after;
        rejoining_.push_back(subscription);
        return;
      }
      if (missed->empty()) break;
      // Read after the events, so a revocation committed before any of them is seen.
      if (subscription->grant_ && !ReadAccess()) Revoke(subscription);
      if (subscription->cancelled()) return;
      bool beyond = false;
      for (Event& event : *missed) {
        if (event.id > state.last_read) {
          beyond = true;  // the live reads deliver the rest
          break;
        }
        after = event.id;
        subscription->deliver_(Encode(std::move(event)));
      }
      if (beyond || static_cast<int>(missed->size()) < kReadBatch) break;
    }
  }
  // From here on it is given the live events above both what it has seen
  // and what the topic has been read to: a client resuming after an id this
  // bus has not read yet (seen through another server) gets nothing twice.
  subscription->after_id_ = std::max(subscription->after_id_.value_or(0), state.last_read);
  state.subscribers.push_back(subscription);
  ++subscribers_;
}

void EventBus::ReadNew(const std::string& topic, Topic& state) {
  auto& subscribers = state.subscribers;
  auto gone = std::remove_if(subscribers.begin(), subscribers.end(),
                             [](const std::shared_ptr<Subscription>& s) { return s->cancelled(); });
  int64_t removed = subscribers.end() - gone;
  subscribers.erase(gone, subscribers.end());
  if (subscribers.empty()) {
    Publish(topic, std::nullopt);
    topics_.erase(topic);  // read afresh when someone subscribes again
    subscribers_ -= removed;
    return;
  }
  subscribers_ -= removed;
  for (;;) {
    auto events = events_->Since(topic, state.last_read, kReadBatch);
    ++reads_;
    if (!events || events->empty()) break;
    // Revocations committed before these events are read before they are
    // handed out; when they cannot be read, the guarded subscribers end
    // (their readers open the stream again and are authorized afresh).
    bool guarded = std::any_of(subscribers.begin(), subscribers.end(), [](const auto& subscription) {
      return subscription->grant_ && !subscription->cancelled();
    });
    if (guarded && !ReadAccess())
      for (const auto& subscription : subscribers)
        if (subscription->grant_) Revoke(subscription);
    // What LastId answers moves first: a thread woken by a delivery never
    // reads an id older than the event it was given.
    state.last_read = events->back().id;
    Publish(topic, state.last_read);
    for (Event& row : *events) {
      // Encoded once here, shared by every subscriber's queue.
      const BusEvent event = Encode(std::move(row));
      for (const auto& subscription : subscribers)
        if (!subscription->cancelled() && event.id > *subscription->after_id_) subscription->deliver_(event);
    }
    if (static_cast<int>(events->size()) < kReadBatch) break;
  }
}

void EventBus::Poll() {
  std::vector<std::shared_ptr<Subscription>> rejoining;
  rejoining.swap(rejoining_);
  for (const auto& subscription : rejoining) Join(subscription);
  ReadAccess();
  std::vector<std::string> topics;
  for (const auto& [topic, state] : topics_) topics.push_back(topic);
  for (const std::string& topic : topics) {
    auto it = topics_.find(topic);
    if (it != topics_.end()) ReadNew(topic, it->second);
  }
}

bool EventBus::ReadAccess() {
  auto& guarded = access_.guarded;
  guarded.erase(std::remove_if(guarded.begin(), guarded.end(),
                               [](const std::shared_ptr<Subscription>& s) { return s->cancelled(); }),
                guarded.end());
  if (guarded.empty()) {
    if (access_.known) Publish(std::string(kAccessTopic), std::nullopt);
    access_ = Access{};
    return true;
  }
  const std::string topic(kAccessTopic);
  if (!access_.known) {
    auto last = events_->LastId(topic);
    ++reads_;
    if (!last) return false;
    access_.known = true;
    access_.last_read = access_.floor = *last;
    Publish(topic, access_.last_read);
  }
  for (;;) {
    auto events = events_->Since(topic, access_.last_read, kReadBatch);
    ++reads_;
    if (!events) return false;
    if (events->empty()) break;
    for (const Event& event : *events) {
      access_.last_read = event.id;
      auto revocation = DecodeAccessRevocation(event.data);
      if (!revocation) continue;
      access_.recent.emplace_back(event.id, *revocation);
      for (const auto& subscription : guarded)
        if (!subscription->cancelled() && event.id > subscription->grant_->checked_after &&
            Revokes(*revocation, *subscription->grant_))
          Revoke(subscription);
    }
    Publish(topic, access_.last_read);
    if (static_cast<int>(events->size()) < kReadBatch) break;
  }
  while (access_.recent.size() > kKeptRevocations) {
    access_.floor = access_.recent.front().first;
    access_.recent.pop_front();
  }
  return true;
}

bool EventBus::RevokedSinceGrant(const std::shared_ptr<Subscription>& subscription) {
  const AccessGrant& grant = *subscription->grant_;
  // Revocations between the grant and what the bus keeps: from the database.
  for (int64_t after = grant.checked_after; after < access_.floor;) {
    auto events = events_->Since(std::string(kAccessTopic), after, kReadBatch);
    ++reads_;
    if (!events) return true;
    bool beyond = events->empty();  // nothing left below the floor (pruned, or never written)
    for (const Event& event : *events) {
      if (event.id > access_.floor) {
        beyond = true;
        break;
      }
      after = event.id;
      auto revocation = DecodeAccessRevocation(event.data);
      if (revocation && Revokes(*revocation, grant)) return true;
    }
    if (beyond || static_cast<int>(events->size()) < kReadBatch) break;
  }
  for (const auto& [id, revocation] : access_.recent)
    if (id > grant.checked_after && Revokes(revocation, grant)) return true;
  return false;
}

void EventBus::Revoke(const std::shared_ptr<Subscription>& subscription) {
  subscription->Cancel();
  if (auto revoked = std::move(subscription->revoked_)) {
    subscription->revoked_ = nullptr;
    revoked();
  }
}

}  // namespace vantage::store
