package sqlstore_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestActivityReportsByTerritory: hubs read the reports of the venues
// located in their territory, by commune, département or région
// (overseas départements have three characters), and nothing without a
// territory; the operator reads every venue's, or a territory's.
func TestActivityReportsByTerritory(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		s := env.Store
		op := st.As(f.Operator)
		org := func(c passnum.OrganisationCreate) *passnum.Organisation {
			t.Helper()
			o, err := s.CreateOrganisation(op, c)
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		// Rennes (35238) and Brest (29019) are in Bretagne (53), Lyon
		// (69123) is not; Saint-Denis (97411) is in La Réunion (974, région 04).
		reunion := org(passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Case numérique de Saint-Denis", SIRET: "21974411000004",
			CommuneINSEE: "97411", Qualification: passnum.QualificationQualified})
		hub := func(name string, areas ...string) context.Context {
			return st.As(st.Actor(org(passnum.OrganisationCreate{Kind: passnum.KindHub, Name: name, Territory: areas}), passnum.RoleAgent))
		}
		bretagne := hub("Hub Bretagne", "region:53")
		ille := hub("Hub Ille-et-Vilaine", "departement:35")
		brest := hub("Hub de Brest", "commune:29019")
		ocean := hub("Hub Océan Indien", "region:04")
		none := hub("Hub en préparation")

		write := func(v *passnum.Organisation, date string, participants, minutes int) *passnum.ActivityReport {
			t.Helper()
			format := passnum.FormatCollective
			if participants == 1 {
				format = passnum.FormatIndividual
			}
			r, err := s.CreateActivityReport(st.VenueCtx(v), passnum.ActivityReport{Format: format, Date: date, DurationMinutes: minutes,
				Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: participants})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		rennes1 := write(f.Venue, nov02, 1, 45)
		rennes2 := write(f.Venue, nov10, 5, 120)
		brest1 := write(f.Venue2, nov05, 3, 90)
		lyon1 := write(f.Outside, nov05, 1, 30)
		reunion1 := write(reunion, nov20, 4, 60)
		names := map[int64]string{f.Venue.ID: f.Venue.Name, f.Venue2.ID: f.Venue2.Name, f.Outside.ID: f.Outside.Name, reunion.ID: reunion.Name}
		list := func(rs ...*passnum.ActivityReport) []*passnum.ActivityReport { return rs }

		tests := []struct {
			name  string
			ctx   context.Context
			f     passnum.ActivityFilter
			want  []*passnum.ActivityReport // every report, newest first
			field string
		}{
			{"a hub's région", bretagne, passnum.ActivityFilter{}, list(rennes2, brest1, rennes1), ""},
			{"a hub's département", ille, passnum.ActivityFilter{}, list(rennes2, rennes1), ""},
			{"a hub's commune", brest, passnum.ActivityFilter{}, list(brest1), ""},
			{"an overseas région", ocean, passnum.ActivityFilter{}, list(reunion1), ""},
			{"a hub without a territory", none, passnum.ActivityFilter{}, list(), ""},
			{"a hub without a territory asking for one", none, passnum.ActivityFilter{Territory: []string{"region:53"}}, list(), ""},
			{"a hub narrowing its territory", bretagne, passnum.ActivityFilter{Territory: []string{"departement:29"}}, list(brest1), ""},
			{"a hub asking beyond its territory", ille, passnum.ActivityFilter{Territory: []string{"region:84", "region:53"}}, list(rennes2, rennes1), ""},
			{"a hub asking for a venue outside", ille, passnum.ActivityFilter{VenueID: f.Outside.ID}, list(), ""},
			{"a hub asking for one of its venues", bretagne, passnum.ActivityFilter{VenueID: f.Venue2.ID}, list(brest1), ""},
			{"a hub over a period", bretagne, passnum.ActivityFilter{From: nov05}, list(rennes2, brest1), ""},
			{"the operator", op, passnum.ActivityFilter{}, list(reunion1, rennes2, lyon1, brest1, rennes1), ""},
			{"the operator, a région", op, passnum.ActivityFilter{Territory: []string{"region:53"}}, list(rennes2, brest1, rennes1), ""},
			{"the operator, a commune and an overseas département", op, passnum.ActivityFilter{Territory: []string{"commune:69123", "departement:974"}},
				list(reunion1, lyon1), ""},
			{"the operator, a territory without venues", op, passnum.ActivityFilter{Territory: []string{"departement:2A"}}, list(), ""},
			{"the operator, a bad territory", op, passnum.ActivityFilter{Territory: []string{"departement:35", "canton:3501"}}, nil, "territory"},
			{"a venue asking for a territory", st.VenueCtx(f.Venue2), passnum.ActivityFilter{Territory: []string{"departement:35"}}, list(brest1), ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, total, sum, err := s.ListActivityReports(tc.ctx, tc.f)
				if tc.field != "" {
					wantField(t, err, tc.field)
					return
				}
				wantErr(t, err, "", "")
				if !reflect.DeepEqual(reportIDs(got), reportIDs(tc.want)) || total != len(tc.want) {
					t.Errorf("got %v (total %d), want %v", reportIDs(got), total, reportIDs(tc.want))
				}
				if want := summarise(names, tc.want); !reflect.DeepEqual(*sum, want) {
					t.Errorf("summary %+v\nwant    %+v", *sum, want)
				}
			})
		}

		// By venue, most reports first, as written.
		_, _, sum, err := s.ListActivityReports(bretagne, passnum.ActivityFilter{})
		wantErr(t, err, "", "")
		want := []passnum.VenueActivity{
			{VenueID: f.Venue.ID, VenueName: f.Venue.Name, Reports: 2, Participants: 6, Minutes: 165},
			{VenueID: f.Venue2.ID, VenueName: f.Venue2.Name, Reports: 1, Participants: 3, Minutes: 90},
		}
		if !reflect.DeepEqual(sum.ByVenue, want) {
			t.Errorf("by venue %+v\nwant %+v", sum.ByVenue, want)
		}

		// A territory set later applies at once.
		if _, err := s.SetTerritory(op, passnum.ActorFromContext(none).OrgID, []string{"departement:69"}); err != nil {
			t.Fatal(err)
		}
		got, _, _, err := s.ListActivityReports(none, passnum.ActivityFilter{})
		wantErr(t, err, "", "")
		if !reflect.DeepEqual(reportIDs(got), reportIDs(list(lyon1))) {
			t.Errorf("after setting the territory: %v", reportIDs(got))
		}
		st.MustCheck(t, env, f.Operator)
	})
}
