#include "federation/federation.h"

#include <spdlog/spdlog.h>

#include <functional>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include "core/id.h"
#include "core/text.h"
#include "federation/http_signature.h"
#include "federation/message_signature.h"
#include "service/avatars.h"
#include "service/profile_text.h"

namespace vantage::federation {

namespace json = boost::json;

std::optional<Mode> ParseMode(std::string_view text) {
  if (text == "off") return Mode::kOff;
  if (text == "open") return Mode::kOpen;
  if (text == "allowlist") return Mode::kAllowlist;
  return std::nullopt;
}

namespace {

HttpClientOptions ClientOptions(const service::Settings& settings, const Options& options) {
  HttpClientOptions client;
  client.user_agent = "Vantage/" + options.version + " (+" + settings.base_url + "/)";
  client.allow_private = options.allow_private;
  client.ca_file = options.ca_file;
  client.deadline_ms = 10'000;
  client.max_body_bytes = 1 << 20;
  return client;
}

// A remote post's photo is refused past this many bytes (the pixel limit
// is the pipeline's, as for uploads).
constexpr size_t kMaxRemoteMediaBytes = 16 * 1024 * 1024;

// A remote name part: what preferredUsername may hold to become
// "name@host" here.
bool ValidRemoteName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  return true;
}

}  // namespace

Status SignOutbound(OutboundRequest& request, const std::string& key_id, const RsaKey& key) {
  auto url = boost::urls::parse_absolute_uri(request.url);
  if (!url) return Error::Invalid("url", "not a URL: " + request.url);
  HttpMessage message;
  message.method = request.method;
  message.path = url->encoded_path().empty() ? "/" : std::string(url->encoded_path());
  message.query = std::string(url->encoded_query());
  for (const auto& [name, value] : request.headers) message.SetHeader(AsciiLower(name), value);
  VANTAGE_TRY(SignMessage(message, request.body, key_id, key, NowUnixMs() / 1000));
  std::erase_if(request.headers, [](const auto& h) {
    std::string name = AsciiLower(h.first);
    return name == "date" || name == "digest" || name == "signature";
  });
  for (const char* name : {"date", "digest", "signature"})
    if (auto value = message.Header(name)) request.headers.emplace_back(name, std::string(*value));
  return Ok();
}

Federation::Federation(service::ServiceContext& services, Options options)
    : services_(services),
      options_(std::move(options)),
      client_(std::make_unique<HttpClient>(ClientOptions(services.settings, options_))) {}

Federation::~Federation() { Stop(); }

Result<RsaKey> Federation::KeyOf(int64_t account_id) {
  {
    std::lock_guard lock(keys_mu_);
    if (auto it = keys_.find(account_id); it != keys_.end()) return it->second;
  }
  store::Database& db = services_.store.database();
  auto stored = store::FindActorKey(db, account_id);
  if (!stored) return std::move(stored).error();
  std::string label = account_id == store::kInstanceActor ? "the instance actor" : "account " + std::to_string(account_id);
  if (!*stored && account_id != store::kInstanceActor) {
    spdlog::error("federation: {} has no actor key; restore it from a backup (keys are never made again)", label);
    return Error::Internal(label + " has no actor key");
  }
  store::ActorKeyPair pair = stored->value_or(store::ActorKeyPair{});
  if (pair.pending()) {
    auto made = RsaKey::Generate();
    if (!made) return std::move(made).error();
    auto public_pem = made->PublicPem();
    auto private_pem = made->PrivatePem();
    if (!public_pem || !private_pem) return Error::Internal("could not encode a new actor key");
    auto kept = store::SetPendingActorKey(db, account_id, {*public_pem, *private_pem}, NowUnixMs());
    if (!kept) return std::move(kept).error();
    pair = std::move(*kept);
  }
  auto key = RsaKey::FromPrivatePem(pair.private_pem);
  if (!key) {
    spdlog::error("federation: the actor key of {} does not parse ({}); restore it from a backup", label,
                  key.error().message);
    return Error::Internal("the actor key of " + label + " does not parse");
  }
  std::lock_guard lock(keys_mu_);
  keys_.emplace(account_id, *key);
  return *key;
}

