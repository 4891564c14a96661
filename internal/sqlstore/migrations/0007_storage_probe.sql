-- The probe of a full disk (storage.go): one row whose filler is written
-- then emptied, to tell whether fresh space can be had again. Same
-- conventions as 0001.
CREATE TABLE storage_probe (
    id     {{PK}},
    filler TEXT NOT NULL
);
