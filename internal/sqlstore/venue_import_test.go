package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// standardVenue is a valid venue of the national standard in Rennes.
func standardVenue(id, pivot, name string, lat, lon float64) passnum.Venue {
	return passnum.Venue{ID: id, Pivot: pivot, Name: name, Commune: "Rennes", PostalCode: "35000", INSEE: "35238",
		Address: "1 place de la Mairie", Lat: &lat, Lon: &lon, UpdatedOn: "2026-09-15",
		Services: []string{"Aide aux démarches administratives"}, Fees: []string{"Gratuit"}}
}

// rowsOf numbers venues as the lines of a CSV file after its header.
func rowsOf(venues ...passnum.Venue) []passnum.ImportRow {
	rows := make([]passnum.ImportRow, len(venues))
	for i, v := range venues {
		rows[i] = passnum.ImportRow{Line: i + 2, Venue: v}
	}
	return rows
}

func sqlstoreAudit(env *st.Env, action string) ([]string, error) {
	return sqlstore.QueryStrings(env.Store, `SELECT detail FROM audit_log WHERE action = ? ORDER BY id`, action)
}

func directoryVersion(t *testing.T, env *st.Env) string {
	t.Helper()
	v, err := sqlstore.QueryStrings(env.Store, `SELECT CAST(version AS TEXT) FROM directory_version`)
	if err != nil || len(v) != 1 {
		t.Fatalf("directory version: %v %v", v, err)
	}
	return v[0]
}

func report(t *testing.T, rep *passnum.ImportReport, err error, created, updated, unchanged int) {
	t.Helper()
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if rep.Created != created || rep.Updated != updated || rep.Unchanged != unchanged {
		t.Fatalf("created %d updated %d unchanged %d, want %d %d %d", rep.Created, rep.Updated, rep.Unchanged, created, updated, unchanged)
	}
}

