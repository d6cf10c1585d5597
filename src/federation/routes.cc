// What other servers request (docs/federation.md): discovery (WebFinger,
// host-meta, NodeInfo), actors and their collections, notes, and the
// inboxes. Handlers are thin: parse, call a service or the store's reads,
// render a document.
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/id.h"
#include "core/text.h"
#include "federation/documents.h"
#include "federation/federation.h"
#include "federation/notes.h"
#include "http/error_response.h"
#include "service/social.h"
#include "service/statuses.h"
#include "store/organisation_store.h"

namespace vantage::federation {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr int kPageSize = 20;
constexpr size_t kInboxBodyLimit = 256 * 1024;

Response Document(const json::object& document, std::string_view content_type = kActivityContentType) {
  Response r;
  r.content_type = std::string(content_type);
  r.body = json::serialize(document);
  r.AddHeader("Cache-Control", "max-age=60, public");
  r.AddHeader("Vary", "Accept");
  return r;
}

Response Plain(int status, std::string_view text) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::string(text);
  return r;
}

Response NotFound() { return http::ErrorResponse(Error::NotFound()); }

// Whatever could not be verified: the reason is logged, never answered.
Response Unverified() {
  return http::ErrorResponse(Error::Unauthorized("The request's signature could not be verified", "invalid_signature"));
}

Response FromError(const Error& error) { return http::ErrorResponse(error); }

// Whether the client asks for ActivityPub rather than HTML: an Accept of
// application/activity+json, or ld+json (with the ActivityStreams profile
// or none), as Mastodon decides.
bool WantsActivity(const Request& request) {
  std::string accept = AsciiLower(request.Header("accept"));
  if (accept.find("application/activity+json") != std::string::npos) return true;
  size_t ld = accept.find("application/ld+json");
  if (ld == std::string::npos) return false;
  std::string_view rest = std::string_view(accept).substr(ld);
  rest = rest.substr(0, rest.find(','));
  return rest.find("profile") == std::string_view::npos ||
         rest.find("https://www.w3.org/ns/activitystreams") != std::string_view::npos;
}

std::string QueryParam(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != key) continue;
    std::string value;
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        value.push_back(' ');
      } else if (raw[i] == '%' && i + 2 < raw.size() + 0 && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
        value.push_back(static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else {
        value.push_back(raw[i]);
      }
    }
    return value;
  }
  return "";
}

// The keyId of a request's Signature header ("" without one), for the
// domain check before anything is fetched.
std::string SignatureKeyId(const Request& request) {
  std::string_view header = request.Header("signature");
  size_t at = header.find("keyId=\"");
  if (at == std::string_view::npos) return "";
  at += 7;
  size_t end = header.find('"', at);
  return end == std::string_view::npos ? "" : std::string(header.substr(at, end - at));
}

class Routes {
 public:
  Routes(Federation& f, http::Handler web_page) : f_(f), web_page_(std::move(web_page)) {}

  void Register(http::Router& router) {
    auto get = [&](const char* pattern, Response (Routes::*method)(Request&)) {
      router.Add("GET", pattern, [this, method](Request& r) { return Guard(r, method); });
    };
    get("/.well-known/webfinger", &Routes::WebFingerRoute);
    get("/.well-known/host-meta", &Routes::HostMetaRoute);
    get("/.well-known/host-meta.json", &Routes::HostMetaJsonRoute);
    get("/.well-known/nodeinfo", &Routes::NodeInfoLinksRoute);
    get("/nodeinfo/2.1", &Routes::NodeInfoRoute);
    get("/actor", &Routes::InstanceActorRoute);
    get("/users/:name", &Routes::ActorRoute);
    // Under authorized fetch, collections only to verified signers (notes
    // check their requester themselves; actors stay public: their keys are
    // how signatures are checked at all).
    auto signed_get = [&](const char* pattern, Response (Routes::*method)(Request&)) {
      router.Add("GET", pattern, [this, method](Request& r) {
        if (f_.options().authorized_fetch) {
          auto requester = Requester(r);
          if (!requester) return http::ErrorResponse(requester.error());
        }
        return Guard(r, method);
      });
    };
    signed_get("/users/:name/outbox", &Routes::OutboxRoute);
    signed_get("/users/:name/followers", &Routes::FollowersRoute);
    signed_get("/users/:name/following", &Routes::FollowingRoute);
    signed_get("/users/:name/collections/featured", &Routes::FeaturedRoute);
    get("/users/:name/statuses/:id", &Routes::NoteRoute);
    // The profile and post pages answer ActivityPub to those who ask for it
    // (after the API's /@:name.atom, which is registered first).
    get("/@:name", &Routes::ProfilePageRoute);
    get("/@:name/:id", &Routes::PostPageRoute);
    for (const char* inbox : {"/inbox", "/actor/inbox", "/users/:name/inbox"})
      router.Add("POST", inbox, [this](Request& r) { return InboxRoute(r); }, http::Pool::kDatabase,
                 kInboxBodyLimit);
  }

