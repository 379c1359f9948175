-- Media attachments. A local upload has its files in Blobs (file_key,
-- preview_key) and is attached to at most one status; a remote attachment
-- has remote_url and no keys (the remote media cache fetches it when it is
-- first looked at). Deleting a status detaches its media rather than
-- deleting it (delete-and-redraft attaches it again); unattached rows older
-- than a day are removed with their blobs by a background sweep.
CREATE TABLE media_attachments (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id      INTEGER REFERENCES statuses (id) ON DELETE SET NULL,
    position       INTEGER NOT NULL DEFAULT 0,
    type           TEXT    NOT NULL,
    content_type   TEXT    NOT NULL DEFAULT '',
    file_key       TEXT    NOT NULL DEFAULT '',
    preview_key    TEXT    NOT NULL DEFAULT '',
    file_size      INTEGER NOT NULL DEFAULT 0,
    remote_url     TEXT    NOT NULL DEFAULT '',
    description    TEXT    NOT NULL DEFAULT '',
    blurhash       TEXT    NOT NULL DEFAULT '',
    width          INTEGER NOT NULL DEFAULT 0,
    height         INTEGER NOT NULL DEFAULT 0,
    preview_width  INTEGER NOT NULL DEFAULT 0,
    preview_height INTEGER NOT NULL DEFAULT 0,
    focus_x        REAL    NOT NULL DEFAULT 0,
    focus_y        REAL    NOT NULL DEFAULT 0,
    duration       REAL    NOT NULL DEFAULT 0,  -- seconds (video, audio)
    frame_rate     TEXT    NOT NULL DEFAULT '', -- "30/1" (video)
    processing     INTEGER NOT NULL DEFAULT 0,
    error          TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX media_attachments_status ON media_attachments (status_id, position) WHERE status_id IS NOT NULL;
CREATE INDEX media_attachments_unattached ON media_attachments (created_at) WHERE status_id IS NULL;
CREATE INDEX media_attachments_processing ON media_attachments (id) WHERE processing = 1;
CREATE INDEX media_attachments_account ON media_attachments (account_id);

-- The remote media cache: one row per remote file kept in Blobs.
CREATE TABLE media_cache (
    url          TEXT    PRIMARY KEY,
    key          TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    fetched_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX media_cache_fetched ON media_cache (fetched_at);

-- Link previews, one per URL (data is the card as JSON); statuses point at
-- theirs by URL.
CREATE TABLE preview_cards (
    url        TEXT    PRIMARY KEY,
    data       TEXT    NOT NULL,
    fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE statuses ADD COLUMN card_url TEXT NOT NULL DEFAULT '';
