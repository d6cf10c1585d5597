// The event-stream wire format and the bounded queue of one connection
// (http/event_stream.h): data with line breaks stays one event, fields
// cannot be forged, Last-Event-ID is read strictly, and a slow client's
// queue overflows instead of growing.
#include "http/event_stream.h"

#include <gtest/gtest.h>

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

TEST(EventStreamTest, TheQueueWakesOnceThenOverflowsInsteadOfGrowing) {
  int wakes = 0;
  EventQueue queue(3, [&] { ++wakes; });
  EXPECT_TRUE(queue.Push("a"));
  EXPECT_TRUE(queue.Push("b"));
  EXPECT_EQ(wakes, 1);  // only when it stops being empty
  auto taken = queue.Take();
  EXPECT_EQ(taken, (std::deque<std::string>{"a", "b"}));
  EXPECT_TRUE(queue.Take().empty());
  EXPECT_TRUE(queue.Push("c"));
  EXPECT_EQ(wakes, 2);
  EXPECT_TRUE(queue.Push("d"));
  EXPECT_TRUE(queue.Push("e"));
  EXPECT_FALSE(queue.Push("f"));  // the fourth waiting event: overflow
  EXPECT_TRUE(queue.overflowed());
  EXPECT_EQ(wakes, 3);
  EXPECT_TRUE(queue.Take().empty());
  EXPECT_FALSE(queue.Push("g"));
}

TEST(EventStreamTest, AClosedQueueTakesNothing) {
  int wakes = 0;
  EventQueue queue(10, [&] { ++wakes; });
  EXPECT_TRUE(queue.Push("a"));
  queue.Close();
  EXPECT_TRUE(queue.closed());
  EXPECT_EQ(wakes, 2);
  EXPECT_TRUE(queue.Take().empty());
  EXPECT_FALSE(queue.Push("b"));
  queue.Close();
  EXPECT_EQ(wakes, 2);
}

}  // namespace
}  // namespace vantage::http
