package bench

import (
	"context"
	"strings"
	"testing"
)

// TestIndicatorsSmall seeds a small history, computes its indicators and
// serves every dashboard page of the funder: the invariants hold after
// the seed, and every page answers.
func TestIndicatorsSmall(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			env := openFresh(t, db.dsn(t))
			ctx := context.Background()
			fx, err := SetupIndicators(ctx, env.Store, 4000, nil)
			if err != nil {
				t.Fatal(err)
			}
			op, _ := operator(ctx, env.Store)
			rep, err := env.Store.CheckInvariants(op)
			if err != nil || !rep.OK() {
				t.Fatalf("invariants: %v %s", err, strings.Join(rep.Problems, "\n"))
			}
			// About 90 % of carnets handed out and 55 % of their passes used.
			if fx.Passes != 4000 || fx.Redemptions < 1600 || fx.Redemptions > 2400 {
				t.Fatalf("fixture %+v", fx)
			}
			res, err := MeasureIndicators(ctx, env.Store, fx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Cells == 0 || len(res.Pages) != len(DashboardPaths(1, 2026)) || res.Changes == 0 || res.IncrementalSeconds == 0 {
				t.Fatalf("result %+v", res)
			}
			// The uses seeded after the snapshot are what Redeem writes.
			if rep, err := env.Store.CheckInvariants(op); err != nil || !rep.OK() {
				t.Fatalf("invariants after more uses: %v %s", err, strings.Join(rep.Problems, "\n"))
			}
		})
	}
}

// BenchmarkIndicators measures the funder's dashboard over
// PASSNUM_BENCH_INDICATOR_PASSES passes (default 1 000 000; the issue's
// figure is 10 000 000), about half of them redeemed one by one.
//
//	PASSNUM_BENCH_INDICATOR_PASSES=10000000 go test ./internal/bench -run '^$' -bench Indicators -benchtime 1x -timeout 2h
func BenchmarkIndicators(b *testing.B) {
	passes := envInt("PASSNUM_BENCH_INDICATOR_PASSES", 1_000_000)
	for _, db := range databases() {
		b.Run(db.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				env := openFresh(b, db.dsn(b))
				fx, err := SetupIndicators(context.Background(), env.Store, passes, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := MeasureIndicators(context.Background(), env.Store, fx, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(res.RefreshSeconds, "refresh-s")
				b.ReportMetric(res.SlowestMs, "slowest-page-ms")
				b.ReportMetric(float64(res.Redemptions), "redemptions")
			}
		})
	}
}
