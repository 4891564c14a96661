-- Every change to what the directory shows raises directory_version, in the
-- same transaction (see 0003_venues.sql).
CREATE TRIGGER venues_directory_insert AFTER INSERT ON venues
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER venues_directory_update AFTER UPDATE ON venues
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER venues_directory_delete AFTER DELETE ON venues
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER venue_places_directory_insert AFTER INSERT ON venue_places
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER venue_places_directory_update AFTER UPDATE ON venue_places
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER venue_places_directory_delete AFTER DELETE ON venue_places
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER organisations_directory_update AFTER UPDATE OF name, siret, commune_insee, qualification ON organisations
WHEN NEW.kind = 'venue'
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER catalogue_directory_insert AFTER INSERT ON catalogue_services
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER catalogue_directory_update AFTER UPDATE ON catalogue_services
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER catalogue_directory_delete AFTER DELETE ON catalogue_services
BEGIN UPDATE directory_version SET version = version + 1; END;
