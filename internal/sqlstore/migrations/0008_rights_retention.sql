-- The rights of the person (restriction, erasure) and the retention job
-- (retention.go). Same conventions as 0001: {{ID}} is the only dialect
-- token, instants are TEXT in passnum.TimeLayout.

-- A restricted record (article 18) is kept but no longer used: no new
-- carnet, no new registration, out of exports. An erased one (article 17)
-- keeps its row so that the carnets it received still have a holder in the
-- books, but holds no detail any more and an anonymous reference.
ALTER TABLE beneficiaries ADD COLUMN restricted_at TEXT;
ALTER TABLE beneficiaries ADD COLUMN restriction_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE beneficiaries ADD COLUMN erased_at TEXT;
-- A person's registrations, found by their reference (PersonalData,
-- erasure); the seats of label-only registrations are not indexed.
CREATE INDEX workshop_registrations_ref ON workshop_registrations (beneficiary_ref) WHERE beneficiary_ref IS NOT NULL;

-- One run of the retention job. status: running, done, failed, or
-- interrupted (found running by the next run, its process gone). A run
-- killed midway keeps the counts of the batches it committed: each batch
-- adds to retention_run_counts in its own transaction.
CREATE TABLE retention_runs (
    id          {{ID}},
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    actor       TEXT NOT NULL,
    status      TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE retention_run_counts (
    run_id  BIGINT NOT NULL REFERENCES retention_runs (id),
    kind    TEXT NOT NULL,
    erased  BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, kind)
);

-- The lease that lets one server at a time run the job: a single row,
-- taken with a conditional UPDATE (free or expired), renewed by every
-- batch. Plain SQL, the same on every engine: no advisory lock.
CREATE TABLE retention_lease (
    id         INTEGER PRIMARY KEY,
    holder     TEXT NOT NULL DEFAULT '',
    run_id     BIGINT,
    expires_at TEXT
);
INSERT INTO retention_lease (id, holder) VALUES (1, '');
