#include "api/event_streams.h"

#include "api/params.h"
#include "http/event_stream.h"
#include "store/event_bus.h"
#include "store/event_store.h"
#include "store/store.h"

namespace vantage::api {

namespace {

// Events waiting for one slow client before it is cut off, once they are
// written (it resumes with Last-Event-ID). Each waiting event is a pointer to the text every
// connection shares, so the bound is about how far behind a client may fall.
constexpr size_t kQueueCapacity = 256;

class BusStream final : public http::ResponseStream {
 public:
  BusStream(store::EventBus& bus, std::string topic, std::optional<int64_t> after_id,
            std::optional<store::AccessGrant> grant, std::string last_type)
      : bus_(bus), topic_(std::move(topic)), after_id_(after_id), grant_(grant), last_type_(std::move(last_type)) {}
  ~BusStream() override { Stop(); }

  void Start(std::function<void()> wake) override {
    queue_ = std::make_shared<http::EventQueue>(kQueueCapacity, std::move(wake));
    std::weak_ptr<http::EventQueue> queue = queue_;
    auto deliver = [queue, last_type = last_type_](const store::BusEvent& event) {
      auto q = queue.lock();
      if (!q) return;
      // The bus of `vantage serve` encodes each event once (EventStreamText);
      // a bus without an encoder costs a copy per connection.
      q->Push(event.encoded ? event.encoded : std::make_shared<const std::string>(EventStreamText(event)));
      if (!last_type.empty() && event.type == last_type) q->End();
    };
    // The reader lost the right to read: nothing more is written, not even
    // what waits, and the stream ends (its reader may open it again, and is
    // then authorized afresh).
    auto revoked = [queue] {
      if (auto q = queue.lock()) q->Close();
    };
    subscription_ = bus_.Subscribe(topic_, after_id_, std::move(deliver), grant_, std::move(revoked));
  }

  void Take(std::vector<http::SharedText>& out, bool& ended) override {
    if (!queue_) {
      out.clear();
      ended = true;
      return;
    }
    queue_->Take(out);
    // An overflowed queue's last events are written before the end.
    ended = queue_->closed() || (queue_->overflowed() && out.empty());
  }

  void Stop() override {
    if (subscription_) subscription_->Cancel();
    subscription_.reset();
    if (queue_) queue_->Close();
  }

  http::SharedText Heartbeat() override {
    static const http::SharedText heartbeat =
        std::make_shared<const std::string>(http::FormatSseComment("heartbeat"));
    return heartbeat;
  }

 private:
  store::EventBus& bus_;
  const std::string topic_;
  const std::optional<int64_t> after_id_;
  const std::optional<store::AccessGrant> grant_;
  const std::string last_type_;
  std::shared_ptr<http::EventQueue> queue_;
  std::shared_ptr<store::EventBus::Subscription> subscription_;
};

}  // namespace

std::string EventStreamText(const store::Event& event) {
  return http::FormatSseEvent(event.id, event.type, event.data);
}

Result<std::optional<int64_t>> LastEventId(const http::Request& request) {
  std::string_view header = request.Header("last-event-id");
  if (!header.empty()) {
    auto id = http::ParseLastEventId(header);
    if (!id)
      return Error::BadRequest("invalid_last_event_id", "Last-Event-ID must be a non-negative event id",
                               "Last-Event-ID");
    return std::optional<int64_t>(*id);
  }
  auto params = Params::From(request);
  if (!params) return std::move(params).error();
  auto text = params->String("last_event_id", 40);
  if (!text) return std::move(text).error();
  if (!*text) return std::optional<int64_t>();
  auto id = http::ParseLastEventId(**text);
  if (!id)
    return Error::BadRequest("invalid_last_event_id", "last_event_id must be a non-negative event id",
                             "last_event_id");
  return std::optional<int64_t>(*id);
}

Result<int64_t> AccessCheckpoint(ApiContext& ctx, const http::Request& request) {
  // A crowd of signed-out viewers opening a stream at once costs no query.
  if (request.Header("authorization").empty() && request.Cookie("vantage_session").empty()) return 0;
  if (!ctx.event_bus) return 0;
  return ctx.event_bus->LastId(std::string(store::kAccessTopic));
}

store::AccessGrant GrantOf(const service::Principal& principal, int64_t owner_id, int64_t checked_after) {
  store::AccessGrant grant;
  const auto& person = principal.acting_staff ? principal.acting_staff : principal.account;
  grant.account_id = person ? person->id : 0;
  grant.acting_id = principal.acting_staff && principal.account ? principal.account->id : 0;
  grant.token_id = principal.token.id;
  grant.owner_id = owner_id;
  grant.checked_after = checked_after;
  return grant;
}

Result<http::Response> EventStreamResponse(ApiContext& ctx, const std::string& topic,
                                           std::optional<int64_t> after_id, std::optional<store::AccessGrant> grant,
                                           std::string last_type) {
  if (!ctx.event_bus) return Error::Unavailable("Live events are not available on this server", 5);
  if (!after_id) {
    // "From now on" is fixed here, before the headers go out: an event
    // committed once the client has them is delivered, however late the bus
    // takes the subscription in. The bus answers from memory when it follows
    // the topic already, so a crowd connecting at once costs no query each.
    auto last = ctx.event_bus->LastId(topic);
    if (!last) return std::move(last).error();
    after_id = *last;
  }
  http::Response response;
  response.content_type = "text/event-stream; charset=utf-8";
  response.stream = std::make_shared<BusStream>(*ctx.event_bus, topic, after_id, grant, std::move(last_type));
  return response;
}

}  // namespace vantage::api
