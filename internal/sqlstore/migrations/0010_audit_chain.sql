-- The audit trail as a hash chain (chain.go). Writers keep inserting into
-- audit_log as before; a sealer then gives each new entry, in order, its
-- place in the chain: one row here, which holds the hash of the previous
-- entry and the hash of the entry's own content. The seal is a table of its
-- own, not columns of audit_log, so that an audit_log row is written once and
-- never updated, even by the sealer, and its triggers stay as strict as
-- they were. Same conventions as 0001: instants are TEXT in
-- passnum.TimeLayout; hashes are SHA-256 in lowercase hexadecimal.
--
-- seq is the place in the chain, 1, 2, 3… without gaps: two sealers that
-- race for the same place collide on this key and one of them retries.
-- audit_id is unique: an entry is sealed once.
CREATE TABLE audit_chain (
    seq       {{PK}},
    audit_id  BIGINT NOT NULL UNIQUE,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    sealed_at TEXT NOT NULL
);

-- Unsealed entries are looked for among the recent ones (chain.go,
-- lateEntries): an entry whose transaction committed after later ones
-- were sealed.
CREATE INDEX audit_log_created_at ON audit_log (created_at);

-- Anchors: the hash of the chain at some places, kept so that an outside
-- party can hold a copy (passnum audit anchors) and prove later that the
-- journal still contains them (passnum audit verify).
CREATE TABLE audit_anchors (
    seq        {{PK}},
    hash       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
