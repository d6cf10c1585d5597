// What a verified activity does (docs/federation.md, "Activities in").
//
// Authority: the signer is the activity's actor (checked by the route), an
// actor acts only on its own things (its follows, likes, notes, profile),
// and an embedded object is believed only when it comes from the actor's
// own origin. Activities about things that are not here, or that the
// services refuse (a post the actor may not see, comments turned off), are
// dropped: the answer is 202 either way, as on Mastodon, so a peer learns
// nothing from it.
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>

#include "core/text.h"
#include "federation/federation.h"
#include "service/accounts.h"
#include "service/interactions.h"
#include "service/reports.h"
#include "service/social.h"
#include "service/statuses.h"

namespace vantage::federation {

namespace json = boost::json;

namespace {

// A local account by the actor id naming it (local, not awaiting approval).
Result<std::optional<store::Account>> LocalActor(Federation& f, const std::string& uri) {
  auto local = ParseLocalUri(f.uris(), uri);
  if (!local || local->kind != LocalObject::Kind::kActor) return std::optional<store::Account>();
  auto account = f.services().store.accounts().FindByUsername(local->username);
  if (!account) return std::move(account).error();
  if (!*account || !(*account)->local() || !(*account)->approved) return std::optional<store::Account>();
  return account;
}

// The status an id names here: a local one by its id, a remote one by its uri.
Result<std::optional<store::Post>> StatusNamed(Federation& f, const std::string& uri) {
  store::StatusStore& statuses = f.services().store.statuses();
  if (auto local = ParseLocalUri(f.uris(), uri); local && local->kind == LocalObject::Kind::kStatus) {
    auto post = statuses.FindById(local->status_id);
    if (!post) return std::move(post).error();
    if (!*post || !(*post)->uri.empty()) return std::optional<store::Post>();
    auto author = f.services().store.accounts().FindById((*post)->account_id);
    if (!author) return std::move(author).error();
    // The name in the id must be its author's.
    if (!*author || AsciiLower((*author)->username) != AsciiLower(local->username)) return std::optional<store::Post>();
    return post;
  }
  auto id = store::FindStatusIdByUri(f.services().store.database(), uri);
  if (!id) return std::move(id).error();
  if (!*id) return std::optional<store::Post>();
  return statuses.FindById(**id);
}

// Errors the services answer for what a peer may not do, or for what is
// not here: the activity is dropped.
bool Refused(const Error& error) {
  return error.kind == ErrorKind::kNotFound || error.kind == ErrorKind::kInvalid ||
         error.kind == ErrorKind::kForbidden || error.kind == ErrorKind::kConflict;
}

Status Dropped(const Error& error, std::string_view what) {
  if (!Refused(error)) return error;
  spdlog::debug("federation: {} dropped: {}", what, error.message);
  return Ok();
}

class Inbox {
 public:
  Inbox(Federation& f, const store::RemoteActor& signer) : f_(f), signer_(signer) {}

  Status Handle(const json::object& activity) {
    auto account = f_.services().store.accounts().FindById(signer_.account_id);
    if (!account) return std::move(account).error();
    if (!*account) return Ok();
    actor_ = std::move(**account);
    std::string type = TypeOf(activity);
    const json::value* object = activity.if_contains("object");
    if (!object) return Ok();
    std::string object_id = IdOf(*object).value_or("");
    if (type == "Follow") return Follow(StringOf(activity, "id"), object_id);
    if (type == "Like") return Like(object_id);
    if (type == "Undo") return Undo(*object);
    if (type == "Create") return Create(*object);
    if (type == "Update") return Update(*object);
    if (type == "Delete") return Delete(object_id);
    if (type == "Block") return Block(object_id);
    if (type == "Announce") return Announce(StringOf(activity, "id"), object_id);
    if (type == "Flag") return Flag(activity);
    if (type == "Accept" || type == "Reject") return FollowAnswered(*object, type == "Accept");
    spdlog::debug("federation: {} from {} not handled", type, signer_.uri);
    return Ok();
  }

 private:
  Status Follow(const std::string& activity_id, const std::string& target_uri) {
    if (!IsHttpUrl(activity_id) || !SameOrigin(activity_id, signer_.uri)) return Ok();
    auto target = LocalActor(f_, target_uri);
    if (!target) return std::move(target).error();
    if (!*target) return Ok();
    auto followed = service::FollowFromRemote(f_.services(), actor_.id, (*target)->id, activity_id);
    if (!followed) return Dropped(followed.error(), "Follow");
    return Ok();
  }

  Status Like(const std::string& status_uri) {
    auto post = StatusNamed(f_, status_uri);
    if (!post) return std::move(post).error();
    if (!*post) return Ok();
    auto liked = service::FavouriteStatus(f_.services(), (*post)->id, actor_.id);
    if (!liked) return Dropped(liked.error(), "Like");
    return Ok();
  }

