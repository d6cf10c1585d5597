// TimelineStore over the backend-neutral SQL layer.
#include "store/timeline_store.h"

namespace vantage::store {

namespace {

class SqlTimelineStore final : public TimelineStore {
 public:
  explicit SqlTimelineStore(Database& db) : db_(db) {}

 private:
  [[maybe_unused]] Database& db_;
};

}  // namespace

std::unique_ptr<TimelineStore> MakeSqlTimelineStore(Database& db) { return std::make_unique<SqlTimelineStore>(db); }

}  // namespace vantage::store
