// The event bus: fans the events of store/event_store.h out to this
// server's subscribers (docs/architecture.md, "Live events").
//
// A change writes its events in its own transaction; after it commits, the
// writer tells the notifier which topics have new rows. The notifier is the
// transport between servers: InProcessNotifier reaches only this process;
// another carries the same calls between servers (PostgreSQL LISTEN/NOTIFY),
// and nothing else changes. On a notification the bus reads the topic's new
// rows once, whatever the number of subscribers, and hands each event to
// every subscriber of the topic. A topic nobody here subscribes to is not
// read. The bus also re-reads its topics every `poll_interval`, so a lost
// notification (or another server's write, before a transport carries them)
// delays events without losing them.
//
// Subscribers are called on the bus's own thread, one event at a time in id
// order, and must not block (queue the event and return). An event is
// encoded once for all of them (the bus's Encoder, e.g. the event-stream
// text), and they share that text rather than each making a copy.
//
// A subscriber that reads as someone (an AccessGrant) is revoked when a
// change takes that right away (store/access_events.h): the bus reads the
// access topic after reading any events for such subscribers and before
// handing them out, so an event committed after a revocation never reaches
// a subscriber it names (the event's read saw it committed, so the access
// read after it sees the revocation that committed before). Revoked
// subscribers are cancelled and told once; the access topic is also read
// at every poll, so a revoked subscriber of a quiet topic is told within
// the poll interval, or at once when the revoking server notifies it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/access_events.h"
#include "store/event_store.h"
#include "store/sql.h"

namespace vantage::store {

// Tells every server's bus that a topic has events up to `id`.
class EventNotifier {
 public:
  using Listener = std::function<void(const std::string& topic, int64_t id)>;
  virtual ~EventNotifier() = default;
  // After the change that wrote the event has committed. Never blocks on
  // the listeners.
  virtual void Notify(const std::string& topic, int64_t id) = 0;
  // Sets the one listener (the bus); called on any thread.
  virtual void Listen(Listener listener) = 0;
};

// Notifications within this process only.
class InProcessNotifier final : public EventNotifier {
 public:
  void Notify(const std::string& topic, int64_t id) override;
  void Listen(Listener listener) override;

 private:
  std::mutex mu_;
  Listener listener_;  // guarded by mu_
};

// An event as the bus hands it to its subscribers: the row, and its encoding
// made once by the bus's encoder and shared by every subscriber (null when
// the bus has no encoder).
struct BusEvent : Event {
  std::shared_ptr<const std::string> encoded;
};

class EventBus {
 public:
  using Deliver = std::function<void(const BusEvent& event)>;
  using Encoder = std::function<std::string(const Event& event)>;

  // A subscriber's handle: Cancel (or destroying the last copy) ends the
  // deliveries; the bus forgets it at its next turn.
  class Subscription {
   public:
    void Cancel() { cancelled_ = true; }
    bool cancelled() const { return cancelled_; }

   private:
    friend class EventBus;
    std::string topic_;
    Deliver deliver_;
    std::optional<int64_t> after_id_;
    std::optional<AccessGrant> grant_;
    std::function<void()> revoked_;
    std::atomic<bool> cancelled_{false};
  };

  EventBus(Database& db, EventNotifier& notifier,
           std::chrono::milliseconds poll_interval = std::chrono::milliseconds(2000), Encoder encoder = nullptr);
  ~EventBus();  // Stop()
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  // Subscribes to `topic`. With `after_id`, the events after it that are
  // still kept are delivered first (a resumed stream), then the live ones;
  // without, only events written from now on. No event is delivered twice or
  // skipped between the two.
  //
  // With a `grant`, the subscriber reads as that account: a revocation of
  // it committed after `grant->checked_after` cancels the subscription and
  // calls `revoked` once, on the bus thread (it must not block), before any
  // event committed after the revocation is delivered.
  std::shared_ptr<Subscription> Subscribe(const std::string& topic, std::optional<int64_t> after_id,
                                          Deliver deliver, std::optional<AccessGrant> grant = std::nullopt,
                                          std::function<void()> revoked = nullptr);

  // The topic's last event id, for a stream that starts "from now on": what
  // the bus has read of the topic when it follows it already (no query; it
  // may lag the database by events not read yet, which the subscriber is
  // then given: an event from just before, never a gap), else the
  // database's. Any thread.
  Result<int64_t> LastId(const std::string& topic);

  // Ends the bus thread; later notifications are ignored. Idempotent.
  void Stop();

  // Reads of the events table so far (tests: one per event batch per topic).
  int64_t reads() const { return reads_.load(); }
  int64_t subscribers() const { return subscribers_.load(); }

 private:
  struct Topic {
    bool known = false;
    int64_t last_read = 0;
    std::vector<std::shared_ptr<Subscription>> subscribers;
  };

  // What the bus has read of kAccessTopic, while any subscriber has a grant.
  struct Access {
    bool known = false;
    int64_t last_read = 0;
    // The revocations read, oldest first: every one after `floor`.
    std::deque<std::pair<int64_t, AccessRevocation>> recent;
    int64_t floor = 0;
    std::vector<std::shared_ptr<Subscription>> guarded;  // subscribers with a grant
  };

  void Run();
  void Join(const std::shared_ptr<Subscription>& subscription);
  // Reads the revocations committed since the last read and revokes the
  // subscribers they name (nothing to read without guarded subscribers).
  // False when the database could not be read.
  bool ReadAccess();
  // Whether a revocation after the grant's checked_after names
  // `subscription`. A database error counts as one: the stream ends and its
  // reader opens it again.
  bool RevokedSinceGrant(const std::shared_ptr<Subscription>& subscription);
  void Revoke(const std::shared_ptr<Subscription>& subscription);
  void ReadNew(const std::string& topic, Topic& state);
  void Poll();
  BusEvent Encode(Event event) const;
  void Publish(const std::string& topic, std::optional<int64_t> last_read);

  std::unique_ptr<EventStore> events_;
  std::chrono::milliseconds poll_interval_;
  Encoder encoder_;
  std::atomic<int64_t> reads_{0};
  std::atomic<int64_t> subscribers_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                                   // guarded by mu_
  std::deque<std::shared_ptr<Subscription>> joining_;      // guarded by mu_
  std::map<std::string, int64_t> notified_;                // guarded by mu_: topic -> highest id told
  std::map<std::string, int64_t> following_;               // guarded by mu_: topic -> last id read, once known

  std::map<std::string, Topic> topics_;  // the bus thread's alone
  Access access_;                        // the bus thread's alone
  // Subscribers whose catching up met a database error: joined again at the
  // next poll. The bus thread's alone.
  std::vector<std::shared_ptr<Subscription>> rejoining_;
  std::thread thread_;
};

}  // namespace vantage::store
