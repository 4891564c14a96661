-- The reminders the daily job queued (reminders.go): one row per thing
-- reminded of, whose key keeps a second server, a restart or a second run
-- of the day from queueing the same reminder twice. The row is inserted in
-- the transaction that queues the message, so both exist or neither.
--   kind:   the message's kind (passnum.MailKind)
--   about:  what it reminds of, "org:12 programme:3" or "rights-request:7"
--   due_on: the date it is about (YYYY-MM-DD): the passes' last day of
--           validity, the request's due date (a new date, after an
--           extension, is a new reminder)
CREATE TABLE mail_reminders (
    kind       TEXT NOT NULL,
    about      TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, about, due_on)
);
