package sqlstore_test

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// Report dates are in the past of both clocks: the store's (2027, in
// tests) and the real one, which ActivityReport.Validate reads.
const (
	oct15 = "2026-10-15"
	nov02 = "2026-11-02"
	nov05 = "2026-11-05"
	nov10 = "2026-11-10"
	nov20 = "2026-11-20"
)

// summarise recomputes a summary by hand from reports as written; names
// are the venues' names.
func summarise(names map[int64]string, reports []*passnum.ActivityReport) passnum.ActivitySummary {
	sum := passnum.ActivitySummary{ByTheme: map[string]int{}, ByVenue: []passnum.VenueActivity{}}
	people := map[string]bool{}
	links := 0
	venues := map[int64]*passnum.VenueActivity{}
	for _, r := range reports {
		v := venues[r.VenueID]
		if v == nil {
			v = &passnum.VenueActivity{VenueID: r.VenueID, VenueName: names[r.VenueID]}
			venues[r.VenueID] = v
		}
		v.Reports++
		v.Participants += r.Participants
		v.Minutes += r.DurationMinutes
		sum.Reports++
		if r.Format == passnum.FormatIndividual {
			sum.Individual++
		} else {
			sum.Collective++
		}
		sum.Participants += r.Participants
		sum.Minutes += r.DurationMinutes
		if r.PassesUsed > 0 {
			sum.WithPasses++
		}
		sum.PassesUsed += r.PassesUsed
		for _, th := range r.Themes {
			sum.ByTheme[th]++
		}
		for _, ref := range r.BeneficiaryRefs {
			people[ref] = true
			links++
		}
	}
	sum.LinkedPeople = len(people)
	sum.AnonymousPeople = sum.Participants - links
	for _, v := range venues {
		sum.ByVenue = append(sum.ByVenue, *v)
	}
	slices.SortFunc(sum.ByVenue, func(a, b passnum.VenueActivity) int {
		return cmp.Or(cmp.Compare(b.Reports, a.Reports), strings.Compare(a.VenueName, b.VenueName), cmp.Compare(a.VenueID, b.VenueID))
	})
	return sum
}

