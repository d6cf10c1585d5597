// Live events: rows written in the transaction of the change that causes
// them, so they survive restarts and a client that reconnects can be given
// exactly what it missed (docs/architecture.md, "Live events").
//
// A topic names a stream ("qa:<id>", "qa:<id>:queue"); its events are
// numbered 1, 2, 3... in commit order. The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

struct Event {
  std::string topic;
  int64_t id = 0;
  std::string type;  // e.g. "answer", "closed"
  std::string data;  // a JSON document
  int64_t created_at = 0;
};

// Inside the transaction of a change: appends an event to `topic` and returns
// its id. The topic's counter row stays locked until the transaction ends,
// so a concurrent append to the same topic waits and numbers its event
// after this one: ids are in commit order, and a reader that has seen id n
// of a topic has seen all its events up to n.
Result<int64_t> AppendEventOn(Connection& conn, std::string_view topic, std::string_view type,
                              std::string_view data, int64_t now);

class EventStore {
 public:
  virtual ~EventStore() = default;
  // The topic's events with ids above `after_id`, oldest first, at most
  // `limit`. Events pruned meanwhile are simply not there.
  virtual Result<std::vector<Event>> Since(const std::string& topic, int64_t after_id, int limit) = 0;
  // The topic's last event id (0: none yet); it survives pruning.
  virtual Result<int64_t> LastId(const std::string& topic) = 0;
  // Deletes events created before `before`; how many.
  virtual Result<int64_t> Prune(int64_t before) = 0;
};

std::unique_ptr<EventStore> MakeSqlEventStore(Database& db);

}  // namespace vantage::store
