-- What each message is about (passnum.MailKind) and, when it is for an
-- account, whose: the preferences of that account decide whether a kind
-- that can be turned off is queued at all.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
ALTER TABLE outbox ADD COLUMN user_id BIGINT;

-- The kinds of messages an account turned off: one row per kind, none
-- for the kinds it receives (all by default).
CREATE TABLE mail_opt_outs (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
