-- Addenda (avenants) of conventions (issue 18, convention.go). Same
-- conventions as 0001. An addendum's lines keep each amount before and
-- after it, so that the history of a convention reads back from them and
-- passnum check holds the current amounts equal to the first ones plus
-- every change.

CREATE TABLE convention_addenda (
    id            {{ID}},
    convention_id BIGINT NOT NULL REFERENCES conventions (id),
    number        INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (convention_id, number)
);

CREATE TABLE addendum_lines (
    addendum_id  BIGINT NOT NULL REFERENCES convention_addenda (id),
    funder_id    BIGINT NOT NULL REFERENCES organisations (id),
    year         INTEGER NOT NULL,
    before_cents BIGINT NOT NULL CHECK (before_cents >= 0),
    after_cents  BIGINT NOT NULL CHECK (after_cents >= 0),
    PRIMARY KEY (addendum_id, funder_id, year)
);
