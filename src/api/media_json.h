// The Mastodon MediaAttachment entity, for the media routes and for the
// statuses that carry media.
#pragma once

#include <cstdint>
#include <string_view>

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
//
// With `signed_urls` (the default, the safe choice) every file URL carries an
// expiry and a signature, `?exp=…&sig=…`, for files that not everyone may
// fetch: an upload not yet posted, or the photos of a followers-only or
// archived post. Whoever was shown the status may load its photos (clients
// fetch images without credentials) for one to two days; a plain URL works
// only while a public or unlisted post shows the file.
boost::json::object MediaAttachmentJson(const service::Settings& settings, const store::MediaAttachment& media,
                                        bool signed_urls = true);

}  // namespace vantage::api
