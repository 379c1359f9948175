-- Roost's first schema. IDs are Mastodon-style 63-bit integers (store.NewID);
-- times are Unix milliseconds. Child tables cascade on delete, but the
-- denormalised counters are fixed by the Go code before rows go away.

CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    username         TEXT    NOT NULL COLLATE NOCASE,
    domain           TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
    display_name     TEXT    NOT NULL DEFAULT '',
    note             TEXT    NOT NULL DEFAULT '',
    note_source      TEXT    NOT NULL DEFAULT '',
    fields           TEXT    NOT NULL DEFAULT '[]', -- JSON array of store.Field
    locked           INTEGER NOT NULL DEFAULT 0,
    bot              INTEGER NOT NULL DEFAULT 0,
    discoverable     INTEGER NOT NULL DEFAULT 0,
    uri              TEXT    NOT NULL DEFAULT '',
    url              TEXT    NOT NULL DEFAULT '',
    inbox_url        TEXT    NOT NULL DEFAULT '',
    shared_inbox_url TEXT    NOT NULL DEFAULT '',
    outbox_url       TEXT    NOT NULL DEFAULT '',
    followers_url    TEXT    NOT NULL DEFAULT '',
    following_url    TEXT    NOT NULL DEFAULT '',
    featured_url     TEXT    NOT NULL DEFAULT '',
    public_key_pem   TEXT    NOT NULL DEFAULT '',
    private_key      TEXT    NOT NULL DEFAULT '',
    avatar_url       TEXT    NOT NULL DEFAULT '',
    header_url       TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_status_at   INTEGER,
    followers_count  INTEGER NOT NULL DEFAULT 0,
    following_count  INTEGER NOT NULL DEFAULT 0,
    statuses_count   INTEGER NOT NULL DEFAULT 0,
    privacy          TEXT    NOT NULL DEFAULT 'public',
    sensitive        INTEGER NOT NULL DEFAULT 0,
    language         TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX accounts_username_domain ON accounts (username, domain);
CREATE UNIQUE INDEX accounts_uri ON accounts (uri) WHERE uri <> '';
-- Known remote domains, for InstanceUsage.
CREATE INDEX accounts_domain ON accounts (domain);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL DEFAULT 'user',
    created_at    INTEGER NOT NULL
);

