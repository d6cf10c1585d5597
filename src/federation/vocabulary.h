// ActivityPub's vocabulary as Vantage reads and writes it: the ids of local
// things, and lenient readers for what peers send (one value or an array,
// a string id or an embedded object, the three spellings of Public).
// Pure functions: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace vantage::federation {

inline constexpr std::string_view kPublic = "https://www.w3.org/ns/activitystreams#Public";
inline constexpr std::string_view kActivityJson = "application/activity+json";
// What a document response is served as.
inline constexpr std::string_view kActivityContentType = "application/activity+json; charset=utf-8";

// The ids of local things, from the instance's base URL ("https://host").
struct LocalUris {
  std::string base;  // no trailing slash

  std::string Actor(std::string_view username) const { return base + "/users/" + std::string(username); }
  std::string KeyId(std::string_view username) const { return Actor(username) + "#main-key"; }
  std::string Inbox(std::string_view username) const { return Actor(username) + "/inbox"; }
  std::string Outbox(std::string_view username) const { return Actor(username) + "/outbox"; }
  std::string Followers(std::string_view username) const { return Actor(username) + "/followers"; }
  std::string Following(std::string_view username) const { return Actor(username) + "/following"; }
  std::string Featured(std::string_view username) const { return Actor(username) + "/collections/featured"; }
  std::string Status(std::string_view username, int64_t id) const {
    return Actor(username) + "/statuses/" + std::to_string(id);
  }
  std::string Activity(std::string_view username, std::string_view kind, int64_t id) const {
    return Actor(username) + "#" + std::string(kind) + "/" + std::to_string(id);
  }
  std::string Profile(std::string_view username) const { return base + "/@" + std::string(username); }
  std::string StatusPage(std::string_view username, int64_t id) const {
    return Profile(username) + "/" + std::to_string(id);
  }
  std::string Tag(std::string_view name) const { return base + "/tags/" + std::string(name); }
  std::string SharedInbox() const { return base + "/inbox"; }
  std::string InstanceActor() const { return base + "/actor"; }
  std::string InstanceKeyId() const { return InstanceActor() + "#main-key"; }
};

// What a local id names: an actor ("users/<name>"), a status
// ("users/<name>/statuses/<id>") or the instance actor.
struct LocalObject {
  enum class Kind { kActor, kStatus, kInstanceActor } kind = Kind::kActor;
  std::string username;
  int64_t status_id = 0;
};
std::optional<LocalObject> ParseLocalUri(const LocalUris& uris, std::string_view uri);

// Whether `value` names Public ("as:Public" and "Public" too, as compacted
// JSON-LD writes it).
bool IsPublic(std::string_view value);

// The id of a value that is a string or an object with a string "id"
// (nullopt otherwise).
std::optional<std::string> IdOf(const boost::json::value& value);
// The ids of a value that is one of the above or an array of them; other
// entries are skipped.
std::vector<std::string> IdsOf(const boost::json::value* value);
// An object's string member, or "".
std::string StringOf(const boost::json::object& object, std::string_view key);
// The "type" of an object: a string, or the first string of an array.
std::string TypeOf(const boost::json::object& object);
// The objects of a value that is one object or an array of them.
std::vector<const boost::json::object*> ObjectsOf(const boost::json::value* value);
// A URL given as a string, a Link object ("href"), or an array of them:
// the first one of `media_type` when given, else the first one.
std::string UrlOf(const boost::json::value* value, std::string_view media_type = {});

// "host" or "host:port" of an http(s) URL, lower case; "" when it is not one.
std::string HostOf(std::string_view url);
// Whether two URLs have the same scheme, host and port.
bool SameOrigin(std::string_view a, std::string_view b);
// Whether the text is an absolute http(s) URL with a host and no user info,
// no fragment issues: what an id or an inbox may be.
bool IsHttpUrl(std::string_view url);
// The URL without its fragment.
std::string WithoutFragment(std::string_view url);

// Remote HTML (a caption, a bio) as plain text: tags dropped, <br> and the
// end of <p> as line breaks, entities decoded, at most `max_chars` code
// points. Nothing of the markup survives, so whatever a peer sends is
// rendered again as ours.
std::string HtmlToText(std::string_view html, size_t max_chars);

// Whether a media type is what ActivityPub documents are served as.
bool IsActivityContentType(std::string_view content_type);

}  // namespace vantage::federation
