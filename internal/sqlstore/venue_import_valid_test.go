package sqlstore_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestImportValidVenues imports the valid lines of a file and reports the
// others, each with its line; ImportVenues refuses the same file whole.
func TestImportValidVenues(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		good := standardVenue("valide-1", validSIRET("7300000000001"), "Valide 1", 48.1, -1.6)
		badPostal := standardVenue("valide-2", validSIRET("7300000000002"), "Valide 2", 48.1, -1.6)
		badPostal.PostalCode = "29200"
		// Valid OpenStreetMap hours of the whole grammar: a summer closing,
		// evaluated; hours tied to the sun, not evaluated, kept as text.
		summer := standardVenue("valide-3", validSIRET("7300000000003"), "Valide 3", 48.1, -1.6)
		summer.OpeningHours = "Mo-Fr 09:00-17:00; Jul-Aug off"
		sun := standardVenue("valide-6", validSIRET("7300000000006"), "Valide 6", 48.1, -1.6)
		sun.OpeningHours = "Mo-Fr 08:00-sunset"
		badHours := standardVenue("valide-4", validSIRET("7300000000004"), "Valide 4", 48.1, -1.6)
		badHours.OpeningHours = "du lundi au vendredi"
		dupID := standardVenue("valide-1", validSIRET("7300000000005"), "Valide 5", 48.1, -1.6)
		// The SIRET of the fixture's qualified venue, on another candidate:
		// found only against the records.
		taken := standardVenue(fmt.Sprintf("passnum-%d", f.Venue.ID), f.Venue2.SIRET, "La Quincaillerie numérique", 48.11, -1.67)
		rows := rowsOf(good, badPostal, summer, badHours, dupID, taken, sun)

		_, before, _ := s.ListVenues(op, passnum.VenueFilter{})
		if _, err := s.ImportVenues(op, rows, false); err == nil {
			t.Fatal("all or nothing imported a file with bad lines")
		}
		for _, dry := range []bool{true, false} {
			rep, err := s.ImportValidVenues(op, rows, dry)
			report(t, rep, err, 3, 0, 0)
			var lines []string
			for _, p := range rep.Skipped {
				lines = append(lines, fmt.Sprintf("%d:%s", p.Line, p.Field))
			}
			if want := []string{"3:code_postal", "5:horaires", "6:id", "7:pivot"}; !slices.Equal(lines, want) {
				t.Fatalf("dry run %v: skipped %v, want %v (%+v)", dry, lines, want, rep.Skipped)
			}
			if rep.SkippedLines() != 4 || rep.DryRun != dry {
				t.Fatalf("dry run %v: %+v", dry, rep)
			}
			_, after, _ := s.ListVenues(op, passnum.VenueFilter{})
			if want := before + 3; dry && after != before || !dry && after != want {
				t.Fatalf("dry run %v: %d venues, %d before", dry, after, before)
			}
		}
		got, _, err := s.ListVenues(op, passnum.VenueFilter{Query: "valide-3"})
		if err != nil || len(got) != 1 || got[0].OpeningHours != "Mo-Fr 09:00-17:00; Jul-Aug off" {
			t.Fatalf("summer closing: %+v %v", got, err)
		}
		// Monday 15 March 2027, 10:30 in Rennes: open.
		if entry, err := s.DirectoryEntry(op, got[0].OrgID); err != nil || entry.OpenNow == nil || !*entry.OpenNow {
			t.Fatalf("open now with a summer closing: %+v %v", entry, err)
		}
		got, _, err = s.ListVenues(op, passnum.VenueFilter{Query: "valide-6"})
		if err != nil || len(got) != 1 || got[0].OpeningHours != "Mo-Fr 08:00-sunset" {
			t.Fatalf("hours kept as text: %+v %v", got, err)
		}
		// Nothing valid: refused, as all or nothing would.
		_, err = s.ImportValidVenues(op, rowsOf(badPostal, badHours), false)
		var e *passnum.Error
		if !asError(err, &e) || e.Reason != "import-invalid" || len(e.Problems) != 2 {
			t.Fatalf("a file without a valid line: %v", err)
		}
		// The directory does not say whether it is open now.
		entry, err := s.DirectoryEntry(op, got[0].OrgID)
		if err != nil || entry.OpenNow != nil {
			t.Fatalf("open now of hours kept as text: %+v %v", entry, err)
		}
	})
}
