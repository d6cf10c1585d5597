// The Q&A's live events (service/qa.h) over a real database (SQLite file
// and PostgreSQL) and a real event bus: each change writes its events in its
// transaction with the JSON the REST reads give (api/qa.cc renders them),
// the public topic carries answers, edits and the closing but nothing held,
// the staff topic every question as it arrives, a refused change writes
// nothing, and a resumed subscriber gets exactly what it missed.
#include "service/qa.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <mutex>
#include <thread>

#include "api/api.h"
#include "core/id.h"
#include "core/text.h"
#include "http/router.h"
#include "store/engine_database.h"
#include "store/event_bus.h"
#include "store/organisation_store.h"

namespace vantage::service {
namespace {

namespace json = boost::json;
using store::testing::TempDir;

class Inbox {
 public:
  store::EventBus::Deliver Deliver() {
    return [this](const store::Event& event) {
      std::lock_guard lock(mu_);
      events_.push_back(event);
    };
  }
  std::vector<store::Event> WaitFor(size_t n) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(mu_);
        if (events_.size() >= n) return events_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<store::Event> events_;
};

std::vector<std::string> Types(const std::vector<store::Event>& events) {
  std::vector<std::string> out;
  for (const store::Event& e : events) out.push_back(e.type);
  return out;
}

class QaEventsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = store::testing::OpenEngineDatabase(GetParam(), dir_, pg_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = *opened;
    store_ = store::MakeSqlStore(db_);
    services_ = std::make_unique<ServiceContext>(*store_, Settings{});
    services_->events = &notifier_;
    // The routes install the renderer of the REST reads.
    api_.reset(new api::ApiContext{*services_});
    api::RegisterQaRoutes(router_, *api_);
    bus_ = std::make_unique<store::EventBus>(*db_, notifier_, std::chrono::milliseconds(60'000));

    owner_ = NewAccount("sergeant_staffname");
    asker_ = NewAccount("curious_resident");
    store::Account org;
    org.id = services_->ids.Next();
    org.username = "harbour_police";
    org.display_name = "Harbour Police";
    org.created_at = org.updated_at = NowUnixMs();
    store::AuditEntry entry;
    entry.created_at = org.created_at;
    entry.action = "organisation.created";
    ASSERT_TRUE(store_->organisations().Create(org, owner_, entry).ok());
    org_ = org.id;
  }

  void TearDown() override {
    bus_.reset();
    services_.reset();
    store_.reset();
    if (db_) db_->Close();
  }

  int64_t NewAccount(const std::string& name) {
    store::Account a;
    a.id = services_->ids.Next();
    a.username = name;
    a.email = name + "@example.org";
    a.created_at = a.updated_at = NowUnixMs();
    EXPECT_TRUE(store_->accounts().Create(a).ok());
    return a.id;
  }

  void WaitForSubscribers(int64_t n) {
    for (int i = 0; i < 200 && bus_->subscribers() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(bus_->subscribers(), n);
  }

  TempDir dir_;
  store::testing::TestDatabase pg_;
  std::shared_ptr<store::Database> db_;
  std::unique_ptr<store::Store> store_;
  store::InProcessNotifier notifier_;
  std::unique_ptr<ServiceContext> services_;
  std::unique_ptr<api::ApiContext> api_;
  http::Router router_;
  std::unique_ptr<store::EventBus> bus_;
  int64_t owner_ = 0;
  int64_t asker_ = 0;
  int64_t org_ = 0;
};

TEST_P(QaEventsTest, ChangesWriteTheirEventsAndTheBusDeliversThem) {
  Actor staff{owner_, "127.0.0.1"};
  QaSessionInput input;
  input.title = "Ask the harbour police";
  input.ends_at = FormatIsoTime(NowUnixMs() + 3'600'000);
  input.pseudonym = "Officer A";
  auto session = OpenQaSession(*services_, org_, input, staff);
  ASSERT_TRUE(session.ok()) << session.error().message;

  Inbox live, queue;
  auto a = bus_->Subscribe(QaPublicTopic(session->id), std::nullopt, live.Deliver());
  auto b = bus_->Subscribe(QaQueueTopic(session->id), std::nullopt, queue.Deliver());
  WaitForSubscribers(2);

  auto asker = store_->accounts().FindById(asker_);
  ASSERT_TRUE(asker.ok() && *asker);
  auto question = SubmitQuestion(*services_, session->id, **asker, QuestionInput{"Are the patrols armed?", false},
                                 "192.0.2.1");
  ASSERT_TRUE(question.ok()) << question.error().message;
  auto arrived = queue.WaitFor(1);
  ASSERT_EQ(Types(arrived), std::vector<std::string>{"question"});
  json::value held = json::parse(arrived[0].data);
  EXPECT_EQ(held.at("state").as_string(), "held");
  EXPECT_EQ(held.at("text").as_string(), "Are the patrols armed?");

  ASSERT_TRUE(ApproveQuestion(*services_, session->id, question->id, staff).ok());
  // A refused change writes nothing.
  EXPECT_FALSE(ApproveQuestion(*services_, session->id, question->id, staff).ok());
  ASSERT_TRUE(AnswerQuestion(*services_, session->id, question->id, "Only at night.", true, staff).ok());
  ASSERT_TRUE(EditAnswer(*services_, session->id, question->id, "Only at night, from 22:00.", std::nullopt, staff).ok());
  ASSERT_TRUE(CloseQaSession(*services_, session->id, staff).ok());

  auto events = live.WaitFor(3);
  ASSERT_EQ(Types(events), (std::vector<std::string>{"answer", "answer_edited", "closed"}));
  EXPECT_EQ(events[0].id, 1);
  EXPECT_EQ(events[2].id, 3);
  json::value answer = json::parse(events[1].data);
  EXPECT_EQ(answer.at("answer").at("text").as_string(), "Only at night, from 22:00.");
  EXPECT_EQ(answer.at("answer").at("name").as_string(), "Officer A");
  EXPECT_EQ(answer.at("asker_name").as_string(), "a member of the public");
  EXPECT_FALSE(answer.as_object().contains("state"));
  for (const store::Event& e : events) {
    EXPECT_EQ(e.data.find("sergeant_staffname"), std::string::npos) << e.data;
    EXPECT_EQ(e.data.find(std::to_string(owner_)), std::string::npos) << e.data;
  }
  EXPECT_EQ(json::parse(events[2].data).at("state").as_string(), "closed");
  EXPECT_EQ(Types(queue.WaitFor(5)),
            (std::vector<std::string>{"question", "question", "question", "question", "closed"}));

  // Resuming after the first event gives exactly the two after it.
  Inbox resumed;
  auto c = bus_->Subscribe(QaPublicTopic(session->id), 1, resumed.Deliver());
  auto missed = resumed.WaitFor(2);
  ASSERT_EQ(missed.size(), 2u);
  EXPECT_EQ(missed[0].id, 2);
  EXPECT_EQ(missed[1].id, 3);
}

INSTANTIATE_TEST_SUITE_P(Engines, QaEventsTest, ::testing::Values("Sqlite", "Postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vantage::service
