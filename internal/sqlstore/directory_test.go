package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// directoryVenues imports venues around Rennes and elsewhere, qualifies
// one and refuses another, and returns their organisations by standard id.
func directoryVenues(t *testing.T, env *st.Env, op context.Context) map[string]int64 {
	t.Helper()
	s := env.Store
	at := func(id, name, insee, commune, postal string, lat, lon float64) passnum.Venue {
		v := standardVenue(id, validSIRET("80000000000"+id[len(id)-2:]), name, lat, lon)
		v.INSEE, v.Commune, v.PostalCode = insee, commune, postal
		return v
	}
	blosne := at("dir-01", "Espace numérique du Blosne", "35238", "Rennes", "35200", 48.0880, -1.6600)
	blosne.Publics, blosne.OpeningHours = []string{"Seniors"}, "Mo-Fr 09:00-12:00"
	cesson := at("dir-02", "Médiathèque de Cesson", "35051", "Cesson-Sévigné", "35510", 48.1210, -1.6030)
	cesson.Services, cesson.Supports, cesson.OpeningHours = []string{"Maîtrise des outils numériques du quotidien"}, []string{"Surdité"}, "Sa 10:00-12:00"
	vitre := at("dir-03", "Tiers-lieu de Vitré", "35360", "Vitré", "35500", 48.1240, -1.2090)
	vitre.Services = []string{"Maîtrise des outils numériques du quotidien"}
	brest := at("dir-04", "Point numérique de Brest", "29019", "Brest", "29200", 48.3904, -4.4861)
	centre := at("dir-05", "Maison de quartier Centre", "35238", "Rennes", "35000", 0, 0) // no coordinates: Rennes' point
	centre.Lat, centre.Lon = nil, nil
	refused := at("dir-06", "Lieu refusé", "35238", "Rennes", "35000", 48.11, -1.67)
	fdf := at("dir-07", "Cyberbase de Fort-de-France", "97209", "Fort-de-France", "97200", 14.6037, -61.0742)
	fdf.OpeningHours = "Mo-Fr 09:00-12:00"
	rep, err := s.ImportVenues(op, rowsOf(blosne, cesson, vitre, brest, centre, refused, fdf), false)
	if err != nil || rep.Created != 7 {
		t.Fatalf("import %+v %v", rep, err)
	}
	all, _, err := s.ListVenues(op, passnum.VenueFilter{Qualification: passnum.QualificationListed})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, v := range all {
		ids[v.ID] = v.OrgID
	}
	if err := sqlstore.ForceQualification(op, s, ids["dir-06"], passnum.QualificationRefused); err != nil {
		t.Fatal(err)
	}
	if err := sqlstore.ForceQualification(op, s, ids["dir-02"], passnum.QualificationQualified); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestSearchDirectory(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		ids := directoryVenues(t, env, op)
		names := map[int64]string{f.Venue.ID: "fixture:rennes", f.Venue2.ID: "fixture:brest", f.Outside.ID: "fixture:lyon"}
		for id, org := range ids {
			names[org] = id
		}
		// Monday 15 March 2027, 10:00 in Paris (09:00 UTC); 05:00 in
		// Fort-de-France.
		monday10 := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
		tests := []struct {
			name   string
			filter passnum.DirectoryFilter
			want   []string
		}{
			{"around Rennes, nearest first", passnum.DirectoryFilter{Commune: "35238"},
				[]string{"fixture:rennes", "dir-05", "dir-01", "dir-02"}}, // the first two at Rennes' point, by name
			{"a wider radius", passnum.DirectoryFilter{Commune: "35238", RadiusKm: 40},
				[]string{"fixture:rennes", "dir-05", "dir-01", "dir-02", "dir-03"}},
			{"around a point", passnum.DirectoryFilter{Near: &passnum.LatLon{Lat: 48.124, Lon: -1.21}, RadiusKm: 5}, []string{"dir-03"}},
			{"a postal code", passnum.DirectoryFilter{PostalCode: "35200"}, []string{"dir-01"}},
			{"a category (declared or in the catalogue)", passnum.DirectoryFilter{Category: "Maîtrise des outils numériques du quotidien"},
				[]string{"fixture:lyon", "fixture:rennes", "dir-02", "dir-03"}},
			{"a public", passnum.DirectoryFilter{Public: "Seniors"}, []string{"dir-01"}},
			{"a support", passnum.DirectoryFilter{Support: "Surdité"}, []string{"dir-02"}},
			{"accepting passes", passnum.DirectoryFilter{Passes: true, Commune: "35238"}, []string{"fixture:rennes", "dir-02"}},
			{"open now", passnum.DirectoryFilter{OpenNow: true, Now: monday10}, []string{"dir-01"}},
			{"open on Saturday", passnum.DirectoryFilter{OpenNow: true, Now: monday10.AddDate(0, 0, 5)}, []string{"dir-02"}},
			{"open in Fort-de-France's morning", passnum.DirectoryFilter{OpenNow: true, Now: monday10.Add(5 * time.Hour)}, []string{"dir-07"}}, // 15:00 in Paris
			{"a territory", passnum.DirectoryFilter{Territory: []string{"departement:29", "commune:35360"}}, []string{"fixture:brest", "dir-04", "dir-03"}},
			{"a territory and a place", passnum.DirectoryFilter{Territory: []string{"region:53"}, Commune: "29019"}, []string{"fixture:brest", "dir-04"}},
			{"words of the name", passnum.DirectoryFilter{Query: "mediatheque"}, []string{"fixture:brest", "dir-02"}},
			{"nothing", passnum.DirectoryFilter{Query: "piscine"}, []string{}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := s.SearchDirectory(context.Background(), tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				got := []string{}
				for _, v := range page.Venues {
					got = append(got, names[v.OrgID])
				}
				if !slices.Equal(got, tc.want) || page.Total != len(tc.want) {
					t.Fatalf("%v (total %d), want %v", got, page.Total, tc.want)
				}
			})
		}

		t.Run("results", func(t *testing.T) {
			page, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{Commune: "35238", Now: monday10, Limit: 3, Offset: 1})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 4 || len(page.Venues) != 3 || page.Centre == nil || page.Centre.Lat != 48.11198 {
				t.Fatalf("page %+v", page)
			}
			centre, blosne, cesson := page.Venues[0], page.Venues[1], page.Venues[2]
			if centre.OrgID != ids["dir-05"] || !centre.PointApprox || *centre.DistanceKm != 0 || centre.OpenNow != nil || centre.AcceptsPasses {
				t.Fatalf("venue without coordinates %+v", centre)
			}
			if blosne.PointApprox || blosne.Point.Lat != 48.0880 || *blosne.DistanceKm < 2.8 || *blosne.DistanceKm > 2.9 || blosne.OpenNow == nil || !*blosne.OpenNow ||
				blosne.AcceptsPasses || blosne.PostalCode != "35200" || blosne.Address != "1 place de la Mairie" {
				t.Fatalf("blosne %+v (%v km)", blosne, *blosne.DistanceKm)
			}
			if cesson.OpenNow == nil || *cesson.OpenNow || !cesson.AcceptsPasses {
				t.Fatalf("cesson %+v", cesson)
			}
		})

		t.Run("bad filters", func(t *testing.T) {
			for _, f := range []passnum.DirectoryFilter{
				{Commune: "99999"}, {PostalCode: "35"}, {RadiusKm: 500}, {Category: "Piano"}, {Public: "Chats"},
				{Support: "x"}, {Territory: []string{"pays:FR"}}, {Near: &passnum.LatLon{Lat: 91}},
			} {
				if _, err := s.SearchDirectory(context.Background(), f); passnum.ErrorCode(err) != passnum.EINVALID {
					t.Errorf("%+v: %v", f, err)
				}
			}
		})

		t.Run("changes show at once", func(t *testing.T) {
			search := func() []int64 {
				page, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{Query: "vitre"})
				if err != nil {
					t.Fatal(err)
				}
				var out []int64
				for _, v := range page.Venues {
					out = append(out, v.OrgID)
				}
				return out
			}
			if got := search(); len(got) != 1 {
				t.Fatalf("%v", got)
			}
			if err := sqlstore.ForceQualification(op, s, ids["dir-03"], passnum.QualificationWithdrawn); err != nil {
				t.Fatal(err)
			}
			if got := search(); len(got) != 0 {
				t.Fatalf("a withdrawn venue is listed: %v", got)
			}
			// A catalogue service adds its category.
			if _, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{Category: "Loisirs et créations numériques"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateCatalogueService(op, passnum.CatalogueServiceCreate{VenueID: ids["dir-04"], Title: "Retouche photo",
				Category: "Loisirs et créations numériques", DurationMinutes: 60, PricePasses: 1}); err != nil {
				t.Fatal(err)
			}
			page, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{Category: "Loisirs et créations numériques"})
			if err != nil || page.Total != 1 || page.Venues[0].OrgID != ids["dir-04"] {
				t.Fatalf("%+v %v", page, err)
			}
		})
	})
}

