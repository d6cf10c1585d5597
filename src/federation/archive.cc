#include "federation/archive.h"

#include <deque>
#include <filesystem>
#include <set>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <zip.h>

#include <boost/json/serialize.hpp>

#include "federation/documents.h"
#include "federation/notes.h"
#include "federation/vocabulary.h"
#include "store/federation_store.h"
#include "store/interaction_store.h"
#include "store/organisation_store.h"

namespace vantage::federation {

namespace json = boost::json;

namespace {

constexpr int kBatch = 200;
constexpr const char* kFilesDir = "media_attachments/files/";

// A ZIP being written: entries are added, then written at Close. The texts
// added are kept here until then (libzip reads them at close).
class ZipWriter {
 public:
  static Result<ZipWriter> Open(const std::string& path) {
    int code = 0;
    zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!zip) {
      zip_error_t error;
      zip_error_init_with_code(&error, code);
      std::string message = zip_error_strerror(&error);
      zip_error_fini(&error);
      return Error::Internal("cannot create " + path + ": " + message);
    }
    return ZipWriter(zip);
  }
  ZipWriter(ZipWriter&& other) noexcept : zip_(other.zip_), texts_(std::move(other.texts_)) { other.zip_ = nullptr; }
  ZipWriter& operator=(ZipWriter&&) = delete;
  ~ZipWriter() {
    if (zip_) zip_discard(zip_);
  }

  // A text entry, deflated.
  Status AddText(const std::string& name, std::string text) {
    const std::string& kept = texts_.emplace_back(std::move(text));
    zip_source_t* source = zip_source_buffer(zip_, kept.data(), kept.size(), 0);
    return Add(name, source, ZIP_CM_DEFLATE);
  }
  // A file's bytes, stored as they are (photos do not compress further).
  Status AddFile(const std::string& name, const std::string& file) {
    zip_source_t* source = zip_source_file(zip_, file.c_str(), 0, -1);
    return Add(name, source, ZIP_CM_STORE);
  }

  Status Close() {
    if (zip_close(zip_) != 0) return Error::Internal(std::string("writing the archive: ") + zip_strerror(zip_));
    zip_ = nullptr;
    return Ok();
  }

 private:
  explicit ZipWriter(zip_t* zip) : zip_(zip) {}

  Status Add(const std::string& name, zip_source_t* source, zip_int32_t method) {
    if (!source) return Error::Internal("adding " + name + ": " + zip_strerror(zip_));
    zip_int64_t index = zip_file_add(zip_, name.c_str(), source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(source);
      return Error::Internal("adding " + name + ": " + zip_strerror(zip_));
    }
    if (zip_set_file_compression(zip_, static_cast<zip_uint64_t>(index), method, 0) != 0)
      return Error::Internal("compressing " + name + ": " + zip_strerror(zip_));
    return Ok();
  }

  zip_t* zip_;
  std::deque<std::string> texts_;
};

json::object OrderedCollection(const std::string& id, json::array items) {
  json::object out;
  out["@context"] = "https://www.w3.org/ns/activitystreams";
  out["id"] = id;
  out["type"] = "OrderedCollection";
  out["totalItems"] = items.size();
  out["orderedItems"] = std::move(items);
  return out;
}

class Archive {
 public:
  Archive(service::ServiceContext& services, media::BlobStore& blobs, ZipWriter& zip)
      : services_(services), store_(services.store), blobs_(blobs), zip_(zip),
        uris_{services.settings.base_url} {}

  Status Write(const store::Account& account) {
    VANTAGE_TRY(Actor(account));
    VANTAGE_TRY(Outbox(account));
    VANTAGE_TRY(Marks("likes.json", [&](const store::PageQuery& page) {
      return store_.interactions().Favourites(account.id, page);
    }));
    VANTAGE_TRY(Marks("bookmarks.json", [&](const store::PageQuery& page) {
      return store_.interactions().Bookmarks(account.id, page);
    }));
    return Following(account);
  }

 private:
  Status Actor(const store::Account& account) {
    auto organisation = store_.organisations().Find(account.id);
    if (!organisation) return std::move(organisation).error();
    bool org = organisation->has_value();
    json::object actor = ActorDocument(services_.settings, ActorView{account, org, "", org});
    // The key is the server's to keep; an archive is no place to publish it from.
    actor.erase("publicKey");
    if (!account.avatar_key.empty()) {
      auto added = AddStoredFile("avatar.jpg", account.avatar_key);
      if (!added) return std::move(added).error();
      if (*added) actor["icon"] = json::object{{"type", "Image"}, {"mediaType", "image/jpeg"}, {"url", "avatar.jpg"}};
      else actor.erase("icon");
    }
    json::object out;
    out["@context"] = Context();
    for (auto& [key, value] : actor) out[key] = value;
    return zip_.AddText("actor.json", json::serialize(out));
  }

