// The visibility policy of service/policy.h as one SQL condition, for a
// status aliased `s` and a viewer given as a SQL expression: a column such
// as "n.account_id", or "?" (bound kVisibleToArgs times, all the viewer's
// id; 0 for nobody signed in). Every list that filters statuses in SQL uses
// this, so the one rule has one SQL text.
#pragma once

#include <cstdint>
#include <vector>

#include "store/sql.h"

// The author sees their own; otherwise no block either way, not archived,
// not a held or hidden comment, and public, unlisted, or followers-only with an accepted follow of the
// author, or when the status answers the viewer or mentions them.
#define VANTAGE_VISIBLE_TO(viewer)                                                                        \
  "(s.account_id = " viewer " OR (s.archived_at IS NULL AND s.comment_state = 0 "                                                 \
  "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = " viewer                                   \
  " AND b.target_account_id = s.account_id) "                                                             \
  "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = s.account_id AND b.target_account_id = "    \
  viewer ") "                                                                                             \
  "AND (s.visibility <> 'private' OR s.in_reply_to_account_id = " viewer                                  \
  " OR EXISTS (SELECT 1 FROM follows f WHERE f.account_id = " viewer " AND f.target_account_id = s.account_id) " \
  "OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = " viewer "))))"

// Whether `author` is of a server `viewer` blocks (account_domain_blocks):
// its domain is the blocked one or a subdomain, whatever its port.
#define VANTAGE_DOMAIN_BLOCKED(viewer, author)                                                              \
  "EXISTS (SELECT 1 FROM account_domain_blocks d JOIN accounts da ON da.id = " author " "                   \
  "WHERE d.account_id = " viewer " AND da.domain IS NOT NULL AND (da.domain = d.domain "                    \
  "OR da.domain LIKE d.domain || ':%' OR da.domain LIKE '%.' || d.domain OR da.domain LIKE '%.' || d.domain || ':%'))"

namespace vantage::store {

// How many times VANTAGE_VISIBLE_TO("?") binds the viewer.
inline constexpr int kVisibleToArgs = 6;

// Appends the viewer's id for one VANTAGE_VISIBLE_TO("?").
inline void AppendViewer(std::vector<Value>& args, int64_t viewer_id) {
  for (int i = 0; i < kVisibleToArgs; ++i) args.emplace_back(viewer_id);
}

}  // namespace vantage::store
