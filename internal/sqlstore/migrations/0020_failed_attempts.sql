-- Failed sign-in attempts (wrong passwords, wrong second-factor codes),
-- counted in the database so that their limits hold across every server
-- of an installation (attempts.go). One row per failure under each limit,
-- at most the limit's number per key within its window; a row is purged
-- once its window is over.
--   limit_name:  the limit counted ("login.account", "second-factor.account"…)
--   attempt_key: SHA-256 of what is counted (an address as typed, an
--                account, a client network), never the thing itself
CREATE TABLE failed_attempts (
    limit_name  TEXT NOT NULL,
    attempt_key TEXT NOT NULL,
    failed_at   TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX failed_attempts_key ON failed_attempts (limit_name, attempt_key, failed_at);
CREATE INDEX failed_attempts_expiry ON failed_attempts (expires_at);
