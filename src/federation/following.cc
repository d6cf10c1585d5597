// Following the fediverse (docs/federation.md, "Following remote
// accounts"): finding remote accounts and posts (WebFinger, a fetch at the
// object's own id), keeping the posts of followed accounts, reading a
// remote profile's recent posts from its outbox, and fetching remote photos
// through the media pipeline, so that readers' browsers never contact
// another server.
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "core/id.h"
#include "core/text.h"
#include "federation/federation.h"
#include "service/interactions.h"
#include "service/media.h"
#include "service/statuses.h"

namespace vantage::federation {

namespace json = boost::json;

namespace {

constexpr int64_t kPostsRefreshMs = 3600 * 1000;  // a remote profile's outbox, read again after an hour
constexpr size_t kOutboxItems = 20;               // posts kept from its first page
constexpr size_t kMediaQueueLimit = 10000;
constexpr int64_t kRefetchAfterMs = 60'000;  // a photo whose server did not answer is not asked again sooner
constexpr size_t kBoostQueueLimit = 10000;
constexpr int kMediaFetchesPerHost = 2;
constexpr int kMediaNice = 10;

// What a note's attachment is: an image is fetched; anything else (video,
// audio) is a link to the original.
bool IsImage(const json::object& attachment) {
  std::string media_type = AsciiLower(StringOf(attachment, "mediaType"));
  if (!media_type.empty()) return media_type.starts_with("image/");
  std::string type = TypeOf(attachment);
  return type == "Image" || type == "Document";
}

// A remote server that could not be reached, or answered what cannot be
// read, as the reader is told it.
Error AsBadGateway(Error error, std::string_view host) {
  // An address this server never contacts (private, loopback): the reader
  // is told so, not shown an empty search.
  if (error.kind == ErrorKind::kForbidden && error.code == "address_not_allowed") {
    spdlog::info("federation: {} is not contacted: {}", host, error.message);
    return Error::BadGateway(std::string(host) + " cannot be reached from this server", "q");
  }
  if (error.kind == ErrorKind::kUnavailable || error.kind == ErrorKind::kTimeout || error.kind == ErrorKind::kTooLarge ||
      error.kind == ErrorKind::kInvalid || error.kind == ErrorKind::kBadRequest) {
    spdlog::info("federation: {} did not answer usably: {}", host, error.message);
    return Error::BadGateway(std::string(host) + " did not answer", "q");
  }
  return error;
}

// The reported size of a collection, when its document gives one.
std::optional<int64_t> TotalItems(const json::object& collection) {
  const json::value* total = collection.if_contains("totalItems");
  if (!total || !total->is_number()) return std::nullopt;
  boost::system::error_code ec;
  int64_t n = total->to_number<int64_t>(ec);
  if (ec || n < 0) return std::nullopt;
  return n;
}

}  // namespace

// The visibility a remote note's addressing gives it here; nullopt for a
// direct message (Vantage has none).
std::optional<store::Visibility> RemoteVisibility(const json::object& note, const store::RemoteActor& author) {
  std::vector<std::string> to = IdsOf(note.if_contains("to")), cc = IdsOf(note.if_contains("cc"));
  for (const std::string& id : to)
    if (IsPublic(id)) return store::Visibility::kPublic;
  for (const std::string& id : cc)
    if (IsPublic(id)) return store::Visibility::kUnlisted;
  auto to_followers = [&](const std::vector<std::string>& ids) {
    for (const std::string& id : ids)
      if (!author.followers_uri.empty() && id == author.followers_uri) return true;
    return false;
  };
  if (to_followers(to) || to_followers(cc)) return store::Visibility::kPrivate;
  return std::nullopt;
}

RemoteNoteText NoteText(const json::object& note, const LocalUris& uris) {
  RemoteNoteText out;
  for (const json::object* tag : ObjectsOf(note.if_contains("tag"))) {
    if (TypeOf(*tag) != "Mention") continue;
    auto local = ParseLocalUri(uris, StringOf(*tag, "href"));
    if (local && local->kind == LocalObject::Kind::kActor) out.mentionable.push_back(AsciiLower(local->username));
  }
  std::string html = StringOf(note, "content");
  // A note may carry its text only per language (contentMap): the first.
  if (html.empty()) {
    if (const json::value* map = note.if_contains("contentMap"); map && map->is_object())
      for (const auto& entry : map->as_object())
        if (entry.value().is_string()) {
          html = std::string(entry.value().as_string());
          break;
        }
  }
  out.text = HtmlToText(html, service::kMaxCaptionChars);
  out.spoiler_text = HtmlToText(StringOf(note, "summary"), 500);
  const json::value* sensitive = note.if_contains("sensitive");
  out.sensitive = (sensitive && sensitive->is_bool() && sensitive->as_bool()) || !out.spoiler_text.empty();
  return out;
}

Result<store::Account> Federation::ResolveAccount(std::string_view acct) {
  std::string name(Trim(acct));
  if (!name.empty() && name.front() == '@') name.erase(0, 1);
  size_t at = name.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= name.size())
    return Error::Invalid("q", "a remote account is named user@host");
  std::string user = name.substr(0, at), host = AsciiLower(name.substr(at + 1));
  if (host == HostOf(uris().base) || host == AsciiLower(services_.settings.domain))
    return Error::Invalid("q", "that names an account of this server");
  // The name as a URL's host must be the same host: no user info, no path.
  std::string probe = "https://" + host + "/";
  if (!IsHttpUrl(probe) || HostOf(probe) != host) return Error::Invalid("q", "not a server name: " + host);
  auto verdict = Judge(host);
  if (!verdict) return std::move(verdict).error();
  if (verdict->blocked) return Error::Forbidden("federation with " + host + " is blocked", "domain_blocked");

