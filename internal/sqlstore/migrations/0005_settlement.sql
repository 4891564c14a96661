-- Money out: settlement runs, venue statements and their lines, payment
-- batches, the operator's payer account, funder charges and credit notes
-- (passnum.SettlementService, settlement.go). Same conventions as 0001:
-- {{ID}} is the only dialect token, instants are TEXT in
-- passnum.TimeLayout, dates TEXT YYYY-MM-DD, money BIGINT cents.

CREATE TABLE settlement_runs (
    id           {{ID}},
    cut_off      TEXT NOT NULL,
    statements   INTEGER NOT NULL DEFAULT 0,
    passes       INTEGER NOT NULL DEFAULT 0,
    amount_cents BIGINT NOT NULL DEFAULT 0,
    actor        TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- One SEPA credit transfer file. message_id is set from the id once the
-- row exists, hence nullable; unique like the bank wants it.
CREATE TABLE payment_batches (
    id                {{ID}},
    message_id        TEXT UNIQUE,
    execution_date    TEXT NOT NULL,
    statements        INTEGER NOT NULL,
    control_sum_cents BIGINT NOT NULL,
    actor             TEXT NOT NULL,
    created_at        TEXT NOT NULL
);

-- A statement's totals never change once written: they are those of all
-- its lines, rejected ones included. reference is the ISO 11649 creditor
-- reference, set once the id is known.
CREATE TABLE statements (
    id              {{ID}},
    run_id          BIGINT NOT NULL REFERENCES settlement_runs (id),
    venue_id        BIGINT NOT NULL REFERENCES organisations (id),
    cut_off         TEXT NOT NULL,
    state           TEXT NOT NULL,
    passes          INTEGER NOT NULL,
    amount_cents    BIGINT NOT NULL,
    reference       TEXT UNIQUE,
    batch_id        BIGINT REFERENCES payment_batches (id),
    rejected_reason TEXT,
    created_at      TEXT NOT NULL,
    validated_at    TEXT,
    paid_at         TEXT,
    rejected_at     TEXT,
    CHECK (state IN ('draft', 'validated', 'paid', 'rejected')),
    CHECK (state <> 'paid' OR (batch_id IS NOT NULL AND paid_at IS NOT NULL)),
    CHECK ((state = 'rejected') = (rejected_reason IS NOT NULL))
);
CREATE INDEX statements_venue ON statements (venue_id, id);
CREATE INDEX statements_run ON statements (run_id, venue_id);
CREATE INDEX statements_batch ON statements (batch_id);

-- One line per pass. charged is 1 on the first line ever written for the
-- serial: that line is in its run's funder charges, a later one (after a
-- rejected transfer) is not, so that no funder is charged twice.
CREATE TABLE statement_lines (
    statement_id  BIGINT NOT NULL REFERENCES statements (id),
    serial        BIGINT NOT NULL,
    redemption_id BIGINT NOT NULL,
    programme_id  BIGINT NOT NULL,
    redeemed_at   TEXT NOT NULL,
    service_id    BIGINT NOT NULL,
    session_id    BIGINT,
    amount_cents  BIGINT NOT NULL,
    charged       INTEGER NOT NULL,
    rejected      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (statement_id, serial)
);
-- Never paid twice, enforced by the database: a pass is on one live
-- (not rejected) statement line at most.
CREATE UNIQUE INDEX statement_lines_once ON statement_lines (serial) WHERE rejected = 0;
-- Voids look for lines of a redemption.
CREATE INDEX statement_lines_redemption ON statement_lines (redemption_id);

-- The operator's account the transfers leave from. One row.
CREATE TABLE payer_account (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    iban       TEXT NOT NULL,
    bic        TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (id = 1)
);

-- What a run charges each funder of a programme: its share of the value of
-- the programme's passes first put on a statement by the run, and its
-- share of the programme's fee on them.
CREATE TABLE funder_charges (
    id           {{ID}},
    run_id       BIGINT NOT NULL REFERENCES settlement_runs (id),
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    funder_id    BIGINT NOT NULL REFERENCES organisations (id),
    passes       INTEGER NOT NULL,
    passes_cents BIGINT NOT NULL,
    fee_bp       INTEGER NOT NULL,
    fee_cents    BIGINT NOT NULL,
    total_cents  BIGINT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (run_id, programme_id, funder_id),
    CHECK (total_cents = passes_cents + fee_cents)
);
CREATE INDEX funder_charges_funder ON funder_charges (funder_id, id);

-- Credit notes: a funder is credited once per programme.
CREATE TABLE credit_notes (
    id           {{ID}},
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    funder_id    BIGINT NOT NULL REFERENCES organisations (id),
    passes       INTEGER NOT NULL,
    amount_cents BIGINT NOT NULL,
    reference    TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    UNIQUE (programme_id, funder_id)
);
