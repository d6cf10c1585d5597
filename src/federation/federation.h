// ActivityPub federation (docs/federation.md): what this server serves to
// other servers, what it accepts from them and what it delivers to them.
//
// Federation owns the outbound HTTP client, the actors' keys once parsed,
// and the delivery workers. It sits beside api/: its handlers parse, verify
// and call the same services; the services record what federates in the
// outbox (service/federation_events.h), which the workers here turn into
// activities and deliveries.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.h"
#include "federation/http_client.h"
#include "federation/keys.h"
#include "federation/vocabulary.h"
#include "http/router.h"
#include "service/context.h"
#include "service/domains.h"
#include "service/fediverse.h"
#include "store/federation_store.h"

namespace vantage::service {
struct MediaContext;
}  // namespace vantage::service

namespace vantage::federation {

enum class Mode { kOff, kOpen, kAllowlist };
std::optional<Mode> ParseMode(std::string_view text);

struct Options {
  Mode mode = Mode::kOpen;
  // Lets the client reach loopback and private addresses: for test peers
  // only (--federation-allow-private).
  bool allow_private = false;
  // The certificate authorities other servers' TLS is checked against, a
  // PEM bundle (--federation-ca-file); empty: the system's.
  std::string ca_file;
  // Mastodon's secure mode (--federation-authorized-fetch): notes and
  // collections only to signed requests of servers not blocked.
  bool authorized_fetch = false;
  int delivery_threads = 8;
  int per_host = 4;  // deliveries in flight to one host
  // Remote posts' photos: fetched when the post arrives (eager), or when
  // first shown (lazy) (--federation-media).
  bool media_eager = true;
  // Remote posts' photos fetched and processed at once; at most
  // kMediaFetchesPerHost of the fetches are from one host, so a host that
  // hangs holds up only its own photos.
  int media_threads = 4;
  std::string version = "0.1.0";
};

// An inbound request as far as the inbox needs it.
struct InboundRequest {
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
};

// A remote note's caption as plain text: the content warning goes to
// spoiler_text, the HTML to text (rendered again as ours).
struct RemoteNoteText {
  std::string text;
  std::string spoiler_text;
  bool sensitive = false;
  // The local accounts its `Mention` tags name (lower-cased usernames):
  // the only ones its text mentions here.
  std::vector<std::string> mentionable;
};
RemoteNoteText NoteText(const boost::json::object& note, const LocalUris& uris);
// The visibility a remote note's addressing gives it here; nullopt for a
// direct message (Vantage has none).
std::optional<store::Visibility> RemoteVisibility(const boost::json::object& note, const store::RemoteActor& author);

// Signs an outbound request as it will be sent (at each hop: the Host and
// the path change with redirects): draft-cavage rsa-sha256 over
// (request-target) host date, and digest content-type with a body.
Status SignOutbound(OutboundRequest& request, const std::string& key_id, const RsaKey& key);

class Federation final : public service::Fediverse {
 public:
  Federation(service::ServiceContext& services, Options options);
  ~Federation();
  Federation(const Federation&) = delete;
  Federation& operator=(const Federation&) = delete;

  // The documents, WebFinger, NodeInfo and the inboxes. `web_page` answers
  // the HTML of /@name and /@name/:id when the client does not ask for
  // ActivityPub.
  void RegisterRoutes(http::Router& router, http::Handler web_page);

  // Starts the outbox worker and the delivery workers (call once the base
  // URL is known: the client names it in its User-Agent); Stop ends them
  // (deliveries in flight finish or time out).
  void Start();
  void Stop();
  // New outbox entries (service::ServiceContext::federation_wake).
  void Wake();

  // Where remote accounts' pictures go (the media pipeline and the blob
  // store); none: they are not fetched. Set before Start.
  void SetMedia(service::MediaContext* media) { media_ = media; }
  // Fetches a remote account's picture (its actor's icon), runs it through
  // the media pipeline like an upload and makes it the account's; an icon
  // that fails the pipeline, or whose server's media are rejected, leaves
  // the default picture. Blocks (call from a worker).
  Status FetchAvatar(int64_t account_id);

  const Options& options() const { return options_; }
  service::ServiceContext& services() { return services_; }
  // From the base URL, which is known once the server listens.
  LocalUris uris() const { return LocalUris{services_.settings.base_url}; }
  const HttpClient& client() const { return *client_; }

  // The key of a local account (store::kInstanceActor: the instance's),
  // made at first use. Internal error when it is missing or does not parse:
  // keys are never made again.
  Result<RsaKey> KeyOf(int64_t account_id);
  Result<std::string> PublicPemOf(int64_t account_id);

  // A GET of an ActivityPub document, signed by the instance actor. The
  // answer's id must be the URL it was fetched from (no redirect to
  // elsewhere) unless `require_own_id` is false (then nothing in it may be
  // believed but what its caller checks elsewhere).
  Result<boost::json::object> FetchDocument(const std::string& url, bool require_own_id = true);

  // The actor a keyId belongs to: the URL without its fragment, or, for a
  // key at a URL of its own, the owner that document names on the same host
  // (who must then publish the key itself: the caller checks).
  Result<std::string> KeyOwner(const std::string& key_id);

  // The remote actor `uri`, from the database or fetched (and stored) when
  // unknown or `refresh`. The document must be served at its own id.
  Result<store::RemoteActor> ResolveActor(const std::string& uri, bool refresh);
  // Stores a fetched actor document (checked: id, key owner, host); the
  // account as stored.
  Result<store::Account> SaveActor(const boost::json::object& document, const std::string& fetched_from);