  // Known already: the stored account (its actor is kept up to date by its
  // own Updates).
  auto known = services_.store.accounts().FindByUsername(user + "@" + host);
  if (!known) return std::move(known).error();
  if (*known && !(*known)->local()) return std::move(**known);

  OutboundRequest request;
  request.url = probe + ".well-known/webfinger?resource=" +
                boost::urls::encode("acct:" + user + "@" + host, boost::urls::unreserved_chars);
  request.headers = {{"accept", "application/jrd+json, application/json"}};
  auto response = client_->Send(request);
  if (!response) return AsBadGateway(std::move(response).error(), host);
  if (response->status == 404 || response->status == 410) return Error::NotFound("no account " + name);
  if (response->status != 200) return AsBadGateway(Error::Unavailable("WebFinger answered " + std::to_string(response->status)), host);
  boost::system::error_code ec;
  json::value jrd = json::parse(response->body, ec);
  if (ec || !jrd.is_object()) return AsBadGateway(Error::Invalid("body", "WebFinger's answer is not JSON"), host);
  std::string actor_url;
  for (const json::object* link : ObjectsOf(jrd.as_object().if_contains("links"))) {
    if (StringOf(*link, "rel") != "self") continue;
    std::string type = StringOf(*link, "type");
    if (!IsActivityContentType(type)) continue;
    actor_url = StringOf(*link, "href");
    break;
  }
  // The actor must live on the server that answered for the name (a
  // server answers for its own accounts only).
  if (!IsHttpUrl(actor_url) || HostOf(actor_url) != host)
    return AsBadGateway(Error::Invalid("links", "WebFinger names no actor on " + host), host);
  auto actor = ResolveActor(actor_url, false);
  if (!actor) return AsBadGateway(std::move(actor).error(), host);
  auto account = services_.store.accounts().FindById(actor->account_id);
  if (!account) return std::move(account).error();
  if (!*account) return Error::NotFound();
  return std::move(**account);
}

Result<service::ResolvedObject> Federation::ResolveUrl(std::string_view text) {
  std::string url(Trim(text));
  if (!IsHttpUrl(url)) return Error::Invalid("q", "not an http(s) URL");
  std::string host = HostOf(url);
  if (host == HostOf(uris().base)) return Error::NotFound("a page of this server");
  auto known_actor = store::FindRemoteActorByUri(services_.store.database(), url);
  if (!known_actor) return std::move(known_actor).error();
  if (!*known_actor) {
    auto known_status = store::FindStatusIdByUri(services_.store.database(), url);
    if (!known_status) return std::move(known_status).error();
    if (*known_status) return service::ResolvedObject{std::nullopt, **known_status};
  }
  // A profile or post page answers its object, whose id may differ: the
  // object is believed only as fetched again from its own id.
  auto document = FetchDocument(url, /*require_own_id=*/false);
  if (!document) return AsBadGateway(std::move(document).error(), host);
  std::string id = StringOf(*document, "id");
  if (!IsHttpUrl(id)) return AsBadGateway(Error::Invalid("id", "the document has no id"), host);
  if (WithoutFragment(id) != WithoutFragment(url)) {
    if (!SameOrigin(id, url)) return AsBadGateway(Error::Invalid("id", "the page names an object elsewhere"), host);
    document = FetchDocument(id);
    if (!document) return AsBadGateway(std::move(document).error(), host);
  }
  std::string type = TypeOf(*document);
  if (type == "Person" || type == "Organization" || type == "Service" || type == "Application" || type == "Group") {
    auto account = SaveActor(*document, id);
    if (!account) return AsBadGateway(std::move(account).error(), host);
    return service::ResolvedObject{std::move(*account), std::nullopt};
  }
  auto stored = KeepFetchedNote(*document, id);
  if (!stored) return AsBadGateway(std::move(stored).error(), host);
  if (!*stored) return Error::NotFound("nothing that can be shown here at " + url);
  return service::ResolvedObject{std::nullopt, **stored};
}

