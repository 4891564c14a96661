-- Calls for projects and their applications (issue 18, passnum.CallService,
-- call.go). Same conventions as 0001: {{ID}} is the only dialect token,
-- instants are TEXT in passnum.TimeLayout, dates TEXT YYYY-MM-DD, money
-- BIGINT cents, shares INTEGER basis points.

-- A call of a funder. applicant_kinds and territory are space-separated
-- lists; questions and criteria (the scoring grid) JSON arrays, read and
-- written whole with the call.
CREATE TABLE calls (
    id              {{ID}},
    funder_id       BIGINT NOT NULL REFERENCES organisations (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    envelope_cents  BIGINT NOT NULL CHECK (envelope_cents > 0),
    max_share_bp    INTEGER NOT NULL CHECK (max_share_bp BETWEEN 1 AND 10000),
    applicant_kinds TEXT NOT NULL,
    territory       TEXT NOT NULL DEFAULT '',
    opens_on        TEXT NOT NULL,
    closes_on       TEXT NOT NULL,
    questions       TEXT NOT NULL DEFAULT '[]',
    criteria        TEXT NOT NULL DEFAULT '[]',
    created_at      TEXT NOT NULL
);
CREATE INDEX calls_funder ON calls (funder_id);

-- An application of a collectivité (the lead of a group). granted_cents is
-- what the call's funder committed when it selected the application: the
-- sum that passnum check holds under the call's envelope.
CREATE TABLE applications (
    id             {{ID}},
    call_id        BIGINT NOT NULL REFERENCES calls (id),
    applicant_id   BIGINT NOT NULL REFERENCES organisations (id),
    applicant_kind TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',
    territory      TEXT NOT NULL DEFAULT '',
    target_people  INTEGER NOT NULL DEFAULT 0,
    target_passes  INTEGER NOT NULL DEFAULT 0,
    target_venues  INTEGER NOT NULL DEFAULT 0,
    target_hubs    INTEGER NOT NULL DEFAULT 0,
    answers        TEXT NOT NULL DEFAULT '[]',
    status         TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    scores         TEXT NOT NULL DEFAULT '[]',
    comment        TEXT NOT NULL DEFAULT '',
    granted_cents  BIGINT NOT NULL DEFAULT 0 CHECK (granted_cents >= 0),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    submitted_at   TEXT,
    decided_at     TEXT
);
CREATE INDEX applications_call ON applications (call_id);
CREATE INDEX applications_applicant ON applications (applicant_id);

-- The other collectivités of a group, beside its lead.
CREATE TABLE application_members (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    org_id         BIGINT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (application_id, org_id)
);

-- The budget: what each funder puts in each year. The call's funder's
-- lines are the amount asked, the applicant's its own commitment, the
-- others those of the co-funders it brings.
CREATE TABLE application_lines (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    funder_id      BIGINT NOT NULL REFERENCES organisations (id),
    year           INTEGER NOT NULL,
    amount_cents   BIGINT NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (application_id, funder_id, year)
);

-- Questions and answers between the applicant and the call's funder.
CREATE TABLE application_messages (
    id             {{ID}},
    application_id BIGINT NOT NULL REFERENCES applications (id),
    author_org_id  BIGINT NOT NULL REFERENCES organisations (id),
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX application_messages_application ON application_messages (application_id);
