package sqlstore_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// territoryWorld is two conventions of the State's call: Ille-et-Vilaine
// (signed, its programme with passes issued, handed out and used, money
// called and paid) and Finistère (signed by the State only), and a hub of
// Finistère.
type territoryWorld struct {
	*callWorld
	finistere *passnum.Organisation
	hub       *passnum.Organisation
	c35, c29  *passnum.Convention
	pr35      *passnum.Programme
}

func newTerritoryWorld(t *testing.T, env *st.Env) *territoryWorld {
	t.Helper()
	s := env.Store
	w := &territoryWorld{callWorld: newCallWorld(t, env)}
	op := st.As(w.f.Operator)
	var err error
	if w.finistere, err = s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Département du Finistère"}); err != nil {
		t.Fatal(err)
	}
	if w.hub, err = s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub du Finistère"}); err != nil {
		t.Fatal(err)
	}
	if _, err = s.SetTerritory(op, w.hub.ID, []string{"departement:29"}); err != nil {
		t.Fatal(err)
	}
	convention := func(applicant *passnum.Organisation, dep string, asked, own int64) *passnum.Convention {
		ctx := st.As(st.Actor(applicant, passnum.RoleAdmin))
		in := w.input(asked, own, 0)
		in.Lines[1].FunderID = applicant.ID
		in.Territory = []string{dep}
		p, err := s.SaveApplication(ctx, in)
		if err == nil {
			p, err = s.SubmitApplication(ctx, p.ID)
		}
		if err == nil {
			_, err = s.DecideApplication(w.state, p.ID, passnum.Decision{Selected: true, Reason: "Retenue."})
		}
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.CreateConvention(w.state, passnum.ConventionCreate{ApplicationID: p.ID, StartsOn: "2027-03-01", EndsOn: "2028-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	w.c35 = convention(w.f.Dept, "departement:35", 40_000_00, 40_000_00)
	w.c29 = convention(w.finistere, "departement:29", 20_000_00, 20_000_00)
	sign := func(c *passnum.Convention, funder int64, on string) *passnum.Convention {
		c, err := s.SignConvention(w.state, c.ID, passnum.Signature{FunderID: funder, SignedOn: on})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	sign(w.c35, w.f.State.ID, "2027-03-02")
	w.c35 = sign(w.c35, w.f.Dept.ID, "2027-03-05")
	w.c29 = sign(w.c29, w.f.State.ID, "2027-03-03")

	if w.pr35, err = s.CreateProgrammeFromConvention(op, w.c35.ID, passnum.ConventionProgramme{Name: "Pass 35", ValidFrom: "2027-03-01", ValidUntil: "2028-12-31"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CallForFunds(w.state, w.c35.ID, passnum.FundCallCreate{FunderID: w.f.Dept.ID, Year: 2027, AmountCents: 20_000_00, DueOn: "2027-04-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: w.pr35.ID, FunderID: w.f.Dept.ID, Reference: "CD35-1", AmountCents: 30_000_00, ReceivedOn: "2027-03-10"}); err != nil {
		t.Fatal(err)
	}
	// Two carnets of ten, both activated and allocated, one handed out,
	// two of its passes used.
	b, err := s.Issue(op, passnum.IssueRequest{ProgrammeID: w.pr35.ID, Carnets: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Activate(op, passnum.ActivateRequest{ProgrammeID: w.pr35.ID, FirstCarnet: b.FirstCarnet, LastCarnet: b.FirstCarnet + 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Allocate(op, passnum.AllocateRequest{PrescriberID: w.f.Prescriber.ID, FirstCarnet: b.FirstCarnet, LastCarnet: b.FirstCarnet + 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Distribute(st.As(st.Actor(w.f.Prescriber, passnum.RoleAgent)), passnum.DistributeRequest{Carnet: b.FirstCarnet,
		Beneficiary: &passnum.BeneficiaryInput{BirthYear: 1950, CommuneINSEE: "35238", Needs: []string{"Aide aux démarches administratives"}, ConsentAt: "2027-03-10"}}); err != nil {
		t.Fatal(err)
	}
	codes, _ := st.ExportCodes(t, s, w.f.Operator, b.ID)
	var two []string
	for serial := b.FirstSerial; len(two) < 2; serial++ {
		two = append(two, codes[serial])
	}
	if _, err := s.Redeem(st.VenueCtx(w.f.Venue), passnum.RedeemRequest{Codes: two, ServiceID: w.f.Service.ID, IdempotencyKey: "territory-1"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// The figures of the two conventions, as a person reads them from the
// story above: 80 000 € with a 4 % fee finance 76 923,07 € of passes,
// 7 692 passes of 10 €.
func (w *territoryWorld) want() map[int64]passnum.ConventionTotals {
	return map[int64]passnum.ConventionTotals{
		w.c35.ID: {Conventions: 1, CommittedCents: 80_000_00, CalledCents: 20_000_00, ReceivedCents: 30_000_00, PassesFinanced: 7692, Issued: 20, Distributed: 10, Redeemed: 2},
		w.c29.ID: {Conventions: 1, CommittedCents: 40_000_00},
	}
}

func TestConventionSummary(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newTerritoryWorld(t, env)
		s := env.Store
		op := st.As(w.f.Operator)
		want := w.want()
		cases := []struct {
			name    string
			ctx     context.Context
			filter  passnum.ConventionSummaryFilter
			reason  string
			groups  []string // territories, in order
			members []int64  // conventions, in order
		}{
			{"operator, everywhere", op, passnum.ConventionSummaryFilter{}, "", []string{"departement:29", "departement:35"}, []int64{w.c29.ID, w.c35.ID}},
			{"operator, Bretagne", op, passnum.ConventionSummaryFilter{Area: "region:53"}, "", []string{"departement:29", "departement:35"}, []int64{w.c29.ID, w.c35.ID}},
			{"operator, Ille-et-Vilaine", op, passnum.ConventionSummaryFilter{Area: " departement:35 "}, "", []string{"departement:35"}, []int64{w.c35.ID}},
			{"operator, Paris", op, passnum.ConventionSummaryFilter{Area: "departement:75"}, "", nil, nil},
			{"operator, a commune", op, passnum.ConventionSummaryFilter{Area: "commune:35238"}, passnum.ReasonInvalidInput, nil, nil},
			{"operator, nonsense", op, passnum.ConventionSummaryFilter{Area: "35"}, passnum.ReasonInvalidInput, nil, nil},
			{"operator, the département's", op, passnum.ConventionSummaryFilter{FunderID: w.f.Dept.ID}, "", []string{"departement:35"}, []int64{w.c35.ID}},
			{"operator, the State's", op, passnum.ConventionSummaryFilter{FunderID: w.f.State.ID}, "", []string{"departement:29", "departement:35"}, []int64{w.c29.ID, w.c35.ID}},
			{"operator, the hub's", op, passnum.ConventionSummaryFilter{HubID: w.hub.ID}, "", []string{"departement:29"}, []int64{w.c29.ID}},
			{"operator, a programme's", op, passnum.ConventionSummaryFilter{ProgrammeID: w.pr35.ID}, "", []string{"departement:35"}, []int64{w.c35.ID}},
			{"the call's funder", w.state, passnum.ConventionSummaryFilter{}, "", []string{"departement:29", "departement:35"}, []int64{w.c29.ID, w.c35.ID}},
			{"a party", w.dept, passnum.ConventionSummaryFilter{}, "", []string{"departement:35"}, []int64{w.c35.ID}},
			{"a party asking for another's", w.dept, passnum.ConventionSummaryFilter{FunderID: w.finistere.ID}, "", nil, nil},
			{"a funder of neither", st.As(st.Actor(w.other, passnum.RoleAdmin)), passnum.ConventionSummaryFilter{}, "", nil, nil},
			{"the hub", st.As(st.Actor(w.hub, passnum.RoleAgent)), passnum.ConventionSummaryFilter{}, "", []string{"departement:29"}, []int64{w.c29.ID}},
			{"the hub, elsewhere", st.As(st.Actor(w.hub, passnum.RoleAgent)), passnum.ConventionSummaryFilter{Area: "departement:35"}, "", nil, nil},
			{"a prescriber", st.As(st.Actor(w.f.Prescriber, passnum.RoleAdmin)), passnum.ConventionSummaryFilter{}, passnum.ReasonForbidden, nil, nil},
		}
		for _, tc := range cases {
			sum, err := s.ConventionSummary(tc.ctx, tc.filter)
			if passnum.ErrorReason(err) != tc.reason {
				t.Fatalf("%s: %v, want %q", tc.name, err, tc.reason)
			}
			if err != nil {
				continue
			}
			var groups []string
			var members []int64
			var total passnum.ConventionTotals
			for _, g := range sum.Territories {
				groups = append(groups, strings.Join(g.Territory, " "))
				var gt passnum.ConventionTotals
				for _, c := range g.Conventions {
					members = append(members, c.ConventionID)
					if c.Totals != want[c.ConventionID] {
						t.Errorf("%s: convention %d: %+v, want %+v", tc.name, c.ConventionID, c.Totals, want[c.ConventionID])
					}
					gt.Add(want[c.ConventionID])
				}
				if g.Total != gt {
					t.Errorf("%s: %s: total %+v, want %+v", tc.name, groups[len(groups)-1], g.Total, gt)
				}
				total.Add(gt)
			}
			if strings.Join(groups, ",") != strings.Join(tc.groups, ",") || len(members) != len(tc.members) {
				t.Fatalf("%s: territories %v, conventions %v; want %v, %v", tc.name, groups, members, tc.groups, tc.members)
			}
			for i := range members {
				if members[i] != tc.members[i] {
					t.Fatalf("%s: conventions %v, want %v", tc.name, members, tc.members)
				}
			}
			if sum.Total != total {
				t.Errorf("%s: total %+v, want %+v", tc.name, sum.Total, total)
			}
		}

		// Each party's money, and the day the last party signed.
		sum, err := s.ConventionSummary(w.dept, passnum.ConventionSummaryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		c := sum.Territories[0].Conventions[0]
		if c.SignedOn != "2027-03-05" || len(c.Funders) != 2 || len(c.Amounts) != 2 {
			t.Fatalf("convention 35: signed %q, %d funders, %d amounts", c.SignedOn, len(c.Funders), len(c.Amounts))
		}
		for _, m := range c.Funders {
			wantM := passnum.FunderMoney{FunderID: w.f.State.ID, FunderName: w.f.State.Name, CommittedCents: 40_000_00}
			if m.FunderID == w.f.Dept.ID {
				wantM = passnum.FunderMoney{FunderID: w.f.Dept.ID, FunderName: w.f.Dept.Name, CommittedCents: 40_000_00, CalledCents: 20_000_00, ReceivedCents: 30_000_00}
			}
			if m != wantM {
				t.Errorf("standing %+v, want %+v", m, wantM)
			}
		}
		// An addendum raising the State's part shows at once.
		if _, err := s.CreateAddendum(w.state, w.c29.ID, passnum.AddendumCreate{Reason: "Hausse", Amounts: []passnum.FundingLine{
			{FunderID: w.finistere.ID, Year: 2028, AmountCents: 5_000_00}, {FunderID: w.f.State.ID, Year: 2028, AmountCents: 5_000_00}}}); err != nil {
			t.Fatal(err)
		}
		sum, err = s.ConventionSummary(st.As(st.Actor(w.hub, passnum.RoleAgent)), passnum.ConventionSummaryFilter{})
		if err != nil || sum.Total.CommittedCents != 50_000_00 {
			t.Fatalf("after the addendum: %+v, %v", sum, err)
		}
	})
}

// Open data publishes the signed conventions only, with organisations'
// names and amounts: no person's name or e-mail, whatever the records
// around them hold.
func TestPublicConventions(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newTerritoryWorld(t, env)
		s := env.Store
		u, err := s.CreateUser(st.As(w.f.Operator), passnum.UserCreate{Name: "Josiane Kerbrat", Email: "josiane.kerbrat@example.org", Password: "une phrase de passe assez longue", OrgID: w.f.Dept.ID, Role: passnum.RoleAdmin})
		if err != nil || u == nil {
			t.Fatal(err)
		}
		list, err := s.PublicConventions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Number != w.c35.ID || list[0].SignedOn != "2027-03-05" || len(list[0].Parties) != 2 {
			t.Fatalf("public conventions %+v", list)
		}
		want := map[string]passnum.PublicConventionParty{
			w.f.State.Name: {Name: w.f.State.Name, SignedOn: "2027-03-02", CommittedCents: 40_000_00,
				Years: []passnum.PublicConventionYear{{Year: 2027, CommittedCents: 40_000_00}}},
			w.f.Dept.Name: {Name: w.f.Dept.Name, SignedOn: "2027-03-05", CommittedCents: 40_000_00, CalledCents: 20_000_00, ReceivedCents: 30_000_00,
				Years: []passnum.PublicConventionYear{{Year: 2027, CommittedCents: 40_000_00, CalledCents: 20_000_00}}},
		}
		for _, p := range list[0].Parties {
			got, _ := json.Marshal(p)
			exp, _ := json.Marshal(want[p.Name])
			if string(got) != string(exp) {
				t.Errorf("party %s", got)
			}
		}
		// A foundation brought in by an addendum shows at once, without
		// its signature: the convention stays public.
		if _, err := s.CreateAddendum(w.state, w.c35.ID, passnum.AddendumCreate{Reason: "Entrée de la Fondation Orange", Amounts: []passnum.FundingLine{
			{FunderID: w.foundation.ID, Year: 2028, AmountCents: 20_000_00}}}); err != nil {
			t.Fatal(err)
		}
		if list, err = s.PublicConventions(context.Background()); err != nil || len(list) != 1 || len(list[0].Parties) != 3 || list[0].SignedOn != "2027-03-05" {
			t.Fatalf("after the addendum: %+v, %v", list, err)
		}
		for _, p := range list[0].Parties {
			if p.Name == w.foundation.Name && (p.SignedOn != "" || p.CommittedCents != 20_000_00 || len(p.Years) != 1 || p.Years[0].Year != 2028) {
				t.Errorf("the foundation: %+v", p)
			}
		}
		all, _ := json.Marshal(list)
		for _, personal := range []string{"Josiane", "Kerbrat", "@", "example.org"} {
			if strings.Contains(string(all), personal) {
				t.Errorf("public conventions hold %q: %s", personal, all)
			}
		}
	})
}