Result<std::optional<int64_t>> Federation::KeepFetchedNote(const json::object& document, const std::string& id) {
  std::vector<std::string> authors = IdsOf(document.if_contains("attributedTo"));
  if (authors.size() != 1 || !SameOrigin(authors[0], id))
    return Error::Invalid("attributedTo", "the post names no author on its own server");
  auto author = ResolveActor(authors[0], false);
  if (!author) return std::move(author).error();
  return KeepRemoteNote(document, *author, /*followed_only=*/false);
}

void Federation::QueueBoosted(int64_t booster_id, const std::string& announce_id, const std::string& status_uri) {
  int64_t key = services_.ids.Next();
  {
    std::lock_guard lock(mu_);
    if (pending_boosts_.size() >= kBoostQueueLimit) return;  // a flood: those past the limit are not shown
    pending_boosts_.emplace(key, PendingBoost{booster_id, announce_id, status_uri});
  }
  Enqueue(boost_queue_, key, kBoostQueueLimit);
}

void Federation::BoostLoop() {
  WorkOn(boost_queue_, [this](int64_t key) {
    PendingBoost boost;
    {
      std::lock_guard lock(mu_);
      auto it = pending_boosts_.find(key);
      if (it == pending_boosts_.end()) return;
      boost = std::move(it->second);
      pending_boosts_.erase(it);
    }
    if (Status shown = FetchBoosted(boost); !shown)
      spdlog::info("federation: the boost {} is not shown: {}", boost.announce_id, shown.error().message);
  });
}

// The boosted post, fetched from its own id (a post, not a comment) and
// kept, then the boost.
Status Federation::FetchBoosted(const PendingBoost& boost) {
  auto verdict = Judge(HostOf(boost.status_uri));
  if (!verdict) return std::move(verdict).error();
  if (verdict->blocked) return Ok();
  auto document = FetchDocument(boost.status_uri);
  if (!document) return std::move(document).error();
  if (!IdsOf(document->if_contains("inReplyTo")).empty()) return Ok();
  auto stored = KeepFetchedNote(*document, boost.status_uri);
  if (!stored) return std::move(stored).error();
  if (!*stored) return Ok();
  auto boosted = service::RecordBoost(services_, **stored, boost.booster_id, boost.announce_id);
  if (!boosted) return std::move(boosted).error();
  return Ok();
}

