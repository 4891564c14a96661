package sqlstore_test

import (
	"testing"
	"time"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// expectedStats recounts a programme's funnel and carnets from what the
// carnet pages show, independently of ProgrammeStats' SQL. Activated is
// counted as "neither issued nor expired", which holds before expiry in
// the tests below: every pass they block had been activated first.
func expectedStats(t *testing.T, env *st.Env, f *st.Fixture) (passnum.Funnel, passnum.CarnetCounts) {
	t.Helper()
	op := st.As(f.Operator)
	list, total, err := env.Store.ListCarnets(op, passnum.CarnetFilter{ProgrammeID: f.Programme.ID, Limit: 500})
	if err != nil || total != len(list) {
		t.Fatalf("list carnets: %d of %d, %v", len(list), total, err)
	}
	var fn passnum.Funnel
	var cc passnum.CarnetCounts
	for _, c := range list {
		full, err := env.Store.FindCarnet(op, c.Number)
		if err != nil {
			t.Fatal(err)
		}
		size := int64(len(full.Passes))
		started := false
		cc.Issued++
		fn.Issued += size
		for _, p := range full.Passes {
			switch p.State {
			case passnum.StateRedeemed, passnum.StateSettled:
				fn.Redeemed++
				started = true
			case passnum.StateBlocked:
				fn.Blocked++
			case passnum.StateExpired:
				fn.Expired++
			}
			if p.State != passnum.StateIssued && p.State != passnum.StateExpired {
				fn.Activated++
			}
		}
		if c.PrescriberID != 0 {
			cc.Allocated++
			fn.Allocated += size
		}
		if c.BeneficiaryID != 0 {
			cc.Distributed++
			fn.Distributed += size
		}
		if started {
			cc.Started++
			fn.Started += size
		}
	}
	return fn, cc
}

func checkFunnel(t *testing.T, fn passnum.Funnel) {
	t.Helper()
	steps := []int64{fn.Issued, fn.Activated, fn.Allocated, fn.Distributed, fn.Started, fn.Redeemed}
	for i := 1; i < len(steps); i++ {
		if steps[i] > steps[i-1] {
			t.Fatalf("funnel not monotone at step %d: %+v", i, fn)
		}
	}
}

func TestProgrammeStats(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{}) // 20 carnets of 5, 10 allocated, 6 distributed
		s := env.Store
		op := st.As(f.Operator)
		pid := f.Programme.ID
		redeem := func(key string, serials ...int64) *passnum.Redemption {
			t.Helper()
			r, err := s.Redeem(st.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serials...), ServiceID: f.Service.ID, IdempotencyKey: key})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		redeem("a", f.Serials(0)[:3]...)
		redeem("b", f.Serials(1)[0])
		voided := redeem("c", f.Serials(2)[:2]...)
		if _, err := s.VoidRedemption(st.VenueCtx(f.Venue), voided.ID); err != nil {
			t.Fatal(err)
		}
		for _, b := range []passnum.BlockRequest{
			{Scope: passnum.BlockCarnet, Carnet: f.Batch.FirstCarnet + 3, Reason: "carnet perdu"}, // in a person's hands
			{Scope: passnum.BlockPass, Serial: f.Serials(4)[1], Reason: "pass abîmé"},
			{Scope: passnum.BlockCarnet, Carnet: f.Batch.FirstCarnet + 8, Reason: "stock détruit"}, // allocated only
		} {
			if _, err := s.Block(op, b); err != nil {
				t.Fatal(err)
			}
		}
		// A second batch, not paid for: issued, never activated.
		if _, err := s.Issue(op, passnum.IssueRequest{ProgrammeID: pid, Carnets: 2}); err != nil {
			t.Fatal(err)
		}
		st.MustCheck(t, env, f.Operator)

		stats, err := s.ProgrammeStats(op, pid)
		if err != nil {
			t.Fatal(err)
		}
		fn, cc := expectedStats(t, env, f)
		if stats.Funnel != fn || stats.Carnets != cc {
			t.Fatalf("stats %+v %+v, recount %+v %+v", stats.Funnel, stats.Carnets, fn, cc)
		}
		// The figures of this scenario, spelt out.
		want := passnum.Funnel{Issued: 110, Activated: 100, Allocated: 50, Distributed: 30, Started: 10, Redeemed: 4, Blocked: 11}
		if stats.Funnel != want || stats.Carnets != (passnum.CarnetCounts{Issued: 22, Allocated: 10, Distributed: 6, Started: 2}) {
			t.Fatalf("stats %+v %+v", stats.Funnel, stats.Carnets)
		}
		checkFunnel(t, stats.Funnel)
		checkShares(t, env, f, stats)
		if stats.SpentCents != 4*f.Programme.FaceValueCents {
			t.Fatalf("spent %d", stats.SpentCents)
		}

		// After expiry: what was activated stays activated, the rest of
		// the unused passes leave the funnel as expired.
		env.Clock.Set(time.Date(2028, 2, 2, 0, 0, 0, 0, time.UTC))
		if _, err := s.Expire(op); err != nil {
			t.Fatal(err)
		}
		after, err := s.ProgrammeStats(op, pid)
		if err != nil {
			t.Fatal(err)
		}
		want.Expired, want.Blocked = 110-4, 0
		if after.Funnel != want {
			t.Fatalf("after expiry %+v, want %+v", after.Funnel, want)
		}
		checkFunnel(t, after.Funnel)
		st.MustCheck(t, env, f.Operator)
	})
}

