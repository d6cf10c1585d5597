// From the outbox to other servers' inboxes (docs/federation.md,
// "Delivery").
//
// One thread turns outbox entries into an activity and its deliveries (one
// per inbox, a host's followers sharing its shared inbox), in the
// transaction that removes the entry. Delivery threads claim due
// deliveries (a lease, so a worker that dies lets them go), sign each at
// send time with its actor's key, and send it through the one HTTP client;
// at most Options::per_host are in flight to one host. A failure is tried
// again with a growing delay for about two days (Mastodon's schedule), then
// dropped and its host marked unavailable: later deliveries to it are not
// queued until it reaches us again. A refusal (4xx but 401, 408 and 429) is
// final at once. Delivery is at least once: receivers drop an activity id
// they have seen.
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <random>

#include "core/id.h"
#include "federation/documents.h"
#include "federation/federation.h"
#include "service/federation_events.h"
#include "store/organisation_store.h"
#include "store/report_store.h"

namespace vantage::federation {

namespace json = boost::json;

namespace {

constexpr int kMaxAttempts = 15;           // n^4 + 15 s after the nth: about two days in all
constexpr int64_t kLeaseMs = 120'000;      // longer than a send's deadline
constexpr int kClaimBatch = 4;             // per delivery thread and round
constexpr auto kIdlePoll = std::chrono::seconds(1);

struct Rendered {
  std::optional<store::ActivityToDeliver> activity;
  std::vector<std::string> inboxes;
};

class Renderer {
 public:
  explicit Renderer(Federation& f) : f_(f), settings_(f.services().settings) {}

  Result<Rendered> Render(const store::OutboxEntry& e) {
    auto author = f_.services().store.accounts().FindById(e.account_id);
    if (!author) return std::move(author).error();
    if (!*author || !(*author)->local()) return Rendered{};
    author_ = std::move(**author);
    if (e.kind == service::kPostPublished || e.kind == service::kPostEdited)
      return Post(e, e.kind == service::kPostEdited);
    if (e.kind == service::kPostDeleted) return Deleted(e);
    if (e.kind == service::kFollowAccepted || e.kind == service::kFollowRejected)
      return FollowAnswer(e, e.kind == service::kFollowAccepted);
    if (e.kind == service::kProfileUpdated) return Profile(e);
    if (e.kind == service::kFollowRequested || e.kind == service::kFollowUndone)
      return FollowOfRemote(e, e.kind == service::kFollowUndone);
    if (e.kind == service::kReportForwarded) return ForwardedReport(e);
    if (e.kind == service::kAccountBlocked || e.kind == service::kAccountUnblocked)
      return Block(e, e.kind == service::kAccountUnblocked);
    return Rendered{};
  }

 private:
  Result<Rendered> Post(const store::OutboxEntry& e, bool update) {
    store::Store& store = f_.services().store;
    auto post = store.statuses().FindById(e.object_id);
    if (!post) return std::move(post).error();
    if (!*post) return Rendered{};
    const store::Post& p = **post;
    // Never: a remote status, an archived post, one kept here, a held or
    // hidden comment (its writer's alone).
    if (!p.uri.empty() || p.archived_at || !p.federate || p.comment_state != store::CommentState::kShown)
      return Rendered{};
    NoteView note;
    note.post = p;
    note.author = author_;
    for (int64_t media_id : p.media_ids) {
      auto media = store.media().FindById(media_id);
      if (!media) return std::move(media).error();
      if (*media) note.media.push_back(std::move(**media));
    }
    Rendered out;
    auto inboxes = store::FollowerInboxes(store.database(), author_.id);
    if (!inboxes) return std::move(inboxes).error();
    out.inboxes = std::move(*inboxes);
    if (p.in_reply_to_id) {
      auto parent = store.statuses().FindById(*p.in_reply_to_id);
      if (!parent) return std::move(parent).error();
      if (*parent) VANTAGE_TRY(Parent(**parent, note, out.inboxes));
    }
    for (const store::MentionRef& m : p.mentions)
      note.mentions.emplace_back(f_.uris().Actor(m.username), m.username);
    json::object activity = update ? UpdateActivity(settings_, note) : CreateActivity(settings_, note);
    out.activity = store::ActivityToDeliver{e.id, author_.id, json::serialize(activity)};
    return out;
  }