Status Federation::RefreshRemotePosts(int64_t account_id) {
  store::Database& db = services_.store.database();
  auto actor = store::FindRemoteActor(db, account_id);
  if (!actor) return std::move(actor).error();
  if (!*actor) return Ok();  // a local account
  int64_t now = NowUnixMs();
  if ((*actor)->posts_fetched_at && now - *(*actor)->posts_fetched_at < kPostsRefreshMs) return Ok();
  std::string host = HostOf((*actor)->uri);
  // The profile itself, brought up to date, and the sizes of its
  // collections as its server reports them (one it hides or fails to serve
  // leaves that count as it is).
  auto document = FetchDocument((*actor)->uri);
  if (!document) return AsBadGateway(std::move(document).error(), host);
  auto saved = SaveActor(*document, (*actor)->uri);
  if (!saved) return AsBadGateway(std::move(saved).error(), host);
  auto total_of = [&](const std::string& uri) -> std::optional<int64_t> {
    if (!IsHttpUrl(uri) || !SameOrigin(uri, (*actor)->uri)) return std::nullopt;
    auto collection = FetchDocument(uri);
    if (!collection) return std::nullopt;
    return TotalItems(*collection);
  };
  store::ReportedCounts counts;
  counts.followers = total_of(IdOf(document->contains("followers") ? document->at("followers") : json::value()).value_or(""));
  counts.following = total_of(IdOf(document->contains("following") ? document->at("following") : json::value()).value_or(""));
  auto fresh = store::FindRemoteActor(db, account_id);
  if (!fresh) return std::move(fresh).error();
  if (!*fresh) return Ok();
  actor = std::move(fresh);

  if (!(*actor)->outbox_uri.empty() && SameOrigin((*actor)->outbox_uri, (*actor)->uri)) {
    auto outbox = FetchDocument((*actor)->outbox_uri);
    if (!outbox) return AsBadGateway(std::move(outbox).error(), host);
    counts.statuses = TotalItems(*outbox);
    // The first page, embedded or at its own id on the same server.
    json::object page;
    if (const json::value* first = outbox->if_contains("first"); first && first->is_object()) {
      page = first->as_object();
    } else if (std::string first_id = first ? IdOf(*first).value_or("") : ""; IsHttpUrl(first_id) &&
                                                                            SameOrigin(first_id, (*actor)->uri)) {
      auto fetched = FetchDocument(first_id, /*require_own_id=*/false);
      if (!fetched) return AsBadGateway(std::move(fetched).error(), host);
      page = std::move(*fetched);
    } else {
      page = *outbox;  // items in the collection itself
    }
    const json::value* items = page.if_contains("orderedItems");
    if (!items) items = page.if_contains("items");
    size_t kept = 0;
    for (const json::object* item : ObjectsOf(items)) {
      if (kept >= kOutboxItems) break;
      // Create activities of the actor's own notes, embedded and from its
      // origin (a reference alone is not fetched: the page is a preview).
      if (TypeOf(*item) != "Create") continue;
      if (IdOf(item->contains("actor") ? item->at("actor") : json::value()).value_or("") != (*actor)->uri) continue;
      const json::value* object = item->if_contains("object");
      if (!object || !object->is_object()) continue;
      const json::object& note = object->as_object();
      std::string note_id = StringOf(note, "id");
      std::vector<std::string> authors = IdsOf(note.if_contains("attributedTo"));
      if (!IsHttpUrl(note_id) || !SameOrigin(note_id, (*actor)->uri) || authors.size() != 1 ||
          authors[0] != (*actor)->uri)
        continue;
      if (!IdsOf(note.if_contains("inReplyTo")).empty()) continue;  // its comments elsewhere
      auto stored = KeepRemoteNote(note, **actor, /*followed_only=*/false);
      if (!stored) {
        spdlog::info("federation: a post of {} is not kept: {}", (*actor)->uri, stored.error().message);
        continue;
      }
      if (*stored) ++kept;
    }
  }
  return store::SetRemoteCounts(db, account_id, counts, now);
}

