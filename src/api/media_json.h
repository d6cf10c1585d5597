// The Mastodon MediaAttachment entity, for the media routes and for the
// statuses that carry media.
#pragma once

#include <boost/json/object.hpp>

#include "service/context.h"
#include "store/media_store.h"

namespace vantage::api {

// {id, type:"image", url, preview_url, remote_url, preview_remote_url,
//  text_url, description, blurhash, meta{original, small, focus}} plus the
// extension `vantage{state, variants[]}`. `url` is the large JPEG and
// `preview_url` the small JPEG (every client decodes JPEG); the WebP files
// are listed in vantage.variants. While processing (or failed) url,
// preview_url and blurhash are null.
boost::json::object MediaAttachmentJson(const service::Settings& settings,
                                        const store::MediaAttachment& media);

}  // namespace vantage::api
