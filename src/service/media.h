// Media use cases: upload (pipeline + blob store + row), alt text and focus
// edits, deletion, the cleanup of media never attached to a post, and the
// start-up sweep of orphan files.
//
// All functions block (database, file I/O, and for UploadMedia tens to
// hundreds of milliseconds of CPU): call UploadMedia on the CPU pool and the
// others on the database pool.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "media/blob_store.h"
#include "media/process.h"
#include "service/context.h"
#include "store/media_store.h"

namespace vantage::service {

inline constexpr size_t kMaxMediaDescriptionChars = 1500;
inline constexpr int64_t kUnattachedMediaTtlMs = 24LL * 3600 * 1000;

struct MediaSettings {
  uint64_t max_pixels = media::kDefaultMaxPixels;
  size_t max_upload_bytes = 30 * 1024 * 1024;  // the upload routes' body limit
  int64_t unattached_ttl_ms = kUnattachedMediaTtlMs;
  // What remote posts' photos may take on disk (--remote-media-cache-gb);
  // past it, the least recently viewed are evicted.
  int64_t remote_cache_bytes = int64_t{20} << 30;
};

// Files served since the remote media cache last looked (for its
// least-recently-used order); bounded.
struct ServedFiles {
  std::mutex mu;
  std::unordered_set<std::string> keys;
};

// What the media use cases need besides the ServiceContext.
struct MediaContext {
  ServiceContext& services;
  media::BlobStore& blobs;
  MediaSettings settings;
  std::shared_ptr<ServedFiles> served = std::make_shared<ServedFiles>();
};

// "x,y" with both in -1..1 (Mastodon's focal point). Invalid "focus" otherwise.
Result<media::FocusPoint> ParseFocus(std::string_view text);

struct MediaUpload {
  std::string_view bytes;
  std::string description;  // already checked for length
  std::optional<media::FocusPoint> focus;
};

// Sniffs and checks the header (cheap, before anything is stored), then
// creates the attachment in state processing, runs the pipeline, stores the
// variants in the blob store and marks the attachment ready with its files.
// Errors: kUnsupported "unsupported_media_type" (415) and kInvalid
// "invalid_image" / "image_too_large" (422), each with field "file"; when the
// pipeline fails after the row exists the attachment is marked failed with
// that code, so it is never served. kNotFound when it was deleted meanwhile.
Result<store::MediaAttachment> UploadMedia(MediaContext& ctx, int64_t account_id,
                                           const MediaUpload& upload);

// A remote post's photo (store::MediaAttachment::remote_url), fetched by
// federation: the same checks and pipeline as an upload, into the
// processing attachment `media`. What does not pass marks it failed with
// the pipeline's code ("image unavailable"), and is never served.
Result<store::MediaAttachment> ProcessRemoteMedia(MediaContext& ctx, const store::MediaAttachment& media,
                                                  std::string_view bytes);

// The attachment if it exists and belongs to `account_id`; kNotFound otherwise
// (someone else's media is reported exactly like missing media).
Result<store::MediaAttachment> OwnMedia(MediaContext& ctx, int64_t account_id, int64_t media_id);

// Alt text and focus of the caller's own media. Errors as OwnMedia.
Result<store::MediaAttachment> UpdateMedia(MediaContext& ctx, int64_t account_id, int64_t media_id,
                                           const store::MediaPatch& patch);

// Deletes the attachment and the files no other attachment uses. Whether it
// existed.
Result<bool> DeleteMedia(MediaContext& ctx, int64_t media_id);

// Deletes every attachment created before `now - settings.unattached_ttl_ms`
// that was never attached to a post; the number deleted.
Result<int64_t> DeleteUnattachedMedia(MediaContext& ctx, int64_t now);

// Removes files no media_files row references, and leftover temporary
// files, older than `grace` (see BlobStore::Sweep).
Result<media::SweepResult> SweepMediaFiles(MediaContext& ctx, std::chrono::seconds grace);

// The remote media cache (docs/federation.md, "Following remote
// accounts"). A file was served (its key, for the least-recently-used
// order; cheap, kept in memory until the next trim).
void NoteFileServed(MediaContext& ctx, const std::string& key);
struct CacheTrim {
  int64_t bytes_before = 0;
  int64_t bytes_after = 0;
  int64_t evicted = 0;  // photos
};
// Marks the photos of the files served since the last trim viewed, then
// evicts the least recently viewed remote photos until their files take at
// most settings.remote_cache_bytes: their files go (unless something else
// uses them) and they are fetched again when next shown.
Result<CacheTrim> TrimRemoteMediaCache(MediaContext& ctx, int64_t now);

// "jpg" for "jpeg", "webp" for "webp": the file extension of a stored format.
std::string_view MediaExtension(std::string_view format);

// A file's URL under /media/. With `signed_url`, for files that not everyone
// may fetch (an upload not yet posted, the photos of a followers-only or
// archived post), it carries an expiry and a signature, `?exp=…&sig=…`:
// whoever was shown the photo may load it for one to two days (clients
// fetch images without credentials). A plain URL works only while a public
// or unlisted post shows the file.
std::string MediaFileUrl(const Settings& settings, const store::MediaFile& file, bool signed_url);

// Whether `query` (of a request for /media/`name`) carries a valid, unexpired
// signature for that file. `now_s`: seconds since the Unix epoch.
bool ValidMediaSignature(const Settings& settings, std::string_view name, std::string_view query, int64_t now_s);

// A remote post's photo not fetched yet (or evicted from the cache): the
// URL on this server that fetches it when first shown, signed like a file's
// URL. `variant`: "large" or "small".
std::string RemoteMediaUrl(const Settings& settings, int64_t media_id, std::string_view variant, bool signed_url);
// Where that URL leads: the photo fetched and processed if it was not yet,
// then the URL of its JPEG file of `variant` on this server. A photo that
// cannot be shown (failed the pipeline, refused, gone) is NotFound
// "image_unavailable"; a server that does not answer now is BadGateway.
// Without `signed_request`, only the photos of public and unlisted posts
// are found, as for plain file URLs.
Result<std::string> RemoteMediaLocation(MediaContext& ctx, int64_t media_id, std::string_view variant,
                                        bool signed_request);

}  // namespace vantage::service
