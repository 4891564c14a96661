-- Background jobs started from pages (the issuance of a batch, the
-- computation of the indicators) and the periods of scheduled jobs, kept
-- in the database so that every server of an installation sees them and a
-- restart loses none (job.go, schedule.go).
--
-- jobs: one row per job, written when it starts and when it ends. The
-- work's own transaction records the outcome (state 'done', message), so
-- that a job reads done exactly when its work is committed; a failure is
-- recorded after the work's transaction rolled back, or by any server that
-- finds the job's server silent (its heartbeat older than the lease).
--   server:  the server that runs it (a name drawn at each start)
--   back_to: where the page's link leads (the programme, the dashboard)
--   message: once ended, what was done or why it failed
CREATE TABLE jobs (
    id           {{ID}},
    kind         TEXT NOT NULL CHECK (kind IN ('issue', 'indicators')),
    label        TEXT NOT NULL,
    programme_id BIGINT,
    back_to      TEXT NOT NULL,
    server       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    message      TEXT NOT NULL DEFAULT '',
    started_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX jobs_state ON jobs (state, programme_id);
-- job_progress: how far a job is, and its heartbeat, renewed by the server
-- that runs it. A table apart from jobs, so that these frequent writes
-- never touch the row that the work's transaction ends by updating: on
-- PostgreSQL they would make that transaction (a whole batch) fail to
-- serialize and run again.
CREATE TABLE job_progress (
    job_id       {{PK}},
    done         BIGINT NOT NULL DEFAULT 0,
    total        BIGINT NOT NULL DEFAULT 0,
    heartbeat_at TEXT NOT NULL
);
-- schedule_claims: a scheduled job's period (the day of the retention or
-- the reminders, the quarter of an hour of the indicators) claimed by one
-- server. The key lets one claimer have it; the lease, renewed while the
-- job runs, lets another server take a period back from a claimer that
-- stopped before finishing it.
CREATE TABLE schedule_claims (
    job         TEXT NOT NULL,
    period      TEXT NOT NULL,
    server      TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (job, period)
);
