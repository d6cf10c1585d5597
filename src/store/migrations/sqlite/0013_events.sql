-- Live events (docs/architecture.md, "Live events"): what changed, written in
-- the transaction of the change, read once per topic by each server's event
-- bus and replayed to clients that resume with Last-Event-ID.
--
-- The same SQL as migrations/postgres/0013_events.sql except WITHOUT ROWID.

-- The last event id of each topic. Appending an event updates its topic's
-- row, which stays locked until the change commits: ids of one topic are
-- given in commit order, so a reader that has seen id n has seen every
-- event up to n. Rows are never deleted, so ids are never reused.
CREATE TABLE event_topics (
  topic   TEXT   NOT NULL PRIMARY KEY,
  last_id BIGINT NOT NULL
) WITHOUT ROWID;

-- id: 1, 2, 3... per topic. data: a JSON document, sent to clients as it is.
-- Pruned after the retention (vantage serve --event-retention-hours).
CREATE TABLE events (
  topic      TEXT   NOT NULL,
  id         BIGINT NOT NULL,
  type       TEXT   NOT NULL,
  data       TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (topic, id)
) WITHOUT ROWID;
CREATE INDEX events_created ON events (created_at);