func TestActivityReports(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 6, Distributed: 6, CarnetSize: 2})
		s := env.Store
		op := st.As(f.Operator)
		agent := st.VenueCtx(f.Venue)
		brest := st.VenueCtx(f.Venue2)
		hub, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub du Grand Ouest"})
		if err != nil {
			t.Fatal(err)
		}
		camille := newUser(t, env, f, "camille@example.org", "Camille Martin", f.Venue, passnum.RoleAgent)
		camilleActor, err := s.ActorForUser(context.Background(), camille.ID, f.Venue.ID)
		if err != nil {
			t.Fatal(err)
		}
		refs := beneficiaryRefs(t, env, f, 3)
		workshop := collective(t, env, f, f.Venue, "Atelier démarches")
		s1 := newSession(t, env, agent, f.Service.ID, st.Start.Add(-30*time.Minute), 6)
		s2 := newSession(t, env, agent, workshop.ID, st.Start.Add(-time.Hour), 6)
		s3 := newSession(t, env, agent, workshop.ID, st.Start.Add(time.Hour), 6)
		if _, err := s.CancelSession(agent, s3.ID); err != nil {
			t.Fatal(err)
		}
		atBrest := newSession(t, env, brest, f.Service2.ID, st.Start, 6)
		library := addPlace(t, env, f, f.Venue.ID, "Bibliothèque des Champs-Manceaux", false) // closed since, still reportable
		elsewhere := addPlace(t, env, f, f.Venue2.ID, "Médiathèque annexe", true)
		redeem := func(ctx context.Context, carnet int, service, session int64) *passnum.Redemption {
			t.Helper()
			r, err := s.Redeem(ctx, passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(carnet)...), ServiceID: service, SessionID: session, IdempotencyKey: fmt.Sprint("carnet-", carnet)})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		red := redeem(agent, 0, f.Service.ID, s1.ID)
		redBrest := redeem(brest, 1, f.Service2.ID, 0)
		voided := redeem(agent, 2, f.Service.ID, 0)
		if _, err := s.VoidRedemption(agent, voided.ID); err != nil {
			t.Fatal(err)
		}

		good := passnum.ActivityReport{Format: passnum.FormatCollective, Date: nov10, DurationMinutes: 120,
			Themes: []string{"Démarches en ligne"}, PlaceKind: "lieu", Participants: 4}
		with := func(change func(*passnum.ActivityReport)) passnum.ActivityReport {
			r := good
			change(&r)
			return r
		}
		tests := []struct {
			name   string
			ctx    context.Context
			in     passnum.ActivityReport
			code   string
			field  string
			reason string
		}{
			{"unknown format", agent, with(func(r *passnum.ActivityReport) { r.Format = "hybride" }), passnum.EINVALID, "format", ""},
			{"future date", agent, with(func(r *passnum.ActivityReport) { r.Date = "2030-01-01" }), passnum.EINVALID, "date", ""},
			{"not a date", agent, with(func(r *passnum.ActivityReport) { r.Date = "2026-13-01" }), passnum.EINVALID, "date", ""},
			{"too short", agent, with(func(r *passnum.ActivityReport) { r.DurationMinutes = 2 }), passnum.EINVALID, "duration_minutes", ""},
			{"no theme", agent, with(func(r *passnum.ActivityReport) { r.Themes = []string{" "} }), passnum.EINVALID, "themes", ""},
			{"unknown theme", agent, with(func(r *passnum.ActivityReport) { r.Themes = []string{"Cuisine"} }), passnum.EINVALID, "themes", ""},
			{"unknown autonomy", agent, with(func(r *passnum.ActivityReport) { r.Autonomy = "expert" }), passnum.EINVALID, "autonomy", ""},
			{"unknown place kind", agent, with(func(r *passnum.ActivityReport) { r.PlaceKind = "plage" }), passnum.EINVALID, "place_kind", ""},
			{"individual for two", agent, with(func(r *passnum.ActivityReport) { r.Format = passnum.FormatIndividual; r.Participants = 2 }), passnum.EINVALID, "participants", ""},
			{"more people linked than present", agent, with(func(r *passnum.ActivityReport) { r.Participants = 1; r.BeneficiaryRefs = refs[:2] }), passnum.EINVALID, "beneficiary_refs", ""},
			{"unknown person", agent, with(func(r *passnum.ActivityReport) { r.BeneficiaryRefs = []string{"B-0000-0000"} }), passnum.EINVALID, "beneficiary_refs", ""},
			{"place of another venue", agent, with(func(r *passnum.ActivityReport) { r.PlaceID = elsewhere }), passnum.EINVALID, "place_id", ""},
			{"session of another venue", agent, with(func(r *passnum.ActivityReport) { r.SessionID = atBrest.ID }), passnum.EINVALID, "session_id", ""},
			{"cancelled session", agent, with(func(r *passnum.ActivityReport) { r.SessionID = s3.ID }), passnum.EINVALID, "session_id", ""},
			{"redemption of another venue", agent, with(func(r *passnum.ActivityReport) { r.RedemptionID = redBrest.ID }), passnum.EINVALID, "redemption_id", ""},
			{"voided redemption", agent, with(func(r *passnum.ActivityReport) { r.RedemptionID = voided.ID }), passnum.EINVALID, "redemption_id", ""},
			{"redemption of another session", agent, with(func(r *passnum.ActivityReport) { r.RedemptionID = red.ID; r.SessionID = s2.ID }), passnum.EINVALID, "redemption_id", ""},
			{"operator", op, good, passnum.EFORBIDDEN, "", ""},
			{"funder", st.As(st.Actor(f.State, passnum.RoleAdmin)), good, passnum.EFORBIDDEN, "", ""},
			{"hub", st.As(st.Actor(hub, passnum.RoleAdmin)), good, passnum.EFORBIDDEN, "", ""},
			{"prescriber", st.As(st.Actor(f.Prescriber, passnum.RoleAgent)), good, passnum.EFORBIDDEN, "", ""},
			{"nobody", context.Background(), good, passnum.EUNAUTHORIZED, "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.CreateActivityReport(tc.ctx, tc.in)
				if tc.field != "" {
					wantField(t, err, tc.field)
					return
				}
				wantErr(t, err, tc.code, tc.reason)
			})
		}

		// What the venues write. The venue named in a report is ignored:
		// reports are the writer's venue's.
		inputs := []struct {
			ctx context.Context
			in  passnum.ActivityReport
		}{
			{st.As(camilleActor), passnum.ActivityReport{VenueID: f.Venue2.ID, Format: passnum.FormatIndividual, Date: nov02, DurationMinutes: 45,
				Themes: []string{"Courriels", "Démarches en ligne"}, Autonomy: "partiellement autonome", PlaceKind: "lieu", Participants: 1,
				BeneficiaryRefs: []string{refs[0]}, Notes: "  Création d'une adresse électronique. "}},
			// Passes used come from the redemption (2), not from what is
			// declared; the session from the redemption too.
			{agent, passnum.ActivityReport{Format: passnum.FormatCollective, Date: nov10, DurationMinutes: 120,
				Themes: []string{"Démarches en ligne", "Sécurité numérique"}, PlaceID: library, PlaceKind: "permanence", Participants: 6,
				BeneficiaryRefs: []string{refs[1], " " + refs[0]}, RedemptionID: red.ID, PassesUsed: 7}},
			{agent, passnum.ActivityReport{Format: passnum.FormatCollective, Date: nov20, DurationMinutes: 90,
				Themes: []string{"Navigation sur internet"}, PlaceKind: "lieu", Participants: 4, SessionID: s2.ID, PassesUsed: 3}},
			{agent, passnum.ActivityReport{Format: passnum.FormatIndividual, Date: oct15, DurationMinutes: 30,
				Themes: []string{"Courriels"}, PlaceKind: "domicile", Participants: 1, BeneficiaryRefs: []string{refs[2]}}},
			{brest, passnum.ActivityReport{Format: passnum.FormatCollective, Date: nov05, DurationMinutes: 60,
				Themes: []string{"Bureautique"}, PlaceKind: "lieu", Participants: 3, BeneficiaryRefs: []string{refs[0]}}},
		}
		var written []*passnum.ActivityReport
		for i, w := range inputs {
			r, err := s.CreateActivityReport(w.ctx, w.in)
			if err != nil {
				t.Fatalf("report %d: %v", i, err)
			}
			written = append(written, r)
		}
		r1, r2, r3, r4, r5 := written[0], written[1], written[2], written[3], written[4]
		if r1.VenueID != f.Venue.ID || r1.Author != camilleActor.Label || r1.AuthorName != "Camille Martin" ||
			r1.Notes != "Création d'une adresse électronique." || r1.PassesUsed != 0 || !reflect.DeepEqual(r1.BeneficiaryRefs, []string{refs[0]}) {
			t.Errorf("report 1: %+v", r1)
		}
		wantRefs := []string{refs[0], refs[1]}
		slices.Sort(wantRefs)
		if r2.PassesUsed != 2 || r2.RedemptionID != red.ID || r2.SessionID != s1.ID || r2.PlaceID != library ||
			r2.AuthorName != "" || !reflect.DeepEqual(r2.BeneficiaryRefs, wantRefs) {
			t.Errorf("report 2: %+v", r2)
		}
		if r3.PassesUsed != 3 || r3.SessionID != s2.ID || r3.RedemptionID != 0 || r3.BeneficiaryRefs != nil {
			t.Errorf("report 3: %+v", r3)
		}
		if r5.VenueID != f.Venue2.ID {
			t.Errorf("report 5: %+v", r5)
		}
		t.Run("a redemption is reported once", func(t *testing.T) {
			_, err := s.CreateActivityReport(agent, with(func(r *passnum.ActivityReport) { r.RedemptionID = red.ID }))
			wantErr(t, err, passnum.ECONFLICT, "redemption-reported")
		})

		// The summary of the whole venue, recounted by hand: 4 reports,
		// 2 individual and 2 collective; 1+6+4+1 = 12 participants;
		// 45+120+90+30 = 285 minutes; passes in reports 2 (2) and 3 (3);
		// people linked: refs 0, 1 and 2, in 1+2+0+1 = 4 links, so 12 − 4 =
		// 8 anonymous participations.
		venueSum := passnum.ActivitySummary{Reports: 4, Individual: 2, Collective: 2, Participants: 12, Minutes: 285, WithPasses: 2, PassesUsed: 5,
			ByTheme:      map[string]int{"Courriels": 2, "Démarches en ligne": 2, "Sécurité numérique": 1, "Navigation sur internet": 1},
			LinkedPeople: 3, AnonymousPeople: 8, ByVenue: []passnum.VenueActivity{{VenueID: f.Venue.ID, VenueName: f.Venue.Name, Reports: 4, Participants: 12, Minutes: 285}}}
		names := map[int64]string{f.Venue.ID: f.Venue.Name, f.Venue2.ID: f.Venue2.Name}
		if got := summarise(names, []*passnum.ActivityReport{r1, r2, r3, r4}); !reflect.DeepEqual(got, venueSum) {
			t.Fatalf("the test's own count is wrong: %+v", got)
		}
		tests2 := []struct {
			name  string
			ctx   context.Context
			f     passnum.ActivityFilter
			want  []*passnum.ActivityReport // the page, newest first
			all   []*passnum.ActivityReport // the whole filter
			total int
			code  string
			field string
		}{
			{"the venue's agent", agent, passnum.ActivityFilter{}, []*passnum.ActivityReport{r3, r2, r1, r4}, []*passnum.ActivityReport{r1, r2, r3, r4}, 4, "", ""},
			{"the venue's agent asking for another venue", agent, passnum.ActivityFilter{VenueID: f.Venue2.ID}, []*passnum.ActivityReport{r3, r2, r1, r4}, []*passnum.ActivityReport{r1, r2, r3, r4}, 4, "", ""},
			{"a page", st.As(st.Actor(f.Venue, passnum.RoleAdmin)), passnum.ActivityFilter{Offset: 1, Limit: 2}, []*passnum.ActivityReport{r2, r1}, []*passnum.ActivityReport{r1, r2, r3, r4}, 4, "", ""},
			{"a period", agent, passnum.ActivityFilter{From: nov02, To: nov10}, []*passnum.ActivityReport{r2, r1}, []*passnum.ActivityReport{r1, r2}, 2, "", ""},
			{"another venue", brest, passnum.ActivityFilter{}, []*passnum.ActivityReport{r5}, []*passnum.ActivityReport{r5}, 1, "", ""},
			{"the operator, every venue", op, passnum.ActivityFilter{}, []*passnum.ActivityReport{r3, r2, r5, r1, r4}, written, 5, "", ""},
			{"the operator, one venue", op, passnum.ActivityFilter{VenueID: f.Venue2.ID}, []*passnum.ActivityReport{r5}, []*passnum.ActivityReport{r5}, 1, "", ""},
			{"the operator, a period", op, passnum.ActivityFilter{From: nov05}, []*passnum.ActivityReport{r3, r2, r5}, []*passnum.ActivityReport{r2, r3, r5}, 3, "", ""},
			{"nothing", agent, passnum.ActivityFilter{From: "2026-11-21"}, []*passnum.ActivityReport{}, nil, 0, "", ""},
			{"bad date", agent, passnum.ActivityFilter{From: "hier"}, nil, nil, 0, passnum.EINVALID, "from"},
			{"funder", st.As(st.Actor(f.State, passnum.RoleAdmin)), passnum.ActivityFilter{}, nil, nil, 0, passnum.EFORBIDDEN, ""},
			{"hub without a territory", st.As(st.Actor(hub, passnum.RoleAdmin)), passnum.ActivityFilter{}, []*passnum.ActivityReport{}, nil, 0, "", ""},
			{"prescriber", st.As(st.Actor(f.Prescriber, passnum.RoleAdmin)), passnum.ActivityFilter{}, nil, nil, 0, passnum.EFORBIDDEN, ""},
		}
		for _, tc := range tests2 {
			t.Run("list: "+tc.name, func(t *testing.T) {
				list, total, sum, err := s.ListActivityReports(tc.ctx, tc.f)
				if tc.field != "" {
					wantField(t, err, tc.field)
					return
				}
				wantErr(t, err, tc.code, "")
				if tc.code != "" {
					return
				}
				if !reflect.DeepEqual(list, tc.want) {
					t.Errorf("got %d reports %v, want %v", len(list), reportIDs(list), reportIDs(tc.want))
				}
				if total != tc.total {
					t.Errorf("total %d, want %d", total, tc.total)
				}
				if want := summarise(names, tc.all); !reflect.DeepEqual(*sum, want) {
					t.Errorf("summary %+v\nwant    %+v", *sum, want)
				}
			})
		}
		_, _, sum, err := s.ListActivityReports(agent, passnum.ActivityFilter{})
		wantErr(t, err, "", "")
		if !reflect.DeepEqual(*sum, venueSum) {
			t.Errorf("venue summary %+v\nwant %+v", *sum, venueSum)
		}
		if themes := slices.Sorted(maps.Keys(sum.ByTheme)); len(themes) != 4 {
			t.Errorf("themes %v", themes)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

func reportIDs(list []*passnum.ActivityReport) []int64 {
	out := []int64{}
	for _, r := range list {
		out = append(out, r.ID)
	}
	return out
}
