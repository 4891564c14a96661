-- Conventions (issue 18, passnum.SelectionService, convention.go): what a
-- selected application becomes. Same conventions as 0001.

-- total_cents is the sum of the convention's amounts, kept with them;
-- passnum check holds it equal to its parts.
CREATE TABLE conventions (
    id             {{ID}},
    call_id        BIGINT NOT NULL REFERENCES calls (id),
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications (id),
    title          TEXT NOT NULL,
    territory      TEXT NOT NULL,
    starts_on      TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    total_cents    BIGINT NOT NULL CHECK (total_cents > 0),
    created_at     TEXT NOT NULL
);
CREATE INDEX conventions_call ON conventions (call_id);

-- What each funder puts in each year, as the addenda left it.
CREATE TABLE convention_amounts (
    convention_id BIGINT NOT NULL REFERENCES conventions (id),
    funder_id     BIGINT NOT NULL REFERENCES organisations (id),
    year          INTEGER NOT NULL,
    amount_cents  BIGINT NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (convention_id, funder_id, year)
);

-- The signatories and the day each signed (NULL until then).
CREATE TABLE convention_parties (
    convention_id BIGINT NOT NULL REFERENCES conventions (id),
    funder_id     BIGINT NOT NULL REFERENCES organisations (id),
    signed_on     TEXT,
    PRIMARY KEY (convention_id, funder_id)
);

-- The programmes a convention finances.
CREATE TABLE convention_programmes (
    convention_id BIGINT NOT NULL REFERENCES conventions (id),
    programme_id  BIGINT NOT NULL UNIQUE REFERENCES programmes (id),
    PRIMARY KEY (convention_id, programme_id)
);