  Status Outbox(const store::Account& account) {
    json::array items;
    int64_t above = 0;
    for (;;) {
      auto ids = store::AuthoredStatusIds(store_.database(), account.id, above, kBatch);
      if (!ids) return std::move(ids).error();
      if (ids->empty()) break;
      above = ids->back();
      auto posts = store_.statuses().FindByIds(*ids);
      if (!posts) return std::move(posts).error();
      for (const store::Post& post : *posts) {
        auto note = LoadNoteView(services_, post, account);
        if (!note) return std::move(note).error();
        json::object create = CreateActivity(services_.settings, *note);
        create.erase("@context");
        VANTAGE_TRY(Photos(*note, create["object"].as_object()));
        items.push_back(std::move(create));
      }
      if (ids->size() < static_cast<size_t>(kBatch)) break;
    }
    return zip_.AddText("outbox.json", json::serialize(OrderedCollection("outbox.json", std::move(items))));
  }

  // Each photo's file added once; the note's attachments point at them.
  Status Photos(const NoteView& note, json::object& object) {
    json::array* attachments = object.contains("attachment") ? object["attachment"].if_array() : nullptr;
    size_t index = 0;
    for (const store::MediaAttachment& media : note.media) {
      const store::MediaFile* file = LargestJpeg(media);
      if (!file) continue;  // the document skipped it too
      std::string name = std::string(kFilesDir) + file->key + ".jpg";
      if (added_.insert(file->key).second) {
        auto added = AddStoredFile(name, file->key);
        if (!added) return std::move(added).error();
      }
      if (attachments && index < attachments->size()) (*attachments)[index].as_object()["url"] = name;
      ++index;
    }
    return Ok();
  }

  // A JPEG of the media store (a photo, the profile picture), unless it is
  // missing from the media directory (lost to a disk or a restore): then
  // the archive goes without it rather than failing every time, and the log
  // says so. Whether it was added.
  Result<bool> AddStoredFile(const std::string& name, const std::string& key) {
    std::string path = blobs_.PathFor(key, "jpg");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      spdlog::warn("archive: the file {} is missing; the archive goes without it", path);
      return false;
    }
    VANTAGE_TRY(zip_.AddFile(name, path));
    return true;
  }

  // likes.json or bookmarks.json: the statuses' ids, newest first.
  template <typename List>
  Status Marks(const std::string& name, List list) {
    json::array items;
    store::PageQuery page;
    page.limit = kBatch;
    for (;;) {
      auto marks = list(page);
      if (!marks) return std::move(marks).error();
      if (marks->empty()) break;
      page.below = marks->back().id;
      std::vector<int64_t> ids;
      for (const store::Mark& m : *marks) ids.push_back(m.status_id);
      auto posts = store_.statuses().FindByIds(ids);
      if (!posts) return std::move(posts).error();
      std::unordered_map<int64_t, const store::Post*> by_id;
      for (const store::Post& p : *posts) by_id[p.id] = &p;
      for (int64_t id : ids) {
        auto found = by_id.find(id);
        if (found == by_id.end()) continue;
        auto uri = StatusUri(*found->second);
        if (!uri) return std::move(uri).error();
        items.push_back(json::value(*uri));
      }
      if (marks->size() < static_cast<size_t>(kBatch)) break;
    }
    return zip_.AddText(name, json::serialize(OrderedCollection(name, std::move(items))));
  }

  Result<std::string> StatusUri(const store::Post& post) {
    if (!post.uri.empty()) return post.uri;
    auto found = usernames_.find(post.account_id);
    if (found == usernames_.end()) {
      auto author = store_.accounts().FindById(post.account_id);
      if (!author) return std::move(author).error();
      found = usernames_.emplace(post.account_id, *author ? (*author)->username : "").first;
    }
    return uris_.Status(found->second, post.id);
  }

  // Mastodon's following_accounts.csv, which its import (and ours) reads.
  Status Following(const store::Account& account) {
    auto names = store::FollowedUsernames(store_.database(), account.id);
    if (!names) return std::move(names).error();
    std::string domain = services_.settings.domain;
    std::string csv = "Account address,Show boosts,Notify on new posts,Languages\n";
    for (const std::string& name : *names)
      csv += (name.find('@') == std::string::npos ? name + "@" + domain : name) + ",true,false,\n";
    return zip_.AddText("following_accounts.csv", std::move(csv));
  }

  service::ServiceContext& services_;
  store::Store& store_;
  media::BlobStore& blobs_;
  ZipWriter& zip_;
  LocalUris uris_;
  std::set<std::string> added_;
  std::unordered_map<int64_t, std::string> usernames_;
};

}  // namespace

Status WriteAccountArchive(service::ServiceContext& services, media::BlobStore& blobs, int64_t account_id,
                           const std::string& path) {
  auto account = services.store.accounts().FindById(account_id);
  if (!account) return std::move(account).error();
  if (!*account) return Error::NotFound("account " + std::to_string(account_id) + " is gone");
  auto zip = ZipWriter::Open(path);
  if (!zip) return std::move(zip).error();
  Archive archive(services, blobs, *zip);
  VANTAGE_TRY(archive.Write(**account));
  return zip->Close();
}

}  // namespace vantage::federation
