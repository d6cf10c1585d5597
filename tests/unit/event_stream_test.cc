// The event-stream wire format and the bounded queue of one connection
// (http/event_stream.h): data with line breaks stays one event, fields
// cannot be forged, Last-Event-ID is read strictly, and a slow client's
// queue overflows instead of growing.
#include "http/event_stream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace vantage::http {
namespace {

TEST(EventStreamTest, FormatsAnEventWithOneDataLinePerLine) {
  EXPECT_EQ(FormatSseEvent(7, "answer", "{\"a\":1}"), "id: 7\nevent: answer\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(FormatSseEvent(8, "answer", "one\ntwo\r\nthree\rfour"),
            "id: 8\nevent: answer\ndata: one\ndata: two\ndata: three\ndata: four\n\n");
  EXPECT_EQ(FormatSseEvent(9, "x", ""), "id: 9\nevent: x\ndata: \n\n");
  // A line break in the data cannot start an id or event field of its own.
  std::string forged = FormatSseEvent(10, "answer", "text\n\nid: 999\nevent: closed");
  EXPECT_EQ(forged, "id: 10\nevent: answer\ndata: text\ndata: \ndata: id: 999\ndata: event: closed\n\n");
  EXPECT_EQ(FormatSseEvent(11, "a\nid: 5", "d"), "id: 11\nevent: a id: 5\ndata: d\n\n");
}

TEST(EventStreamTest, CommentsAreOneLine) {
  EXPECT_EQ(FormatSseComment("heartbeat"), ": heartbeat\n\n");
  EXPECT_EQ(FormatSseComment("a\nb"), ": a b\n\n");
}

TEST(EventStreamTest, LastEventIdIsANonNegativeDecimal) {
  EXPECT_EQ(ParseLastEventId("0"), std::optional<int64_t>(0));
  EXPECT_EQ(ParseLastEventId("42"), std::optional<int64_t>(42));
  for (std::string_view bad : {"", "-1", "4x", " 4", "1e3", "0x10", "9999999999999999999999"})
    EXPECT_FALSE(ParseLastEventId(bad)) << bad;
}

SharedText Text(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

std::vector<std::string> Taken(EventQueue& queue) {
  std::vector<SharedText> out;
  queue.Take(out);
  std::vector<std::string> texts;
  for (const SharedText& text : out) texts.push_back(*text);
  return texts;
}

TEST(EventStreamTest, TheQueueWakesOnceThenOverflowsInsteadOfGrowing) {
  int wakes = 0;
  EventQueue queue(3, [&] { ++wakes; });
  EXPECT_TRUE(queue.Push(Text("a")));
  EXPECT_TRUE(queue.Push(Text("b")));
  EXPECT_EQ(wakes, 1);  // only when it stops being empty
  EXPECT_EQ(Taken(queue), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(Taken(queue).empty());
  EXPECT_TRUE(queue.Push(Text("c")));
  EXPECT_EQ(wakes, 2);
  EXPECT_TRUE(queue.Push(Text("d")));
  EXPECT_TRUE(queue.Push(Text("e")));
  EXPECT_FALSE(queue.Push(Text("f")));  // the fourth waiting event: overflow
  EXPECT_TRUE(queue.overflowed());
  EXPECT_EQ(wakes, 3);
  // What waited is still taken (and written), with a wake for the end to come.
  EXPECT_EQ(Taken(queue), (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_EQ(wakes, 4);
  EXPECT_FALSE(queue.Push(Text("g")));
  EXPECT_TRUE(Taken(queue).empty());
  EXPECT_EQ(wakes, 4);
}

TEST(EventStreamTest, AClosedQueueTakesNothing) {
  int wakes = 0;
  EventQueue queue(10, [&] { ++wakes; });
  EXPECT_TRUE(queue.Push(Text("a")));
  queue.Close();
  EXPECT_TRUE(queue.closed());
  EXPECT_EQ(wakes, 2);
  EXPECT_TRUE(Taken(queue).empty());
  EXPECT_FALSE(queue.Push(Text("b")));
  queue.Close();
  EXPECT_EQ(wakes, 2);
}

// One event's text queued on many connections is one string, not a copy per
// connection; and what Take hands out replaces what the taker held.
TEST(EventStreamTest, QueuesShareAnEventsTextAndTakeReplacesTheTakersVector) {
  SharedText event = Text(FormatSseEvent(1, "answer", std::string(2000, 'x')));
  std::vector<std::unique_ptr<EventQueue>> queues;
  for (int queue_idx = 0; queue_idx < 100; ++queue_idx) {
    queues.push_back(std::make_unique<EventQueue>(4, nullptr));
    EXPECT_TRUE(queues.back()->Push(event));
  }
  EXPECT_EQ(event.use_count(), 101);
  std::vector<SharedText> out = {Text("left over")};
  queues.front()->Take(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(), event.get());
  queues.front()->Take(out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(event.use_count(), 100);
  queues.clear();
  EXPECT_EQ(event.use_count(), 1);
}

}  // namespace
}  // namespace vantage::http