  // What the domain policy says of a host (service/domains.h), with the
  // --federation mode: blocked when suspended, when federation is off, or
  // when not allowed under allowlist.
  Result<service::DomainVerdict> Judge(std::string_view host);

  // A remote actor's public key, parsed once.
  Result<RsaKey> RemoteKey(const std::string& public_pem);

  // Verifies an inbound request's signature and answers the signing actor.
  // Unauthorized (with the reason, for the log) when it cannot be verified.
  Result<store::RemoteActor> VerifyRequest(const InboundRequest& request);

  // Handles a verified activity from `signer` (inbox.cc), whichever inbox
  // it came to: what it is about says whom it concerns.
  Status Receive(const boost::json::object& activity, const store::RemoteActor& signer);

  // Outbox entries into activities and deliveries (delivery.cc); the number
  // of entries handled.
  Result<int> ExpandOutbox(int limit);

  // Following the fediverse (following.cc; service/fediverse.h).
  Result<store::Account> ResolveAccount(std::string_view acct) override;
  Result<service::ResolvedObject> ResolveUrl(std::string_view url) override;
  Status RefreshRemotePosts(int64_t account_id) override;
  Result<store::MediaAttachment> FetchRemoteMedia(int64_t media_id) override;
  // Keeps a remote post (a note of `author`'s, checked to come from its
  // origin by the caller) with its photos, unless it is here already; with
  // `followed_only`, only when a local account follows its author. The
  // status's id, or nullopt when it is not kept (a direct message, nothing
  // to show, a blocked server, nobody following).
  Result<std::optional<int64_t>> KeepRemoteNote(const boost::json::object& note, const store::RemoteActor& author,
                                                bool followed_only);
  // The same for a note fetched from its own id `id`, by the author it names
  // on the same server (resolved or fetched).
  Result<std::optional<int64_t>> KeepFetchedNote(const boost::json::object& document, const std::string& id);
  // A followed account's boost of a remote post not here yet (docs/
  // federation.md, "Boosts"): the post is fetched and kept, then the boost
  // shown, by a worker (the inbox answers at once).
  void QueueBoosted(int64_t booster_id, const std::string& announce_id, const std::string& status_uri);

 private:
  void OutboxLoop();
  // Queues an id for a worker loop (dropped past `limit`), and the loop:
  // `work` for each id until Stop.
  void Enqueue(std::deque<int64_t>& queue, int64_t id, size_t limit);
  void WorkOn(std::deque<int64_t>& queue, const std::function<void(int64_t)>& work);
  void AvatarLoop();
  struct PendingBoost {
    int64_t booster_id = 0;
    std::string announce_id;
    std::string status_uri;
  };
  void BoostLoop();
  Status FetchBoosted(const PendingBoost& boost);
  void QueueAvatar(int64_t account_id);
  void DeliveryLoop();
  void QueueMedia(int64_t media_id, std::string host);
  // FetchRemoteMedia, calling `fetched` once the photo's server has
  // answered (or failed to), before the photo is processed.
  Result<store::MediaAttachment> FetchRemoteMediaThen(int64_t media_id, const std::function<void()>& fetched);
  void NoteFailedFetch(int64_t media_id);
  void MediaLoop();
  Status DeliverOne(const store::Delivery& delivery);

  service::ServiceContext& services_;
  Options options_;
  std::unique_ptr<HttpClient> client_;  // made again by Start, which knows the base URL
  std::unique_ptr<HttpClient> media_client_;  // the same, with room for pictures
  std::unique_ptr<HttpClient> remote_media_client_;  // and for remote posts' photos
  service::MediaContext* media_ = nullptr;

  std::mutex keys_mu_;
  std::map<int64_t, RsaKey> keys_;
  // Remote public keys once parsed, by their PEM text (parsing costs more
  // than verifying); bounded, emptied when full.
  std::map<std::string, RsaKey> remote_keys_;  // guarded by keys_mu_

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t wakes_ = 0;              // outbox entries written
  uint64_t deliveries_queued_ = 0;  // deliveries queued by the outbox thread
  std::thread outbox_thread_;
  std::thread avatar_thread_;
  std::deque<int64_t> avatars_;  // accounts whose picture to fetch, guarded by mu_
  std::thread boost_thread_;
  std::deque<int64_t> boost_queue_;               // keys of pending_boosts_, guarded by mu_
  std::map<int64_t, PendingBoost> pending_boosts_;  // guarded by mu_
  std::vector<std::thread> delivery_threads_;
  struct QueuedMedia {
    int64_t id = 0;
    std::string host;
  };
  std::deque<QueuedMedia> media_queue_;          // remote photos to fetch (eager), guarded by mu_
  std::map<std::string, int> media_fetching_;    // the queue's fetches in flight per host, guarded by mu_
  std::vector<std::thread> media_threads_;
  std::mutex fetching_mu_;
  std::condition_variable fetching_done_;
  std::set<int64_t> fetching_;  // remote photos being fetched here, guarded by fetching_mu_
  std::map<int64_t, int64_t> failed_fetches_;  // when a photo's server last did not answer, guarded by fetching_mu_
  std::map<std::string, int> in_flight_;  // per host, guarded by mu_
  std::shared_ptr<void> routes_;          // the handlers' state (routes.cc)
};

}  // namespace vantage::federation