Result<std::optional<int64_t>> Federation::KeepRemoteNote(const json::object& note, const store::RemoteActor& author,
                                                          bool followed_only) {
  store::Database& db = services_.store.database();
  std::string type = TypeOf(note);
  if (type != "Note" && type != "Article" && type != "Page" && type != "Image") return std::optional<int64_t>();
  std::string id = StringOf(note, "id");
  if (!IsHttpUrl(id) || !SameOrigin(id, author.uri)) return std::optional<int64_t>();
  auto existing = store::FindStatusIdByUri(db, id);
  if (!existing) return std::move(existing).error();
  if (*existing) return existing;
  // A post is kept for the local accounts that follow its author; a
  // reader's explicit search or profile view keeps it too.
  if (followed_only) {
    auto followed = store::HasLocalFollower(db, author.account_id);
    if (!followed) return std::move(followed).error();
    if (!*followed) return std::optional<int64_t>();
  }
  auto visibility = RemoteVisibility(note, author);
  if (!visibility) return std::optional<int64_t>();
  auto account = services_.store.accounts().FindById(author.account_id);
  if (!account) return std::move(account).error();
  if (!*account) return std::optional<int64_t>();
  auto verdict = Judge(HostOf(author.uri));
  if (!verdict) return std::move(verdict).error();
  if (verdict->blocked) return std::optional<int64_t>();

  RemoteNoteText text = NoteText(note, uris());
  service::NewStatus input;
  input.text = text.text;
  input.mentionable = std::move(text.mentionable);
  input.spoiler_text = text.spoiler_text;
  input.sensitive = text.sensitive;
  input.visibility = store::VisibilityName(*visibility);
  input.uri = id;
  input.held_for_review = verdict->silenced;
  std::string page = UrlOf(note.if_contains("url"), "text/html");
  if (IsHttpUrl(page) && SameOrigin(page, author.uri)) input.url = page;

  // The photos: rows that say where each original is; fetched now (eager)
  // or when first shown (lazy). Videos and audio are links to the original.
  std::vector<int64_t> media_ids;
  std::vector<std::string> media_urls;
  for (const json::object* attachment : ObjectsOf(note.if_contains("attachment"))) {
    if (media_ids.size() >= service::kMaxMediaPerPost) break;
    std::string url = UrlOf(attachment->if_contains("url"));
    if (!IsHttpUrl(url)) continue;
    store::MediaAttachment row;
    row.id = services_.ids.Next();
    row.account_id = author.account_id;
    row.remote_url = url;
    row.description = HtmlToText(StringOf(*attachment, "name"), service::kMaxMediaDescriptionChars);
    if (!IsImage(*attachment)) {
      row.state = store::MediaState::kFailed;
      row.error_code = store::kNotAnImage;
    }
    const json::value* focal = attachment->if_contains("focalPoint");
    if (focal && focal->is_array() && focal->as_array().size() == 2 && focal->as_array()[0].is_number() &&
        focal->as_array()[1].is_number()) {
      boost::system::error_code ec1, ec2;
      double x = focal->as_array()[0].to_number<double>(ec1), y = focal->as_array()[1].to_number<double>(ec2);
      if (!ec1 && !ec2 && x >= -1 && x <= 1 && y >= -1 && y <= 1) {
        row.focus_x = static_cast<int>(std::lround(x * 1000));
        row.focus_y = static_cast<int>(std::lround(y * 1000));
      }
    }
    row.created_at = row.updated_at = NowUnixMs();
    auto created = services_.store.media().Create(row);
    if (!created) return std::move(created).error();
    media_ids.push_back(row.id);
    media_urls.push_back(url);
    input.media_ids.push_back(std::to_string(row.id));
  }
  if (Trim(input.text).empty() && media_ids.empty()) return std::optional<int64_t>();  // nothing to show

  auto created = service::PublishStatus(services_, **account, input);
  if (!created) {
    // Delivered twice at once: the other copy is the one kept.
    if (created.error().code == "unique_violation") {
      auto again = store::FindStatusIdByUri(db, id);
      if (!again) return std::move(again).error();
      return again;
    }
    if (created.error().kind == ErrorKind::kInvalid) {
      spdlog::info("federation: post {} refused: {}", id, created.error().message);
      return std::optional<int64_t>();
    }
    return std::move(created).error();
  }
  if (options_.media_eager)
    for (size_t i = 0; i < media_ids.size(); ++i) QueueMedia(media_ids[i], HostOf(media_urls[i]));
  return std::optional<int64_t>(created->post.id);
}

void Federation::NoteFailedFetch(int64_t media_id) {
  std::lock_guard lock(fetching_mu_);
  if (failed_fetches_.size() >= kMediaQueueLimit) failed_fetches_.clear();
  failed_fetches_[media_id] = NowUnixMs();
}

// A flood: photos past the limit are fetched when shown.
void Federation::QueueMedia(int64_t media_id, std::string host) {
  if (!media_) return;
  {
    std::lock_guard lock(mu_);
    if (media_queue_.size() >= kMediaQueueLimit) return;
    media_queue_.push_back(QueuedMedia{media_id, std::move(host)});
  }
  wake_.notify_all();
}

// Each worker takes the oldest photo whose host has fewer than
// kMediaFetchesPerHost fetches in flight, and gives the host's slot back
// once the photo's server has answered (processing it is no business of
// the host's).
void Federation::MediaLoop() {
  // Below the request threads: a burst of remote photos takes the cores
  // the requests leave, never the requests' own (Linux: per thread).
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kMediaNice) != 0)
    spdlog::debug("federation: the photo worker keeps its priority: {}", std::strerror(errno));
  while (true) {
    QueuedMedia item;
    {
      std::unique_lock lock(mu_);
      auto next = media_queue_.end();
      wake_.wait(lock, [&] {
        if (stopping_) return true;
        next = std::find_if(media_queue_.begin(), media_queue_.end(), [&](const QueuedMedia& m) {
          auto busy = media_fetching_.find(m.host);
          return busy == media_fetching_.end() || busy->second < kMediaFetchesPerHost;
        });
        return next != media_queue_.end();
      });
      if (stopping_) return;
      item = std::move(*next);
      media_queue_.erase(next);
      ++media_fetching_[item.host];
    }
    bool released = false;
    auto release = [&] {
      if (released) return;
      released = true;
      {
        std::lock_guard lock(mu_);
        if (--media_fetching_[item.host] <= 0) media_fetching_.erase(item.host);
      }
      wake_.notify_all();
    };
    auto fetched = FetchRemoteMediaThen(item.id, release);
    release();
    if (!fetched) spdlog::info("federation: remote photo {} not fetched now: {}", item.id, fetched.error().message);
  }
}

