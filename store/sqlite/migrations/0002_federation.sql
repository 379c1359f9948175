-- Federation: key ids of accounts, Follow activity ids, and the durable
-- delivery queue.

ALTER TABLE accounts ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
CREATE INDEX accounts_key_id ON accounts (key_id) WHERE key_id <> '';

CREATE INDEX follows_uri ON follows (uri) WHERE uri <> '';
CREATE INDEX follow_requests_uri ON follow_requests (uri) WHERE uri <> '';

-- One row per activity per inbox, written in the same transaction as the
-- change that caused it; deleted once delivered or given up.
CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER NOT NULL,
    inbox      TEXT    NOT NULL,
    payload    TEXT    NOT NULL, -- the activity JSON
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_error TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_due ON deliveries (next_at);
