package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestMigrationGivesVenuesTheirRow opens a database whose venues were
// created before migration 0003 (it is undone, then applied again): each
// venue gets its row, with the commune completed from the geography, and
// works as any other.
func TestMigrationGivesVenuesTheirRow(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	op, err := s.SystemActor(ctx, "test:operator")
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.CreateOrganisation(st.As(op), passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Ancien lieu",
		SIRET: validSIRET("9000000000001"), CommuneINSEE: "29019", Qualification: passnum.QualificationQualified})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TABLE venue_places`, `DROP TABLE venues`, `DROP TABLE directory_version`, `DROP INDEX qualification_history_venue`,
		`DROP INDEX organisations_venue_siret`, `CREATE UNIQUE INDEX organisations_venue_siret ON organisations (siret) WHERE kind = 'venue'`,
		`DELETE FROM schema_migrations WHERE version = 3`,
	} {
		if err := sqlstore.ExecRaw(s, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()

	s, err = sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	file, err := s.FindVenueFile(st.As(op), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if file.Venue.ID != fmt.Sprintf("passnum-%d", v.ID) || file.Venue.Pivot != v.SIRET || file.Venue.Commune != "Brest" ||
		file.Venue.PostalCode != "29200" || file.Venue.INSEE != "29019" || file.Venue.Address != "" || file.Venue.Qualification != passnum.QualificationQualified {
		t.Fatalf("venue %+v", file.Venue)
	}
	page, err := s.SearchDirectory(ctx, passnum.DirectoryFilter{Commune: "29019", Passes: true})
	if err != nil || page.Total != 1 || page.Venues[0].OrgID != v.ID || !page.Venues[0].PointApprox {
		t.Fatalf("directory %+v %v", page, err)
	}
	rep, err := s.CheckInvariants(st.As(op))
	if err != nil || !rep.OK() {
		t.Fatalf("invariants %+v %v", rep, err)
	}
}

// TestConcurrentApplications sends applications with one SIRET at once:
// one is recorded, the others are told why, on both stores.
func TestConcurrentApplications(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = env.Store.ApplyAsVenue(context.Background(), application("9100000000001", fmt.Sprintf("c%d@lieu.example", i)))
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case passnum.ErrorCode(err) != passnum.ECONFLICT || errorField(err) != "pivot":
				t.Errorf("unexpected: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d applications recorded: %v", ok, errs)
		}
	})
}

// TestDirectoryWhileWriting searches while venues change: every search
// answers, and the last one sees the last change (run with -race).
func TestDirectoryWhileWriting(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		s := env.Store
		op, err := s.SystemActor(context.Background(), "test:operator")
		if err != nil {
			t.Fatal(err)
		}
		var venues []passnum.Venue
		for i := range 20 {
			venues = append(venues, standardVenue(fmt.Sprintf("w-%02d", i), validSIRET(fmt.Sprintf("92000000000%02d", i)), fmt.Sprintf("Lieu %02d", i), 48.1, -1.6))
		}
		if _, err := s.ImportVenues(st.As(op), rowsOf(venues...), false); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-done:
						return
					default:
					}
					if _, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{Commune: "35238"}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		for i := range venues {
			venues[i].Summary = fmt.Sprintf("version %d", i)
			if _, err := s.ImportVenues(st.As(op), rowsOf(venues[i]), false); err != nil {
				t.Fatal(err)
			}
		}
		close(done)
		wg.Wait()
		page, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{Query: "lieu 19"})
		if err != nil || page.Total != 1 || page.Venues[0].Summary != "version 19" {
			t.Fatalf("%+v %v", page, err)
		}
	})
}
