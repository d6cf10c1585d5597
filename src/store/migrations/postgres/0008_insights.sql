-- Insights (docs/organisations.md): hourly aggregates, never per viewer.
-- Each row holds a count as it stood at the end of the last change in that
-- hour, written in the same transaction as the change; an hour without a
-- change has no row (the count held). `hour` is the hour's start in
-- milliseconds since the Unix epoch.
CREATE TABLE follower_counts_hourly (
  account_id      BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  hour            BIGINT NOT NULL,
  followers_count BIGINT NOT NULL,
  PRIMARY KEY (account_id, hour)
);

CREATE TABLE status_counts_hourly (
  status_id        BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  hour             BIGINT NOT NULL,
  favourites_count BIGINT NOT NULL,
  replies_count    BIGINT NOT NULL,
  PRIMARY KEY (status_id, hour)
);