 private:
  Response Guard(Request& request, Response (Routes::*method)(Request&)) {
    if (f_.options().mode == Mode::kOff) {
      // The pages stay the web app's; nothing of ActivityPub is served.
      if (request.path.starts_with("/@")) return web_page_(request);
      return NotFound();
    }
    return (this->*method)(request);
  }

  const service::Settings& settings() const { return f_.services().settings; }

  // Who asks for a document: the verified signer of a signed GET, or
  // nobody. Under authorized fetch (Mastodon's secure mode,
  // --federation-authorized-fetch) a signature is required (401) and a
  // blocked server's is refused (403 domain_blocked) even for what is public.
  Result<std::optional<store::RemoteActor>> Requester(Request& request) {
    bool secure = f_.options().authorized_fetch;
    if (request.Header("signature").empty() && request.Header("signature-input").empty()) {
      if (secure) return Error::Unauthorized("This server answers signed requests only", "signature_required");
      return std::optional<store::RemoteActor>();
    }
    if (secure) {
      if (std::string host = HostOf(WithoutFragment(SignatureKeyId(request))); !host.empty()) {
        auto verdict = f_.Judge(host);
        if (!verdict) return std::move(verdict).error();
        if (verdict->blocked) return Error::Forbidden("This server does not federate with yours", "domain_blocked");
      }
    }
    auto signer = f_.VerifyRequest(Inbound(request));
    if (!signer) {
      spdlog::info("federation: signed fetch from {} not verified: {}", request.remote_ip, signer.error().message);
      if (secure) return Error::Unauthorized("The request's signature could not be verified", "invalid_signature");
      return std::optional<store::RemoteActor>();
    }
    if (secure) {
      auto verdict = f_.Judge(HostOf(signer->uri));
      if (!verdict) return std::move(verdict).error();
      if (verdict->blocked) return Error::Forbidden("This server does not federate with yours", "domain_blocked");
    }
    return std::optional<store::RemoteActor>(std::move(*signer));
  }

  // A local account that may be shown to other servers (approved).
  Result<std::optional<store::Account>> LocalAccount(const std::string& username) {
    if (username.find('@') != std::string::npos) return std::optional<store::Account>();
    auto account = f_.services().store.accounts().FindByUsername(username);
    if (!account) return std::move(account).error();
    if (!*account || !(*account)->local() || !(*account)->approved) return std::optional<store::Account>();
    return account;
  }

  Result<ActorView> ActorOf(const store::Account& account) {
    auto pem = f_.PublicPemOf(account.id);
    if (!pem) return std::move(pem).error();
    auto organisation = f_.services().store.organisations().Find(account.id);
    if (!organisation) return std::move(organisation).error();
    bool org = organisation->has_value();
    return ActorView{account, org, *pem, org};
  }

