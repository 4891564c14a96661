-- The message version of the operator's payment files (issue 17, point 5):
-- pain.001.001.09 under the European Payments Council's SEPA guidelines,
-- which most banks ask for, by default, also for an account recorded
-- before; ISO's pain.001.001.10 for a bank that asks for it.
ALTER TABLE payer_account ADD COLUMN format TEXT NOT NULL DEFAULT 'pain.001.001.09'
    CHECK (format IN ('pain.001.001.09', 'pain.001.001.10'));
