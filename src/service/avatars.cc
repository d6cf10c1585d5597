#include "service/avatars.h"

#include "service/federation_events.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/id.h"

namespace vantage::service {

namespace {

Error NameAvatar(Error error) {
  if (error.kind == ErrorKind::kUnsupported || error.kind == ErrorKind::kInvalid ||
      error.kind == ErrorKind::kTooLarge) {
    // The pipeline names "file", the upload routes' field.
    error.field = "avatar";
    if (error.message.rfind("avatar", 0) != 0) error.message = "avatar: " + error.message;
  }
  return error;
}

// Deletes the files `before` pointed at that no row uses any more. Best
// effort: whatever is left is removed by the start-up sweep.
void RemoveUnused(MediaContext& ctx, const store::Account& before, const store::Account& after) {
  std::vector<std::string> keys;
  for (const std::string* key : {&before.avatar_key, &before.avatar_small_key})
    if (!key->empty() && *key != after.avatar_key && *key != after.avatar_small_key) keys.push_back(*key);
  if (keys.empty()) return;
  auto deleting = ctx.blobs.TryDeleteLock(std::chrono::seconds(2));
  if (!deleting.owns_lock()) return;
  auto unused = ctx.services.store.media().UnreferencedKeys(keys);
  if (!unused) {
    spdlog::warn("avatar of {}: {} (files left for the sweep)", before.id, unused.error().message);
    return;
  }
  for (const std::string& key : *unused) {
    if (auto removed = ctx.blobs.Remove(key); !removed)
      spdlog::warn("avatar of {}: {} (left for the sweep)", before.id, removed.error().message);
  }
}

}  // namespace

Result<media::ProcessedAvatar> PrepareAvatar(MediaContext& ctx, std::string_view bytes) {
  if (bytes.size() > kMaxAvatarBytes)
    return Error::TooLarge("avatar must be at most " + std::to_string(kMaxAvatarBytes / (1024 * 1024)) + " MB",
                           "avatar");
  auto processed = media::ProcessAvatar(bytes, ctx.settings.max_pixels);
  if (!processed) return NameAvatar(std::move(processed).error());
  return processed;
}

Result<store::Account> SetAvatar(MediaContext& ctx, int64_t account_id, const media::ProcessedAvatar& avatar) {
  auto before = ctx.services.store.accounts().FindById(account_id);
  if (!before) return std::move(before).error();
  if (!*before) return Error::NotFound();

  std::optional<store::Account> after;
  {
    // Files first, durably, then the row (media/blob_store.h).
    auto writing = ctx.blobs.WriteLock();
    auto key = ctx.blobs.Put(avatar.jpeg, "jpg");
    if (!key) return std::move(key).error();
    auto small_key = ctx.blobs.Put(avatar.small_jpeg, "jpg");
    if (!small_key) return std::move(small_key).error();
    auto updated = ctx.services.store.accounts().SetAvatar(account_id, *key, *small_key, NowUnixMs());
    if (!updated) return std::move(updated).error();
    after = std::move(*updated);
  }
  RemoveUnused(ctx, **before, *after);
  if (after->local()) VANTAGE_TRY(RecordFederated(ctx.services, account_id, kProfileUpdated, account_id));
  return std::move(*after);
}

Result<store::Account> RemoveAvatar(MediaContext& ctx, int64_t account_id) {
  auto before = ctx.services.store.accounts().FindById(account_id);
  if (!before) return std::move(before).error();
  if (!*before) return Error::NotFound();
  auto after = ctx.services.store.accounts().SetAvatar(account_id, "", "", NowUnixMs());
  if (!after) return std::move(after).error();
  RemoveUnused(ctx, **before, *after);
  if (after->local()) VANTAGE_TRY(RecordFederated(ctx.services, account_id, kProfileUpdated, account_id));
  return after;
}

}  // namespace vantage::service
