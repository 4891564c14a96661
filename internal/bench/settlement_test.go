package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// TestSettlementSmall settles a small seeded month: every pass on a
// statement, one transfer per venue, and the invariants hold.
func TestSettlementSmall(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			env := openFresh(t, db.dsn(t))
			ctx := context.Background()
			fx, err := SetupSettlement(ctx, env.Store, 2000, 5, 7, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := MeasureSettlement(ctx, env.Store, fx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Passes != 2000 || fx.Passes != 2000 || res.Statements != 7 || res.FileBytes == 0 {
				t.Fatalf("result %+v", res)
			}
			op, _ := operator(ctx, env.Store)
			rep, err := env.Store.CheckInvariants(op)
			if err != nil || !rep.OK() {
				t.Fatalf("invariants: %v %s", err, strings.Join(rep.Problems, "\n"))
			}
		})
	}
}

// BenchmarkSettlement settles PASSNUM_BENCH_SETTLE_PASSES redeemed passes
// (default 100 000) at PASSNUM_BENCH_SETTLE_VENUES venues (default 1 000)
// in one run, then pays them: one payment batch and its pain.001 file.
//
//	PASSNUM_BENCH_SETTLE_PASSES=1000000 go test ./internal/bench -run '^$' -bench Settlement -benchtime 1x -timeout 30m
func BenchmarkSettlement(b *testing.B) {
	passes, venues := envInt("PASSNUM_BENCH_SETTLE_PASSES", 100_000), envInt("PASSNUM_BENCH_SETTLE_VENUES", 1000)
	for _, db := range databases() {
		b.Run(db.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				env := openFresh(b, db.dsn(b))
				fx, err := SetupSettlement(context.Background(), env.Store, passes, 5, venues, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := MeasureSettlement(context.Background(), env.Store, fx, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(res.RunSeconds, "run-s")
				b.ReportMetric(res.ValidateSeconds, "validate-s")
				b.ReportMetric(res.PaySeconds, "pay-s")
				b.ReportMetric(res.TotalSeconds, "total-s")
				b.ReportMetric(float64(res.Passes)/res.RunSeconds, "passes/s")
			}
		})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

var _ = passnum.DateLayout
