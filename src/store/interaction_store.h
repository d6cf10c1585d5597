// Favourites and bookmarks.
//
// The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <memory>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

class InteractionStore {
 public:
  virtual ~InteractionStore() = default;
};

std::unique_ptr<InteractionStore> MakeSqlInteractionStore(Database& db);

}  // namespace vantage::store
