// Row layouts that several stores read (accounts, media, statuses), so each
// table is decoded in one place. For the SQL stores only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "store/sql.h"
#include "store/store.h"

// The account columns DecodeAccount reads, each prefixed with `p` (a table
// alias such as "a." or nothing).
#define VANTAGE_ACCOUNT_COLUMNS_OF(p)                                                                        \
  p "id, " p "username, " p "email, " p "display_name, " p "note, " p "password_hash, " p "role, " p         \
  "locked, " p "approved, " p "verified, " p "registration_reason, " p "created_at, " p "updated_at, " p     \
  "followers_count, " p "following_count, " p "statuses_count, " p "avatar_key, " p "avatar_small_key, " p  \
  "fields, " p "domain, " p "url, " p "hide_collections"
inline constexpr size_t kAccountColumnCount = 22;

// The attachment columns DecodeMedia reads, prefixed likewise.
#define VANTAGE_MEDIA_COLUMNS_OF(p)                                                                          \
  p "id, " p "account_id, " p "state, " p "error_code, " p "description, " p "focus_x, " p "focus_y, " p     \
  "blurhash, " p "original_width, " p "original_height, " p "status_id, " p "position, " p "created_at, " p \
  "updated_at, " p "remote_url"

namespace vantage::store {

// VANTAGE_ACCOUNT_COLUMNS_OF from column `at` on.
Result<Account> DecodeAccount(const Row& row, size_t at = 0);
// DecodeAccount of each row (from column 0), appended to `out`.
Status AppendAccounts(const std::vector<Row>& rows, std::vector<Account>& out);
// VANTAGE_MEDIA_COLUMNS_OF from column 0 (files are read separately).
Result<MediaAttachment> DecodeMedia(const Row& row);

// Reads the statuses of `ids` that exist, with their tags and mentions (and,
// with `with_media_ids`, their media ids in carousel order), on `conn`, in a
// few statements per 40 ids, into `by_id`.
Status ReadPostsOn(Connection& conn, const std::vector<int64_t>& ids, bool with_media_ids,
                   std::unordered_map<int64_t, Post>& by_id);

}  // namespace vantage::store
