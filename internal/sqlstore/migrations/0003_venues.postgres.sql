-- Every change to what the directory shows raises directory_version, in the
-- same transaction (see 0003_venues.sql): once per statement, so that an
-- import writing venues by batches raises it once per batch.
CREATE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_version SET version = version + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER venues_directory AFTER INSERT OR UPDATE OR DELETE ON venues
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER venue_places_directory AFTER INSERT OR UPDATE OR DELETE ON venue_places
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER organisations_directory AFTER UPDATE OF name, siret, commune_insee, qualification ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE TRIGGER catalogue_directory AFTER INSERT OR UPDATE OR DELETE ON catalogue_services
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
