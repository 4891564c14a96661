-- Web sessions, password resets and the outbox; an index for programme
-- statistics. Same conventions as 0001: {{ID}} is the only dialect token,
-- instants are TEXT in passnum.TimeLayout.

-- A session acts for one organisation of its person at a time. Only a
-- SHA-256 of the secret is kept, as for API tokens: the secret has 256
-- random bits, so a plain hash is enough.
CREATE TABLE sessions (
    id          {{ID}},
    secret_hash TEXT NOT NULL UNIQUE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    org_id      BIGINT NOT NULL REFERENCES organisations (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
-- A password reset ends every session of the person.
CREATE INDEX sessions_user ON sessions (user_id);

-- Forgotten-password links: single use, short-lived, hashed like secrets.
CREATE TABLE password_resets (
    id         {{ID}},
    user_id    BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- E-mails waiting to be sent, newest read first (by id).
CREATE TABLE outbox (
    id         {{ID}},
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);

-- Programme statistics find the carnets of used passes ("carnets
-- entamés") from this index alone, without reading the passes. It
-- replaces the (programme_id, state) index, of which it is an extension,
-- so that state changes keep maintaining one index, not two.
CREATE INDEX passes_programme_state_carnet ON passes (programme_id, state, carnet);
DROP INDEX passes_programme_state;