// checkShares: each funder's money is its share, and the shares add up to
// the totals to the cent.
func checkShares(t *testing.T, env *st.Env, f *st.Fixture, stats *passnum.ProgrammeStats) {
	t.Helper()
	orders, err := env.Store.ListPaymentOrders(st.As(f.Operator), f.Programme.ID)
	if err != nil {
		t.Fatal(err)
	}
	received := map[int64]int64{}
	for _, o := range orders {
		received[o.FunderID] += o.AmountCents
	}
	if len(stats.Shares) != len(f.Programme.Funders) {
		t.Fatalf("shares %+v", stats.Shares)
	}
	var committed, spent int64
	for i, sh := range stats.Shares {
		fs := f.Programme.Funders[i]
		if sh.FunderID != fs.FunderID || sh.FunderName != fs.FunderName || sh.ShareBP != fs.ShareBP {
			t.Fatalf("share %d: %+v, funder %+v", i, sh, fs)
		}
		if sh.ReceivedCents != received[sh.FunderID] || sh.RemainingCents != sh.CommittedCents-sh.SpentCents {
			t.Fatalf("share %+v, received %d", sh, received[sh.FunderID])
		}
		committed += sh.CommittedCents
		spent += sh.SpentCents
	}
	if committed != f.Programme.BudgetCents || spent != stats.SpentCents {
		t.Fatalf("shares sum to %d committed and %d spent, want %d and %d", committed, spent, f.Programme.BudgetCents, stats.SpentCents)
	}
}

// TestProgrammeStatsOddShares: three funders whose shares do not divide
// the amounts still add up exactly.
func TestProgrammeStatsOddShares(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 3, CarnetSize: 1})
		s, op := env.Store, st.As(f.Operator)
		third, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.CreateProgramme(op, passnum.ProgrammeCreate{Name: "Tiers", BudgetCents: 100001, ValidFrom: "2027-01-01", ValidUntil: "2027-12-31",
			Territory: []string{"region:53"}, Funders: []passnum.FunderShare{{FunderID: f.State.ID, ShareBP: 3333}, {FunderID: f.Dept.ID, ShareBP: 3333}, {FunderID: third.ID, ShareBP: 3334}}})
		if err != nil {
			t.Fatal(err)
		}
		stats, err := s.ProgrammeStats(op, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, sh := range stats.Shares {
			sum += sh.CommittedCents
		}
		if sum != 100001 || stats.Funnel != (passnum.Funnel{}) || len(stats.Shares) != 3 || stats.Shares[0].FunderID != third.ID {
			t.Fatalf("stats %+v", stats)
		}
	})
}

func TestProgrammeStatsAccess(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2, CarnetSize: 2})
		s, op := env.Store, st.As(f.Operator)
		hub, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub du Grand Ouest", Territory: []string{"departement:29"}})
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub du Rhône", Territory: []string{"departement:69"}})
		if err != nil {
			t.Fatal(err)
		}
		foundation, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation Orange"})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			actor *passnum.Actor
			id    int64
			code  string
		}{
			{"operator", f.Operator, f.Programme.ID, ""},
			{"a funder of the programme", st.Actor(f.Dept, passnum.RoleAgent), f.Programme.ID, ""},
			{"a hub of the programme's territory", st.Actor(hub, passnum.RoleAgent), f.Programme.ID, ""},
			{"a hub elsewhere", st.Actor(elsewhere, passnum.RoleAgent), f.Programme.ID, passnum.ENOTFOUND},
			{"another funder", st.Actor(foundation, passnum.RoleAdmin), f.Programme.ID, passnum.ENOTFOUND},
			{"a venue", st.Actor(f.Venue, passnum.RoleAdmin), f.Programme.ID, passnum.EFORBIDDEN},
			{"a prescriber", st.Actor(f.Prescriber, passnum.RoleAdmin), f.Programme.ID, passnum.EFORBIDDEN},
			{"unknown programme", f.Operator, 999999, passnum.ENOTFOUND},
			{"nobody", nil, f.Programme.ID, passnum.EUNAUTHORIZED},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				stats, err := s.ProgrammeStats(st.As(tc.actor), tc.id)
				if passnum.ErrorCode(err) != tc.code {
					t.Fatalf("got %+v %v, want %q", stats, err, tc.code)
				}
				if tc.code == "" && (stats.ProgrammeID != f.Programme.ID || stats.Funnel.Issued != 4) {
					t.Fatalf("stats %+v", stats)
				}
			})
		}
	})
}
