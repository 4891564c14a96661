package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
)

// postgresEnv names the variable holding the PostgreSQL URL of the tests
// (as in internal/storetest).
const postgresEnv = "PASSNUM_TEST_POSTGRES"

// database is a place to open fresh stores in.
type database struct {
	name string
	dsn  func(tb testing.TB) string
}

// databases lists SQLite, always, and PostgreSQL when PASSNUM_TEST_POSTGRES
// is set.
func databases() []database {
	dbs := []database{{"sqlite", func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "bench.db") }}}
	if pg := os.Getenv(postgresEnv); pg != "" {
		dbs = append(dbs, database{"postgres", func(testing.TB) string { return pg }})
	}
	return dbs
}

func openFresh(tb testing.TB, dsn string) *Env {
	tb.Helper()
	env, err := OpenFresh(context.Background(), dsn, nil)
	if err != nil {
		tb.Fatalf("open fresh store: %v", err)
	}
	tb.Cleanup(func() {
		if err := env.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return env
}

// TestBenchSmall runs the whole bench with tiny sizes: every redemption is
// answered 201, the store holds as many redeemed passes, and the
// invariants hold.
func TestBenchSmall(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			res, err := Run(context.Background(), Config{DB: db.dsn(t), Passes: 1000, Redemptions: 200, Clients: 8})
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if err := res.Err(); err != nil {
				t.Fatal(err)
			}
			if res.Dialect != db.name {
				t.Errorf("dialect %q, want %q", res.Dialect, db.name)
			}
			if i := res.Issue; i == nil || i.Passes != 1000 || i.Carnets != 100 || i.PassesPerSecond <= 0 {
				t.Errorf("issue: %+v", i)
			}
			r := res.Redeem
			if r == nil {
				t.Fatal("no redemption result")
			}
			if r.Redemptions != 200 || r.Failed != 0 || r.RedeemedInStore != 200 || r.PerSecond <= 0 {
				t.Errorf("redeem: %+v", r)
			}
			if !(r.P50Ms <= r.P90Ms && r.P90Ms <= r.P99Ms && r.P99Ms <= r.MaxMs) {
				t.Errorf("latencies out of order: p50 %v p90 %v p99 %v max %v", r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs)
			}
			if r.Invariants == nil || !r.Invariants.OK {
				t.Errorf("invariants: %+v", r.Invariants)
			}
			// 1 000 issued, 200 for the redemptions and 200 for the raw
			// limit.
			if r.Invariants.Passes != 1400 {
				t.Errorf("invariants saw %d passes, want 1400", r.Invariants.Passes)
			}
			// The raw limit redeemed its 200 passes, counted them and
			// undid them: the programme holds passnum's 200 only.
			raw := r.Raw
			if raw == nil {
				t.Fatal("no raw limit")
			}
			if raw.Redemptions != 200 || raw.RedemptionRows != 200 || raw.RedeemedPasses != 200 || raw.Undone != 200 || raw.PerSecond <= 0 || raw.Commits < 1 {
				t.Errorf("raw limit: %+v", raw)
			}
			if r.PercentOfRaw <= 0 {
				t.Errorf("passnum at %v %% of the raw limit", r.PercentOfRaw)
			}
			if r.InternalErrors != 0 || r.ExhaustedRetries != 0 || r.Servers != 0 {
				t.Errorf("500: %d, exhausted retries: %d, servers: %d", r.InternalErrors, r.ExhaustedRetries, r.Servers)
			}
			if runtime.GOOS == "linux" && (r.Memory.Of != MemoryOfBench || r.Memory.PeakBytes <= 0) {
				t.Errorf("memory: %+v", r.Memory)
			}
		})
	}
}

// TestOpenFreshRefusesExistingFile keeps the bench away from real data.
func TestOpenFreshRefusesExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passnum.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := OpenFresh(context.Background(), path, nil)
	if err == nil {
		env.Close()
		t.Fatal("OpenFresh opened an existing file")
	}
	if !strings.Contains(err.Error(), "already exists") {
		t.Errorf("error %q does not say why", err)
	}
}

