package sqlstore_test

import (
	"context"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestDirectoryFollowsEveryChange searches the directory after each kind of
// write to what it shows: the store answers from its in-memory snapshot,
// which it rebuilds only when directory_version moved, so a write that
// forgot to raise the version leaves the old answer and fails here.
func TestDirectoryFollowsEveryChange(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 1})
		s, op := env.Store, st.As(f.Operator)
		public := context.Background()
		const parents, leisure = "Parentalité et éducation avec le numérique", "Loisirs et créations numériques"
		count := func(filter passnum.DirectoryFilter) int {
			t.Helper()
			page, err := s.SearchDirectory(public, filter)
			if err != nil {
				t.Fatal(err)
			}
			return page.Total
		}
		// Build the snapshot before the first write.
		if n := count(passnum.DirectoryFilter{Query: "zéphyr"}); n != 0 {
			t.Fatalf("before: %d", n)
		}
		// Listed (the directory does not list applicants).
		org, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Lieu zéphyr",
			SIRET: validSIRET("7000000000004"), CommuneINSEE: "35238", Qualification: passnum.QualificationListed})
		if err != nil {
			t.Fatal(err)
		}
		admin := st.As(st.Actor(org, passnum.RoleAdmin))
		var service *passnum.CatalogueService
		steps := []struct {
			name   string
			write  func() error
			filter passnum.DirectoryFilter
			want   int
		}{
			{"created venue", func() error { return nil }, passnum.DirectoryFilter{Query: "zéphyr"}, 1},
			{"renamed venue", func() error {
				file, err := s.FindVenueFile(op, org.ID)
				if err != nil {
					return err
				}
				v := file.Venue
				v.Name, v.Address = "Lieu alizé", "3 rue du Vent"
				_, err = s.UpdateVenue(op, v)
				return err
			}, passnum.DirectoryFilter{Query: "alizé"}, 1},
			{"qualified", func() error {
				return sqlstore.ForceQualification(op, s, org.ID, passnum.QualificationQualified)
			}, passnum.DirectoryFilter{Query: "alizé", Passes: true}, 1},
			{"suspended", func() error {
				_, err := s.MoveQualification(op, org.ID, passnum.QualificationSuspended, "contrôle")
				return err
			}, passnum.DirectoryFilter{Query: "alizé", Passes: true}, 0},
			{"catalogue service added", func() error {
				var err error
				service, err = s.CreateCatalogueService(admin, passnum.CatalogueServiceCreate{Title: "ENT des collèges", Category: parents, DurationMinutes: 60, PricePasses: 1})
				return err
			}, passnum.DirectoryFilter{Query: "alizé", Category: parents}, 1},
			{"catalogue service changed", func() error {
				u := passnum.CatalogueServiceUpdate{ID: service.ID, CatalogueServiceCreate: passnum.CatalogueServiceCreate{
					Title: "Photo numérique", Category: leisure, DurationMinutes: 60, PricePasses: 1}}
				_, err := s.UpdateCatalogueService(admin, u)
				return err
			}, passnum.DirectoryFilter{Query: "alizé", Category: leisure}, 1},
			{"catalogue service withdrawn", func() error {
				_, err := s.SetCatalogueServiceActive(admin, service.ID, false)
				return err
			}, passnum.DirectoryFilter{Query: "alizé", Category: leisure}, 0},
			{"place opened far from the venue", func() error {
				_, err := s.SavePlace(admin, passnum.Place{Name: "Permanence de Redon", Address: "Place de la Gare", PostalCode: "35600", INSEE: "35236"})
				return err
			}, passnum.DirectoryFilter{Query: "alizé", Commune: "35236", RadiusKm: 10}, 1},
			{"venue imported", func() error {
				_, err := s.ImportVenues(op, rowsOf(standardVenue("change-01", validSIRET("7000000000012"), "Lieu mistral", 48.1, -1.7)), false)
				return err
			}, passnum.DirectoryFilter{Query: "mistral"}, 1},
		}
		for _, step := range steps {
			if err := step.write(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			if got := count(step.filter); got != step.want {
				t.Errorf("%s: %d venues found, want %d", step.name, got, step.want)
			}
		}
		// Found around Redon by its permanence there, 60 km from its main
		// address in Rennes; around Rennes by the main address.
		for _, tc := range []struct {
			commune, place string
			maxKm          float64
		}{{"35236", "Permanence de Redon", 5}, {"35238", "", 5}} {
			page, err := s.SearchDirectory(public, passnum.DirectoryFilter{Query: "alizé", Commune: tc.commune, RadiusKm: 10})
			if err != nil || page.Total != 1 || page.Venues[0].NearestPlace != tc.place || *page.Venues[0].DistanceKm > tc.maxKm {
				t.Errorf("around %s: %+v %v", tc.commune, page, err)
			}
		}
	})
}
