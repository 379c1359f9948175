-- Polls. A poll belongs to one status and takes its ID. The counts are
-- kept on the poll row (for remote polls they are the tally the poll's
-- server sends, which cannot be recomputed here); poll_votes holds the
-- votes cast on this server and by remote accounts on local polls.

CREATE TABLE polls (
    status_id    INTEGER PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    options      TEXT    NOT NULL,              -- JSON array of titles
    tallies      TEXT    NOT NULL,              -- JSON array of counts, one per option
    multiple     INTEGER NOT NULL DEFAULT 0,
    hide_totals  INTEGER NOT NULL DEFAULT 0,
    expires_at   INTEGER,                       -- NULL: no end (remote polls only)
    votes_count  INTEGER NOT NULL DEFAULT 0,
    voters_count INTEGER NOT NULL DEFAULT 0,
    ended        INTEGER NOT NULL DEFAULT 0     -- the end was reported (EndPolls)
);
-- Polls whose end is still to be reported, by end time.
CREATE INDEX polls_due ON polls (expires_at) WHERE ended = 0 AND expires_at IS NOT NULL;

CREATE TABLE poll_votes (
    poll_id    INTEGER NOT NULL REFERENCES polls (status_id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    choice     INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (poll_id, account_id, choice)
) WITHOUT ROWID;
CREATE INDEX poll_votes_account ON poll_votes (account_id, poll_id);

-- Whether a status has a poll, so that reading statuses looks for polls
-- only when there are some.
ALTER TABLE statuses ADD COLUMN has_poll INTEGER NOT NULL DEFAULT 0;
