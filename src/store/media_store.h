// Media attachments: the rows behind uploaded images and their files.
//
// A media attachment is created in state kProcessing when an upload is
// accepted, and becomes kReady (with its files) or kFailed (with an error
// code) once the pipeline has run. Its files are the scrubbed variants, each
// a content-addressed file in the blob store (media/blob_store.h) named by
// `key` (lower-case hex SHA-256) and the format's extension. Several
// attachments may share a file (the same picture uploaded twice).
//
// The original upload is never stored. Times are milliseconds since the Unix
// epoch; focus coordinates are thousandths (-1000..1000). Errors as in
// store.h. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

enum class MediaState { kProcessing = 0, kReady = 1, kFailed = 2 };
const char* MediaStateName(MediaState state);  // "processing", "ready", "failed"

struct MediaFile {
  std::string variant;  // "large", "small", "thumb"
  std::string format;   // "webp", "jpeg"
  std::string key;      // hex SHA-256 of the bytes
  int width = 0;
  int height = 0;
  int64_t size_bytes = 0;
};

struct MediaAttachment {
  int64_t id = 0;
  int64_t account_id = 0;
  MediaState state = MediaState::kProcessing;
  std::string error_code;   // set when kFailed, e.g. "invalid_image"
  std::string description;  // alt text
  std::optional<int> focus_x;  // thousandths, both set or both absent
  std::optional<int> focus_y;
  std::string blurhash;
  int original_width = 0;   // upright
  int original_height = 0;
  std::optional<int64_t> status_id;  // the post it is attached to
  int position = 0;                  // place in the post's carousel
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::vector<MediaFile> files;  // ordered by variant, then format
  // A remote post's photo (docs/federation.md, "Following remote accounts"):
  // where its original is, fetched by the server and never shown to
  // readers. Processing with no files: not fetched yet (or evicted from the
  // cache); failed with error_code kNotAnImage: a video or audio, shown as
  // a link to the original.
  std::string remote_url;
  bool remote() const { return !remote_url.empty(); }
};

inline constexpr const char* kNotAnImage = "not_an_image";

struct MediaPatch {
  std::optional<std::string> description;
  // Set both or neither; a present value replaces the focus point.
  std::optional<int> focus_x;
  std::optional<int> focus_y;
};

struct EvictedMedia {
  std::vector<std::string> keys;
  int64_t bytes = 0;
};

class MediaStore {
 public:
  virtual ~MediaStore() = default;

  // Inserts the attachment and its files (usually none yet) in one
  // transaction. The id comes from the IdGenerator.
  virtual Result<MediaAttachment> Create(const MediaAttachment& media) = 0;

  // The attachment with its files, or nullopt.
  virtual Result<std::optional<MediaAttachment>> FindById(int64_t id) = 0;

  // Marks a processing attachment ready, with its files, blurhash and
  // original size, in one transaction. NotFound when it does not exist;
  // Conflict "not_processing" when it is no longer processing (e.g. deleted
  // and recreated, or already finished).
  virtual Result<MediaAttachment> MarkReady(int64_t id, const std::vector<MediaFile>& files,
                                            const std::string& blurhash, int original_width,
                                            int original_height, int64_t now) = 0;
  // Marks a processing attachment failed with `error_code`. Errors as MarkReady.
  virtual Status MarkFailed(int64_t id, const std::string& error_code, int64_t now) = 0;

  // Changes alt text and focus. NotFound when missing.
  virtual Result<MediaAttachment> Update(int64_t id, const MediaPatch& patch, int64_t now) = 0;

  // Attaches ready, unattached media of `account_id` to a post at `position`.
  // Whether it was attached (false: missing, someone else's, not ready or
  // already attached). For the posts feature.
  virtual Result<bool> Attach(int64_t id, int64_t account_id, int64_t status_id, int position,
                              int64_t now) = 0;

  // Deletes the attachment and its file rows if it is not attached to a
  // post nor in a draft (store/draft_store.h). Returns the keys of its
  // files (deduplicated) so the caller can remove those no other row uses;
  // nullopt when it did not exist, was attached (posts delete their media
  // with themselves) or is in a draft.
  virtual Result<std::optional<std::vector<std::string>>> Delete(int64_t id) = 0;

  // Ids of attachments created before `created_before` that were never
  // attached to a post and are in no draft, oldest first, at most `limit`.
  virtual Result<std::vector<int64_t>> ListUnattachedBefore(int64_t created_before, int limit) = 0;

  // Which of `keys` no media_files row references any more.
  virtual Result<std::vector<std::string>> UnreferencedKeys(const std::vector<std::string>& keys) = 0;

  // Every key referenced by some row, for the start-up sweep of orphan files.
  virtual Result<std::vector<std::string>> AllKeys() = 0;

  // Whether a public or unlisted, unarchived status shows the file: then
  // anyone may fetch it by its plain URL. Other files need a signed URL.
  virtual Result<bool> FileIsPublic(const std::string& key) = 0;

  // The remote media cache (docs/federation.md, "Following remote
  // accounts"): the bytes remote photos' files take; up to `limit` ready
  // remote photos last viewed (or fetched) before `viewed_before`, least
  // recently viewed first; one evicted (back to
  // processing without files: fetched again when shown), with the keys of
  // the files it held and their bytes, or nullopt when it was no ready
  // remote photo; and the remote photos holding `keys` marked viewed at
  // `now` (those viewed since `older_than` are left as they are).
  virtual Result<int64_t> RemoteMediaBytes() = 0;
  virtual Result<std::vector<int64_t>> LeastViewedRemoteMedia(int64_t viewed_before, int limit) = 0;
  virtual Result<std::optional<EvictedMedia>> EvictRemoteMedia(int64_t id, int64_t now) = 0;
  virtual Status TouchRemoteMedia(const std::vector<std::string>& keys, int64_t now, int64_t older_than) = 0;

  // The secret stored under `name`; the first caller stores `fresh`, and
  // every later one (on any server) gets that same value.
  virtual Result<std::string> SharedSecret(const std::string& name, const std::string& fresh) = 0;
};

// The MediaStore over any Database (sql_media_store.cc); `db` must outlive it.
std::unique_ptr<MediaStore> MakeSqlMediaStore(Database& db);

}  // namespace vantage::store