Result<std::string> Federation::PublicPemOf(int64_t account_id) {
  auto key = KeyOf(account_id);
  if (!key) return std::move(key).error();
  return key->PublicPem();
}

Result<service::DomainVerdict> Federation::Judge(std::string_view host) {
  if (options_.mode == Mode::kOff) return service::DomainVerdict{true, false, false};
  return service::JudgeDomain(services_, host, options_.mode == Mode::kAllowlist);
}

Result<json::object> Federation::FetchDocument(const std::string& url, bool require_own_id) {
  auto verdict = Judge(HostOf(url));
  if (!verdict) return std::move(verdict).error();
  if (verdict->blocked) return Error::Forbidden("federation with " + HostOf(url) + " is blocked", "domain_blocked");
  auto key = KeyOf(store::kInstanceActor);
  if (!key) return std::move(key).error();
  OutboundRequest request;
  request.url = WithoutFragment(url);
  request.headers = {{"accept", "application/activity+json, application/ld+json; "
                                "profile=\"https://www.w3.org/ns/activitystreams\""}};
  std::string key_id = uris().InstanceKeyId();
  auto response = client_->Send(request, [&](OutboundRequest& hop) { return SignOutbound(hop, key_id, *key); });
  if (!response) return std::move(response).error();
  if (response->status == 404 || response->status == 410)
    return Error::NotFound("the remote server has no " + request.url + " (" + std::to_string(response->status) + ")");
  if (response->status < 200 || response->status >= 300)
    return Error::Unavailable("the remote server answered " + std::to_string(response->status), 60);
  if (!IsActivityContentType(response->Header("content-type")))
    return Error::Invalid("content_type", "the remote server did not answer with an ActivityPub document");
  boost::system::error_code ec;
  json::value parsed = json::parse(response->body, ec);
  if (ec || !parsed.is_object()) return Error::Invalid("body", "the remote document is not a JSON object");
  json::object document = std::move(parsed.as_object());
  // The document counts only as what it says it is at the URL it says
  // (CVE-2024-23832): its id is where it was fetched from.
  std::string id = StringOf(document, "id");
  if (require_own_id && (id.empty() || WithoutFragment(id) != response->url))
    return Error::Invalid("id", "the remote document's id is not the URL it was fetched from");
  return document;
}

