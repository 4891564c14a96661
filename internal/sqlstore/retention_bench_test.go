package sqlstore_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// BenchmarkRetention purges a year-old programme of 2 000 carnets of ten
// (sqlstore.SeedHistory: 90 % handed out, about half of the passes used,
// the rest expired): every person is past their period and erased, in
// batches of 200, each its own transaction. It reports the people erased
// per second. The seeding of each round is not timed.
//
//	go test ./internal/sqlstore -run '^$' -bench BenchmarkRetention -benchtime 3x
func BenchmarkRetention(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchRetention(b, st.OpenSQLite) })
	if os.Getenv(st.PostgresEnv) != "" {
		b.Run("postgres", func(b *testing.B) { benchRetention(b, st.OpenPostgres) })
	}
}

func benchRetention(b *testing.B, open func(testing.TB, ...sqlstore.Option) *st.Env) {
	const carnets = 2000
	var people, seconds float64
	for range b.N {
		b.StopTimer()
		env := open(b, sqlstore.WithPrivacy(shortRetention()))
		n := seedRetention(b, env, carnets)
		op, err := env.Store.SystemActor(context.Background(), "bench:retention")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		run, err := env.Store.RunRetention(st.As(op), false)
		if err != nil {
			b.Fatal(err)
		}
		seconds += time.Since(start).Seconds()
		b.StopTimer()
		if got := run.Counts[0].Erased; got != int64(n) {
			b.Fatalf("erased %d people of %d", got, n)
		}
		people += float64(n)
		b.StartTimer()
	}
	b.ReportMetric(people/seconds, "people/s")
	b.ReportMetric(people/float64(b.N), "people/run")
}

// seedRetention builds a programme of 2026 with a year of history, expired
// at the clock (2027-03-15), and returns how many people it has.
func seedRetention(b testing.TB, env *st.Env, carnets int) int {
	s := env.Store
	f := st.NewFixture(b, env, st.Options{Carnets: 1, Distributed: 1, CarnetSize: 1})
	op := st.As(f.Operator)
	tolerance := 0
	// The programme is set up in its own year, and its history seeded
	// from now on.
	env.Clock.Set(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC))
	p, err := s.CreateProgramme(op, passnum.ProgrammeCreate{Name: "Pass numérique 2026 (banc d'essai)",
		Funders:     []passnum.FunderShare{{FunderID: f.State.ID, ShareBP: 5000}, {FunderID: f.Dept.ID, ShareBP: 5000}},
		BudgetCents: int64(carnets) * 10 * passnum.DefaultFaceValue, CarnetSize: 10, ValidFrom: "2026-01-01", ValidUntil: "2026-12-31",
		ToleranceDays: &tolerance, Territory: []string{"region:53"}, Services: []string{f.Service.Category, f.Service2.Category}})
	if err != nil {
		b.Fatal(err)
	}
	batch, err := s.Issue(op, passnum.IssueRequest{ProgrammeID: p.ID, Carnets: carnets})
	if err != nil {
		b.Fatal(err)
	}
	paid := int64(batch.Passes) * p.FaceValueCents * int64(passnum.BasisPoints+p.FeeBP) / passnum.BasisPoints
	for i, funder := range []*passnum.Organisation{f.State, f.Dept} {
		if _, err := s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: p.ID, FunderID: funder.ID, Reference: "OP-BENCH-" + string(rune('A'+i)),
			AmountCents: paid/2 + 1, ReceivedOn: "2026-01-02"}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Activate(op, passnum.ActivateRequest{ProgrammeID: p.ID, BatchID: batch.ID}); err != nil {
		b.Fatal(err)
	}
	env.Clock.Set(st.Start)
	if _, err := s.SeedHistory(op, sqlstore.HistorySeed{ProgrammeID: p.ID, Prescribers: []int64{f.Prescriber.ID, f.Other.ID},
		Venues: []int64{f.Venue.ID, f.Venue2.ID}, Services: []int64{f.Service.ID, f.Service2.ID}, Communes: []string{"35238", "29019", "35115"},
		Start: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Distributed: 9000, Used: 5500, Seed: 1}, nil); err != nil {
		b.Fatal(err)
	}
	// The fixture's own programme ends in 2027: its one person stays.
	if _, err := s.Expire(op); err != nil {
		b.Fatal(err)
	}
	if env.Name == "postgres" {
		// As autovacuum does soon after such a burst of rows: without
		// statistics, the planner reads the fresh tables whole.
		if err := sqlstore.ExecRaw(s, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	people, err := sqlstore.QueryStrings(s, `SELECT CAST(COUNT(DISTINCT beneficiary_id) AS TEXT) FROM carnets WHERE programme_id = ? AND beneficiary_id IS NOT NULL`, p.ID)
	if err != nil {
		b.Fatal(err)
	}
	var n int
	for _, c := range people[0] {
		n = n*10 + int(c-'0')
	}
	return n
}
