// An account's archive (service/data_export.h): a ZIP laid out like
// Mastodon's, so that tools which read one read ours.
//
//   actor.json               the actor, as served at /users/<name>
//   outbox.json              every post and comment, as Create activities
//   likes.json               the liked statuses' ids
//   bookmarks.json           the bookmarked statuses' ids
//   following_accounts.csv   Mastodon's import format
//   avatar.jpg               the profile picture, if any
//   media_attachments/files/<key>.jpg
//                            each photo's largest processed JPEG (the
//                            pipeline's output carries no metadata); the
//                            notes' attachments point at these paths
//
// Blocks (database reads and file I/O): call it from a pool thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"
#include "media/blob_store.h"
#include "service/context.h"

namespace vantage::federation {

Status WriteAccountArchive(service::ServiceContext& services, media::BlobStore& blobs, int64_t account_id,
                           const std::string& path);

}  // namespace vantage::federation