Result<store::Account> Federation::SaveActor(const json::object& document, const std::string& fetched_from) {
  std::string id = StringOf(document, "id");
  std::string type = TypeOf(document);
  static const char* kActorTypes[] = {"Person", "Organization", "Service", "Application", "Group"};
  bool actor = false;
  for (const char* t : kActorTypes) actor = actor || type == t;
  if (!actor) return Error::Invalid("type", "not an actor: " + type);
  if (id != fetched_from || !IsHttpUrl(id)) return Error::Invalid("id", "the actor is not served at its id");
  std::string host = HostOf(id);
  std::string name = StringOf(document, "preferredUsername");
  if (!ValidRemoteName(name)) return Error::Invalid("preferredUsername", "the actor has no usable name");
  std::string inbox = StringOf(document, "inbox");
  if (!IsHttpUrl(inbox) || !SameOrigin(inbox, id)) return Error::Invalid("inbox", "the actor's inbox is not its host's");
  std::string shared_inbox;
  if (const json::value* endpoints = document.if_contains("endpoints"); endpoints && endpoints->is_object()) {
    shared_inbox = StringOf(endpoints->as_object(), "sharedInbox");
    if (!shared_inbox.empty() && (!IsHttpUrl(shared_inbox) || !SameOrigin(shared_inbox, id))) shared_inbox.clear();
  }
  // The key: publicKey (an object or the first of an array) owned by this actor.
  std::string key_id, pem;
  for (const json::object* k : ObjectsOf(document.if_contains("publicKey"))) {
    if (!key_id.empty() || StringOf(*k, "owner") != id) continue;
    std::string kid = StringOf(*k, "id");
    if (kid.empty() || (WithoutFragment(kid) != WithoutFragment(id) && !SameOrigin(kid, id))) continue;
    key_id = kid;
    pem = StringOf(*k, "publicKeyPem");
  }
  if (key_id.empty() || !RsaKey::FromPublicPem(pem))
    return Error::Invalid("publicKey", "the actor has no usable RSA key of its own");

  store::Account account;
  account.id = services_.ids.Next();
  account.username = name + "@" + host;
  account.domain = host;
  account.display_name = HtmlToText(StringOf(document, "name"), 100);
  account.note = HtmlToText(StringOf(document, "summary"), 1000);
  const json::value* locked = document.if_contains("manuallyApprovesFollowers");
  account.locked = locked && locked->is_bool() && locked->as_bool();
  std::string url = UrlOf(document.if_contains("url"), "text/html");
  account.url = IsHttpUrl(url) ? url : id;
  std::vector<service::ProfileField> fields;
  {
    // One field may come as a bare object (GoToSocial writes single values so).
    for (const json::object* f : ObjectsOf(document.if_contains("attachment"))) {
      if (TypeOf(*f) != "PropertyValue" || fields.size() >= 4) continue;
      std::string field_name = HtmlToText(StringOf(*f, "name"), 255);
      std::string value = HtmlToText(StringOf(*f, "value"), 255);
      if (!field_name.empty()) fields.push_back({field_name, value});
    }
  }
  account.fields_json = service::EncodeProfileFields(fields);
  account.created_at = account.updated_at = NowUnixMs();

  store::RemoteActor row;
  row.uri = id;
  row.inbox = inbox;
  row.shared_inbox = shared_inbox;
  row.followers_uri = StringOf(document, "followers");
  row.key_id = key_id;
  row.public_key_pem = pem;
  row.actor_type = type;
  row.avatar_url = UrlOf(document.if_contains("icon"));
  if (const json::value* icon = document.if_contains("icon"); icon && icon->is_object())
    row.avatar_url = UrlOf(icon->as_object().if_contains("url"));
  row.fetched_at = NowUnixMs();
  if (std::string outbox = StringOf(document, "outbox"); IsHttpUrl(outbox) && SameOrigin(outbox, id))
    row.outbox_uri = outbox;
  auto before = store::FindRemoteActorByUri(services_.store.database(), id);
  if (!before) return std::move(before).error();
  auto saved = store::SaveRemoteActor(services_.store.database(), account, row);
  if (!saved) return saved;
  // A new or changed picture is fetched in the background; until then the
  // account shows the default one.
  if (!*before || (*before)->avatar_url != row.avatar_url || (saved->avatar_key.empty() && !row.avatar_url.empty()))
    QueueAvatar(saved->id);
  return saved;
}

Result<store::RemoteActor> Federation::ResolveActor(const std::string& uri, bool refresh) {
  if (!IsHttpUrl(uri)) return Error::Invalid("actor", "not an actor id: " + uri);
  if (ParseLocalUri(uris(), uri) || HostOf(uri) == HostOf(uris().base))
    return Error::Invalid("actor", "a local actor cannot be resolved as a remote one");
  store::Database& db = services_.store.database();
  if (!refresh) {
    auto known = store::FindRemoteActorByUri(db, uri);
    if (!known) return std::move(known).error();
    if (*known) return std::move(**known);
  }
  auto document = FetchDocument(uri);
  if (!document) return std::move(document).error();
  auto saved = SaveActor(*document, uri);
  if (!saved) return std::move(saved).error();
  auto actor = store::FindRemoteActor(db, saved->id);
  if (!actor) return std::move(actor).error();
  if (!*actor) return Error::Internal("a saved remote actor vanished");
  return std::move(**actor);
}

