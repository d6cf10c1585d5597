#include "service/media.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>
#include <set>
#include <vector>

#include "core/id.h"
#include "service/crypto.h"
#include "service/fediverse.h"

namespace vantage::service {

namespace {

Error InvalidFocus() {
  return Error::Invalid("focus", "focus must be two numbers from -1 to 1, as \"x,y\"", "invalid_focus");
}

std::optional<double> ParseCoordinate(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!(value >= -1.0 && value <= 1.0)) return std::nullopt;  // also refuses NaN
  return value;
}

int Thousandths(double v) { return static_cast<int>(std::lround(v * 1000)); }

// Errors of the pipeline name the upload's field.
Error AboutFile(Error error) {
  if (error.field.empty() && error.kind != ErrorKind::kInternal) error.field = "file";
  return error;
}

}  // namespace

std::string_view MediaExtension(std::string_view format) { return format == "jpeg" ? "jpg" : "webp"; }

Result<media::FocusPoint> ParseFocus(std::string_view text) {
  size_t comma = text.find(',');
  if (comma == std::string_view::npos) return InvalidFocus();
  auto x = ParseCoordinate(text.substr(0, comma));
  auto y = ParseCoordinate(text.substr(comma + 1));
  if (!x || !y) return InvalidFocus();
  return media::FocusPoint{*x, *y};
}

namespace {

// The cheap checks, so that junk never reaches the decoder: the type from
// the bytes, the size from the header, the pixel limit.
Status CheckImage(MediaContext& ctx, std::string_view bytes) {
  auto type = media::Sniff(bytes);
  if (!type) return AboutFile(std::move(type).error());
  auto size = media::ReadHeader(bytes, *type);
  if (!size) return AboutFile(std::move(size).error());
  if (auto limit = media::CheckPixelLimit(*size, ctx.settings.max_pixels); !limit)
    return AboutFile(std::move(limit).error());
  return Ok();
}

Error MarkFailed(MediaContext& ctx, int64_t media_id, const Error& error) {
  // Failed media is never served; the row records why.
  std::string code = error.kind == ErrorKind::kInternal ? "processing_failed" : error.code;
  if (auto marked = ctx.services.store.media().MarkFailed(media_id, code, NowUnixMs()); !marked)
    spdlog::warn("media {}: cannot mark failed: {}", media_id, marked.error().message);
  return error;
}

// Runs the pipeline over `bytes` for the processing attachment `media_id`,
// stores the variants and marks it ready (failed, with the pipeline's code,
// when it does not pass).
Result<store::MediaAttachment> Process(MediaContext& ctx, int64_t media_id, std::string_view bytes,
                                       const std::optional<media::FocusPoint>& focus) {
  media::ProcessOptions options;
  options.max_pixels = ctx.settings.max_pixels;
  options.focus = focus;
  auto processed = media::ProcessImage(bytes, options);
  if (!processed) return MarkFailed(ctx, media_id, AboutFile(std::move(processed).error()));

  std::vector<store::MediaFile> files;
  // Files first, durably, then the row that references them; the shared lock
  // keeps a concurrent deletion from removing a file this row is about to use.
  auto writing = ctx.blobs.WriteLock();
  for (const media::Variant& variant : processed->variants) {
    for (std::string_view format : {"webp", "jpeg"}) {
      const std::string& variant_bytes = format == "webp" ? variant.webp : variant.jpeg;
      auto key = ctx.blobs.Put(variant_bytes, MediaExtension(format));
      if (!key) {
        (void)ctx.services.store.media().MarkFailed(media_id, "storage_failed", NowUnixMs());
        return std::move(key).error();
      }
      files.push_back(store::MediaFile{variant.name, std::string(format), *key, variant.width,
                                       variant.height, static_cast<int64_t>(variant_bytes.size())});
    }
  }
  auto ready = ctx.services.store.media().MarkReady(media_id, files, processed->blurhash,
                                                    processed->original_width,
                                                    processed->original_height, NowUnixMs());
  if (!ready) {
    Error error = std::move(ready).error();
    // Deleted while processing (or finished by another server): its files
    // are orphans for the sweep, or shared with the other's.
    if (error.code == "not_processing") return Error::NotFound();
    return error;
  }
  return std::move(*ready);
}

}  // namespace

Result<store::MediaAttachment> UploadMedia(MediaContext& ctx, int64_t account_id,
                                           const MediaUpload& upload) {
  VANTAGE_TRY(CheckImage(ctx, upload.bytes));
  store::MediaAttachment row;
  row.id = ctx.services.ids.Next();
  row.account_id = account_id;
  row.description = upload.description;
  if (upload.focus) {
    row.focus_x = Thousandths(upload.focus->x);
    row.focus_y = Thousandths(upload.focus->y);
  }
  row.created_at = row.updated_at = NowUnixMs();
  auto created = ctx.services.store.media().Create(row);
  if (!created) return std::move(created).error();
  return Process(ctx, row.id, upload.bytes, upload.focus);
}

