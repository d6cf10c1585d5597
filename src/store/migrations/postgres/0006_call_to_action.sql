-- Recruitment posts: one call-to-action link per post, an https URL and a
-- label of up to 30 characters (docs/organisations.md). Empty: none.
ALTER TABLE statuses ADD COLUMN cta_url TEXT NOT NULL DEFAULT '';
ALTER TABLE statuses ADD COLUMN cta_label TEXT NOT NULL DEFAULT '';

-- The verified accounts, which every registration and rename compares names
-- against: a handful of rows, found without reading the accounts table.
CREATE INDEX accounts_verified ON accounts (id) WHERE verified = 1;
