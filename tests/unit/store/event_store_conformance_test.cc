// Live events (store/event_store.h, store/event_bus.h) on every backend that
// instantiates StoreConformanceTest: ids per topic in commit order, events
// that roll back with their change, resuming after an id, pruning that keeps
// the numbering, and a bus that reads each topic's new rows once for all its
// subscribers and hands a resumed subscriber exactly what it missed.
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

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

TEST_P(StoreConformanceTest, TheBusPollsWhenANotificationIsLost) {
  InProcessNotifier notifier;
  EventBus bus(*db_, notifier, std::chrono::milliseconds(100));
  Inbox inbox;
  auto s = bus.Subscribe("qa:9", std::nullopt, inbox.Deliver());
  for (int i = 0; i < 100 && bus.subscribers() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(Append(*db_, "qa:9", "answer").ok());  // written elsewhere: no notification here
  EXPECT_EQ(inbox.WaitFor(1), (std::vector<int64_t>{1}));
}

}  // namespace
}  // namespace vantage::store::testing