  Response WebFingerRoute(Request& request) {
    std::string resource = QueryParam(request.query, "resource");
    if (resource.empty())
      return http::ErrorResponse(Error::BadRequest("missing_field", "resource is required", "resource"));
    std::string username;
    if (resource.starts_with("acct:")) {
      std::string_view acct = std::string_view(resource).substr(5);
      if (acct.starts_with("@")) acct.remove_prefix(1);
      size_t at = acct.rfind('@');
      if (at == std::string_view::npos) return NotFound();
      if (AsciiLower(acct.substr(at + 1)) != AsciiLower(settings().domain)) return NotFound();
      username = std::string(acct.substr(0, at));
    } else if (auto local = ParseLocalUri(f_.uris(), resource); local && local->kind == LocalObject::Kind::kActor) {
      username = local->username;
    } else if (std::string profile = f_.uris().base + "/@"; resource.starts_with(profile)) {
      username = resource.substr(profile.size());
    } else {
      return NotFound();
    }
    auto account = LocalAccount(username);
    if (!account) return FromError(account.error());
    if (!*account) return NotFound();
    Response r = Document(WebFinger(settings(), **account), "application/jrd+json; charset=utf-8");
    r.AddHeader("Access-Control-Allow-Origin", "*");
    return r;
  }

  Response HostMetaRoute(Request&) {
    Response r;
    r.content_type = "application/xrd+xml; charset=utf-8";
    r.body = HostMetaXml(settings());
    return r;
  }

  Response HostMetaJsonRoute(Request&) { return Document(HostMetaJson(settings()), "application/json; charset=utf-8"); }

  Response NodeInfoLinksRoute(Request&) {
    return Document(NodeInfoLinks(settings()), "application/json; charset=utf-8");
  }

