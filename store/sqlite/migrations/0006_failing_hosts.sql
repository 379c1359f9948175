-- Servers whose deliveries fail, and since when: after days of failure a
-- host is skipped until it answers or writes to us again.
CREATE TABLE failing_hosts (
    host  TEXT    PRIMARY KEY COLLATE NOCASE,
    since INTEGER NOT NULL
);