func TestImportVenues(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		sirets := []string{validSIRET("7000000000001"), validSIRET("7000000000002"), validSIRET("7000000000003"), validSIRET("7000000000004")}
		a := standardVenue("lieu-a", sirets[0], "Espace A", 48.100, -1.650)
		b := standardVenue("lieu-b", sirets[1], "Espace B", 48.120, -1.700)
		c := standardVenue("lieu-c", sirets[2], "Espace C", 48.130, -1.600)
		c.INSEE, c.Commune, c.PostalCode = "", "Cesson-Sévigné", "35510" // code_insee derived
		c.Lat, c.Lon = nil, nil
		c.OpeningHours, c.Publics = "Mo-Fr 09:00-12:00; Sa 10:00-12:00", []string{"Seniors", "Jeunes"}

		rep, err := s.ImportVenues(op, rowsOf(a, b, c), false)
		report(t, rep, err, 3, 0, 0)
		if len(rep.Warnings) != 0 || rep.DryRun {
			t.Fatalf("report %+v", rep)
		}
		listed, total, err := s.ListVenues(op, passnum.VenueFilter{Qualification: passnum.QualificationListed})
		if err != nil || total != 3 {
			t.Fatalf("listed %d %v", total, err)
		}
		byID := map[string]*passnum.Venue{}
		for _, v := range listed {
			byID[v.ID] = v
		}
		if v := byID["lieu-c"]; v == nil || v.INSEE != "35051" || !slices.Equal(v.Publics, []string{"Seniors", "Jeunes"}) || v.OpeningHours != c.OpeningHours {
			t.Fatalf("venue c %+v", v)
		}
		file, err := s.FindVenueFile(op, byID["lieu-a"].OrgID)
		if err != nil || len(file.History) != 1 || file.History[0].Reason != "importé depuis le standard" || file.History[0].Status != passnum.QualificationListed {
			t.Fatalf("history %+v %v", file, err)
		}

		t.Run("the same file again changes nothing", func(t *testing.T) {
			before := directoryVersion(t, env)
			rep, err := s.ImportVenues(op, rowsOf(a, b, c), false)
			report(t, rep, err, 0, 0, 3)
			// Equal after normalisation: spaces and repeated values do
			// not make a change.
			a2 := a
			a2.Name, a2.Services = "  Espace A ", []string{"Aide aux démarches administratives", " Aide aux démarches administratives"}
			rep, err = s.ImportVenues(op, rowsOf(a2), false)
			report(t, rep, err, 0, 0, 1)
			if directoryVersion(t, env) != before {
				t.Fatal("an unchanged import wrote")
			}
		})

		t.Run("upsert by id, then by pivot", func(t *testing.T) {
			a2 := a
			a2.Summary = "Nouveau résumé."
			b2 := b
			b2.ID = "lieu-b-renomme" // same pivot, the only venue with it
			d := standardVenue("lieu-d", sirets[3], "Espace D", 48.2, -1.7)
			rep, err := s.ImportVenues(op, rowsOf(a2, b2, c, d), false)
			report(t, rep, err, 1, 2, 1)
			got, _, _ := s.ListVenues(op, passnum.VenueFilter{Query: "lieu-b-renomme"})
			if len(got) != 1 || got[0].OrgID != byID["lieu-b"].OrgID {
				t.Fatalf("b matched by pivot: %+v", got)
			}
			got, _, _ = s.ListVenues(op, passnum.VenueFilter{Query: "lieu-a"})
			if len(got) != 1 || got[0].Summary != "Nouveau résumé." {
				t.Fatalf("a updated: %+v", got)
			}
			// Two venues share a pivot: a new id with it is a new venue.
			e1 := standardVenue("lieu-e1", validSIRET("7000000000005"), "Bibliothèque E1", 48.0, -1.5)
			e2 := standardVenue("lieu-e2", e1.Pivot, "Bibliothèque E2", 48.3, -1.5)
			rep, err = s.ImportVenues(op, rowsOf(e1, e2), false)
			report(t, rep, err, 2, 0, 0)
			e3 := standardVenue("lieu-e3", e1.Pivot, "Bibliothèque E3", 47.9, -1.5)
			rep, err = s.ImportVenues(op, rowsOf(e3), false)
			report(t, rep, err, 1, 0, 0)
		})

		t.Run("all or nothing", func(t *testing.T) {
			_, before, _ := s.ListVenues(op, passnum.VenueFilter{})
			version := directoryVersion(t, env)
			good := standardVenue("nouveau-1", validSIRET("7100000000001"), "Nouveau 1", 48.1, -1.6)
			badPostal := standardVenue("nouveau-2", validSIRET("7100000000002"), "Nouveau 2", 48.1, -1.6)
			badPostal.PostalCode = "29200" // Brest's, not Rennes'
			good2 := standardVenue("nouveau-3", validSIRET("7100000000003"), "Nouveau 3", 48.1, -1.6)
			badHours := standardVenue("nouveau-4", validSIRET("7100000000004"), "Nouveau 4", 48.1, -1.6)
			badHours.OpeningHours, badHours.Address = "du lundi au vendredi", ""
			dupID := standardVenue("nouveau-1", validSIRET("7100000000005"), "Nouveau 5", 48.1, -1.6)
			_, err := s.ImportVenues(op, rowsOf(good, badPostal, good2, badHours, dupID), false)
			var e *passnum.Error
			if !asError(err, &e) || e.Code != passnum.EINVALID || e.Reason != "import-invalid" || e.Message != "3 lignes en erreur : rien n'a été importé." {
				t.Fatalf("refused import: %v", err)
			}
			var lines []string
			for _, p := range e.Problems {
				lines = append(lines, fmt.Sprintf("%d:%s", p.Line, p.Field))
			}
			if want := []string{"3:code_postal", "5:adresse", "5:horaires", "6:id"}; !slices.Equal(lines, want) {
				t.Fatalf("problems %v, want %v (%+v)", lines, want, e.Problems)
			}
			if !strings.Contains(e.Problems[3].Message, "ligne 2") {
				t.Fatalf("duplicate id: %q", e.Problems[3].Message)
			}
			_, after, _ := s.ListVenues(op, passnum.VenueFilter{})
			if after != before || directoryVersion(t, env) != version {
				t.Fatalf("%d venues before, %d after", before, after)
			}
			// A problem found against the records stops it too: the
			// fixture's qualified venue given the SIRET of another.
			v := standardVenue(fmt.Sprintf("passnum-%d", f.Venue.ID), f.Venue2.SIRET, "La Quincaillerie numérique", 48.11, -1.67)
			_, err = s.ImportVenues(op, rowsOf(good, v), false)
			if !asError(err, &e) || e.Reason != "import-invalid" || len(e.Problems) != 1 || e.Problems[0].Line != 3 || e.Problems[0].Field != "pivot" {
				t.Fatalf("SIRET of two qualified venues: %v %+v", err, e)
			}
			if _, after, _ = s.ListVenues(op, passnum.VenueFilter{}); after != before {
				t.Fatal("a refused import wrote")
			}
		})

		t.Run("dry run", func(t *testing.T) {
			_, before, _ := s.ListVenues(op, passnum.VenueFilter{})
			version := directoryVersion(t, env)
			a2 := a
			a2.Summary = "Encore un autre résumé."
			n := standardVenue("essai-1", validSIRET("7200000000001"), "Essai", 48.1, -1.6)
			rep, err := s.ImportVenues(op, rowsOf(a2, n), true)
			report(t, rep, err, 1, 1, 0)
			if !rep.DryRun {
				t.Fatal("not a dry run")
			}
			_, after, _ := s.ListVenues(op, passnum.VenueFilter{})
			got, _, _ := s.ListVenues(op, passnum.VenueFilter{Query: "lieu-a"})
			if after != before || got[0].Summary == a2.Summary || directoryVersion(t, env) != version {
				t.Fatal("a dry run wrote")
			}
		})

		t.Run("likely duplicates", func(t *testing.T) {
			siret := validSIRET("7300000000001")
			rows := rowsOf(
				standardVenue("dup-1", siret, "Médiathèque Pierre Bayle", 48.1000, -1.6800),
				standardVenue("dup-2", siret, "Mediatheque Pierre-Bayle", 48.1005, -1.6800), // 56 m north, same SIRET
				standardVenue("far-1", validSIRET("7300000000002"), "Point info numérique", 48.1000, -1.6900),
				standardVenue("far-2", validSIRET("7300000000003"), "Point info numérique", 48.1027, -1.6900), // 300 m north
				standardVenue("near-db", validSIRET("7300000000004"), "espace a", 48.1003, -1.6500),           // 33 m from lieu-a, already recorded
			)
			rep, err := s.ImportVenues(op, rows, false)
			report(t, rep, err, 5, 0, 0)
			var got []string
			for _, w := range rep.Warnings {
				got = append(got, fmt.Sprintf("%d:%s", w.Line, w.Field))
			}
			if want := []string{"2:pivot", "3:nom", "3:pivot", "6:nom"}; !slices.Equal(got, want) {
				t.Fatalf("warnings %v, want %v: %+v", got, want, rep.Warnings)
			}
			for _, w := range rep.Warnings {
				switch w.Line {
				case 3:
					if w.Field == "nom" && !strings.Contains(w.Message, "à 56 m") {
						t.Errorf("%+v", w)
					}
				case 6:
					if !strings.Contains(w.Message, "id lieu-a, déjà dans l'annuaire") {
						t.Errorf("%+v", w)
					}
				}
			}
		})

		t.Run("export then import: unchanged", func(t *testing.T) {
			// An application gives a complete description too.
			if _, err := s.ApplyAsVenue(context.Background(), application("7400000000001", "export@lieu.example")); err != nil {
				t.Fatal(err)
			}
			all, total, err := s.ListVenues(op, passnum.VenueFilter{})
			if err != nil || total != len(all) {
				t.Fatal(total, len(all), err)
			}
			// Venues created with a name, a SIRET and a commune have no
			// address yet: an export of the standard leaves them out.
			var rows []passnum.ImportRow
			for _, v := range all {
				if len(v.Validate()) == 0 {
					rows = append(rows, passnum.ImportRow{Line: len(rows) + 2, Venue: *v})
				}
			}
			if len(rows) != total-3 {
				t.Fatalf("%d complete venues of %d", len(rows), total)
			}
			rep, err := s.ImportVenues(op, rows, false)
			report(t, rep, err, 0, 0, len(rows))
			if _, after, _ := s.ListVenues(op, passnum.VenueFilter{}); after != total {
				t.Fatalf("%d venues, %d after", total, after)
			}
			// The qualified and pending venues kept their status.
			if o, _ := s.FindOrganisation(op, f.Venue.ID); o.Qualification != passnum.QualificationQualified {
				t.Fatalf("%+v", o)
			}
		})

		t.Run("operator admins only", func(t *testing.T) {
			opAgent := &passnum.Actor{OrgID: f.Operator.OrgID, OrgKind: passnum.KindOperator, Role: passnum.RoleAgent, Label: "test:agent"}
			for _, ctx := range []context.Context{st.As(opAgent), st.As(st.Actor(f.Venue, passnum.RoleAdmin)), context.Background()} {
				if _, err := s.ImportVenues(ctx, rowsOf(a), true); passnum.ErrorCode(err) != passnum.EFORBIDDEN && passnum.ErrorCode(err) != passnum.EUNAUTHORIZED {
					t.Errorf("%+v: %v", passnum.ActorFromContext(ctx), err)
				}
			}
		})
		st.MustCheck(t, env, f.Operator)
	})
}

