// An account's hidden words as stored (service/hidden_words.h decides what
// they mean). The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

struct HiddenWordRow {
  std::string words;  // one a line, as the owner wrote them
  bool use_default = true;
  int64_t updated_at = 0;
};

// The account's row; none when it never set its list.
Result<std::optional<HiddenWordRow>> ReadHiddenWordRow(Database& db, int64_t account_id);
// Sets what is given of the account's row (creating it with the defaults
// for the rest) in one statement, so two partial changes at once both hold;
// returns the row as written.
Result<HiddenWordRow> WriteHiddenWordRow(Database& db, int64_t account_id, const std::optional<std::string>& words,
                                         std::optional<bool> use_default, int64_t now);

}  // namespace vantage::store
