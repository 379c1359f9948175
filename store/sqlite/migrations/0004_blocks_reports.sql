-- Account blocks, account moves and reports.

-- account_id blocks target_id. uri is the Block activity's id, for Undo.
CREATE TABLE blocks (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri        TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, target_id)
);
CREATE INDEX blocks_account ON blocks (account_id, id);
CREATE INDEX blocks_target ON blocks (target_id, account_id);
CREATE INDEX blocks_uri ON blocks (uri) WHERE uri <> '';

-- The account an account moved to (ActivityPub Move).
ALTER TABLE accounts ADD COLUMN moved_to_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL;
CREATE INDEX accounts_moved_to ON accounts (moved_to_id);

-- Reports of accounts (and some of their statuses), received as Flag
-- activities or made here. status_ids is a JSON array of status IDs.
CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_ids        TEXT    NOT NULL DEFAULT '[]',
    comment           TEXT    NOT NULL DEFAULT '',
    uri               TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL
);
CREATE INDEX reports_account ON reports (account_id);
CREATE INDEX reports_target ON reports (target_account_id);
CREATE UNIQUE INDEX reports_uri ON reports (uri) WHERE uri <> '';