// TestHoursStoredCanonical: opening hours are stored in their canonical
// form whichever way they come in (an application, an update, a place), as
// the standard's exports write them, so that an export re-imported changes
// nothing.
func TestHoursStoredCanonical(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1})
		s, op := env.Store, st.As(f.Operator)
		const typed, canonical = "Mo-Fr 14:00-19:00; We 10:00-12:00", "Mo,Tu,Th,Fr 14:00-19:00; We 10:00-12:00"
		app := application("5000000000007", "horaires@lieu.example")
		app.Venue.OpeningHours = typed
		o, err := s.ApplyAsVenue(context.Background(), app)
		if err != nil {
			t.Fatal(err)
		}
		file, err := s.FindVenueFile(op, o.ID)
		if err != nil || file.Venue.OpeningHours != canonical {
			t.Fatalf("applied: %q %v, want %q", file.Venue.OpeningHours, err, canonical)
		}
		v := file.Venue
		v.OpeningHours = "Sa 10:00-12:00; Mo-Fr 09:00-12:00"
		if updated, err := s.UpdateVenue(op, v); err != nil || updated.OpeningHours != "Mo-Fr 09:00-12:00; Sa 10:00-12:00" {
			t.Fatalf("updated: %+v %v", updated, err)
		}
		place, err := s.SavePlace(op, passnum.Place{VenueID: o.ID, Name: "Mairie", Address: "Place de la Mairie", PostalCode: "35170", INSEE: "35047", OpeningHours: typed})
		if err != nil || place.OpeningHours != canonical {
			t.Fatalf("place: %+v %v", place, err)
		}
		// Every venue, exported and re-imported, is unchanged.
		all, _, err := s.ListVenues(op, passnum.VenueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var rows []passnum.Venue
		for _, v := range all {
			if len(v.Validate()) == 0 { // the fixture's venues have no address: not exportable
				rows = append(rows, *v)
			}
		}
		rep, err := s.ImportVenues(op, rowsOf(rows...), true)
		if err != nil || rep.Unchanged != len(rows) || rep.Updated+rep.Created != 0 {
			t.Fatalf("re-import of %d venues: %+v %v", len(rows), rep, err)
		}
	})
}