Result<std::string> Federation::KeyOwner(const std::string& key_id) {
  std::string url = WithoutFragment(key_id);
  if (!IsHttpUrl(url)) return Error::Invalid("keyId", "the keyId is not a URL");
  // Usually the actor itself (keyId = actor#main-key).
  if (url != key_id || ParseLocalUri(uris(), url)) return url;
  // A key at a URL of its own (GoToSocial's actor/main-key serves a stub):
  // its owner is asked, and must publish this key on the same origin.
  auto document = FetchDocument(url, /*require_own_id=*/false);
  if (!document) return std::move(document).error();
  std::string owner = StringOf(*document, "owner");
  for (const json::object* k : ObjectsOf(document->if_contains("publicKey")))
    if (owner.empty() && StringOf(*k, "id") == key_id) owner = StringOf(*k, "owner");
  if (owner.empty() && StringOf(*document, "id") != url) owner = StringOf(*document, "id");
  if (owner.empty() || !SameOrigin(owner, key_id)) return Error::Invalid("keyId", "the key names no owner on its host");
  return owner;
}

Result<RsaKey> Federation::RemoteKey(const std::string& public_pem) {
  constexpr size_t kMaxRemoteKeys = 20000;
  {
    std::lock_guard lock(keys_mu_);
    if (auto it = remote_keys_.find(public_pem); it != remote_keys_.end()) return it->second;
  }
  auto key = RsaKey::FromPublicPem(public_pem);
  if (!key) return std::move(key).error();
  std::lock_guard lock(keys_mu_);
  if (remote_keys_.size() >= kMaxRemoteKeys) remote_keys_.clear();
  remote_keys_.emplace(public_pem, *key);
  return *key;
}

Result<store::RemoteActor> Federation::VerifyRequest(const InboundRequest& request) {
  HttpMessage message;
  message.method = request.method;
  message.path = request.path;
  message.query = request.query;
  for (const auto& [name, value] : request.headers) {
    if (auto existing = message.Header(name))
      message.SetHeader(name, std::string(*existing) + ", " + value);
    else
      message.SetHeader(name, value);
  }
  auto header = message.Header("signature");
  if (!header) return Error::Unauthorized("no Signature header");
  // RFC 9421 when Signature-Input is there, draft-cavage otherwise.
  std::string key_id;
  std::function<bool(const RsaKey&)> verified;
  std::optional<SignatureHeader> cavage;
  std::optional<MessageSignature> rfc9421;
  std::string target_uri = services_.settings.base_url + request.path + (request.query.empty() ? "" : "?" + request.query);
  if (auto input = message.Header("signature-input")) {
    auto parsed = ParseMessageSignature(*input, *header);
    if (!parsed) return std::move(parsed).error();
    VANTAGE_TRY(CheckMessageSignature(message, *parsed, request.body, NowUnixMs() / 1000));
    rfc9421 = std::move(*parsed);
    key_id = rfc9421->key_id;
    verified = [&](const RsaKey& key) { return VerifyMessageSignature(message, *rfc9421, target_uri, key); };
  } else {
    auto parsed = ParseSignatureHeader(*header);
    if (!parsed) return std::move(parsed).error();
    VANTAGE_TRY(CheckSignedMessage(message, *parsed, request.body, NowUnixMs() / 1000));
    cavage = std::move(*parsed);
    key_id = cavage->key_id;
    verified = [&](const RsaKey& key) { return VerifyWithKey(message, *cavage, key); };
  }
  if (!IsHttpUrl(WithoutFragment(key_id))) return Error::Unauthorized("the keyId is not a URL");

  store::Database& db = services_.store.database();
  auto known = store::FindRemoteActorByKeyId(db, key_id);
  if (!known) return std::move(known).error();
  std::optional<store::RemoteActor> actor = std::move(*known);
  bool fetched = false;
  if (!actor) {
    auto owner = KeyOwner(key_id);
    if (!owner) return Error::Unauthorized("the signer's key could not be fetched: " + owner.error().message);
    auto resolved = ResolveActor(*owner, true);
    if (!resolved) return Error::Unauthorized("the signer's key could not be fetched: " + resolved.error().message);
    if (resolved->key_id != key_id) return Error::Unauthorized("the keyId is not its actor's key");
    actor = std::move(*resolved);
    fetched = true;
  }
  auto verify = [&](const store::RemoteActor& a) {
    auto key = RemoteKey(a.public_key_pem);
    return key && verified(*key);
  };
  if (verify(*actor)) return std::move(*actor);
  if (fetched) return Error::Unauthorized("the signature does not verify");
  // A cached key that fails: the actor may have a new one. Fetch once more.
  auto refreshed = ResolveActor(actor->uri, true);
  if (!refreshed) return Error::Unauthorized("the signature does not verify, and the key could not be refetched");
  if (refreshed->key_id != key_id || !verify(*refreshed))
    return Error::Unauthorized("the signature does not verify");
  return std::move(*refreshed);
}

