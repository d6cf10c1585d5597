// Timelines: the home feed (fan-out inboxes and pulled large accounts), public, tag and account timelines, each a page of status ids.
//
// The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <memory>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

class TimelineStore {
 public:
  virtual ~TimelineStore() = default;
};

std::unique_ptr<TimelineStore> MakeSqlTimelineStore(Database& db);

}  // namespace vantage::store
