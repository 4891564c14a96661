-- Second factor of sign-in (issue 16, point 4): TOTP applications and
-- passkeys (WebAuthn) of an account, its single-use recovery codes, and
-- sessions that wait for the second factor. Same conventions as 0001.

-- One row per factor of an account. A TOTP factor keeps its seed (base32)
-- and the last time step it accepted, so that a code is never accepted
-- twice; it counts once confirmed by a first code (confirmed_at). A
-- passkey keeps its credential id (base64url) and the credential as the
-- WebAuthn library serialises it (public key, signature counter).
CREATE TABLE second_factors (
    id            {{ID}},
    user_id       BIGINT NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL,
    label         TEXT NOT NULL,
    totp_secret   TEXT,
    totp_step     BIGINT NOT NULL DEFAULT 0,
    credential_id TEXT UNIQUE,
    credential    TEXT,
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT,
    last_used_at  TEXT
);
CREATE INDEX second_factors_user ON second_factors (user_id);

-- Recovery codes: 80 random bits each, so that a plain SHA-256 is enough
-- to store; used once (used_at).
CREATE TABLE recovery_codes (
    id         {{ID}},
    user_id    BIGINT NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- A session opened by a password (or another first factor) for an account
-- that has or must have a second factor only reaches the second-factor
-- step until it is proved (second_factor_pending = 1). The WebAuthn
-- ceremony in progress keeps its challenge on the session, so that any
-- server of the installation finishes it.
ALTER TABLE sessions ADD COLUMN second_factor_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN webauthn_challenge TEXT;
