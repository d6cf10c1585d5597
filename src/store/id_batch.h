// Reading rows for a list of ids with one statement per batch of ids.
//
// Statements are fixed text (they are prepared once by name), so a batch is
// an `IN (...)` of exactly kIdBatch placeholders, padded by repeating the
// batch's first id: a repeated id matches the same rows again, which IN
// ignores.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "store/sql.h"

namespace vantage::store {

inline constexpr size_t kIdBatch = 40;

#define VANTAGE_ID_BATCH_10 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
// kIdBatch placeholders.
#define VANTAGE_ID_BATCH \
  "(" VANTAGE_ID_BATCH_10 ", " VANTAGE_ID_BATCH_10 ", " VANTAGE_ID_BATCH_10 ", " VANTAGE_ID_BATCH_10 ")"

// Appends the kIdBatch arguments of the batch of `ids` starting at `begin`
// (which must be < ids.size()).
inline void AppendIdBatch(std::vector<Value>& args, const std::vector<int64_t>& ids, size_t begin) {
  size_t end = std::min(ids.size(), begin + kIdBatch);
  for (size_t i = begin; i < end; ++i) args.emplace_back(ids[i]);
  for (size_t i = end - begin; i < kIdBatch; ++i) args.emplace_back(ids[begin]);
}

}  // namespace vantage::store