void Federation::Start() {
  if (outbox_thread_.joinable()) return;
  client_ = std::make_unique<HttpClient>(ClientOptions(services_.settings, options_));
  HttpClientOptions media = ClientOptions(services_.settings, options_);
  media.max_body_bytes = service::kMaxAvatarBytes;
  media_client_ = std::make_unique<HttpClient>(media);
  media.max_body_bytes = kMaxRemoteMediaBytes;
  remote_media_client_ = std::make_unique<HttpClient>(media);
  services_.federation_wake = [this] { Wake(); };
  outbox_thread_ = std::thread([this] { OutboxLoop(); });
  if (media_) {
    avatar_thread_ = std::thread([this] { AvatarLoop(); });
    for (int i = 0; i < options_.media_threads; ++i) media_threads_.emplace_back([this] { MediaLoop(); });
  }
  boost_thread_ = std::thread([this] { BoostLoop(); });
  for (int i = 0; i < options_.delivery_threads; ++i) delivery_threads_.emplace_back([this] { DeliveryLoop(); });
}

void Federation::Enqueue(std::deque<int64_t>& queue, int64_t id, size_t limit) {
  {
    std::lock_guard lock(mu_);
    if (queue.size() >= limit) return;  // a flood: the rest wait (see the callers)
    queue.push_back(id);
  }
  wake_.notify_all();
}

void Federation::WorkOn(std::deque<int64_t>& queue, const std::function<void(int64_t)>& work) {
  while (true) {
    int64_t id;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue.empty(); });
      if (stopping_) return;
      id = queue.front();
      queue.pop_front();
    }
    work(id);
  }
}

// A flood of new actors: pictures past 10,000 wait for their actor's next update.
void Federation::QueueAvatar(int64_t account_id) {
  if (media_) Enqueue(avatars_, account_id, 10000);
}

void Federation::AvatarLoop() {
  WorkOn(avatars_, [this](int64_t account_id) {
    if (Status fetched = FetchAvatar(account_id); !fetched)
      spdlog::info("federation: the picture of account {} is not shown: {}", account_id, fetched.error().message);
  });
}

Status Federation::FetchAvatar(int64_t account_id) {
  if (!media_) return Ok();
  store::Database& db = services_.store.database();
  auto actor = store::FindRemoteActor(db, account_id);
  if (!actor) return std::move(actor).error();
  if (!*actor) return Ok();
  if ((*actor)->avatar_url.empty()) {
    auto removed = service::RemoveAvatar(*media_, account_id);
    if (!removed) return std::move(removed).error();
    return Ok();
  }
  for (const std::string& host : {HostOf((*actor)->uri), HostOf((*actor)->avatar_url)}) {
    auto verdict = Judge(host);
    if (!verdict) return std::move(verdict).error();
    if (verdict->blocked || verdict->reject_media) return Error::Forbidden("media from " + host + " are rejected");
  }
  OutboundRequest request;
  request.url = (*actor)->avatar_url;
  request.headers = {{"accept", "image/jpeg, image/png, image/webp, image/*;q=0.8"}};
  auto response = media_client_->Send(request);
  if (!response) return std::move(response).error();
  if (response->status != 200) return Error::Unavailable("the picture's server answered " + std::to_string(response->status));
  auto processed = service::PrepareAvatar(*media_, response->body);
  if (!processed) return std::move(processed).error();
  auto set = service::SetAvatar(*media_, account_id, *processed);
  if (!set) return std::move(set).error();
  return Ok();
}

void Federation::Wake() {
  {
    std::lock_guard lock(mu_);
    ++wakes_;
  }
  wake_.notify_all();
}

}  // namespace vantage::federation
