-- The venue network: venues described by the national data standard of
-- lieux de médiation numérique (passnum.Venue), their private parts
-- (questionnaire, bank account, charter), their points of presence, and
-- the version of the public directory. Same conventions as 0001: {{ID}} and
-- {{PK}} are the only dialect tokens, instants are TEXT in
-- passnum.TimeLayout, dates TEXT YYYY-MM-DD.

-- One row per venue organisation. organisations stays the source of the
-- kind, the name (the standard's nom) and the qualification; the store
-- keeps organisations.siret = pivot and organisations.commune_insee =
-- code_insee in the same transactions. Multi-valued fields are joined by
-- '|', as the standard writes them ('' for none). DOUBLE PRECISION is
-- float8 on PostgreSQL and REAL on SQLite.
CREATE TABLE venues (
    org_id              {{PK}} REFERENCES organisations (id),
    id                  TEXT NOT NULL UNIQUE,
    pivot               TEXT NOT NULL,
    commune             TEXT NOT NULL,
    postal_code         TEXT NOT NULL,
    code_insee          TEXT NOT NULL DEFAULT '',
    -- '' only for venues created by CreateOrganisation with a name, a SIRET
    -- and a commune: their admins complete the description.
    address             TEXT NOT NULL,
    address_complement  TEXT NOT NULL DEFAULT '',
    latitude            DOUBLE PRECISION,
    longitude           DOUBLE PRECISION,
    typology            TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    emails              TEXT NOT NULL DEFAULT '',
    websites            TEXT NOT NULL DEFAULT '',
    opening_hours       TEXT NOT NULL DEFAULT '',
    summary             TEXT NOT NULL DEFAULT '',
    detail              TEXT NOT NULL DEFAULT '',
    source              TEXT NOT NULL DEFAULT '',
    roaming             TEXT NOT NULL DEFAULT '',
    parent              TEXT NOT NULL DEFAULT '',
    updated_on          TEXT NOT NULL,
    services            TEXT NOT NULL DEFAULT '',
    publics             TEXT NOT NULL DEFAULT '',
    supports            TEXT NOT NULL DEFAULT '',
    fees                TEXT NOT NULL DEFAULT '',
    national_schemes    TEXT NOT NULL DEFAULT '',
    labels              TEXT NOT NULL DEFAULT '',
    other_labels        TEXT NOT NULL DEFAULT '',
    access_modes        TEXT NOT NULL DEFAULT '',
    support_modes       TEXT NOT NULL DEFAULT '',
    accessibility_sheet TEXT NOT NULL DEFAULT '',
    appointment_url     TEXT NOT NULL DEFAULT '',
    -- Private: never in the directory nor in exports.
    questionnaire       TEXT, -- JSON of passnum.Questionnaire
    bank_holder         TEXT,
    bank_iban           TEXT,
    bank_bic            TEXT,
    charter_version     TEXT,
    charter_accepted_at TEXT,
    updated_at          TEXT NOT NULL,
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
-- Imports match rows by pivot when the id is unknown.
CREATE INDEX venues_pivot ON venues (pivot);

-- Venues that exist already (created with a name, a SIRET and a commune)
-- get a minimal row; the store completes the commune's name and postal
-- code from internal/geo when it reads one left empty here.
INSERT INTO venues (org_id, id, pivot, commune, postal_code, code_insee, address, updated_on, updated_at)
SELECT id, 'passnum-' || CAST(id AS TEXT), COALESCE(siret, ''), '', '', COALESCE(commune_insee, ''), '',
       substr(created_at, 1, 10), created_at
FROM organisations WHERE kind = 'venue';

-- A SIRET identifies one candidate or qualified venue (DOMAIN.md: "SIRET
-- mandatory and unique"), but the national data set lists several lieux
-- under one SIRET (the libraries of a town): imported venues, "listed",
-- may share it. The store checks the same rule first, to name the field.
DROP INDEX organisations_venue_siret;
CREATE UNIQUE INDEX organisations_venue_siret ON organisations (siret) WHERE kind = 'venue' AND qualification <> 'listed';

-- A venue's file shows its history; imports add to it by the thousand.
CREATE INDEX qualification_history_venue ON qualification_history (venue_id, id);

-- Points of presence of a venue besides its main address.
CREATE TABLE venue_places (
    id            {{ID}},
    venue_id      BIGINT NOT NULL REFERENCES organisations (id),
    name          TEXT NOT NULL,
    address       TEXT NOT NULL,
    postal_code   TEXT NOT NULL,
    commune_insee TEXT NOT NULL,
    latitude      DOUBLE PRECISION,
    longitude     DOUBLE PRECISION,
    opening_hours TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX venue_places_venue ON venue_places (venue_id, id);

-- The version of what the public directory shows: venues, their places,
-- qualifications and catalogues. Every write to those raises it in its
-- own transaction (tx.directoryChanged: code, not triggers, see why
-- there); each server holds the directory in memory and reloads it when
-- the version it built from is no longer the database's (directory.go).
-- One row.
CREATE TABLE directory_version (
    id      INTEGER PRIMARY KEY,
    version BIGINT NOT NULL,
    CHECK (id = 1)
);
INSERT INTO directory_version (id, version) VALUES (1, 1);
