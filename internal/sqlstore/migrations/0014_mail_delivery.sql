-- The outbox becomes a queue that senders deliver (internal/mail): each
-- message has a state (pending, sending, sent, failed), the attempts made,
-- when the next one is due, and the last answer of the mail server. A
-- sender claims a message by setting claimed_by and claimed_until in a
-- short transaction: the claim excludes the other senders until it
-- expires, when a sender that stopped mid-way has its messages taken over.
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
-- The SHA-256 of the secret of the one-click unsubscribe link of the last
-- attempt, for the kinds an account can turn off.
ALTER TABLE outbox ADD COLUMN unsubscribe_hash TEXT;
UPDATE outbox SET state = 'sent' WHERE sent_at IS NOT NULL;
UPDATE outbox SET next_attempt_at = created_at;
-- What the senders look for: the due messages, oldest first.
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE UNIQUE INDEX outbox_unsubscribe ON outbox (unsubscribe_hash);
