-- Accounts confirm their address before they first sign in: an invited
-- person by choosing a password with the invitation's link, a venue
-- applicant with a confirmation link. Accounts that existed before count
-- as confirmed: their administrators vouched for them.
ALTER TABLE users ADD COLUMN confirmed_at TEXT;
UPDATE users SET confirmed_at = created_at;

-- The links sent to an account's address: single-use, hashed like
-- password resets. An invitation remembers who invited the person, to
-- which organisation and role, for its page and its message again.
CREATE TABLE account_links (
    id         {{ID}},
    user_id    BIGINT NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by BIGINT REFERENCES users (id),
    org_id     BIGINT REFERENCES organisations (id),
    role       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX account_links_user ON account_links (user_id);
