// Event streams (Server-Sent Events) of the event bus's topics
// (docs/architecture.md, "Live events").
#pragma once

#include <optional>
#include <string>

#include "api/api.h"
#include "store/event_store.h"

namespace vantage::api {

// An event as an event stream sends it (the event bus's encoder in `vantage
// serve`, so it is made once per event for every connection).
std::string EventStreamText(const store::Event& event);

// The id a reconnecting client resumes after: the Last-Event-ID header, else
// the last_event_id query parameter (EventSource cannot set headers on its
// first request); nullopt when neither is given, 400 naming it when malformed.
Result<std::optional<int64_t>> LastEventId(const http::Request& request);

// A text/event-stream response of `topic`: the kept events after `after_id`
// first, then the live ones; without `after_id`, every event committed from
// now on. 503 when this server has no event bus.
Result<http::Response> EventStreamResponse(ApiContext& ctx, const std::string& topic,
                                           std::optional<int64_t> after_id);

}  // namespace vantage::api