  Response NodeInfoRoute(Request&) {
    auto counts = store::CountInstance(f_.services().store.database());
    if (!counts) return FromError(counts.error());
    return Document(NodeInfo(settings(), f_.options().version, counts->users, counts->posts),
                    "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"");
  }

  Response InstanceActorRoute(Request&) {
    auto pem = f_.PublicPemOf(store::kInstanceActor);
    if (!pem) return FromError(pem.error());
    return Document(InstanceActorDocument(settings(), *pem));
  }

  Response ActorDocumentOf(const std::string& username) {
    auto account = LocalAccount(username);
    if (!account) return FromError(account.error());
    if (!*account) return NotFound();
    auto view = ActorOf(**account);
    if (!view) return FromError(view.error());
    return Document(ActorDocument(settings(), *view));
  }

  Response ActorRoute(Request& request) {
    if (!WantsActivity(request) && request.Header("accept").find("text/html") != std::string_view::npos) {
      Response r;
      r.status = 302;
      r.AddHeader("Location", f_.uris().Profile(request.path_params[0]));
      r.AddHeader("Vary", "Accept");
      return r;
    }
    return ActorDocumentOf(request.path_params[0]);
  }

  Response ProfilePageRoute(Request& request) {
    if (!WantsActivity(request)) return WebPage(request);
    return ActorDocumentOf(request.path_params[0]);
  }

  Response PostPageRoute(Request& request) {
    if (!WantsActivity(request)) return WebPage(request);
    return NoteOf(request, request.path_params[0], request.path_params[1]);
  }

  Response WebPage(Request& request) {
    Response r = web_page_(request);
    r.AddHeader("Vary", "Accept");
    return r;
  }

  Response NoteRoute(Request& request) { return NoteOf(request, request.path_params[0], request.path_params[1]); }

  // A note as the requester may see it: anonymous, or the signer of a
  // signed GET (a followers-only post to its followers), as on the API.
  Response NoteOf(Request& request, const std::string& username, const std::string& id_text) {
    auto id = ParseId(id_text);
    if (!id) return NotFound();
    auto account = LocalAccount(username);
    if (!account) return FromError(account.error());
    if (!*account) return NotFound();
    auto requester = Requester(request);
    if (!requester) return http::ErrorResponse(requester.error());
    std::optional<int64_t> viewer;
    if (*requester) viewer = (*requester)->account_id;
    auto post = service::VisibleStatus(f_.services(), *id, viewer);
    if (!post) return post.error().kind == ErrorKind::kNotFound ? NotFound() : FromError(post.error());
    if (post->account_id != (*account)->id || !post->uri.empty() || !post->federate) return NotFound();
    if (post->is_comment && post->comment_state != store::CommentState::kShown) return NotFound();
    auto note = LoadNoteView(f_.services(), *post, **account);
    if (!note) return FromError(note.error());
    json::object document = NoteDocument(settings(), *note);
    json::object out;
    out["@context"] = Context();
    for (auto& [key, value] : document) out[key] = value;
    return Document(out);
  }

  // Followers and following: the count, and pages of actor ids unless the
  // account hides its lists (organisations do).
  Response Relations(Request& request, bool followers) {
    auto account = LocalAccount(request.path_params[0]);
    if (!account) return FromError(account.error());
    if (!*account) return NotFound();
    auto organisation = f_.services().store.organisations().Find((*account)->id);
    if (!organisation) return FromError(organisation.error());
    std::string id = followers ? f_.uris().Followers((*account)->username) : f_.uris().Following((*account)->username);
    int64_t total = followers ? (*account)->followers_count : (*account)->following_count;
    bool hidden = (*account)->hide_collections.value_or(organisation->has_value());
    std::string page = QueryParam(request.query, "page");
    if (page.empty() || hidden) return Document(Collection(id, total, hidden ? "" : id + "?page=1"));
    int64_t below = 0;
    if (auto max_id = ParseId(QueryParam(request.query, "max_id"))) below = *max_id;
    auto items = followers ? store::FollowersPage(f_.services().store.database(), (*account)->id, below, kPageSize)
                           : store::FollowingPage(f_.services().store.database(), (*account)->id, below, kPageSize);
    if (!items) return FromError(items.error());
    json::array ids;
    for (const store::CollectionItem& item : *items)
      ids.push_back(json::value(item.remote_uri.empty() ? f_.uris().Actor(item.username) : item.remote_uri));
    std::string next = items->size() == static_cast<size_t>(kPageSize)
                           ? id + "?page=1&max_id=" + std::to_string(items->back().row_id)
                           : "";
    std::string page_id = id + "?page=1" + (below ? "&max_id=" + std::to_string(below) : "");
    return Document(CollectionPage(id, page_id, std::move(ids), next));
  }

  Response FollowersRoute(Request& request) { return Relations(request, true); }
  Response FollowingRoute(Request& request) { return Relations(request, false); }

  // The outbox: public posts as Create activities, newest first.
  Response OutboxRoute(Request& request) {
    auto account = LocalAccount(request.path_params[0]);
    if (!account) return FromError(account.error());
    if (!*account) return NotFound();
    std::string id = f_.uris().Outbox((*account)->username);
    std::string page = QueryParam(request.query, "page");
    if (page.empty()) return Document(Collection(id, (*account)->statuses_count, id + "?page=1"));
    int64_t below = 0;
    if (auto max_id = ParseId(QueryParam(request.query, "max_id"))) below = *max_id;
    auto ids = store::PublicPostIds(f_.services().store.database(), (*account)->id, below, kPageSize, false);
    if (!ids) return FromError(ids.error());
    json::array items;
    for (int64_t status_id : *ids) {
      auto post = f_.services().store.statuses().FindById(status_id);
      if (!post) return FromError(post.error());
      if (!*post) continue;
      auto note = LoadNoteView(f_.services(), **post, **account);
      if (!note) return FromError(note.error());
      json::object create = CreateActivity(settings(), *note);
      create.erase("@context");
      items.push_back(std::move(create));
    }
    std::string next = ids->size() == static_cast<size_t>(kPageSize)
                           ? id + "?page=1&max_id=" + std::to_string(ids->back())
                           : "";
    return Document(CollectionPage(id, id + "?page=1" + (below ? "&max_id=" + std::to_string(below) : ""),
                                   std::move(items), next));
  }

  // Pinned posts, as notes.
  Response FeaturedRoute(Request& request) {
    auto account = LocalAccount(request.path_params[0]);
    if (!account) return FromError(account.error());
    if (!*account) return NotFound();
    auto ids = store::PublicPostIds(f_.services().store.database(), (*account)->id, 0, kPageSize, true);
    if (!ids) return FromError(ids.error());
    json::array items;
    for (int64_t status_id : *ids) {
      auto post = f_.services().store.statuses().FindById(status_id);
      if (!post) return FromError(post.error());
      if (!*post) continue;
      auto note = LoadNoteView(f_.services(), **post, **account);
      if (!note) return FromError(note.error());
      items.push_back(NoteDocument(settings(), *note));
    }
    json::object out = Collection(f_.uris().Featured((*account)->username), static_cast<int64_t>(items.size()), "");
    out["@context"] = Context();
    out["orderedItems"] = std::move(items);
    return Document(out);
  }

  static InboundRequest Inbound(const Request& request) {
    InboundRequest in;
    in.method = request.method;
    in.path = request.path;
    in.query = request.query;
    for (const auto& [name, value] : request.headers) in.headers.emplace_back(name, value);
    in.body = request.body;
    return in;
  }

  // Every inbound POST is signed by the activity's actor; anything that
  // cannot be verified is 401 with the reason in the log only.
  Response InboxRoute(Request& request) {
    if (f_.options().mode == Mode::kOff) return NotFound();
    // A personal inbox must be an account's (404 otherwise, as Mastodon).
    if (!request.path_params.empty()) {
      auto account = LocalAccount(request.path_params[0]);
      if (!account) return FromError(account.error());
      if (!*account) return NotFound();
    }
    boost::system::error_code ec;
    json::value parsed = json::parse(request.body, ec);
    if (ec || !parsed.is_object())
      return http::ErrorResponse(Error::BadRequest("invalid_json", "The body must be a JSON object (an activity)", "body"));
    const json::object& activity = parsed.as_object();
    std::string actor = IdOf(activity.contains("actor") ? activity.at("actor") : json::value()).value_or("");
    // An actor deleting itself that we never knew: nothing to verify it
    // against and nothing to delete (Mastodon's rule).
    if (TypeOf(activity) == "Delete" && !actor.empty() &&
        IdOf(activity.contains("object") ? activity.at("object") : json::value()).value_or("") == actor) {
      auto known = store::FindRemoteActorByUri(f_.services().store.database(), actor);
      if (known && !*known) return Plain(202, "");
    }
    // A suspended server (or one not allowed) gets nothing in: not even the
    // fetch of its key.
    std::vector<std::string> hosts{HostOf(actor)};
    if (std::string key_host = HostOf(WithoutFragment(SignatureKeyId(request))); key_host != hosts[0])
      hosts.push_back(std::move(key_host));
    for (const std::string& host : hosts) {
      if (host.empty()) continue;
      auto verdict = f_.Judge(host);
      if (!verdict) return FromError(verdict.error());
      if (verdict->blocked)
        return http::ErrorResponse(Error::Forbidden("This server does not federate with yours", "domain_blocked"));
    }
    auto signer = f_.VerifyRequest(Inbound(request));
    if (!signer) {
      if (signer.error().kind == ErrorKind::kUnavailable && signer.error().code != "unauthorized")
        spdlog::info("federation: inbox request from {} not verified: {}", request.remote_ip, signer.error().message);
      else
        spdlog::info("federation: inbox request from {} refused: {}", request.remote_ip, signer.error().message);
      return Unverified();
    }
    if (actor != signer->uri) {
      spdlog::info("federation: activity of {} signed by {}: refused", actor, signer->uri);
      return Unverified();
    }
    (void)store::MarkHostAvailable(f_.services().store.database(), HostOf(signer->uri));
    Status received = f_.Receive(activity, *signer);
    if (!received) {
      spdlog::warn("federation: {} from {} failed: {}", TypeOf(activity), signer->uri, received.error().message);
      return FromError(received.error());
    }
    return Plain(202, "");
  }

  Federation& f_;
  http::Handler web_page_;
};

}  // namespace

void Federation::RegisterRoutes(http::Router& router, http::Handler web_page) {
  // The handlers live as long as the federation.
  auto routes = std::make_shared<Routes>(*this, std::move(web_page));
  routes->Register(router);
  routes_ = routes;
}

}  // namespace vantage::federation