  // The answered status's id and author (cc'd, and delivered to when remote).
  Status Parent(const store::Post& parent, NoteView& note, std::vector<std::string>& inboxes) {
    store::Database& db = f_.services().store.database();
    if (!parent.uri.empty()) {
      auto actor = store::FindRemoteActor(db, parent.account_id);
      if (!actor) return std::move(actor).error();
      note.in_reply_to = parent.uri;
      if (*actor) {
        note.in_reply_to_actor = (*actor)->uri;
        inboxes.push_back((*actor)->delivery_inbox());
      }
      return Ok();
    }
    auto parent_author = f_.services().store.accounts().FindById(parent.account_id);
    if (!parent_author) return std::move(parent_author).error();
    if (!*parent_author) return Ok();
    note.in_reply_to = f_.uris().Status((*parent_author)->username, parent.id);
    note.in_reply_to_actor = f_.uris().Actor((*parent_author)->username);
    return Ok();
  }

  Result<Rendered> Deleted(const store::OutboxEntry& e) {
    boost::system::error_code ec;
    json::value detail = json::parse(e.detail, ec);
    if (ec || !detail.is_object()) return Rendered{};
    auto visibility = store::ParseVisibility(StringOf(detail.as_object(), "visibility"));
    if (!visibility) return Rendered{};
    Rendered out;
    auto inboxes = store::FollowerInboxes(f_.services().store.database(), author_.id);
    if (!inboxes) return std::move(inboxes).error();
    out.inboxes = std::move(*inboxes);
    std::string parent_actor;
    if (const json::value* parent = detail.as_object().if_contains("in_reply_to_account_id");
        parent && parent->is_int64()) {
      auto actor = store::FindRemoteActor(f_.services().store.database(), parent->as_int64());
      if (!actor) return std::move(actor).error();
      if (*actor) {
        parent_actor = (*actor)->uri;
        out.inboxes.push_back((*actor)->delivery_inbox());
      }
    }
    json::object activity = DeleteActivity(settings_, author_.username, e.object_id, *visibility, parent_actor);
    out.activity = store::ActivityToDeliver{e.id, author_.id, json::serialize(activity)};
    return out;
  }

  Result<Rendered> FollowAnswer(const store::OutboxEntry& e, bool accepted) {
    boost::system::error_code ec;
    json::value detail = json::parse(e.detail, ec);
    if (ec || !detail.is_object()) return Rendered{};
    auto follower = store::FindRemoteActor(f_.services().store.database(), e.object_id);
    if (!follower) return std::move(follower).error();
    if (!*follower) return Rendered{};
    json::object activity = federation::FollowAnswer(settings_, author_.username, accepted,
                                                     StringOf(detail.as_object(), "follow"), (*follower)->uri, e.id);
    Rendered out;
    out.inboxes.push_back((*follower)->inbox);
    out.activity = store::ActivityToDeliver{e.id, author_.id, json::serialize(activity)};
    return out;
  }

  // Follow (or its Undo) of a remote account, to its own inbox.
  Result<Rendered> FollowOfRemote(const store::OutboxEntry& e, bool undo) {
    boost::system::error_code ec;
    json::value detail = json::parse(e.detail, ec);
    if (ec || !detail.is_object()) return Rendered{};
    std::string follow_id = StringOf(detail.as_object(), "follow");
    auto target = store::FindRemoteActor(f_.services().store.database(), e.object_id);
    if (!target) return std::move(target).error();
    if (!*target || follow_id.empty()) return Rendered{};
    json::object activity = undo ? UndoFollowActivity(settings_, author_.username, follow_id, (*target)->uri)
                                 : FollowActivity(settings_, author_.username, follow_id, (*target)->uri);
    Rendered out;
    out.inboxes.push_back((*target)->inbox);
    out.activity = store::ActivityToDeliver{e.id, author_.id, json::serialize(activity)};
    return out;
  }

  // A Block of a remote account (its server ends the follows both ways and
  // stops showing the blocker its posts), or its Undo, to its own inbox.
  // Every Block of the pair has one id, which its Undo names.
  Result<Rendered> Block(const store::OutboxEntry& e, bool undo) {
    auto target = store::FindRemoteActor(f_.services().store.database(), e.object_id);
    if (!target) return std::move(target).error();
    if (!*target) return Rendered{};
    std::string block_id = f_.uris().Activity(author_.username, "blocks", e.object_id);
    Rendered out;
    out.inboxes.push_back((*target)->inbox);
    out.activity = store::ActivityToDeliver{
        e.id, author_.id, json::serialize(BlockActivity(settings_, author_.username, block_id, (*target)->uri, undo))};
    return out;
  }