Result<store::MediaAttachment> ProcessRemoteMedia(MediaContext& ctx, const store::MediaAttachment& media,
                                                  std::string_view bytes) {
  if (Status checked = CheckImage(ctx, bytes); !checked) return MarkFailed(ctx, media.id, checked.error());
  std::optional<media::FocusPoint> focus;
  if (media.focus_x && media.focus_y) focus = media::FocusPoint{*media.focus_x / 1000.0, *media.focus_y / 1000.0};
  return Process(ctx, media.id, bytes, focus);
}

Result<store::MediaAttachment> OwnMedia(MediaContext& ctx, int64_t account_id, int64_t media_id) {
  auto found = ctx.services.store.media().FindById(media_id);
  if (!found) return std::move(found).error();
  if (!*found || (*found)->account_id != account_id) return Error::NotFound();
  return std::move(**found);
}

Result<store::MediaAttachment> UpdateMedia(MediaContext& ctx, int64_t account_id, int64_t media_id,
                                           const store::MediaPatch& patch) {
  auto own = OwnMedia(ctx, account_id, media_id);
  if (!own) return std::move(own).error();
  return ctx.services.store.media().Update(media_id, patch, NowUnixMs());
}

namespace {

constexpr size_t kMaxServedKeys = 100'000;
constexpr int64_t kViewResolutionMs = 60'000;  // a photo's view time is kept to the minute
// A photo just fetched or viewed stays at least this long, so that a reader
// sent to its file (the fetching URL's redirect) finds it there.
constexpr int64_t kMinResidencyMs = 10'000;

// Removes the files of `keys` that no row references any more.
void RemoveUnreferenced(MediaContext& ctx, const std::vector<std::string>& keys, const std::string& what) {
  auto deleting = ctx.blobs.TryDeleteLock(std::chrono::seconds(2));
  if (!deleting.owns_lock()) {
    spdlog::info("{}: uploads busy, files left for the sweep", what);
    return;
  }
  auto unused = ctx.services.store.media().UnreferencedKeys(keys);
  if (!unused) {
    spdlog::warn("{}: {} (files left for the sweep)", what, unused.error().message);
    return;
  }
  for (const std::string& key : *unused)
    if (auto removed = ctx.blobs.Remove(key); !removed)
      spdlog::warn("{}: {} (left for the sweep)", what, removed.error().message);
}

}  // namespace

Result<bool> DeleteMedia(MediaContext& ctx, int64_t media_id) {
  auto keys = ctx.services.store.media().Delete(media_id);
  if (!keys) return std::move(keys).error();
  if (!*keys) return false;
  RemoveUnreferenced(ctx, **keys, "media " + std::to_string(media_id));
  return true;
}

void NoteFileServed(MediaContext& ctx, const std::string& key) {
  std::lock_guard lock(ctx.served->mu);
  if (ctx.served->keys.size() < kMaxServedKeys) ctx.served->keys.insert(key);
}

Result<CacheTrim> TrimRemoteMediaCache(MediaContext& ctx, int64_t now) {
  store::MediaStore& media = ctx.services.store.media();
  std::vector<std::string> served;
  {
    std::lock_guard lock(ctx.served->mu);
    served.assign(ctx.served->keys.begin(), ctx.served->keys.end());
    ctx.served->keys.clear();
  }
  VANTAGE_TRY(media.TouchRemoteMedia(served, now, now - kViewResolutionMs));
  CacheTrim trim;
  auto bytes = media.RemoteMediaBytes();
  if (!bytes) return std::move(bytes).error();
  trim.bytes_before = trim.bytes_after = *bytes;
  while (trim.bytes_after > ctx.settings.remote_cache_bytes) {
    auto oldest = media.LeastViewedRemoteMedia(now - kMinResidencyMs, 100);
    if (!oldest) return std::move(oldest).error();
    int64_t before = trim.evicted;
    for (int64_t id : *oldest) {
      if (trim.bytes_after <= ctx.settings.remote_cache_bytes) break;
      auto evicted = media.EvictRemoteMedia(id, now);
      if (!evicted) return std::move(evicted).error();
      if (!*evicted) continue;
      trim.bytes_after -= (*evicted)->bytes;
      ++trim.evicted;
      RemoveUnreferenced(ctx, (*evicted)->keys, "remote media cache");
    }
    if (trim.evicted == before) break;  // nothing left to evict (or taken meanwhile)
  }
  return trim;
}

