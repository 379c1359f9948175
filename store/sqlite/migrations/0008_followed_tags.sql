-- Hashtags followed by local accounts. A tag needs no row of its own: it
-- exists as soon as a status carries it or an account follows it. New
-- public statuses with a followed tag are fanned out into the follower's
-- home_feed when stored.
CREATE TABLE tag_follows (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag        TEXT    NOT NULL, -- lowercase, without '#'
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, tag)
);
CREATE INDEX tag_follows_account ON tag_follows (account_id, id);
CREATE INDEX tag_follows_tag ON tag_follows (tag, account_id);
