package demo_test

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/demo"
	"github.com/passnum/passnum/internal/storetest"
)

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		now := env.Clock.Now()
		var log strings.Builder
		creds, err := demo.Seed(demo.WithClock(context.Background(), env.Clock), env.Store, now, &log)
		if err != nil {
			t.Fatalf("seed: %v\n%s", err, log.String())
		}
		if !env.Clock.Now().Equal(now) {
			t.Errorf("the seed left the clock at %v, want %v", env.Clock.Now(), now)
		}
		s := env.Store
		op, err := s.SystemActor(context.Background(), "test:operator")
		if err != nil {
			t.Fatal(err)
		}
		opCtx := storetest.As(op)
		storetest.MustCheck(t, env, op)

		// Organisations: the operator the CLI acts as is the demo's.
		orgs, total, err := s.ListOrganisations(opCtx, passnum.OrganisationFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if total != 28 {
			t.Errorf("%d organisations, want 28 (18, 8 venues imported from the standard, and the neighbour and the foundation of the call for projects)", total)
		}
		kinds := map[passnum.OrgKind]int{}
		quals := map[passnum.Qualification]int{}
		for _, o := range orgs {
			kinds[o.Kind]++
			if o.Kind == passnum.KindVenue {
				quals[o.Qualification]++
				if err := passnum.ValidateSIRET(o.SIRET); err != nil {
					t.Errorf("%s: %v", o.Name, err)
				}
				if !strings.HasPrefix(o.CommuneINSEE, "35") {
					t.Errorf("%s is in commune %s, outside Ille-et-Vilaine", o.Name, o.CommuneINSEE)
				}
				if o.Qualification == passnum.QualificationListed {
					continue // imported from the standard: no catalogue of passes
				}
				svcs, err := s.ListCatalogueServices(opCtx, o.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(svcs) < 2 || len(svcs) > 4 {
					t.Errorf("%s offers %d services, want 2 to 4", o.Name, len(svcs))
				}
				for _, c := range svcs {
					if c.DurationMinutes < 60 || c.DurationMinutes > 180 || !passnum.ValidServiceCategory(c.Category) {
						t.Errorf("%s: service %+v", o.Name, c)
					}
				}
			}
		}
		want := map[passnum.OrgKind]int{passnum.KindOperator: 1, passnum.KindFunder: 4, passnum.KindPrescriber: 3, passnum.KindVenue: 19}
		for k, n := range want {
			if kinds[k] != n {
				t.Errorf("%d organisations of kind %s, want %d", kinds[k], k, n)
			}
		}
		if quals[passnum.QualificationQualified] != 10 || quals[passnum.QualificationPending] != 1 || quals[passnum.QualificationListed] != 8 {
			t.Errorf("venue qualifications %v, want 10 qualified, 1 pending and 8 listed", quals)
		}

		// The venue network: complete files, the directory, workshops and
		// activity reports.
		file, err := s.FindVenueFile(opCtx, creds.VenueID)
		if err != nil || file.Bank == nil || file.Questionnaire == nil || file.CharterAt == nil || len(file.Places) != 1 ||
			len(file.Venue.Validate()) != 0 || !file.Venue.HasPoint() {
			t.Errorf("venue file %+v %v", file, err)
		}
		page, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{Commune: "35238", RadiusKm: 10})
		if err != nil || page.Total < 7 || page.Venues[0].DistanceKm == nil || *page.Venues[0].DistanceKm > 2 {
			t.Errorf("directory around Rennes: %+v %v", page, err)
		}
		// The application still in the queue is not listed.
		all, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{Limit: 50})
		if err != nil || all.Total != quals[passnum.QualificationQualified]+quals[passnum.QualificationListed] {
			t.Errorf("the directory lists %+v (%v), want the qualified and listed venues: %v", all, err, quals)
		}
		accepting, err := s.SearchDirectory(context.Background(), passnum.DirectoryFilter{Passes: true, Limit: 50})
		if err != nil || accepting.Total != 10 {
			t.Errorf("venues accepting passes: %+v %v", accepting, err)
		}
		venueCtx := storetest.As(&passnum.Actor{OrgID: creds.VenueID, OrgKind: passnum.KindVenue, Role: passnum.RoleAgent, Label: "test:venue"})
		sessions, err := s.ListSessions(venueCtx, passnum.SessionFilter{})
		if err != nil || len(sessions) < 4 {
			t.Errorf("%d sessions at the first venue (%v), want at least 4", len(sessions), err)
		}
		_, nReports, summary, err := s.ListActivityReports(venueCtx, passnum.ActivityFilter{})
		if err != nil || nReports < 6 || summary.WithPasses == 0 || summary.Collective == 0 {
			t.Errorf("%d activity reports (%v), summary %+v", nReports, err, summary)
		}
		if orgs[0].Kind != passnum.KindOperator || orgs[0].Name != "Coopérative passnum" || op.OrgID != orgs[0].ID {
			t.Errorf("first organisation %+v, system actor %+v: want the demo's operator", orgs[0], op)
		}

		// The call for projects: two applications, one selected, one
		// refused; the signed convention, its addendum bringing a
		// foundation in, and its programme.
		apps, _, err := s.ListApplications(opCtx, passnum.ApplicationFilter{CallID: creds.CallID})
		if err != nil || len(apps) != 2 || apps[0].Status != passnum.ApplicationSelected || apps[1].Status != passnum.ApplicationRefused || apps[1].Reason == "" {
			t.Errorf("applications to the demo call: %d (%v)", len(apps), err)
		}
		conv, err := s.FindConvention(opCtx, creds.ConventionID)
		if err != nil {
			t.Fatal(err)
		}
		addenda, err := s.ListAddenda(opCtx, conv.ID)
		if err != nil || len(addenda) != 1 || len(conv.Parties) != 3 || !conv.Signed || len(conv.Programmes) != 1 || conv.TotalCents != 330_000_00 {
			t.Errorf("convention %+v, %d addenda (%v)", conv, len(addenda), err)
		}
		if open, err := s.OpenCalls(opCtx); err != nil || len(open) != 1 || open[0].LeftCents != 1_350_000_00 {
			t.Errorf("open calls %v (%v): want the demo's, 150 000 € committed", open, err)
		}

		// The programme and its funnel.
		p, err := s.FindProgramme(opCtx, creds.ProgrammeID)
		if err != nil {
			t.Fatal(err)
		}
		year := now.Year()
		if p.ValidFrom != time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format(passnum.DateLayout) ||
			p.ValidUntil != time.Date(year+1, 12, 31, 0, 0, 0, 0, time.UTC).Format(passnum.DateLayout) ||
			p.BudgetCents != 500*10*1000 || p.FaceValueCents != 1000 || p.CarnetSize != 10 || p.FeeBP != 400 || p.ToleranceDays != 31 ||
			len(p.Funders) != 2 || p.Funders[0].ShareBP != 5000 || strings.Join(p.Territory, " ") != "departement:35" {
			t.Errorf("programme %+v", p)
		}
		if p.FundsReceived != 400*10*1040 || p.IssuedCents != 300*10*1000 || p.ActivatedCents != 250*10*1000 {
			t.Errorf("funds %d, issued %d, activated %d", p.FundsReceived, p.IssuedCents, p.ActivatedCents)
		}
		st := p.PassesByState
		if st[passnum.StateIssued] != 500 || st[passnum.StateActivated] != 0 || st[passnum.StateAllocated] != 1700 {
			t.Errorf("passes by state %v: want 500 issued, 1700 allocated", st)
		}
		if held := st[passnum.StateDistributed] + st[passnum.StateRedeemed] + st[passnum.StateSettled] + st[passnum.StateBlocked]; held != 800 {
			t.Errorf("passes by state %v: %d in people's hands, want 800", st, held)
		}
		if st[passnum.StateBlocked] < 1 || st[passnum.StateBlocked] > 10 {
			t.Errorf("%d passes blocked, want one carnet's remainder", st[passnum.StateBlocked])
		}
		distributed := true
		if _, n, err := s.ListCarnets(opCtx, passnum.CarnetFilter{ProgrammeID: p.ID, Distributed: &distributed}); err != nil || n != 80 {
			t.Errorf("%d carnets distributed (%v), want 80", n, err)
		}

		// Redemptions, spread over the past weeks, a few voided.
		reds, n, err := s.ListRedemptions(opCtx, passnum.RedemptionFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		voided, passes, oldest := 0, int64(0), now
		for _, r := range reds {
			if r.VoidedAt != nil {
				voided++
			} else {
				passes += int64(len(r.Serials))
			}
			if r.CreatedAt.Before(oldest) {
				oldest = r.CreatedAt
			}
			if r.CreatedAt.After(now) {
				t.Errorf("redemption %d dated %v, after now", r.ID, r.CreatedAt)
			}
		}
		if n != 150 || voided != 5 {
			t.Errorf("%d redemptions, %d voided: want 150 and 5", n, voided)
		}
		if passes != st[passnum.StateRedeemed]+st[passnum.StateSettled] {
			t.Errorf("live redemptions hold %d passes, %d redeemed and %d settled", passes, st[passnum.StateRedeemed], st[passnum.StateSettled])
		}
		// Last month was settled: paid statements, one transfer rejected.
		paid, _, err := s.ListStatements(opCtx, passnum.StatementFilter{State: passnum.StatementPaid, Limit: 100})
		rejected, _, err2 := s.ListStatements(opCtx, passnum.StatementFilter{State: passnum.StatementRejected, Limit: 100})
		if err != nil || err2 != nil || len(paid) == 0 || len(rejected) != 1 || st[passnum.StateSettled] == 0 {
			t.Errorf("settlement: %d paid, %d rejected, %d passes settled (%v %v)", len(paid), len(rejected), st[passnum.StateSettled], err, err2)
		}
		if now.Sub(oldest) < 14*24*time.Hour {
			t.Errorf("the oldest redemption is of %v: not spread over weeks", oldest)
		}

		// The indicators were computed: the hub of Ille-et-Vilaine reads
		// every use, all its people living in the département.
		var hub *passnum.Organisation
		for _, o := range orgs {
			if o.Kind == passnum.KindHub {
				hub = o
			}
		}
		if hub == nil || len(hub.Territory) != 1 {
			t.Fatalf("hub: %+v", hub)
		}
		rep, err := s.Indicators(storetest.As(storetest.Actor(hub, passnum.RoleAgent)), passnum.Scope{Kind: passnum.ScopeHub, ID: hub.ID}, passnum.DimCommune)
		if err != nil {
			t.Fatal(err)
		}
		if used := st[passnum.StateRedeemed] + st[passnum.StateSettled]; rep.Total.Redeemed != used || rep.Total.PeopleReached == 0 || len(rep.Rows) < 2 {
			t.Errorf("hub's indicators: %d passes used (want %d), %d people, %d communes", rep.Total.Redeemed, used, rep.Total.PeopleReached, len(rep.Rows))
		}
		// Some people were booked into their first workshop at hand-out,
		// as the log says, and the indicator counts them.
		m := regexp.MustCompile(`démo : (\d+) personnes? inscrites? à un premier atelier`).FindStringSubmatch(log.String())
		if m == nil || m[1] == "0" || fmt.Sprint(rep.Total.BookedAtHandOut) != m[1] {
			t.Errorf("bookings at hand-out: log says %q, indicator %d\n%s", m, rep.Total.BookedAtHandOut, log.String())
		}

		// Credentials work.
		if len(creds.Logins) != 7 || len(creds.Tokens) != 6 {
			t.Fatalf("%d logins and %d tokens, want 7 (the venue's administrator too) and 6", len(creds.Logins), len(creds.Tokens))
		}
		for _, l := range creds.Logins {
			if len(l.Password) < passnum.MinPasswordLength || !strings.HasSuffix(l.Email, "@demo.passnum.fr") {
				t.Errorf("login %+v", l)
			}
			if _, err := s.AuthenticatePassword(context.Background(), l.Email, l.Password); err != nil {
				t.Errorf("login %s: %v", l.Email, err)
			}
		}
		var venueAgent *passnum.Actor
		for _, tok := range creds.Tokens {
			a, err := s.AuthenticateToken(context.Background(), tok.Secret)
			if err != nil {
				t.Fatalf("token %s: %v", tok.Role, err)
			}
			if a.OrgID != tok.OrgID {
				t.Errorf("token %s acts for %d, want %d", tok.Role, a.OrgID, tok.OrgID)
			}
			if a.OrgKind == passnum.KindVenue {
				venueAgent = a
			}
		}
		if venueAgent == nil || venueAgent.Role != passnum.RoleAgent || venueAgent.OrgID != creds.VenueID {
			t.Fatalf("venue agent token %+v, want an agent of venue %d", venueAgent, creds.VenueID)
		}
		checks, err := s.Check(storetest.As(venueAgent), passnum.CheckRequest{Codes: []string{creds.Pass.Code}, ServiceID: creds.ServiceID})
		if err != nil || len(checks) != 1 || !checks[0].Usable || checks[0].Carnet != creds.Pass.Carnet || checks[0].Serial != creds.Pass.Serial {
			t.Errorf("check of the sample pass %+v: %+v, %v", creds.Pass, checks, err)
		}
		if !strings.HasPrefix(creds.Pass.BeneficiaryRef, "B-") {
			t.Errorf("sample beneficiary ref %q", creds.Pass.BeneficiaryRef)
		}

		// A second seed is refused.
		if _, err := demo.Seed(context.Background(), s, now, io.Discard); passnum.ErrorCode(err) != passnum.ECONFLICT {
			t.Errorf("second seed: %v, want a conflict", err)
		}
	})
}

