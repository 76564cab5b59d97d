-- p2pshare local record store, schema version 1.
--
-- One row per verified record. `data` is the signed encoding exactly as received
-- (its SHA-256 is `id`); every other column is derived from it for indexing and
-- can be rebuilt from `data` alone. Rows are never updated except `published`.

CREATE TABLE records (
    -- Ingest order: AUTOINCREMENT so a sequence number is never reused, which
    -- makes "what is new since seq N" (Store.changes_since) exact.
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          BLOB    NOT NULL UNIQUE CHECK (length(id) = 32),
    kind        INTEGER NOT NULL,
    author      BLOB    NOT NULL CHECK (length(author) = 32),
    created_at  INTEGER NOT NULL,
    -- The record this one is about: the offer (forward, accept, handoff,
    -- withdraw, outcome) or the vouch (revoke); NULL for offer, profile, vouch.
    ref         BLOB,
    -- The member this one is about or directed to: vouch.subject, handoff.to,
    -- forward.to (directed forwards only); otherwise NULL.
    subject     BLOB,
    data        BLOB    NOT NULL,
    -- 0 = in the outbox: authored here and not yet handed to the network.
    published   INTEGER NOT NULL DEFAULT 1 CHECK (published IN (0, 1)),
    received_at INTEGER NOT NULL
);

-- Catch-up sync walks records in (created_at, id) order; the index covers both
-- columns so range keys and fingerprints never touch the table.
CREATE INDEX records_time ON records (created_at, id);
CREATE INDEX records_kind ON records (kind, created_at, id);
CREATE INDEX records_author ON records (author, kind, created_at);
CREATE INDEX records_ref ON records (ref) WHERE ref IS NOT NULL;
CREATE INDEX records_subject ON records (subject) WHERE subject IS NOT NULL;
CREATE INDEX records_outbox ON records (seq) WHERE published = 0;