  Status Undo(const json::value& object) {
    // Undo names what it undoes by embedding it (as every server does); an
    // id alone cannot be checked and is dropped.
    const json::object* undone = object.if_object();
    if (!undone) return Ok();
    if (IdOf(undone->contains("actor") ? undone->at("actor") : json::value()).value_or("") != signer_.uri)
      return Ok();  // only one's own
    std::string type = TypeOf(*undone);
    const json::value* target = undone->if_contains("object");
    std::string target_id = target ? IdOf(*target).value_or("") : "";
    if (type == "Follow") {
      auto local = LocalActor(f_, target_id);
      if (!local) return std::move(local).error();
      if (!*local) return Ok();
      auto undone_follow = service::UnfollowAccount(f_.services(), actor_.id, (*local)->id);
      if (!undone_follow) return Dropped(undone_follow.error(), "Undo(Follow)");
      return Ok();
    }
    if (type == "Like") {
      auto post = StatusNamed(f_, target_id);
      if (!post) return std::move(post).error();
      if (!*post) return Ok();
      auto unliked = service::UnfavouriteStatus(f_.services(), (*post)->id, actor_.id);
      if (!unliked) return Dropped(unliked.error(), "Undo(Like)");
      return Ok();
    }
    if (type == "Announce") {
      auto post = StatusNamed(f_, target_id);
      if (!post) return std::move(post).error();
      if (!*post) return Ok();
      auto removed = service::RemoveBoost(f_.services(), (*post)->id, actor_.id);
      if (!removed) return Dropped(removed.error(), "Undo(Announce)");
      return Ok();
    }
    if (type == "Block") {
      auto local = LocalActor(f_, target_id);
      if (!local) return std::move(local).error();
      if (!*local) return Ok();
      auto unblocked = service::UnblockAccount(f_.services(), actor_.id, (*local)->id);
      if (!unblocked) return Dropped(unblocked.error(), "Undo(Block)");
    }
    return Ok();
  }

  // An embedded note is believed when it is the actor's own and comes from
  // its origin; anything else would have to be fetched from its own id.
  const json::object* OwnNote(const json::value& object) {
    const json::object* note = object.if_object();
    if (!note || TypeOf(*note) != "Note") return nullptr;
    std::string id = StringOf(*note, "id");
    std::vector<std::string> authors = IdsOf(note->if_contains("attributedTo"));
    if (!IsHttpUrl(id) || !SameOrigin(id, signer_.uri) || authors.size() != 1 || authors[0] != signer_.uri)
      return nullptr;
    return note;
  }

  // The answer of a remote account's server to a local account's Follow:
  // the Follow named by this server's id for it (embedded, or the id
  // alone), which only the followed actor may answer.
  Status FollowAnswered(const json::value& object, bool accepted) {
    std::string follow_id = IdOf(object).value_or("");
    if (follow_id.empty()) return Ok();
    if (const json::object* follow = object.if_object()) {
      std::string target = IdOf(follow->contains("object") ? follow->at("object") : json::value()).value_or("");
      if (!target.empty() && target != signer_.uri) return Ok();  // a follow of someone else
    }
    auto local = store::LocalFollowerByActivity(f_.services().store.database(), actor_.id, follow_id);
    if (!local) return std::move(local).error();
    if (!*local) return Ok();
    Status answered = service::RemoteFollowAnswered(f_.services(), **local, actor_.id, accepted);
    if (!answered) return Dropped(answered.error(), accepted ? "Accept" : "Reject");
    return Ok();
  }

  Status Create(const json::value& object) {
    const json::object* note = OwnNote(object);
    if (!note) return Ok();
    std::vector<std::string> parents = IdsOf(note->if_contains("inReplyTo"));
    // A post of an account followed here is kept, with its photos.
    if (parents.empty()) {
      auto kept = f_.KeepRemoteNote(*note, signer_, /*followed_only=*/true);
      if (!kept) return Dropped(kept.error(), "Create(Note)");
      return Ok();
    }
    if (parents.size() != 1) return Ok();  // a comment answers one post here
    auto parent = StatusNamed(f_, parents[0]);
    if (!parent) return std::move(parent).error();
    if (!*parent) return Ok();
    auto visibility = RemoteVisibility(*note, signer_);
    if (!visibility) return Ok();
    RemoteNoteText text = NoteText(*note, f_.uris());
    if (text.text.empty()) return Ok();
    service::NewStatus input;
    input.text = text.text;
    input.mentionable = std::move(text.mentionable);
    input.spoiler_text = text.spoiler_text;
    input.sensitive = text.sensitive;
    input.in_reply_to_id = std::to_string((*parent)->id);
    input.visibility = store::VisibilityName(*visibility);
    input.uri = StringOf(*note, "id");
    // A silenced server's comments wait for the post's author.
    auto verdict = f_.Judge(HostOf(signer_.uri));
    if (!verdict) return std::move(verdict).error();
    input.held_for_review = verdict->silenced;
    auto created = service::PublishStatus(f_.services(), actor_, input);
    if (!created) {
      // Delivered twice (to two inboxes, or again after a retry).
      if (created.error().code == "unique_violation") return Ok();
      return Dropped(created.error(), "Create(Note)");
    }
    return Ok();
  }

