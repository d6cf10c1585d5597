// Profile pictures: PATCH /api/v1/accounts/update_credentials `avatar` and
// DELETE /api/v1/profile/avatar.
//
// A picture goes through the media pipeline (media::ProcessAvatar: decoded,
// stripped of every metadata field, centre-cropped to 400x400 and 96x96,
// JPEG), its files into the blob store, then the account row points at them.
// The files a change leaves unused are deleted at once when no other account
// (identical pictures are one file) or post uses them, else by the start-up
// sweep. Both functions block; SetAvatar spends tens to hundreds of
// milliseconds of CPU: call it on the CPU pool.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "service/media.h"
#include "store/store.h"

namespace vantage::service {

// Checks and processes a picture without storing anything, so a request can
// refuse it before changing the rest of the profile. Errors: kUnsupported
// "unsupported_media_type" (415), kInvalid "invalid_image" / "image_too_large"
// (422) and kTooLarge (413) for files over kMaxAvatarBytes, each with field
// "avatar".
inline constexpr size_t kMaxAvatarBytes = 8 * 1024 * 1024;
Result<media::ProcessedAvatar> PrepareAvatar(MediaContext& ctx, std::string_view bytes);

// Stores a prepared picture and makes it the account's. kNotFound for a
// missing account.
Result<store::Account> SetAvatar(MediaContext& ctx, int64_t account_id, const media::ProcessedAvatar& avatar);

// Back to the default picture. Not an error when there was none.
Result<store::Account> RemoveAvatar(MediaContext& ctx, int64_t account_id);

}  // namespace vantage::service
