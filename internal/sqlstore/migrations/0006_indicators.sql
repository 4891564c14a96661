-- Indicators (passnum.IndicatorService, indicators.go): snapshots computed
-- from raw records, and hubs' territories. Same conventions as 0001.

-- A hub reads the indicators of its territory: areas written like a
-- programme's ("region:53 departement:35"), empty for other organisations.
ALTER TABLE organisations ADD COLUMN territory TEXT NOT NULL DEFAULT '';

-- One computation of every indicator. Only the latest is kept.
CREATE TABLE indicator_snapshots (
    id          {{ID}},
    computed_at TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    passes      BIGINT NOT NULL,
    cells       BIGINT NOT NULL
);

-- One row of a breakdown: scope ("all", "programme:3", "funder:7",
-- "hub:9"), dimension (passnum.Dimensions, or "opendata" for the
-- (month, commune) cells of the open data export), key, and the values as
-- JSON (passnum.IndicatorValues): read whole, never queried inside.
CREATE TABLE indicator_cells (
    snapshot_id BIGINT NOT NULL,
    scope       TEXT NOT NULL,
    dimension   TEXT NOT NULL,
    cell_key    TEXT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, scope, dimension, cell_key)
);
CREATE INDEX carnets_beneficiary ON carnets (beneficiary_id, number);
