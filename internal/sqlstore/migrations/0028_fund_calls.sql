-- Calls for funds (appels de fonds) of conventions (issue 18, point 5,
-- convention.go): what a party is asked to pay, for a year of the
-- convention, by a due date. What it paid is its payment orders for the
-- convention's programmes. Same conventions as 0001.
CREATE TABLE fund_calls (
    id            {{ID}},
    convention_id BIGINT NOT NULL REFERENCES conventions (id),
    funder_id     BIGINT NOT NULL REFERENCES organisations (id),
    year          INTEGER NOT NULL,
    amount_cents  BIGINT NOT NULL CHECK (amount_cents > 0),
    due_on        TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX fund_calls_convention ON fund_calls (convention_id);