  Status Update(const json::value& object) {
    const json::object* o = object.if_object();
    if (!o) return Ok();
    std::string type = TypeOf(*o);
    if (type == "Note") {
      const json::object* note = OwnNote(object);
      if (!note) return Ok();
      auto post = StatusNamed(f_, StringOf(*note, "id"));
      if (!post) return std::move(post).error();
      if (!*post || (*post)->account_id != actor_.id) return Ok();
      RemoteNoteText text = NoteText(*note, f_.uris());
      if (text.text.empty()) return Ok();
      service::StatusEdit edit;
      edit.text = text.text;
      edit.mentionable = std::move(text.mentionable);
      edit.spoiler_text = text.spoiler_text;
      edit.sensitive = text.sensitive;
      auto edited = service::EditStatus(f_.services(), (*post)->id, actor_, edit);
      if (!edited) return Dropped(edited.error(), "Update(Note)");
      return Ok();
    }
    // Its own profile, signed by itself: the document is its own word.
    if (StringOf(*o, "id") == signer_.uri) {
      auto saved = f_.SaveActor(*o, signer_.uri);
      if (!saved) return Dropped(saved.error(), "Update(actor)");
    }
    return Ok();
  }

  Status Delete(const std::string& object_id) {
    if (object_id.empty()) return Ok();
    // The actor itself, deleted by its server: everything of it goes.
    if (object_id == signer_.uri) {
      Status deleted = service::DeleteRemoteAccount(f_.services(), actor_.id);
      if (!deleted) return Dropped(deleted.error(), "Delete(actor)");
      return Ok();
    }
    auto post = StatusNamed(f_, object_id);
    if (!post) return std::move(post).error();
    // Only its own: a Delete of anyone else's post is dropped.
    if (!*post || (*post)->account_id != actor_.id) return Ok();
    auto deleted = service::DeleteStatus(f_.services(), (*post)->id, actor_.id, nullptr);
    if (!deleted) return Dropped(deleted.error(), "Delete");
    return Ok();
  }

  // A boost (public or unlisted posts): a local post's is counted and
  // notified; any post's shows in the booster's local followers' home
  // timelines. A remote post not here yet is fetched first, when the
  // booster is followed here.
  Status Announce(const std::string& activity_id, const std::string& status_uri) {
    if (!IsHttpUrl(activity_id) || !SameOrigin(activity_id, signer_.uri)) return Ok();
    auto post = StatusNamed(f_, status_uri);
    if (!post) return std::move(post).error();
    if (*post) {
      auto boosted = service::RecordBoost(f_.services(), (*post)->id, actor_.id, activity_id);
      if (!boosted) return Dropped(boosted.error(), "Announce");
      return Ok();
    }
    if (!IsHttpUrl(status_uri) || ParseLocalUri(f_.uris(), status_uri)) return Ok();
    auto followed = store::HasLocalFollower(f_.services().store.database(), actor_.id);
    if (!followed) return std::move(followed).error();
    if (*followed) f_.QueueBoosted(actor_.id, activity_id, status_uri);
    return Ok();
  }

  // A report from another server's moderators (Flag): in the admin queue,
  // filed by the actor that sent it (usually that server's instance actor).
  // Its objects: the reported local account and any of its posts.
  Status Flag(const json::object& activity) {
    std::vector<std::string> objects = IdsOf(activity.if_contains("object"));
    service::NewReport report;
    std::optional<int64_t> author;
    for (const std::string& uri : objects) {
      auto account = LocalActor(f_, uri);
      if (!account) return std::move(account).error();
      if (*account) {
        if (report.account_id.empty()) report.account_id = std::to_string((*account)->id);
        continue;
      }
      auto post = StatusNamed(f_, uri);
      if (!post) return std::move(post).error();
      if (*post && (*post)->uri.empty() && report.status_ids.size() < service::kMaxReportedStatuses) {
        report.status_ids.push_back(std::to_string((*post)->id));
        if (!author) author = (*post)->account_id;
      }
    }
    if (report.account_id.empty() && author) report.account_id = std::to_string(*author);
    if (report.account_id.empty()) return Ok();
    report.comment = HtmlToText(StringOf(activity, "content"), service::kMaxReportCommentChars);
    report.category = "other";
    auto filed = service::FileReport(f_.services(), actor_, report);
    if (!filed) return Dropped(filed.error(), "Flag");
    return Ok();
  }

  Status Block(const std::string& target_uri) {
    auto target = LocalActor(f_, target_uri);
    if (!target) return std::move(target).error();
    if (!*target) return Ok();
    auto blocked = service::BlockAccount(f_.services(), actor_.id, (*target)->id);
    if (!blocked) return Dropped(blocked.error(), "Block");
    return Ok();
  }

  Federation& f_;
  const store::RemoteActor& signer_;
  store::Account actor_;
};

}  // namespace

Status Federation::Receive(const json::object& activity, const store::RemoteActor& signer) {
  return Inbox(*this, signer).Handle(activity);
}

}  // namespace vantage::federation
