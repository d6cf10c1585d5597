#include "federation/notes.h"

#include "federation/vocabulary.h"
#include "store/federation_store.h"

namespace vantage::federation {

Result<NoteView> LoadNoteView(service::ServiceContext& services, const store::Post& post,
                              const store::Account& author) {
  store::Store& store = services.store;
  LocalUris uris{services.settings.base_url};
  NoteView note;
  note.post = post;
  note.author = author;
  for (int64_t media_id : post.media_ids) {
    auto media = store.media().FindById(media_id);
    if (!media) return std::move(media).error();
    if (*media) note.media.push_back(std::move(**media));
  }
  if (post.in_reply_to_id) {
    auto parent = store.statuses().FindById(*post.in_reply_to_id);
    if (!parent) return std::move(parent).error();
    if (*parent) {
      if (!(*parent)->uri.empty()) {
        note.in_reply_to = (*parent)->uri;
        auto actor = store::FindRemoteActor(store.database(), (*parent)->account_id);
        if (!actor) return std::move(actor).error();
        if (*actor) note.in_reply_to_actor = (*actor)->uri;
      } else {
        auto parent_author = store.accounts().FindById((*parent)->account_id);
        if (!parent_author) return std::move(parent_author).error();
        if (*parent_author) {
          note.in_reply_to = uris.Status((*parent_author)->username, (*parent)->id);
          note.in_reply_to_actor = uris.Actor((*parent_author)->username);
        }
      }
    }
  }
  for (const store::MentionRef& m : post.mentions) note.mentions.emplace_back(uris.Actor(m.username), m.username);
  return note;
}

}  // namespace vantage::federation
