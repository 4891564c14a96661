-- The register of rights requests (passnum.RightsRequestService,
-- rights_request.go): every request a person makes over their data, the
-- day it came in, the day it is due (one month, three once extended:
-- article 12.3 of the GDPR) and the day it was answered. Dates are TEXT
-- YYYY-MM-DD; same conventions as 0001.
CREATE TABLE rights_requests (
    id               {{ID}},
    ref              TEXT NOT NULL,
    kind             TEXT NOT NULL,
    channel          TEXT NOT NULL,
    details          TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    extension_reason TEXT,
    answered_on      TEXT,
    answer           TEXT NOT NULL,
    org_id           BIGINT NOT NULL REFERENCES organisations (id),
    recorded_by      TEXT NOT NULL,
    answered_by      TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
-- The dashboard reads the open requests by due date.
CREATE INDEX rights_requests_due ON rights_requests (answered_on, due_on);
