#include "federation/documents.h"

#include <boost/json/array.hpp>

#include "core/text.h"
#include "service/media.h"
#include "service/profile_text.h"

namespace vantage::federation {

namespace json = boost::json;

namespace {

LocalUris UrisOf(const service::Settings& settings) { return LocalUris{settings.base_url}; }

json::value TimeOrNull(const std::optional<int64_t>& ms) {
  return ms ? json::value(FormatIsoTime(*ms)) : json::value(nullptr);
}

// Who a post goes to, as Mastodon addresses it: public is to Public and cc
// the followers, unlisted the reverse, followers-only to the followers
// alone (never Public anywhere). Mentioned actors and the answered one are
// cc'd.
void Address(json::object& out, const LocalUris& uris, const std::string& username, store::Visibility visibility,
             const std::vector<std::string>& extra_cc) {
  json::array to, cc;
  std::string followers = uris.Followers(username);
  switch (visibility) {
    case store::Visibility::kPublic:
      to.emplace_back(kPublic);
      cc.emplace_back(followers);
      break;
    case store::Visibility::kUnlisted:
      to.emplace_back(followers);
      cc.emplace_back(kPublic);
      break;
    case store::Visibility::kPrivate:
      to.emplace_back(followers);
      break;
  }
  for (const std::string& actor : extra_cc) {
    bool listed = false;
    for (const json::value& v : cc) listed = listed || v.as_string() == actor;
    if (!listed && !actor.empty()) cc.emplace_back(actor);
  }
  out["to"] = std::move(to);
  out["cc"] = std::move(cc);
}

json::object Avatar(const service::Settings& settings, const store::Account& account) {
  store::MediaFile file;
  file.key = account.avatar_key;
  file.format = "jpeg";
  return json::object{{"type", "Image"}, {"mediaType", "image/jpeg"},
                      {"url", service::MediaFileUrl(settings, file, false)}};
}

}  // namespace

json::value Context() {
  json::object terms{
      {"manuallyApprovesFollowers", "as:manuallyApprovesFollowers"},
      {"sensitive", "as:sensitive"},
      {"Hashtag", "as:Hashtag"},
      {"toot", "http://joinmastodon.org/ns#"},
      {"featured", json::object{{"@id", "toot:featured"}, {"@type", "@id"}}},
      {"discoverable", "toot:discoverable"},
      {"blurhash", "toot:blurhash"},
      {"focalPoint", json::object{{"@container", "@list"}, {"@id", "toot:focalPoint"}}},
      {"schema", "http://schema.org#"},
      {"PropertyValue", "schema:PropertyValue"},
      {"value", "schema:value"},
  };
  return json::array{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", std::move(terms)};
}

json::object ActorDocument(const service::Settings& settings, const ActorView& view) {
  LocalUris uris = UrisOf(settings);
  const store::Account& a = view.account;
  json::object out;
  out["@context"] = Context();
  out["id"] = uris.Actor(a.username);
  out["type"] = view.organisation ? "Organization" : "Person";
  out["preferredUsername"] = a.username;
  out["name"] = a.display_name.empty() ? a.username : a.display_name;
  out["summary"] = service::NoteHtml(a.note);
  out["url"] = uris.Profile(a.username);
  out["published"] = FormatIsoTime(a.created_at);
  out["inbox"] = uris.Inbox(a.username);
  out["outbox"] = uris.Outbox(a.username);
  out["followers"] = uris.Followers(a.username);
  out["following"] = uris.Following(a.username);
  out["featured"] = uris.Featured(a.username);
  out["endpoints"] = json::object{{"sharedInbox", uris.SharedInbox()}};
  out["manuallyApprovesFollowers"] = a.locked;
  out["discoverable"] = true;
  json::array fields;
  for (const service::ProfileField& field : service::DecodeProfileFields(a.fields_json))
    fields.push_back(json::object{{"type", "PropertyValue"}, {"name", field.name},
                                  {"value", service::FieldValueHtml(field.value)}});
  out["attachment"] = std::move(fields);
  if (!a.avatar_key.empty()) out["icon"] = Avatar(settings, a);
  out["publicKey"] = json::object{
      {"id", uris.KeyId(a.username)}, {"owner", uris.Actor(a.username)}, {"publicKeyPem", view.public_pem}};
  return out;
}

json::object InstanceActorDocument(const service::Settings& settings, const std::string& public_pem) {
  LocalUris uris = UrisOf(settings);
  json::object out;
  out["@context"] = Context();
  out["id"] = uris.InstanceActor();
  out["type"] = "Application";
  out["preferredUsername"] = settings.domain;
  out["name"] = settings.title;
  out["url"] = settings.base_url + "/about";
  out["inbox"] = uris.InstanceActor() + "/inbox";
  out["outbox"] = uris.InstanceActor() + "/outbox";
  out["endpoints"] = json::object{{"sharedInbox", uris.SharedInbox()}};
  out["manuallyApprovesFollowers"] = true;
  out["publicKey"] = json::object{
      {"id", uris.InstanceKeyId()}, {"owner", uris.InstanceActor()}, {"publicKeyPem", public_pem}};
  return out;
}

const store::MediaFile* LargestJpeg(const store::MediaAttachment& media) {
  const store::MediaFile* best = nullptr;
  for (const store::MediaFile& f : media.files)
    if (f.format == "jpeg" && (!best || f.width * f.height > best->width * best->height)) best = &f;
  return best;
}

json::object NoteDocument(const service::Settings& settings, const NoteView& view) {
  LocalUris uris = UrisOf(settings);
  const store::Post& p = view.post;
  const std::string& username = view.author.username;
  json::object out;
  out["id"] = uris.Status(username, p.id);
  out["type"] = "Note";
  out["attributedTo"] = uris.Actor(username);
  out["content"] = p.content;
  out["published"] = FormatIsoTime(p.created_at);
  if (p.edited_at) out["updated"] = FormatIsoTime(*p.edited_at);
  out["url"] = uris.StatusPage(username, p.id);
  out["inReplyTo"] = view.in_reply_to.empty() ? json::value(nullptr) : json::value(view.in_reply_to);
  out["sensitive"] = p.sensitive || !p.spoiler_text.empty();
  out["summary"] = p.spoiler_text.empty() ? json::value(nullptr) : json::value(p.spoiler_text);
  if (!p.language.empty()) out["contentMap"] = json::object{{p.language, p.content}};
  std::vector<std::string> cc;
  if (!view.in_reply_to_actor.empty()) cc.push_back(view.in_reply_to_actor);
  json::array tags;
  for (const auto& [actor, name] : view.mentions) {
    cc.push_back(actor);
    tags.push_back(json::object{{"type", "Mention"}, {"href", actor}, {"name", "@" + name}});
  }
  for (const store::TagRef& tag : p.tags)
    tags.push_back(json::object{{"type", "Hashtag"}, {"href", uris.Tag(tag.key)}, {"name", "#" + tag.name}});
  out["tag"] = std::move(tags);
  Address(out, uris, username, p.visibility, cc);
  // Photos of followers-only posts are shown by signed URLs, as on the API.
  bool signed_urls = p.visibility == store::Visibility::kPrivate;
  json::array attachments;
  for (const store::MediaAttachment& m : view.media) {
    const store::MediaFile* file = LargestJpeg(m);
    if (!file) continue;
    json::object a{{"type", "Document"},
                   {"mediaType", "image/jpeg"},
                   {"url", service::MediaFileUrl(settings, *file, signed_urls)},
                   {"name", m.description.empty() ? json::value(nullptr) : json::value(m.description)},
                   {"width", file->width},
                   {"height", file->height}};
    if (!m.blurhash.empty()) a["blurhash"] = m.blurhash;
    if (m.focus_x && m.focus_y) a["focalPoint"] = json::array{*m.focus_x / 1000.0, *m.focus_y / 1000.0};
    attachments.push_back(std::move(a));
  }
  out["attachment"] = std::move(attachments);
  return out;
}

namespace {

json::object Wrap(const char* type, const std::string& id, const std::string& actor, json::object object) {
  json::object out;
  out["@context"] = Context();
  out["id"] = id;
  out["type"] = type;
  out["actor"] = actor;
  if (const json::value* v = object.if_contains("published")) out["published"] = *v;
  if (const json::value* v = object.if_contains("to")) out["to"] = *v;
  if (const json::value* v = object.if_contains("cc")) out["cc"] = *v;
  out["object"] = std::move(object);
  return out;
}

}  // namespace

json::object CreateActivity(const service::Settings& settings, const NoteView& note) {
  LocalUris uris = UrisOf(settings);
  std::string id = uris.Status(note.author.username, note.post.id) + "/activity";
  return Wrap("Create", id, uris.Actor(note.author.username), NoteDocument(settings, note));
}

json::object UpdateActivity(const service::Settings& settings, const NoteView& note) {
  LocalUris uris = UrisOf(settings);
  std::string id = uris.Status(note.author.username, note.post.id) + "#updates/" +
                   std::to_string(note.post.edited_at.value_or(note.post.updated_at));
  json::object out = Wrap("Update", id, uris.Actor(note.author.username), NoteDocument(settings, note));
  out["published"] = FormatIsoTime(note.post.edited_at.value_or(note.post.updated_at));
  return out;
}

json::object DeleteActivity(const service::Settings& settings, const std::string& username, int64_t status_id,
                            store::Visibility visibility, const std::string& in_reply_to_actor) {
  LocalUris uris = UrisOf(settings);
  std::string note_id = uris.Status(username, status_id);
  json::object tombstone{{"id", note_id}, {"type", "Tombstone"}};
  json::object out;
  out["@context"] = Context();
  out["id"] = note_id + "#delete";
  out["type"] = "Delete";
  out["actor"] = uris.Actor(username);
  std::vector<std::string> cc;
  if (!in_reply_to_actor.empty()) cc.push_back(in_reply_to_actor);
  Address(out, uris, username, visibility, cc);
  out["object"] = std::move(tombstone);
  return out;
}

json::object FollowAnswer(const service::Settings& settings, const std::string& username, bool accepted,
                          const std::string& follow_id, const std::string& follower_actor, int64_t answer_id) {
  LocalUris uris = UrisOf(settings);
  json::object follow{{"id", follow_id}, {"type", "Follow"}, {"actor", follower_actor},
                      {"object", uris.Actor(username)}};
  json::object out;
  out["@context"] = Context();
  out["id"] = uris.Activity(username, accepted ? "accepts/follows" : "rejects/follows", answer_id);
  out["type"] = accepted ? "Accept" : "Reject";
  out["actor"] = uris.Actor(username);
  out["to"] = json::array{follower_actor};
  out["object"] = std::move(follow);
  return out;
}

json::object FollowActivity(const service::Settings& settings, const std::string& username,
                            const std::string& follow_id, const std::string& target_actor) {
  LocalUris uris = UrisOf(settings);
  json::object out;
  out["@context"] = Context();
  out["id"] = follow_id;
  out["type"] = "Follow";
  out["actor"] = uris.Actor(username);
  out["object"] = target_actor;
  return out;
}

json::object UndoFollowActivity(const service::Settings& settings, const std::string& username,
                                const std::string& follow_id, const std::string& target_actor) {
  json::object follow = FollowActivity(settings, username, follow_id, target_actor);
  follow.erase("@context");
  json::object out;
  out["@context"] = Context();
  out["id"] = follow_id + "/undo";
  out["type"] = "Undo";
  out["actor"] = UrisOf(settings).Actor(username);
  out["object"] = std::move(follow);
  return out;
}

json::object BlockActivity(const service::Settings& settings, const std::string& username,
                           const std::string& block_id, const std::string& target_actor, bool undo) {
  std::string actor = UrisOf(settings).Actor(username);
  json::object block{{"id", block_id}, {"type", "Block"}, {"actor", actor}, {"object", target_actor}};
  json::object out;
  out["@context"] = Context();
  if (!undo) {
    for (auto& field : block) out[field.key()] = field.value();
    return out;
  }
  out["id"] = block_id + "/undo";
  out["type"] = "Undo";
  out["actor"] = actor;
  out["object"] = std::move(block);
  return out;
}

json::object FlagActivity(const service::Settings& settings, int64_t report_id, const std::string& account_actor,
                          const std::vector<std::string>& note_ids, const std::string& comment) {
  LocalUris uris = UrisOf(settings);
  json::array objects{json::value(account_actor)};
  for (const std::string& id : note_ids) objects.emplace_back(id);
  json::object out;
  out["@context"] = Context();
  out["id"] = uris.base + "/reports/" + std::to_string(report_id);
  out["type"] = "Flag";
  out["actor"] = uris.InstanceActor();
  out["content"] = comment;
  out["object"] = std::move(objects);
  return out;
}

json::object UpdateActorActivity(const service::Settings& settings, const ActorView& actor, int64_t update_id) {
  LocalUris uris = UrisOf(settings);
  json::object document = ActorDocument(settings, actor);
  document.erase("@context");
  json::object out;
  out["@context"] = Context();
  out["id"] = uris.Activity(actor.account.username, "updates", update_id);
  out["type"] = "Update";
  out["actor"] = uris.Actor(actor.account.username);
  out["to"] = json::array{kPublic};
  out["cc"] = json::array{uris.Followers(actor.account.username)};
  out["object"] = std::move(document);
  return out;
}

json::object Collection(const std::string& id, int64_t total, const std::string& first) {
  json::object out;
  out["@context"] = "https://www.w3.org/ns/activitystreams";
  out["id"] = id;
  out["type"] = "OrderedCollection";
  out["totalItems"] = total;
  if (!first.empty()) out["first"] = first;
  return out;
}

json::object CollectionPage(const std::string& collection_id, const std::string& page_id, json::array items,
                            const std::string& next) {
  json::object out;
  out["@context"] = Context();
  out["id"] = page_id;
  out["type"] = "OrderedCollectionPage";
  out["partOf"] = collection_id;
  out["orderedItems"] = std::move(items);
  if (!next.empty()) out["next"] = next;
  return out;
}

json::object WebFinger(const service::Settings& settings, const store::Account& account) {
  LocalUris uris = UrisOf(settings);
  json::array links{
      json::object{{"rel", "self"}, {"type", kActivityJson}, {"href", uris.Actor(account.username)}},
      json::object{{"rel", "http://webfinger.net/rel/profile-page"}, {"type", "text/html"},
                   {"href", uris.Profile(account.username)}},
  };
  return json::object{{"subject", "acct:" + account.username + "@" + settings.domain},
                      {"aliases", json::array{uris.Profile(account.username), uris.Actor(account.username)}},
                      {"links", std::move(links)}};
}

std::string HostMetaXml(const service::Settings& settings) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n"
         "  <Link rel=\"lrdd\" template=\"" +
         HtmlEscape(settings.base_url) + "/.well-known/webfinger?resource={uri}\"/>\n</XRD>\n";
}

json::object HostMetaJson(const service::Settings& settings) {
  return json::object{{"links", json::array{json::object{
                                    {"rel", "lrdd"},
                                    {"template", settings.base_url + "/.well-known/webfinger?resource={uri}"}}}}};
}

json::object NodeInfoLinks(const service::Settings& settings) {
  return json::object{{"links", json::array{json::object{
                                    {"rel", "http://nodeinfo.diaspora.software/ns/schema/2.1"},
                                    {"href", settings.base_url + "/nodeinfo/2.1"}}}}};
}

json::object NodeInfo(const service::Settings& settings, const std::string& version, int64_t users,
                      int64_t posts) {
  json::object out;
  out["version"] = "2.1";
  out["software"] = json::object{{"name", "vantage"}, {"version", version}};
  out["protocols"] = json::array{"activitypub"};
  out["services"] = json::object{{"outbound", json::array{}}, {"inbound", json::array{}}};
  out["usage"] = json::object{{"users", json::object{{"total", users}}}, {"localPosts", posts}};
  out["openRegistrations"] = settings.registrations == service::RegistrationMode::kOpen;
  out["metadata"] = json::object{{"nodeName", settings.title}};
  return out;
}

}  // namespace vantage::federation