Result<store::MediaAttachment> Federation::FetchRemoteMedia(int64_t media_id) {
  return FetchRemoteMediaThen(media_id, [] {});
}

Result<store::MediaAttachment> Federation::FetchRemoteMediaThen(int64_t media_id, const std::function<void()>& fetched) {
  if (!media_) return Error::NotFound();
  // One fetch per photo at a time in this process: a second reader waits
  // for the first's result.
  bool waited = false;
  {
    std::unique_lock lock(fetching_mu_);
    waited = fetching_.contains(media_id);
    fetching_done_.wait(lock, [&] { return !fetching_.contains(media_id); });
    fetching_.insert(media_id);
    // Its server did not answer a moment ago (or just now, to the fetch
    // this one waited for): not asked again before a minute has passed.
    if (auto failed = failed_fetches_.find(media_id);
        failed != failed_fetches_.end() && NowUnixMs() - failed->second < kRefetchAfterMs)
      waited = true;
  }
  struct Done {
    Federation* f;
    int64_t id;
    ~Done() {
      {
        std::lock_guard lock(f->fetching_mu_);
        f->fetching_.erase(id);
      }
      f->fetching_done_.notify_all();
    }
  } done{this, media_id};

  auto found = services_.store.media().FindById(media_id);
  if (!found) return std::move(found).error();
  if (!*found) return Error::NotFound();
  store::MediaAttachment row = std::move(**found);
  if (!row.remote() || row.state != store::MediaState::kProcessing) return row;
  if (waited) return Error::BadGateway("the photo's server did not answer", "media");
  auto fail = [&](const std::string& code) -> Result<store::MediaAttachment> {
    VANTAGE_TRY(services_.store.media().MarkFailed(media_id, code, NowUnixMs()));
    auto after = services_.store.media().FindById(media_id);
    if (!after) return std::move(after).error();
    if (!*after) return Error::NotFound();
    return std::move(**after);
  };
  auto actor = store::FindRemoteActor(services_.store.database(), row.account_id);
  if (!actor) return std::move(actor).error();
  std::string owner_host = *actor ? HostOf((*actor)->uri) : "";
  for (const std::string& host : {owner_host, HostOf(row.remote_url)}) {
    if (host.empty()) continue;
    auto verdict = Judge(host);
    if (!verdict) return std::move(verdict).error();
    if (verdict->blocked || verdict->reject_media) return fail("media_rejected");
  }
  OutboundRequest request;
  request.url = row.remote_url;
  request.headers = {{"accept", "image/jpeg, image/png, image/webp, image/avif, image/heic, image/*;q=0.8"}};
  auto response = remote_media_client_->Send(request);
  fetched();
  if (!response) {
    // Too large, or at an address never to be contacted: for good. A
    // server that does not answer now may later: it stays to be fetched.
    if (response.error().kind == ErrorKind::kTooLarge) return fail("image_too_large");
    if (response.error().kind == ErrorKind::kForbidden || response.error().kind == ErrorKind::kInvalid)
      return fail("media_unreachable");
    NoteFailedFetch(media_id);
    return Error::BadGateway("the photo's server did not answer: " + response.error().message, "media");
  }
  if (response->status == 404 || response->status == 410) return fail("media_gone");
  if (response->status != 200) {
    NoteFailedFetch(media_id);
    return Error::BadGateway("the photo's server answered " + std::to_string(response->status), "media");
  }
  auto processed = service::ProcessRemoteMedia(*media_, row, response->body);
  if (!processed) {
    if (processed.error().kind == ErrorKind::kInternal) return std::move(processed).error();
    auto after = services_.store.media().FindById(media_id);
    if (!after) return std::move(after).error();
    if (!*after) return Error::NotFound();
    return std::move(**after);
  }
  return std::move(*processed);
}

}  // namespace vantage::federation
