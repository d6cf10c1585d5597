// Event streams (Server-Sent Events) of the event bus's topics
// (docs/architecture.md, "Live events").
#pragma once

#include <optional>
#include <string>

#include "api/api.h"
#include "store/access_events.h"
#include "store/event_store.h"

namespace vantage::api {

// An event as an event stream sends it (the event bus's encoder in `vantage
// serve`, so it is made once per event for every connection).
std::string EventStreamText(const store::Event& event);

// The id a reconnecting client resumes after: the Last-Event-ID header, else
// the last_event_id query parameter (EventSource cannot set headers on its
// first request); nullopt when neither is given, 400 naming it when malformed.
Result<std::optional<int64_t>> LastEventId(const http::Request& request);

// The access topic's last revocation id (store/access_events.h), read
// before a stream's reader is authorized and given as its grant's
// checked_after: a right taken away while the stream opens still ends it.
// 0 for a request without credentials (it reads as nobody: no grant) and
// when this server has no event bus.
Result<int64_t> AccessCheckpoint(ApiContext& ctx, const http::Request& request);

// What a stream opened by `principal` on `owner_id`'s topic reads as.
store::AccessGrant GrantOf(const service::Principal& principal, int64_t owner_id, int64_t checked_after);

// A text/event-stream response of `topic`: the kept events after `after_id`
// first, then the live ones; without `after_id`, every event committed from
// now on. With a `grant`, the stream ends (without writing what waits) as
// soon as a change takes that right away. With `last_type`, it ends after
// writing an event of that type (nothing can follow it). 503 when this
// server has no event bus.
Result<http::Response> EventStreamResponse(ApiContext& ctx, const std::string& topic,
                                           std::optional<int64_t> after_id,
                                           std::optional<store::AccessGrant> grant = std::nullopt,
                                           std::string last_type = {});

}  // namespace vantage::api
