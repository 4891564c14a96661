-- The pass lifecycle core. Written once for SQLite and PostgreSQL: {{PK}}
-- and {{ID}} are the only dialect tokens. Instants are TEXT in
-- passnum.TimeLayout (UTC, fixed width, so text order is time order); dates
-- are TEXT YYYY-MM-DD; money is BIGINT cents.

CREATE TABLE organisations (
    id            {{ID}},
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    siret         TEXT,
    commune_insee TEXT,
    qualification TEXT,
    created_at    TEXT NOT NULL
);
-- A SIRET identifies one venue (DOMAIN.md: "SIRET mandatory and unique").
CREATE UNIQUE INDEX organisations_venue_siret ON organisations (siret) WHERE kind = 'venue';

CREATE TABLE qualification_history (
    id         {{ID}},
    venue_id   BIGINT NOT NULL REFERENCES organisations (id),
    status     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id            {{ID}},
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id BIGINT NOT NULL REFERENCES users (id),
    org_id  BIGINT NOT NULL REFERENCES organisations (id),
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, org_id)
);

-- API tokens: only a SHA-256 of the secret is kept.
CREATE TABLE api_tokens (
    id          {{ID}},
    org_id      BIGINT NOT NULL REFERENCES organisations (id),
    role        TEXT NOT NULL,
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

-- Ed25519 keys that sign the QR payloads of passes. The newest active key
-- signs; all verify, so keys can rotate.
CREATE TABLE signing_keys (
    id         TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE programmes (
    id                   {{ID}},
    name                 TEXT NOT NULL,
    budget_cents         BIGINT NOT NULL,
    face_value_cents     BIGINT NOT NULL,
    carnet_size          INTEGER NOT NULL,
    valid_from           TEXT NOT NULL,
    valid_until          TEXT NOT NULL,
    tolerance_days       INTEGER NOT NULL,
    fee_bp               INTEGER NOT NULL,
    territory            TEXT NOT NULL, -- areas separated by spaces: "region:53 commune:35238"
    services             TEXT NOT NULL, -- categories separated by '|', as in the venue standard
    funds_received_cents BIGINT NOT NULL DEFAULT 0,
    issued_cents         BIGINT NOT NULL DEFAULT 0,
    activated_cents      BIGINT NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    -- Invariant 2, enforced by the database as well as by the code.
    CHECK (issued_cents <= budget_cents),
    CHECK (activated_cents <= issued_cents)
);

CREATE TABLE programme_funders (
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    funder_id    BIGINT NOT NULL REFERENCES organisations (id),
    share_bp     INTEGER NOT NULL,
    PRIMARY KEY (programme_id, funder_id)
);

CREATE TABLE payment_orders (
    id           {{ID}},
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    funder_id    BIGINT NOT NULL REFERENCES organisations (id),
    reference    TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    received_on  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (programme_id, reference)
);

CREATE TABLE batches (
    id           {{ID}},
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    carnets      INTEGER NOT NULL,
    passes       INTEGER NOT NULL,
    first_carnet BIGINT NOT NULL,
    last_carnet  BIGINT NOT NULL,
    first_serial BIGINT NOT NULL,
    last_serial  BIGINT NOT NULL,
    key_id       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE beneficiaries (
    id            {{ID}},
    ref           TEXT NOT NULL UNIQUE,
    birth_year    INTEGER,
    age_band      TEXT,
    commune_insee TEXT NOT NULL,
    needs         TEXT NOT NULL,
    autonomy      TEXT,
    consent_at    TEXT NOT NULL,
    prescriber_id BIGINT NOT NULL REFERENCES organisations (id),
    created_at    TEXT NOT NULL
);

-- Carnets are numbered, and their passes' serials are consecutive:
-- carnet n holds serials first_serial .. first_serial + size - 1.
CREATE TABLE carnets (
    number         {{PK}},
    programme_id   BIGINT NOT NULL,
    batch_id       BIGINT NOT NULL,
    size           INTEGER NOT NULL,
    first_serial   BIGINT NOT NULL,
    prescriber_id  BIGINT,
    beneficiary_id BIGINT,
    allocated_at   TEXT,
    distributed_at TEXT,
    distributed_by TEXT
);
CREATE INDEX carnets_prescriber ON carnets (prescriber_id, number);
CREATE INDEX carnets_programme ON carnets (programme_id, number);

-- One row per pass. code is the 60-bit authenticator behind the short code;
-- it is unique so that a typed code finds exactly one pass.
CREATE TABLE passes (
    serial        {{PK}},
    carnet        BIGINT NOT NULL,
    programme_id  BIGINT NOT NULL,
    code          BIGINT NOT NULL,
    state         TEXT NOT NULL,
    activated_at  TEXT,
    blocked_from  TEXT,
    block_scope   TEXT,
    block_reason  TEXT,
    redemption_id BIGINT,
    venue_id      BIGINT,
    redeemed_at   TEXT
);
CREATE UNIQUE INDEX passes_code ON passes (code);
CREATE INDEX passes_programme_state ON passes (programme_id, state);

CREATE TABLE catalogue_services (
    id               {{ID}},
    venue_id         BIGINT NOT NULL REFERENCES organisations (id),
    title            TEXT NOT NULL,
    category         TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    price_passes     INTEGER NOT NULL,
    active           INTEGER NOT NULL,
    created_at       TEXT NOT NULL
);

CREATE TABLE redemptions (
    id              {{ID}},
    venue_id        BIGINT NOT NULL,
    service_id      BIGINT NOT NULL,
    actor           TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    passes          INTEGER NOT NULL,
    amount_cents    BIGINT NOT NULL,
    created_at      TEXT NOT NULL,
    voided_at       TEXT,
    voided_by       TEXT,
    UNIQUE (venue_id, idempotency_key)
);
CREATE INDEX redemptions_venue ON redemptions (venue_id, id);

CREATE TABLE redemption_passes (
    redemption_id BIGINT NOT NULL,
    serial        BIGINT NOT NULL,
    programme_id  BIGINT NOT NULL,
    voided        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (redemption_id, serial)
);
-- Invariant 1: a pass is redeemed at most once, enforced by the database.
CREATE UNIQUE INDEX redemption_passes_once ON redemption_passes (serial) WHERE voided = 0;

-- The ledger: every posting's entries sum to zero.
CREATE TABLE postings (
    id         {{ID}},
    kind       TEXT NOT NULL,
    ref        TEXT NOT NULL,
    actor      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE entries (
    posting_id   BIGINT NOT NULL REFERENCES postings (id),
    account      TEXT NOT NULL,
    programme_id BIGINT NOT NULL,
    party_id     BIGINT NOT NULL DEFAULT 0,
    amount_cents BIGINT NOT NULL
);
CREATE INDEX entries_posting ON entries (posting_id);
CREATE INDEX entries_account ON entries (programme_id, account, party_id);

-- The audit trail: who did what, append-only (triggers per dialect).
CREATE TABLE audit_log (
    id         {{ID}},
    created_at TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    detail     TEXT NOT NULL
);