  // A report about a remote account, to its server's inbox, from the
  // instance actor: its server learns what was reported, not by whom.
  Result<Rendered> ForwardedReport(const store::OutboxEntry& e) {
    store::Store& store = f_.services().store;
    auto report = store::FindReport(store.database(), e.object_id);
    if (!report) return std::move(report).error();
    if (!*report) return Rendered{};
    auto target = store::FindRemoteActor(store.database(), (*report)->target_account_id);
    if (!target) return std::move(target).error();
    if (!*target) return Rendered{};
    std::vector<std::string> notes;
    for (int64_t status_id : (*report)->status_ids) {
      auto post = store.statuses().FindById(status_id);
      if (!post) return std::move(post).error();
      if (*post && !(*post)->uri.empty()) notes.push_back((*post)->uri);
    }
    json::object activity = FlagActivity(settings_, (*report)->id, (*target)->uri, notes, (*report)->comment);
    Rendered out;
    out.inboxes.push_back((*target)->delivery_inbox());
    out.activity = store::ActivityToDeliver{e.id, std::nullopt, json::serialize(activity)};
    return out;
  }

  Result<Rendered> Profile(const store::OutboxEntry& e) {
    auto pem = f_.PublicPemOf(author_.id);
    if (!pem) return std::move(pem).error();
    auto organisation = f_.services().store.organisations().Find(author_.id);
    if (!organisation) return std::move(organisation).error();
    ActorView view{author_, organisation->has_value(), *pem, organisation->has_value()};
    Rendered out;
    auto inboxes = store::FollowerInboxes(f_.services().store.database(), author_.id);
    if (!inboxes) return std::move(inboxes).error();
    out.inboxes = std::move(*inboxes);
    out.activity = store::ActivityToDeliver{e.id, author_.id,
                                            json::serialize(UpdateActorActivity(settings_, view, e.id))};
    return out;
  }