Result<int64_t> DeleteUnattachedMedia(MediaContext& ctx, int64_t now) {
  int64_t deleted = 0;
  for (;;) {
    auto ids = ctx.services.store.media().ListUnattachedBefore(now - ctx.settings.unattached_ttl_ms, 200);
    if (!ids) return std::move(ids).error();
    for (int64_t id : *ids) {
      auto gone = DeleteMedia(ctx, id);
      if (!gone) return std::move(gone).error();
      deleted += *gone ? 1 : 0;
    }
    if (ids->size() < 200) break;
  }
  return deleted;
}

Result<media::SweepResult> SweepMediaFiles(MediaContext& ctx, std::chrono::seconds grace) {
  auto deleting = ctx.blobs.DeleteLock();
  auto keys = ctx.services.store.media().AllKeys();
  if (!keys) return std::move(keys).error();
  return ctx.blobs.Sweep(std::set<std::string>(keys->begin(), keys->end()), grace);
}

namespace {

// A signature stays valid until the end of the day after next, so one
// day's URLs are the same all day (and cacheable) and live at least a day.
constexpr int64_t kDaySeconds = 86400;

std::string Signature(const Settings& settings, std::string_view name, int64_t expires) {
  return HmacSha256Hex(settings.media_url_key, std::string(name) + "|" + std::to_string(expires)).substr(0, 32);
}

std::string_view QueryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.size() > key.size() && pair.substr(0, key.size()) == key && pair[key.size()] == '=')
      return pair.substr(key.size() + 1);
  }
  return {};
}

}  // namespace

std::string MediaFileUrl(const Settings& settings, const store::MediaFile& file, bool signed_url) {
  std::string name = file.key + "." + std::string(MediaExtension(file.format));
  std::string url = settings.base_url + "/media/" + name;
  if (signed_url) {
    int64_t expires = (NowUnixMs() / 1000 / kDaySeconds + 2) * kDaySeconds;
    url += "?exp=" + std::to_string(expires) + "&sig=" + Signature(settings, name, expires);
  }
  return url;
}

std::string RemoteMediaUrl(const Settings& settings, int64_t media_id, std::string_view variant, bool signed_url) {
  std::string name = "remote/" + std::to_string(media_id) + "/" + std::string(variant);
  std::string url = settings.base_url + "/media/" + name;
  if (signed_url) {
    int64_t expires = (NowUnixMs() / 1000 / kDaySeconds + 2) * kDaySeconds;
    url += "?exp=" + std::to_string(expires) + "&sig=" + Signature(settings, name, expires);
  }
  return url;
}

Result<std::string> RemoteMediaLocation(MediaContext& ctx, int64_t media_id, std::string_view variant,
                                        bool signed_request) {
  Error unavailable = Error::NotFound("image unavailable", "image_unavailable");
  if (variant != "large" && variant != "small") return Error::NotFound();
  auto found = ctx.services.store.media().FindById(media_id);
  if (!found) return std::move(found).error();
  if (!*found || !(*found)->remote() || !(*found)->status_id) return Error::NotFound();
  auto post = ctx.services.store.statuses().FindById(*(*found)->status_id);
  if (!post) return std::move(post).error();
  if (!*post) return Error::NotFound();
  bool is_public = (*post)->visibility != store::Visibility::kPrivate && !(*post)->archived_at;
  if (!signed_request && !is_public) return Error::NotFound();
  store::MediaAttachment media = std::move(**found);
  if (media.state == store::MediaState::kProcessing) {
    if (!ctx.services.fediverse) return unavailable;
    auto fetched = ctx.services.fediverse->FetchRemoteMedia(media_id);
    if (!fetched) return std::move(fetched).error();
    media = std::move(*fetched);
  }
  if (media.state != store::MediaState::kReady) return unavailable;
  for (const store::MediaFile& file : media.files)
    if (file.variant == variant && file.format == "jpeg") return MediaFileUrl(ctx.services.settings, file, !is_public);
  return unavailable;
}

bool ValidMediaSignature(const Settings& settings, std::string_view name, std::string_view query, int64_t now_s) {
  std::string_view exp = QueryValue(query, "exp"), sig = QueryValue(query, "sig");
  if (exp.empty() || sig.size() != 32 || settings.media_url_key.empty()) return false;
  int64_t expires = 0;
  for (char c : exp) {
    if (c < '0' || c > '9' || expires > (int64_t{1} << 40)) return false;
    expires = expires * 10 + (c - '0');
  }
  if (expires < now_s) return false;
  return ConstantTimeEquals(sig, Signature(settings, name, expires));
}

}  // namespace vantage::service
