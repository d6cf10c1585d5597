// The ActivityPub documents Vantage serves and sends: actors, notes,
// collections and the activities around them, shaped as Mastodon's are
// (docs/federation.md), since that is what every peer is tested against.
// Pure rendering: the caller reads what is rendered.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "federation/vocabulary.h"
#include "service/context.h"
#include "store/media_store.h"
#include "store/status_store.h"
#include "store/store.h"

namespace vantage::federation {

// The @context every document carries: ActivityStreams, the security
// vocabulary (without it JSON-LD readers drop publicKey) and the terms of
// Mastodon's extensions that Vantage uses.
boost::json::value Context();

struct ActorView {
  store::Account account;
  bool organisation = false;     // Organization instead of Person
  std::string public_pem;
  bool hide_follower_lists = false;  // collections show totalItems only
};
boost::json::object ActorDocument(const service::Settings& settings, const ActorView& actor);
// The instance actor (Application at /actor), which signs the server's own fetches.
boost::json::object InstanceActorDocument(const service::Settings& settings, const std::string& public_pem);

struct NoteView {
  store::Post post;
  store::Account author;
  std::vector<store::MediaAttachment> media;  // in carousel order
  std::string in_reply_to;                     // the parent's id ("": none)
  std::string in_reply_to_actor;               // the parent's author's actor id
  // Mentioned accounts' actor ids and @names.
  std::vector<std::pair<std::string, std::string>> mentions;
};
boost::json::object NoteDocument(const service::Settings& settings, const NoteView& note);
// The photo's file a note's attachment shows: its largest JPEG (none for a
// photo not processed).
const store::MediaFile* LargestJpeg(const store::MediaAttachment& media);

// Create/Update of a note, Delete of one (a Tombstone), as sent.
boost::json::object CreateActivity(const service::Settings& settings, const NoteView& note);
boost::json::object UpdateActivity(const service::Settings& settings, const NoteView& note);
boost::json::object DeleteActivity(const service::Settings& settings, const std::string& username,
                                   int64_t status_id, store::Visibility visibility,
                                   const std::string& in_reply_to_actor);
// Accept or Reject of a remote Follow (embedded, as Mastodon sends it).
boost::json::object FollowAnswer(const service::Settings& settings, const std::string& username, bool accepted,
                                 const std::string& follow_id, const std::string& follower_actor,
                                 int64_t answer_id);
// A local account's Follow of a remote actor (`follow_id`: this server's
// id for it, kept with the request), and its Undo (the Follow embedded).
boost::json::object FollowActivity(const service::Settings& settings, const std::string& username,
                                   const std::string& follow_id, const std::string& target_actor);
boost::json::object UndoFollowActivity(const service::Settings& settings, const std::string& username,
                                       const std::string& follow_id, const std::string& target_actor);
// Update of an actor (after a profile change).
// A local account's Block of a remote actor (`block_id` its id), or the
// Undo of one (naming the Block by actor and object, as Mastodon reads it).
boost::json::object BlockActivity(const service::Settings& settings, const std::string& username,
                                  const std::string& block_id, const std::string& target_actor, bool undo);
// A report forwarded to the reported account's server (Mastodon's
// `forward`): a Flag from the instance actor naming the account and the
// reported notes, with the reporter's comment and nothing of the reporter.
boost::json::object FlagActivity(const service::Settings& settings, int64_t report_id, const std::string& account_actor,
                                 const std::vector<std::string>& note_ids, const std::string& comment);
boost::json::object UpdateActorActivity(const service::Settings& settings, const ActorView& actor,
                                        int64_t update_id);

// An OrderedCollection with its first page's link, or an
// OrderedCollectionPage of `items` (with `next` when given).
boost::json::object Collection(const std::string& id, int64_t total, const std::string& first);
boost::json::object CollectionPage(const std::string& collection_id, const std::string& page_id,
                                   boost::json::array items, const std::string& next);

// WebFinger's JRD for a local account, host-meta (XML and JSON), the
// NodeInfo links and NodeInfo 2.1.
boost::json::object WebFinger(const service::Settings& settings, const store::Account& account);
std::string HostMetaXml(const service::Settings& settings);
boost::json::object HostMetaJson(const service::Settings& settings);
boost::json::object NodeInfoLinks(const service::Settings& settings);
boost::json::object NodeInfo(const service::Settings& settings, const std::string& version, int64_t users,
                             int64_t posts);

}  // namespace vantage::federation