// TestSeedEarlyJanuary seeds on 1 January, when the passes have been valid
// for minutes only: the events crowd into that span, and still hold.
func TestSeedEarlyJanuary(t *testing.T) {
	env := storetest.OpenSQLite(t)
	now := time.Date(2028, 1, 1, 0, 30, 0, 0, time.UTC) // 01:30 in Paris
	env.Clock.Set(now)
	if _, err := demo.Seed(demo.WithClock(context.Background(), env.Clock), env.Store, now, io.Discard); err != nil {
		t.Fatal(err)
	}
	op, err := env.Store.SystemActor(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustCheck(t, env, op)
}

// TestSeedWithoutClock dates everything with the store's clock.
func TestSeedWithoutClock(t *testing.T) {
	env := storetest.OpenSQLite(t)
	if _, err := demo.Seed(context.Background(), env.Store, env.Clock.Now(), io.Discard); err != nil {
		t.Fatal(err)
	}
}

func TestClock(t *testing.T) {
	var c demo.Clock
	if d := time.Since(c.Now()); d < 0 || d > time.Minute {
		t.Errorf("an unset clock is %v off the wall clock", d)
	}
	at := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	c.Set(at)
	if !c.Now().Equal(at) {
		t.Errorf("set clock: %v", c.Now())
	}
	c.Release()
	if time.Since(c.Now()) > time.Minute {
		t.Errorf("released clock: %v", c.Now())
	}
}
