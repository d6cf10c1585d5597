// The Mastodon Status entity, as every surface renders it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "store/status_store.h"

namespace vantage::api {

// The MediaAttachment entities of `media_ids`, in that order (missing ones
// left out).
Result<boost::json::array> MediaJson(ApiContext& ctx, const std::vector<int64_t>& media_ids);

// The Mastodon Status entity for `viewer_id`. Viewer-specific fields:
// `pinned` and `vantage.archived` are the author's; favourited and the like
// are false until those features exist. `with_text` adds the caption as
// written (the answer to a delete, for "delete and redraft").
Result<boost::json::object> StatusJson(ApiContext& ctx, const store::Post& status,
                                       std::optional<int64_t> viewer_id, bool with_text = false);

}  // namespace vantage::api
