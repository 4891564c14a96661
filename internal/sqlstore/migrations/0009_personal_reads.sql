-- The journal of who read personal data (passnum.PersonalRead,
-- internal/sqlstore/journal.go): reads of a beneficiary's record, of
-- advisers' notes, and exports holding personal data. records and fields
-- are lists separated by spaces, with a space at both ends, so that one
-- record is found with LIKE '% beneficiary:B-… %' on both engines. Rows are
-- deleted by the retention job after the access-log period, by read_at.
-- Same conventions as 0001.
CREATE TABLE personal_reads (
    id      {{ID}},
    read_at TEXT NOT NULL,
    user_id BIGINT,
    actor   TEXT NOT NULL,
    org_id  BIGINT,
    what    TEXT NOT NULL,
    export  TEXT NOT NULL,
    records TEXT NOT NULL,
    fields  TEXT NOT NULL,
    reason  TEXT NOT NULL
);
CREATE INDEX personal_reads_read_at ON personal_reads (read_at);
CREATE INDEX personal_reads_user ON personal_reads (user_id, read_at);
