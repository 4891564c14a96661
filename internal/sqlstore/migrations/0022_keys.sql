-- Secrets outside the database (issue 17, point 4). Same conventions as
-- 0001.

-- Keys that seal (AES-256-GCM) the secrets the database must keep
-- readable: the TOTP seeds of the second factor. Kept here only when no
-- key file is given (the demonstration, development), like signing_keys;
-- with a key file, both tables stay empty.
CREATE TABLE sealing_keys (
    id         TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The key that sealed a TOTP seed; NULL for a seed stored before this
-- migration, in clear, which the store seals when it opens.
ALTER TABLE second_factors ADD COLUMN totp_key_id TEXT;

-- Keys moved out of the database into a key file (passnum keys move):
-- once there is one, the store refuses to start without a key file, and
-- a key file must hold every signing key moved, with the same public key,
-- or the passes it signed would no longer verify.
CREATE TABLE keys_moved (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    public_key TEXT,
    moved_at   TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
