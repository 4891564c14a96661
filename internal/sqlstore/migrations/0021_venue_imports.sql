-- Venue imports checked and waiting for their confirmation (issue 17,
-- point 1): kept in the database, so that any server of the installation
-- confirms an import another checked, and a restart keeps them. Same
-- conventions as 0001.

-- One row per import waiting, for the person who checked it (user_id),
-- found by the SHA-256 of its token, until expires_at (30 minutes after
-- the check); the store purges the rows past it. lines is the JSON of the
-- rows read from the file, with their line numbers, and of the problems of
-- the lines the reading left out (valid_lines = 1 only).
CREATE TABLE venue_imports (
    id          {{ID}},
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    valid_lines INTEGER NOT NULL DEFAULT 0,
    row_count   INTEGER NOT NULL,
    lines       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX venue_imports_expires ON venue_imports (expires_at);
