// The Mastodon Status entity, as every surface renders it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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
// `favourited` and `bookmarked` are the viewer's own, `pinned` and
// `vantage.archived` the author's; `muted` and `reblogged` are false (no
// conversation mutes, and local accounts do not boost). A remote account's
// boost (docs/federation.md, "Boosts") carries the boosted status in
// `reblog`. A reply names its parent only to viewers
// the policy lets see the parent. `with_text` adds the caption as written
// (the answer to a delete, for "delete and redraft"). NotFound when the
// author is gone.
Result<boost::json::object> StatusJson(ApiContext& ctx, const store::Post& status,
                                       std::optional<int64_t> viewer_id, bool with_text = false);

// The Status entities of `statuses` for `viewer_id`, in that order, exactly
// as StatusJson renders each, with a fixed number of queries per page (not
// per status). Statuses whose author is gone are left out.
// The same as JSON text (an array), for lists written straight into a
// response: the statuses `ids` that exist, in that order. Each status's
// viewer-independent part is rendered once and kept while it is unchanged.
Result<std::string> StatusesJsonText(ApiContext& ctx, const std::vector<int64_t>& ids,
                                     std::optional<int64_t> viewer_id);

Result<boost::json::array> StatusesJson(ApiContext& ctx, const std::vector<store::Post>& statuses,
                                        std::optional<int64_t> viewer_id);

// A response whose body is StatusesJsonText of `statuses`' ids.
Result<http::Response> StatusesResponse(ApiContext& ctx, const std::vector<store::Post>& statuses,
                                        std::optional<int64_t> viewer_id);

// POST /api/v1/statuses/:id/<action> (pin, archive, favourite, bookmark...):
// the signed-in account acts on a status through `action(ctx, status_id,
// account_id)`; the answer is the status as that account sees it afterwards.
using StatusActionFn = Result<store::Post> (*)(service::ServiceContext&, int64_t, int64_t);
http::Handler StatusAction(ApiContext& ctx, std::string scope, StatusActionFn action);

}  // namespace vantage::api
