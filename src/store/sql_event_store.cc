// EventStore over the backend-neutral SQL layer; runs unchanged on SQLite
// and PostgreSQL.
#include "store/event_store.h"

namespace vantage::store {

namespace {

// The upsert both numbers the event and locks the topic's row until commit.
constexpr Statement kNextEventId{
    "event_next_id",
    "INSERT INTO event_topics (topic, last_id) VALUES (?, 1) "
    "ON CONFLICT (topic) DO UPDATE SET last_id = event_topics.last_id + 1 RETURNING last_id"};
constexpr Statement kInsertEvent{
    "event_insert", "INSERT INTO events (topic, id, type, data, created_at) VALUES (?, ?, ?, ?, ?)"};
constexpr Statement kSelectSince{
    "event_select_since",
    "SELECT topic, id, type, data, created_at FROM events WHERE topic = ? AND id > ? ORDER BY id LIMIT ?"};
constexpr Statement kSelectLastId{"event_select_last_id", "SELECT last_id FROM event_topics WHERE topic = ?"};
constexpr Statement kPrune{"event_prune", "DELETE FROM events WHERE created_at < ?"};

class SqlEventStore final : public EventStore {
 public:
  explicit SqlEventStore(Database& db) : db_(db) {}

  Result<std::vector<Event>> Since(const std::string& topic, int64_t after_id, int limit) override {
    std::vector<Event> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kSelectSince, {topic, after_id, int64_t{limit}});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows)
        out.push_back(Event{row.Text(0), row.Int(1), row.Text(2), row.Text(3), row.Int(4)});
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<int64_t> LastId(const std::string& topic) override {
    int64_t out = 0;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kSelectLastId, {topic});
      if (!row) return std::move(row).error();
      out = *row ? (*row)->Int(0) : 0;
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<int64_t> Prune(int64_t before) override {
    int64_t out = 0;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto deleted = conn.Exec(kPrune, {before});
      if (!deleted) return std::move(deleted).error();
      out = *deleted;
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

 private:
  Database& db_;
};

}  // namespace

Result<int64_t> AppendEventOn(Connection& conn, std::string_view topic, std::string_view type,
                              std::string_view data, int64_t now) {
  auto row = conn.QueryOne(kNextEventId, {std::string(topic)});
  if (!row) return std::move(row).error();
  if (!*row) return Error::Internal("event_topics gave no id");
  int64_t id = (*row)->Int(0);
  auto inserted = conn.Exec(kInsertEvent, {std::string(topic), id, std::string(type), std::string(data), now});
  if (!inserted) return std::move(inserted).error();
  return id;
}

std::unique_ptr<EventStore> MakeSqlEventStore(Database& db) { return std::make_unique<SqlEventStore>(db); }

}  // namespace vantage::store
