-- Workshops: the catalogue's description of a service, sessions with
-- registrations and attendance, redemptions tied to a session, and the
-- activity reports of digital advisers. Same conventions as 0001: {{ID}} is
-- the only dialect token, instants are TEXT in passnum.TimeLayout, dates
-- TEXT YYYY-MM-DD. Nothing here refers to the tables of 0003: a session's
-- or a report's place_id names a row of venue_places, checked by the code.

-- A service says whom it suits and how it runs (passnum.Levels, Format…).
ALTER TABLE catalogue_services ADD COLUMN level TEXT NOT NULL DEFAULT 'tous niveaux';
ALTER TABLE catalogue_services ADD COLUMN format TEXT NOT NULL DEFAULT 'individual';
ALTER TABLE catalogue_services ADD COLUMN accessibility TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_services ADD COLUMN description TEXT NOT NULL DEFAULT '';

-- A session of a service. registered counts the registrations not
-- cancelled: Register raises it with a conditional UPDATE in the same
-- transaction as the registration, and the CHECK makes overbooking
-- impossible whatever the code does. CheckInvariants recounts it.
CREATE TABLE workshop_sessions (
    id               {{ID}},
    service_id       BIGINT NOT NULL REFERENCES catalogue_services (id),
    venue_id         BIGINT NOT NULL REFERENCES organisations (id),
    place_id         BIGINT, -- NULL: the venue's main address
    starts_at        TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    capacity         INTEGER NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    registered       INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    cancelled_at     TEXT,
    cancelled_by     TEXT,
    CHECK (capacity >= 1),
    CHECK (registered >= 0 AND registered <= capacity)
);
CREATE INDEX workshop_sessions_venue ON workshop_sessions (venue_id, starts_at);

-- A person's seat: a beneficiary reference (B-…) or only a label the venue
-- understands (first name, initials). attended is NULL until recorded.
CREATE TABLE workshop_registrations (
    id              {{ID}},
    session_id      BIGINT NOT NULL REFERENCES workshop_sessions (id),
    beneficiary_ref TEXT,
    label           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    cancelled_at    TEXT,
    attended        INTEGER,
    attendance_at   TEXT,
    attendance_by   TEXT
);
CREATE INDEX workshop_registrations_session ON workshop_registrations (session_id, id);
-- A person holds at most one live seat in a session.
CREATE UNIQUE INDEX workshop_registrations_once ON workshop_registrations (session_id, beneficiary_ref)
    WHERE cancelled_at IS NULL AND beneficiary_ref IS NOT NULL;

-- A redemption may say which session it paid for. Partial index: only
-- CancelSession reads it, and redemptions without a session (most of them)
-- do not maintain it.
ALTER TABLE redemptions ADD COLUMN session_id BIGINT REFERENCES workshop_sessions (id);
CREATE INDEX redemptions_session ON redemptions (session_id) WHERE session_id IS NOT NULL;

-- Activity reports (comptes-rendus d'activité). themes are joined by '|'
-- (values of passnum.Themes, which hold no '|'); linked people are rows of
-- activity_report_people, so that distinct people can be counted in SQL.
CREATE TABLE activity_reports (
    id               {{ID}},
    venue_id         BIGINT NOT NULL REFERENCES organisations (id),
    author           TEXT NOT NULL,
    author_name      TEXT NOT NULL DEFAULT '',
    format           TEXT NOT NULL,
    report_date      TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    themes           TEXT NOT NULL,
    autonomy         TEXT NOT NULL DEFAULT '',
    place_id         BIGINT,
    place_kind       TEXT NOT NULL,
    participants     INTEGER NOT NULL,
    session_id       BIGINT REFERENCES workshop_sessions (id),
    redemption_id    BIGINT REFERENCES redemptions (id),
    passes_used      INTEGER NOT NULL DEFAULT 0,
    notes            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    CHECK (participants >= 1 AND passes_used >= 0)
);
CREATE INDEX activity_reports_venue ON activity_reports (venue_id, report_date);
CREATE INDEX activity_reports_date ON activity_reports (report_date);
-- A redemption is reported once, so that passes used are counted once.
CREATE UNIQUE INDEX activity_reports_redemption ON activity_reports (redemption_id) WHERE redemption_id IS NOT NULL;

CREATE TABLE activity_report_people (
    report_id       BIGINT NOT NULL REFERENCES activity_reports (id),
    beneficiary_ref TEXT NOT NULL,
    PRIMARY KEY (report_id, beneficiary_ref)
);
CREATE INDEX activity_report_people_ref ON activity_report_people (beneficiary_ref);