func TestDirectoryEntry(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		s, op := env.Store, st.As(f.Operator)
		ids := directoryVenues(t, env, op)
		public := context.Background()

		e, err := s.DirectoryEntry(public, f.Venue.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.Venue.Name != f.Venue.Name || !e.AcceptsPasses || !e.PointApprox || e.Point.Lat != 48.11198 ||
			len(e.Services) != 1 || e.Services[0].ID != f.Service.ID || len(e.Places) != 0 || e.NextSessions == nil || e.OpenNow != nil {
			t.Fatalf("entry %+v", e)
		}
		// A withdrawn service and an inactive place are not shown; a
		// coming session is.
		admin := st.As(st.Actor(f.Venue, passnum.RoleAdmin))
		svc, err := s.CreateCatalogueService(admin, passnum.CatalogueServiceCreate{Title: "Ancien atelier", Category: "Aide aux démarches administratives", DurationMinutes: 60, PricePasses: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetCatalogueServiceActive(admin, svc.ID, false); err != nil {
			t.Fatal(err)
		}
		place := passnum.Place{Name: "Permanence de Bruz", Address: "Place du Docteur Joly", PostalCode: "35170", INSEE: "35047"}
		p1, err := s.SavePlace(admin, place)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := s.SavePlace(admin, place)
		if err != nil {
			t.Fatal(err)
		}
		p2.Active = false
		if _, err := s.SavePlace(admin, *p2); err != nil {
			t.Fatal(err)
		}
		session, err := s.CreateSession(st.VenueCtx(f.Venue), passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: st.Start.Add(48 * time.Hour), Capacity: 8})
		if err != nil {
			t.Fatal(err)
		}
		e, err = s.DirectoryEntry(public, f.Venue.ID)
		if err != nil || len(e.Services) != 1 || len(e.Places) != 1 || e.Places[0].ID != p1.ID ||
			len(e.NextSessions) != 1 || e.NextSessions[0].ID != session.ID {
			t.Fatalf("entry %+v %v", e, err)
		}

		// The store's clock: Monday 15 March 2027 at 10:30 in Paris, within
		// the venue's morning hours.
		e, err = s.DirectoryEntry(public, ids["dir-01"])
		if err != nil || e.AcceptsPasses || e.PointApprox || e.OpenNow == nil || !*e.OpenNow || e.Venue.Qualification != passnum.QualificationListed {
			t.Fatalf("listed venue %+v %v", e, err)
		}
		for _, id := range []int64{ids["dir-06"], f.Prescriber.ID, 999999} {
			if _, err := s.DirectoryEntry(public, id); passnum.ErrorCode(err) != passnum.ENOTFOUND {
				t.Errorf("venue %d: %v", id, err)
			}
		}
	})
}
