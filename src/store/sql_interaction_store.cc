// InteractionStore over the backend-neutral SQL layer.
#include "store/interaction_store.h"

namespace vantage::store {

namespace {

class SqlInteractionStore final : public InteractionStore {
 public:
  explicit SqlInteractionStore(Database& db) : db_(db) {}

 private:
  [[maybe_unused]] Database& db_;
};

}  // namespace

std::unique_ptr<InteractionStore> MakeSqlInteractionStore(Database& db) { return std::make_unique<SqlInteractionStore>(db); }

}  // namespace vantage::store