  Federation& f_;
  const service::Settings& settings_;
  store::Account author_;
};

bool Transient(const Error& error) {
  return error.kind == ErrorKind::kUnavailable || error.kind == ErrorKind::kInternal;
}

int64_t RetryDelayMs(int attempt) {
  static thread_local std::mt19937 random(std::random_device{}());
  int64_t n = attempt;
  int64_t seconds = n * n * n * n + 15 + std::uniform_int_distribution<int64_t>(0, 10 * (n + 1))(random);
  return seconds * 1000;
}

}  // namespace

Result<int> Federation::ExpandOutbox(int limit) {
  store::Database& db = services_.store.database();
  auto entries = store::PendingOutbox(db, limit);
  if (!entries) return std::move(entries).error();
  Renderer renderer(*this);
  int handled = 0;
  for (const store::OutboxEntry& entry : *entries) {
    Rendered rendered;
    if (options_.mode != Mode::kOff) {
      auto made = renderer.Render(entry);
      if (!made) {
        if (Transient(made.error())) return std::move(made).error();  // tried again at the next round
        spdlog::warn("federation: outbox entry {} ({}) dropped: {}", entry.id, entry.kind, made.error().message);
      } else {
        rendered = std::move(*made);
      }
    }
    std::vector<store::NewDelivery> deliveries;
    if (rendered.activity) {
      std::sort(rendered.inboxes.begin(), rendered.inboxes.end());
      rendered.inboxes.erase(std::unique(rendered.inboxes.begin(), rendered.inboxes.end()), rendered.inboxes.end());
      for (std::string& inbox : rendered.inboxes) {
        std::string host = HostOf(inbox);
        auto verdict = Judge(host);
        if (!verdict) return std::move(verdict).error();
        if (verdict->blocked) continue;  // suspended, or not on the allowlist
        auto unavailable = store::HostUnavailable(db, host);
        if (!unavailable) return std::move(unavailable).error();
        if (*unavailable) continue;
        deliveries.push_back(store::NewDelivery{services_.ids.Next(), std::move(inbox)});
      }
    }
    auto expanded = store::ExpandOutbox(db, entry.id, rendered.activity, deliveries, NowUnixMs());
    if (!expanded) return std::move(expanded).error();
    ++handled;
  }
  return handled;
}

Status Federation::DeliverOne(const store::Delivery& d) {
  // Blocked since it was queued: not sent.
  auto verdict = Judge(d.host);
  if (!verdict) return std::move(verdict).error();
  if (verdict->blocked) return store::DropDelivery(services_.store.database(), d);
  int64_t signer = d.account_id.value_or(store::kInstanceActor);
  auto key = KeyOf(signer);
  if (!key) return std::move(key).error();
  std::string key_id = uris().InstanceKeyId();
  if (d.account_id) {
    auto account = services_.store.accounts().FindById(*d.account_id);
    if (!account) return std::move(account).error();
    if (!*account) return store::FailDelivery(services_.store.database(), d, std::nullopt, "actor gone", NowUnixMs());
    key_id = uris().KeyId((*account)->username);
  }
  OutboundRequest request;
  request.method = "POST";
  request.url = d.inbox;
  request.body = d.body;
  request.headers = {{"content-type", std::string(kActivityJson)}, {"accept", std::string(kActivityJson)}};
  auto response = client_->Send(request, [&](OutboundRequest& hop) { return SignOutbound(hop, key_id, *key); });
  store::Database& db = services_.store.database();
  int64_t now = NowUnixMs();
  std::string error;
  bool final = false;
  if (!response) {
    error = response.error().message;
    final = response.error().kind != ErrorKind::kUnavailable;  // a private address, a malformed URL, too large
  } else if (response->status >= 200 && response->status < 300) {
    return store::CompleteDelivery(db, d);
  } else {
    error = "answered " + std::to_string(response->status);
    int s = response->status;
    final = s >= 400 && s < 500 && s != 401 && s != 408 && s != 429;
  }
  if (final) {
    spdlog::info("federation: delivery to {} dropped: {}", d.inbox, error);
    return store::DropDelivery(db, d);
  }
  if (d.attempts + 1 >= kMaxAttempts) {
    spdlog::warn("federation: delivery to {} given up after {} attempts ({}); {} marked unavailable", d.inbox,
                 d.attempts + 1, error, d.host);
    return store::FailDelivery(db, d, std::nullopt, error, now);
  }
  return store::FailDelivery(db, d, now + RetryDelayMs(d.attempts + 1), error, now);
}

void Federation::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (outbox_thread_.joinable()) outbox_thread_.join();
  if (avatar_thread_.joinable()) avatar_thread_.join();
  if (boost_thread_.joinable()) boost_thread_.join();
  for (std::thread& t : media_threads_)
    if (t.joinable()) t.join();
  media_threads_.clear();
  for (std::thread& t : delivery_threads_)
    if (t.joinable()) t.join();
  delivery_threads_.clear();
}

void Federation::OutboxLoop() {
  while (true) {
    uint64_t seen;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      seen = wakes_;
    }
    auto handled = ExpandOutbox(100);
    if (!handled) spdlog::warn("federation: the outbox could not be read: {}", handled.error().message);
    bool more = handled && *handled == 100;
    if (handled && *handled > 0) {  // deliveries are due
      {
        std::lock_guard lock(mu_);
        ++deliveries_queued_;
      }
      wake_.notify_all();
    }
    if (more) continue;
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, kIdlePoll, [&] { return stopping_ || wakes_ != seen; });
  }
}

void Federation::DeliveryLoop() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    auto claimed = store::ClaimDeliveries(services_.store.database(), NowUnixMs(), kLeaseMs, kClaimBatch);
    if (!claimed) spdlog::warn("federation: deliveries could not be claimed: {}", claimed.error().message);
    if (!claimed || claimed->empty()) {
      std::unique_lock lock(mu_);
      uint64_t seen = deliveries_queued_;
      wake_.wait_for(lock, kIdlePoll, [&] { return stopping_ || deliveries_queued_ != seen; });
      continue;
    }
    for (const store::Delivery& d : *claimed) {
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return stopping_ || in_flight_[d.host] < options_.per_host; });
        if (stopping_) return;  // the lease lets the rest go
        ++in_flight_[d.host];
      }
      Status sent = DeliverOne(d);
      if (!sent) spdlog::warn("federation: delivery {} to {}: {}", d.id, d.inbox, sent.error().message);
      {
        std::lock_guard lock(mu_);
        if (--in_flight_[d.host] == 0) in_flight_.erase(d.host);
      }
      wake_.notify_all();
    }
  }
}

}  // namespace vantage::federation