func TestPercentile(t *testing.T) {
	var d []int
	for i := 1; i <= 100; i++ {
		d = append(d, i)
	}
	sorted := durations(d...)
	for _, c := range []struct{ p, want int }{{50, 50}, {90, 90}, {99, 99}, {100, 100}, {1, 1}} {
		if got := percentile(sorted, c.p); got != durations(c.want)[0] {
			t.Errorf("p%d = %v, want %v", c.p, got, c.want)
		}
	}
	if got := percentile(durations(7), 50); got != durations(7)[0] {
		t.Errorf("p50 of one = %v", got)
	}
}

func TestStatusCounts(t *testing.T) {
	r := &RedeemResult{Statuses: map[int]int{500: 14, 0: 2, 409: 2}}
	if got, want := r.StatusCounts(), "14 × 500, 2 × 0, 2 × 409"; got != want {
		t.Errorf("StatusCounts() = %q, want %q", got, want)
	}
}

func durations(ms ...int) []time.Duration {
	out := make([]time.Duration, len(ms))
	for i, m := range ms {
		out[i] = time.Duration(m) * time.Millisecond
	}
	return out
}

// passesPerIssue is the size of one BenchmarkIssue operation.
const passesPerIssue = 100_000

// BenchmarkIssue issues batches of 100 000 passes (10 000 carnets of 10),
// each one durable transaction, into a fresh store.
func BenchmarkIssue(b *testing.B) {
	for _, db := range databases() {
		b.Run(db.name, func(b *testing.B) {
			env := openFresh(b, db.dsn(b))
			opCtx, err := operator(context.Background(), env.Store)
			if err != nil {
				b.Fatal(err)
			}
			// Budget for a million batches: more than any run makes.
			p, err := newProgramme(opCtx, env.Store, "BenchmarkIssue", 100_000_000, 10, nil)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := env.Store.Issue(opCtx, passnum.IssueRequest{ProgrammeID: p.ID, Carnets: passesPerIssue / 10}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*passesPerIssue)/b.Elapsed().Seconds(), "passes/s")
		})
	}
}

// BenchmarkRedeemHTTP makes b.N one-pass redemptions over HTTP with 32
// clients, on a fresh store whose setup is not timed. For a stable figure
// and profile, fix the count: -benchtime 20000x.
func BenchmarkRedeemHTTP(b *testing.B) {
	for _, db := range databases() {
		b.Run(db.name, func(b *testing.B) {
			ctx := context.Background()
			env := openFresh(b, db.dsn(b))
			fx, err := SetupRedemptions(ctx, env.Store, b.N, 10, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			res, err := MeasureRedeemHTTP(ctx, env.Store, fx, 32, nil)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if err := Verify(ctx, env.Store, fx, res, nil); err != nil {
				b.Fatal(err)
			}
			if err := (&Result{Redeem: res}).Err(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.PerSecond, "redemptions/s")
			b.ReportMetric(res.P50Ms, "p50-ms")
			b.ReportMetric(res.P99Ms, "p99-ms")
		})
	}
}

// BenchmarkDurableCommit times the smallest durable write SQLite can make
// here: one row inserted and committed, WAL with synchronous=FULL as the
// store opens it (one fsync of the WAL per commit), against
// synchronous=OFF (no fsync). The difference is the fsync the group
// committer shares among concurrent transactions.
func BenchmarkDurableCommit(b *testing.B) {
	for _, mode := range []string{"FULL", "OFF"} {
		b.Run("synchronous="+mode, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "commit.db")
			db, err := sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=journal_mode(WAL)&_pragma=synchronous(%s)", path, mode))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				tx, err := db.Begin()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tx.Exec(`INSERT INTO t (v) VALUES ('x')`); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}
