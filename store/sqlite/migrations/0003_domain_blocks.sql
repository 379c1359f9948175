-- Instance-level blocks of other servers (roost domains block).
CREATE TABLE domain_blocks (
    domain     TEXT    PRIMARY KEY COLLATE NOCASE,
    severity   TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
