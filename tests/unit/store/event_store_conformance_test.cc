// Live events (store/event_store.h, store/event_bus.h) on every backend that
// instantiates StoreConformanceTest: ids per topic in commit order, events
// that roll back with their change, resuming after an id, pruning that keeps
// the numbering, and a bus that reads each topic's new rows once for all its
// subscribers and hands a resumed subscriber exactly what it missed, and
// that ends a subscriber whose right to read is revoked before it is given
// anything committed after the revocation.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "store/access_events.h"
#include "store/event_bus.h"
#include "store/event_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

Result<int64_t> Append(Database& db, const std::string& topic, const std::string& type, int64_t now = 1000) {
  int64_t id = 0;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto appended = AppendEventOn(conn, topic, type, "{\"n\":1}", now);
    if (!appended) return std::move(appended).error();
    id = *appended;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return id;
}

// What a subscriber received, safe to read from the test's thread.
class Inbox {
 public:
  EventBus::Deliver Deliver() {
    return [this](const Event& event) {
      std::lock_guard lock(mu_);
      ids_.push_back(event.id);
    };
  }
  std::vector<int64_t> ids() {
    std::lock_guard lock(mu_);
    return ids_;
  }
  // Waits up to 5 s for `n` events.
  std::vector<int64_t> WaitFor(size_t n) {
    for (int i = 0; i < 500 && ids().size() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return ids();
  }

 private:
  std::mutex mu_;
  std::vector<int64_t> ids_;
};

TEST_P(StoreConformanceTest, EventsAreNumberedPerTopicAndRollBackWithTheirChange) {
  auto events = MakeSqlEventStore(*db_);
  EXPECT_EQ(*events->LastId("qa:1"), 0);
  EXPECT_EQ(*Append(*db_, "qa:1", "answer"), 1);
  EXPECT_EQ(*Append(*db_, "qa:1", "answer"), 2);
  EXPECT_EQ(*Append(*db_, "qa:2", "question"), 1);

  // A change that fails takes its event with it, and the number too.
  Status failed = db_->Write([&](Connection& conn) -> Status {
    auto appended = AppendEventOn(conn, "qa:1", "answer", "{}", 2000);
    if (!appended) return std::move(appended).error();
    return Error::Conflict("invalid_transition", "refused");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(*events->LastId("qa:1"), 2);
  EXPECT_EQ(*Append(*db_, "qa:1", "closed", 3000), 3);

  auto since = events->Since("qa:1", 1, 10);
  ASSERT_TRUE(since.ok()) << Describe(since);
  ASSERT_EQ(since->size(), 2u);
  EXPECT_EQ((*since)[0].id, 2);
  EXPECT_EQ((*since)[0].type, "answer");
  EXPECT_EQ((*since)[0].data, "{\"n\":1}");
  EXPECT_EQ((*since)[1].id, 3);
  EXPECT_EQ((*since)[1].type, "closed");
  EXPECT_EQ(events->Since("qa:1", 0, 1)->size(), 1u);

  // Pruning drops old rows but never the numbering.
  auto pruned = events->Prune(2500);
  ASSERT_TRUE(pruned.ok()) << Describe(pruned);
  EXPECT_EQ(*pruned, 3);  // two of qa:1, one of qa:2
  EXPECT_EQ(events->Since("qa:1", 0, 10)->size(), 1u);
  EXPECT_EQ(*events->LastId("qa:1"), 3);
  EXPECT_EQ(*Append(*db_, "qa:1", "answer", 4000), 4);
}

TEST_P(StoreConformanceTest, ConcurrentAppendsToOneTopicGetDistinctIdsInCommitOrder) {
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<int64_t> ids;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto id = Append(*db_, "busy", "tick");
        std::lock_guard lock(mu);
        if (id.ok()) ids.push_back(*id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::sort(ids.begin(), ids.end());
  ASSERT_EQ(ids.size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], static_cast<int64_t>(i + 1));
}

TEST_P(StoreConformanceTest, TheBusReadsATopicOnceForAllItsSubscribers) {
  InProcessNotifier notifier;
  // A long poll: only notifications move events in this test.
  EventBus bus(*db_, notifier, std::chrono::milliseconds(60'000));
  ASSERT_EQ(*Append(*db_, "qa:7", "answer"), 1);  // before anyone listens: not delivered live

  Inbox first, second, other;
  auto a = bus.Subscribe("qa:7", std::nullopt, first.Deliver());
  auto b = bus.Subscribe("qa:7", std::nullopt, second.Deliver());
  auto c = bus.Subscribe("qa:8", std::nullopt, other.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(bus.subscribers(), 3);
  int64_t reads_before = bus.reads();

  for (int i = 0; i < 3; ++i) {
    auto id = Append(*db_, "qa:7", "answer");
    ASSERT_TRUE(id.ok());
    notifier.Notify("qa:7", *id);
  }
  EXPECT_EQ(first.WaitFor(3), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(second.WaitFor(3), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_TRUE(other.ids().empty());
  // At most one read per notification, never one per subscriber.
  EXPECT_LE(bus.reads() - reads_before, 3);
  EXPECT_GE(bus.reads() - reads_before, 1);

  // A notification for a topic nobody here follows reads nothing.
  int64_t reads_now = bus.reads();
  notifier.Notify("qa:unwatched", 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(bus.reads(), reads_now);

  // A resumed subscriber gets exactly what came after its last id, then the live ones.
  Inbox resumed;
  auto d = bus.Subscribe("qa:7", 2, resumed.Deliver());
  EXPECT_EQ(resumed.WaitFor(2), (std::vector<int64_t>{3, 4}));
  auto id = Append(*db_, "qa:7", "closed");
  ASSERT_TRUE(id.ok());
  notifier.Notify("qa:7", *id);
  EXPECT_EQ(resumed.WaitFor(3), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(first.WaitFor(4), (std::vector<int64_t>{2, 3, 4, 5}));

  // A cancelled subscriber gets nothing more.
  a->Cancel();
  id = Append(*db_, "qa:7", "answer");
  notifier.Notify("qa:7", *id);
  EXPECT_EQ(second.WaitFor(5), (std::vector<int64_t>{2, 3, 4, 5, 6}));
  EXPECT_EQ(first.ids(), (std::vector<int64_t>{2, 3, 4, 5}));
  bus.Stop();
}

TEST_P(StoreConformanceTest, TheBusEncodesEachEventOnceForAllItsSubscribers) {
  InProcessNotifier notifier;
  std::atomic<int> encoded{0};
  EventBus bus(*db_, notifier, std::chrono::milliseconds(60'000), [&](const Event& event) {
    ++encoded;
    return "event " + std::to_string(event.id) + " " + event.type;
  });
  std::mutex mu;
  std::vector<std::shared_ptr<const std::string>> texts;
  std::vector<std::shared_ptr<EventBus::Subscription>> subscriptions;
  for (int subscriber_idx = 0; subscriber_idx < 50; ++subscriber_idx) {
    subscriptions.push_back(bus.Subscribe("qa:20", std::nullopt, [&](const BusEvent& event) {
      std::lock_guard lock(mu);
      texts.push_back(event.encoded);
    }));
  }
  for (int i = 0; i < 100 && bus.subscribers() < 50; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(bus.subscribers(), 50);
  auto id = Append(*db_, "qa:20", "answer");
  ASSERT_TRUE(id.ok());
  notifier.Notify("qa:20", *id);
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(mu);
      if (texts.size() >= 50) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(texts.size(), 50u);
  EXPECT_EQ(encoded.load(), 1);
  for (const auto& text : texts) {
    ASSERT_TRUE(text);
    EXPECT_EQ(text.get(), texts.front().get());  // one string, shared
  }
  EXPECT_EQ(*texts.front(), "event " + std::to_string(*id) + " answer");
  bus.Stop();
}

// A stream that starts "from now on" takes the topic's last id from the bus
// when the bus follows the topic already: no query per connection, and an
// event the bus has not read yet is delivered, never skipped.
TEST_P(StoreConformanceTest, TheBusAnswersAFollowedTopicsLastIdFromMemory) {
  InProcessNotifier notifier;
  EventBus bus(*db_, notifier, std::chrono::milliseconds(60'000));
  ASSERT_EQ(*Append(*db_, "qa:30", "answer"), 1);
  int64_t reads_before = bus.reads();
  EXPECT_EQ(*bus.LastId("qa:30"), 1);  // not followed: asks the database
  EXPECT_EQ(bus.reads(), reads_before + 1);

  Inbox first;
  auto a = bus.Subscribe("qa:30", 1, first.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto id = Append(*db_, "qa:30", "answer");
  notifier.Notify("qa:30", *id);
  EXPECT_EQ(first.WaitFor(1), (std::vector<int64_t>{2}));
  reads_before = bus.reads();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(*bus.LastId("qa:30"), 2);
  EXPECT_EQ(bus.reads(), reads_before);

  // Written but not read by the bus yet (no notification): the bus's answer
  // lags, and a stream started from it is given the event.
  ASSERT_EQ(*Append(*db_, "qa:30", "answer"), 3);
  int64_t from_now = *bus.LastId("qa:30");
  EXPECT_EQ(from_now, 2);
  Inbox late;
  auto b = bus.Subscribe("qa:30", from_now, late.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  notifier.Notify("qa:30", 3);
  EXPECT_EQ(late.WaitFor(1), (std::vector<int64_t>{3}));
  EXPECT_EQ(first.WaitFor(2), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(*bus.LastId("qa:30"), 3);

  // Once nobody follows the topic, the database answers again.
  a->Cancel();
  b->Cancel();
  id = Append(*db_, "qa:30", "answer");
  notifier.Notify("qa:30", *id);  // the bus finds no subscriber and lets the topic go
  for (int i = 0; i < 100 && bus.subscribers() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(bus.subscribers(), 0);
  reads_before = bus.reads();
  EXPECT_EQ(*bus.LastId("qa:30"), 4);
  EXPECT_EQ(bus.reads(), reads_before + 1);
  bus.Stop();
}

// A client resuming after an id this bus has not read yet (it saw the event
// through another server, or the bus is behind) gets no event twice.
TEST_P(StoreConformanceTest, AResumeAheadOfTheBusGetsNothingTwice) {
  InProcessNotifier notifier;
  EventBus bus(*db_, notifier, std::chrono::milliseconds(60'000));
  Inbox follower;
  auto a = bus.Subscribe("qa:40", std::nullopt, follower.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // Two events the bus is not told about.
  ASSERT_EQ(*Append(*db_, "qa:40", "answer"), 1);
  ASSERT_EQ(*Append(*db_, "qa:40", "answer"), 2);
  Inbox resumed;
  auto b = bus.Subscribe("qa:40", 2, resumed.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto id = Append(*db_, "qa:40", "answer");
  notifier.Notify("qa:40", *id);
  EXPECT_EQ(follower.WaitFor(3), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(resumed.WaitFor(1), (std::vector<int64_t>{3}));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(resumed.ids(), (std::vector<int64_t>{3}));
  bus.Stop();
}

TEST_P(StoreConformanceTest, AResumeAfterAnIdNeverWrittenGetsTheNextEvents) {
  // An id beyond the topic's numbering (a database restored from a backup,
  // or an id made up) is taken as the last one: the stream is not silent.
  InProcessNotifier notifier;
  EventBus bus(*db_, notifier, std::chrono::milliseconds(60'000));
  ASSERT_EQ(*Append(*db_, "qa:41", "answer"), 1);
  Inbox fresh;  // the bus does not follow the topic yet
  auto a = bus.Subscribe("qa:41", 500, fresh.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  Inbox later;  // the bus follows it now
  auto b = bus.Subscribe("qa:41", 9'000'000, later.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto id = Append(*db_, "qa:41", "answer");
  notifier.Notify("qa:41", *id);
  EXPECT_EQ(fresh.WaitFor(1), (std::vector<int64_t>{2}));
  EXPECT_EQ(later.WaitFor(1), (std::vector<int64_t>{2}));
  bus.Stop();
}

TEST_P(StoreConformanceTest, TheBusPollsWhenANotificationIsLost) {
  InProcessNotifier notifier;
  EventBus bus(*db_, notifier, std::chrono::milliseconds(100));
  Inbox inbox;
  auto s = bus.Subscribe("qa:9", std::nullopt, inbox.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(Append(*db_, "qa:9", "answer").ok());  // written elsewhere: no notification here
  EXPECT_EQ(inbox.WaitFor(1), (std::vector<int64_t>{1}));
}

Status Revoke(Database& db, const AccessRevocation& revocation) {
  return db.Write([&](Connection& conn) { return AppendAccessRevokedOn(conn, revocation, 1000); });
}

// How many times a subscriber was told it lost its right to read.
struct Revoked {
  std::atomic<int> times{0};
  std::function<void()> Callback() {
    return [this] { ++times; };
  }
  bool WaitFor() {
    for (int i = 0; i < 500 && times == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return times > 0;
  }
};

AccessGrant Grant(int64_t account, int64_t token, int64_t owner, int64_t checked_after, int64_t acting = 0) {
  return AccessGrant{account, acting, token, owner, checked_after};
}

TEST(AccessEventsTest, RevocationsNameAnAccountAndNarrowByTokenAndOwner) {
  AccessGrant grant = Grant(10, 100, 50, 0, 60);
  EXPECT_TRUE(Revokes({10, 0, 0}, grant));
  EXPECT_TRUE(Revokes({10, 100, 0}, grant));
  EXPECT_TRUE(Revokes({10, 0, 50}, grant));
  EXPECT_TRUE(Revokes({60, 0, 50}, grant));  // the organisation acted as
  EXPECT_FALSE(Revokes({10, 101, 0}, grant));
  EXPECT_FALSE(Revokes({10, 0, 51}, grant));
  EXPECT_FALSE(Revokes({11, 0, 0}, grant));
  EXPECT_FALSE(Revokes({0, 0, 0}, Grant(0, 0, 0, 0)));

  AccessRevocation revocation{123456789012345, 7, 42};
  auto decoded = DecodeAccessRevocation(EncodeAccessRevocation(revocation));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->account_id, revocation.account_id);
  EXPECT_EQ(decoded->token_id, 7);
  EXPECT_EQ(decoded->owner_id, 42);
  EXPECT_FALSE(DecodeAccessRevocation("{}"));
  EXPECT_FALSE(DecodeAccessRevocation("{\"account_id\":\"-1\",\"token_id\":\"0\",\"owner_id\":\"0\"}"));
  EXPECT_FALSE(DecodeAccessRevocation("{\"account_id\":\"1x\",\"token_id\":\"0\",\"owner_id\":\"0\"}"));
}

// The moderator removed from staff kept the queue's held questions coming:
// a revocation committed before an event ends the stream before that event,
// even when only the event's topic was notified.
TEST_P(StoreConformanceTest, ARevokedSubscriberGetsNothingCommittedAfterTheRevocation) {
  InProcessNotifier notifier;
  EventBus bus(*db_, notifier, std::chrono::milliseconds(60'000));
  int64_t checkpoint = *bus.LastId(std::string(kAccessTopic));
  Inbox moderator, colleague, visitor;
  Revoked moderator_revoked, colleague_revoked;
  auto a = bus.Subscribe("qa:5:queue", std::nullopt, moderator.Deliver(), Grant(10, 100, 50, checkpoint),
                         moderator_revoked.Callback());
  auto b = bus.Subscribe("qa:5:queue", std::nullopt, colleague.Deliver(), Grant(11, 110, 50, checkpoint),
                         colleague_revoked.Callback());
  auto c = bus.Subscribe("qa:5:queue", std::nullopt, visitor.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(bus.subscribers(), 3);

  auto first = Append(*db_, "qa:5:queue", "question");
  notifier.Notify("qa:5:queue", *first);
  EXPECT_EQ(moderator.WaitFor(1), (std::vector<int64_t>{1}));

  // Another token of the moderator, another organisation: not theirs.
  ASSERT_TRUE(Revoke(*db_, {10, 101, 0}).ok());
  ASSERT_TRUE(Revoke(*db_, {10, 0, 51}).ok());
  // Removed from this organisation's staff; then a held question comes.
  ASSERT_TRUE(Revoke(*db_, {10, 0, 50}).ok());
  auto second = Append(*db_, "qa:5:queue", "question");
  notifier.Notify("qa:5:queue", *second);  // the revocation is never notified
  EXPECT_EQ(colleague.WaitFor(2), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(visitor.WaitFor(2), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(moderator.ids(), (std::vector<int64_t>{1}));
  EXPECT_EQ(moderator_revoked.times, 1);
  EXPECT_TRUE(a->cancelled());
  EXPECT_EQ(colleague_revoked.times, 0);
  bus.Stop();
}

// A right taken away between the check and the subscription still ends it,
// before any missed event is replayed.
TEST_P(StoreConformanceTest, ARevocationBeforeTheJoinEndsTheSubscriberAtOnce) {
  InProcessNotifier notifier;
  EventBus bus(*db_, notifier, std::chrono::milliseconds(60'000));
  ASSERT_TRUE(Append(*db_, "qa:6", "answer").ok());
  int64_t checkpoint = *MakeSqlEventStore(*db_)->LastId(std::string(kAccessTopic));
  ASSERT_TRUE(Revoke(*db_, {20, 200, 0}).ok());  // the token is revoked as the stream opens
  Inbox blocked, other;
  Revoked revoked, other_revoked;
  auto a = bus.Subscribe("qa:6", 0, blocked.Deliver(), Grant(20, 200, 70, checkpoint), revoked.Callback());
  // Granted after the revocation: not ended by it.
  auto b = bus.Subscribe("qa:6", 0, other.Deliver(), Grant(20, 201, 70, checkpoint + 1), other_revoked.Callback());
  EXPECT_TRUE(revoked.WaitFor());
  EXPECT_EQ(other.WaitFor(1), (std::vector<int64_t>{1}));
  EXPECT_TRUE(blocked.ids().empty());
  EXPECT_EQ(other_revoked.times, 0);
  bus.Stop();
}

// A quiet stream ends too: the bus reads the access topic when told, and at
// every poll.
TEST_P(StoreConformanceTest, ARevokedSubscriberOfAQuietTopicIsToldAtOnceOrAtThePoll) {
  InProcessNotifier notifier;
  EventBus bus(*db_, notifier, std::chrono::milliseconds(60'000));
  int64_t checkpoint = *bus.LastId(std::string(kAccessTopic));
  Inbox quiet;
  Revoked told;
  auto a = bus.Subscribe("qa:7", std::nullopt, quiet.Deliver(), Grant(30, 300, 0, checkpoint), told.Callback());
  for (int i = 0; i < 100 && bus.subscribers() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(Revoke(*db_, {30, 0, 0}).ok());
  notifier.Notify(std::string(kAccessTopic), 0);
  EXPECT_TRUE(told.WaitFor());
  bus.Stop();

  EventBus polling(*db_, notifier, std::chrono::milliseconds(100));
  checkpoint = *polling.LastId(std::string(kAccessTopic));
  Inbox also_quiet;
  Revoked polled;
  auto b = polling.Subscribe("qa:8", std::nullopt, also_quiet.Deliver(), Grant(31, 310, 0, checkpoint),
                             polled.Callback());
  for (int i = 0; i < 100 && polling.subscribers() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(Revoke(*db_, {31, 310, 0}).ok());  // revoked on another server: no notification here
  EXPECT_TRUE(polled.WaitFor());
  polling.Stop();
}

// A grant checked before the revocations the bus keeps in memory is compared
// with the database's.
TEST_P(StoreConformanceTest, AGrantOlderThanTheRevocationsKeptIsCheckedInTheDatabase) {
  InProcessNotifier notifier;
  EventBus bus(*db_, notifier, std::chrono::milliseconds(60'000));
  int64_t checkpoint = *bus.LastId(std::string(kAccessTopic));
  // Someone else's stream keeps the bus reading the access topic.
  Inbox bystander;
  Revoked bystander_revoked;
  auto a = bus.Subscribe("qa:50", std::nullopt, bystander.Deliver(), Grant(99, 990, 0, checkpoint),
                         bystander_revoked.Callback());
  for (int i = 0; i < 100 && bus.subscribers() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(Revoke(*db_, {40, 0, 0}).ok());
  ASSERT_TRUE(db_->Write([&](Connection& conn) -> Status {
    for (int i = 0; i < 4200; ++i) VANTAGE_TRY(AppendAccessRevokedOn(conn, {41, 0, 0}, 1000));
    return Ok();
  }).ok());
  notifier.Notify(std::string(kAccessTopic), 0);
  // The bus has read past the first revocation: it is no longer in memory.
  for (int i = 0; i < 500 && *bus.LastId(std::string(kAccessTopic)) < checkpoint + 4201; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(*bus.LastId(std::string(kAccessTopic)), checkpoint + 4201);
  Inbox late;
  Revoked told;
  auto b = bus.Subscribe("qa:50", 0, late.Deliver(), Grant(40, 400, 0, checkpoint), told.Callback());
  EXPECT_TRUE(told.WaitFor());
  EXPECT_EQ(bystander_revoked.times, 0);
  bus.Stop();
}

}  // namespace
}  // namespace vantage::store::testing
