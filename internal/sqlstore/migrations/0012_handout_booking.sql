-- Booking at hand-out (passnum.BookingService): a prescriber registers the
-- person it hands a carnet to in a venue's session. The seat is an ordinary
-- registration; these say which structure booked it (the venue's page shows
-- it) and for which carnet (the receipt prints it, the indicators count the
-- carnets booked at hand-out). Both NULL for the venue's own registrations.
ALTER TABLE workshop_registrations ADD COLUMN booked_by_org_id BIGINT REFERENCES organisations (id);
ALTER TABLE workshop_registrations ADD COLUMN carnet_number BIGINT;
CREATE INDEX workshop_registrations_carnet ON workshop_registrations (carnet_number) WHERE carnet_number IS NOT NULL;