CREATE TABLE apps (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    website       TEXT    NOT NULL DEFAULT '',
    redirect_uris TEXT    NOT NULL DEFAULT '', -- newline-separated
    scopes        TEXT    NOT NULL DEFAULT '',
    client_id     TEXT    NOT NULL UNIQUE,
    client_secret TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    hash       TEXT    NOT NULL UNIQUE,
    app_id     INTEGER REFERENCES apps (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    scopes     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX tokens_app ON tokens (app_id);
CREATE INDEX tokens_account ON tokens (account_id);

CREATE TABLE auth_codes (
    hash                  TEXT    PRIMARY KEY,
    app_id                INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    account_id            INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri          TEXT    NOT NULL DEFAULT '',
    scopes                TEXT    NOT NULL DEFAULT '',
    code_challenge        TEXT    NOT NULL DEFAULT '',
    code_challenge_method TEXT    NOT NULL DEFAULT '',
    expires_at            INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX auth_codes_app ON auth_codes (app_id);
CREATE INDEX auth_codes_account ON auth_codes (account_id);

-- A status, or a boost when reblog_of_id is set. in_reply_to_id may point
-- at a status that is gone or was never fetched.
CREATE TABLE statuses (
    id                     INTEGER PRIMARY KEY,
    uri                    TEXT    NOT NULL DEFAULT '',
    url                    TEXT    NOT NULL DEFAULT '',
    account_id             INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    in_reply_to_id         INTEGER,
    in_reply_to_account_id INTEGER,
    reblog_of_id           INTEGER,
    content                TEXT    NOT NULL DEFAULT '',
    text                   TEXT    NOT NULL DEFAULT '',
    spoiler_text           TEXT    NOT NULL DEFAULT '',
    sensitive              INTEGER NOT NULL DEFAULT 0,
    visibility             TEXT    NOT NULL DEFAULT 'public',
    language               TEXT    NOT NULL DEFAULT '',
    local                  INTEGER NOT NULL DEFAULT 0,
    app_id                 INTEGER REFERENCES apps (id) ON DELETE SET NULL,
    created_at             INTEGER NOT NULL,
    edited_at              INTEGER,
    replies_count          INTEGER NOT NULL DEFAULT 0,
    reblogs_count          INTEGER NOT NULL DEFAULT 0,
    favourites_count       INTEGER NOT NULL DEFAULT 0,
    media_count            INTEGER NOT NULL DEFAULT 0,
    -- Copies of status_mentions (account IDs) and status_tags, space
    -- separated, so that reading a status needs no extra queries.
    mention_ids            TEXT    NOT NULL DEFAULT '',
    tags                   TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX statuses_uri ON statuses (uri) WHERE uri <> '';
CREATE INDEX statuses_account ON statuses (account_id, id);
CREATE INDEX statuses_in_reply_to ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
-- One boost per account and status; also finds who boosted what.
CREATE UNIQUE INDEX statuses_account_reblog ON statuses (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;
CREATE INDEX statuses_reblog ON statuses (reblog_of_id) WHERE reblog_of_id IS NOT NULL;
CREATE INDEX statuses_app ON statuses (app_id) WHERE app_id IS NOT NULL;
-- The public timelines (federated; local or remote only) and the count of
-- local statuses.
CREATE INDEX statuses_public ON statuses (id) WHERE visibility = 'public' AND reblog_of_id IS NULL;
CREATE INDEX statuses_local ON statuses (local, visibility, id) WHERE reblog_of_id IS NULL;

CREATE TABLE status_mentions (
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
) WITHOUT ROWID;
CREATE INDEX status_mentions_account ON status_mentions (account_id, status_id);

CREATE TABLE status_tags (
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    tag       TEXT    NOT NULL, -- lowercase, without '#'
    PRIMARY KEY (status_id, tag)
) WITHOUT ROWID;
CREATE INDEX status_tags_tag ON status_tags (tag, status_id);

-- Versions of edited statuses: the original, then one row per edit (the
-- last row is the current version).
CREATE TABLE status_edits (
    id           INTEGER PRIMARY KEY,
    status_id    INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    content      TEXT    NOT NULL DEFAULT '',
    text         TEXT    NOT NULL DEFAULT '',
    spoiler_text TEXT    NOT NULL DEFAULT '',
    sensitive    INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (status_id, id);

-- Idempotency-Key of status creation, honoured for an hour.
CREATE TABLE idempotency_keys (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_status ON idempotency_keys (status_id);

CREATE TABLE favourites (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_account ON favourites (account_id, id);
CREATE INDEX favourites_status ON favourites (status_id, id);

CREATE TABLE bookmarks (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX bookmarks_account ON bookmarks (account_id, id);
CREATE INDEX bookmarks_status ON bookmarks (status_id);

CREATE TABLE pins (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX pins_status ON pins (status_id);

-- Accepted follows. uri is the Follow activity's id, for federation.
CREATE TABLE follows (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    show_reblogs INTEGER NOT NULL DEFAULT 1,
    notify       INTEGER NOT NULL DEFAULT 0,
    uri          TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (account_id, target_id)
);
CREATE INDEX follows_account ON follows (account_id, id);
CREATE INDEX follows_target ON follows (target_id, id);

-- Follows waiting for a locked account's approval.
CREATE TABLE follow_requests (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    show_reblogs INTEGER NOT NULL DEFAULT 1,
    notify       INTEGER NOT NULL DEFAULT 0,
    uri          TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (account_id, target_id)
);
CREATE INDEX follow_requests_target ON follow_requests (target_id, id);

-- Home timelines of local accounts, filled on write (fan-out): a row per
-- status a local account sees at home. Reading a home timeline is then one
-- index range, whatever the number of follows.
CREATE TABLE home_feed (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, status_id)
) WITHOUT ROWID;
CREATE INDEX home_feed_status ON home_feed (status_id);

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type            TEXT    NOT NULL,
    from_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id       INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL
);
CREATE INDEX notifications_account ON notifications (account_id, id);
CREATE INDEX notifications_from ON notifications (from_account_id);
CREATE INDEX notifications_status ON notifications (status_id) WHERE status_id IS NOT NULL;

CREATE TABLE markers (
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline     TEXT    NOT NULL,
    last_read_id TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, timeline)
) WITHOUT ROWID;
