-- Incremental indicators (issue 19, indicators.go, RefreshIndicators):
-- what the latest snapshot saw of each carnet, so that the next one takes
-- off what a carnet's holder added and adds what they add now, for the
-- carnets that changed only. Same conventions as 0001.

-- One carnet as the snapshot counted it (passnum.CarnetRecord, encoded):
-- its holder (0: nobody), the digest of data compared with the carnet's
-- present record to find what changed, and data to take off what it
-- added. Derived from carnets, passes and beneficiaries, rewritten at the
-- next refresh when they change (an erasure included).
CREATE TABLE indicator_facts (
    carnet_number  BIGINT PRIMARY KEY,
    beneficiary_id BIGINT NOT NULL,
    digest         BIGINT NOT NULL,
    data           TEXT NOT NULL
);
CREATE INDEX indicator_facts_beneficiary ON indicator_facts (beneficiary_id);

-- The digest of the reference data the snapshot counted with
-- (passnum.RefsDigest); empty: a snapshot without records, which the next
-- refresh recomputes whole.
ALTER TABLE indicator_snapshots ADD COLUMN refs_digest TEXT NOT NULL DEFAULT '';
