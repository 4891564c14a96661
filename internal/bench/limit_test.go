package bench

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// TestRawUndoesItsWork runs the raw limit alone: it redeems exactly its
// passes, and leaves the store as it found it (no pass redeemed, the
// invariants true). A pass listed twice makes the conditional UPDATE of
// the second one change no row: the phase fails, and undoes what it
// wrote before.
func TestRawUndoesItsWork(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			env := openFresh(t, db.dsn(t))
			fx, err := SetupRedemptionsRaw(ctx, env.Store, 10, 150, 10, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(fx.Codes) != 10 || len(fx.Raw) != 150 {
				t.Fatalf("%d codes and %d raw passes, want 10 and 150", len(fx.Codes), len(fx.Raw))
			}
			res, err := MeasureRaw(ctx, env, fx, 16, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Err(); err != nil {
				t.Error(err)
			}
			if res.RedemptionRows != 150 || res.RedeemedPasses != 150 || res.Undone != 150 {
				t.Errorf("raw limit counted %+v, want 150 each", res)
			}
			wantConns := 1
			if db.name == "postgres" {
				// One per feeder, unless the server has fewer to spare
				// (other tests use it too).
				wantConns = max(1, min(16, res.FreeConnections))
			}
			if res.Connections != wantConns || res.Feeders != 16 {
				t.Errorf("%d feeders on %d connections, want 16 on %d", res.Feeders, res.Connections, wantConns)
			}
			assertUntouched(t, env, fx)

			fx.Raw = append(fx.Raw[:5:5], fx.Raw[0])
			_, err = MeasureRaw(ctx, env, fx, 4, nil)
			if err == nil || !strings.Contains(err.Error(), "0 rows") {
				t.Errorf("a pass redeemed twice: err %v, want the row count refused", err)
			}
			assertUntouched(t, env, fx)
		})
	}
}

// assertUntouched checks that no pass of fx's programme is redeemed and
// that the invariants hold.
func assertUntouched(t *testing.T, env *Env, fx *Fixture) {
	t.Helper()
	ctx := context.Background()
	res := &RedeemResult{}
	if err := Verify(ctx, env.Store, fx, res, nil); err != nil {
		t.Fatal(err)
	}
	if res.RedeemedInStore != 0 {
		t.Errorf("%d passes still redeemed after the raw limit", res.RedeemedInStore)
	}
	if !res.Invariants.OK {
		t.Errorf("invariants after the raw limit: %v", res.Invariants.Problems)
	}
}

// TestManyClients sends 512 redemptions from 256 clients at once: every
// client keeps its connection and no request meets a 500, nor a 503 of a
// store giving up on conflicting transactions (redemptions retry nothing
// since they run at READ COMMITTED). On PostgreSQL the database may be out
// of connections while other tests use it (503 database-unavailable):
// that answer, which records nothing, is the only other one allowed.
func TestManyClients(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			res, err := Run(context.Background(), Config{DB: db.dsn(t), Passes: 10, Redemptions: 512, Clients: 256, Redeem: true, NoRaw: true})
			if err != nil {
				t.Fatal(err)
			}
			r := res.Redeem
			if r.Clients != 256 {
				t.Errorf("%d clients, want 256", r.Clients)
			}
			if r.InternalErrors != 0 {
				t.Errorf("%d × 500; first: %s", r.InternalErrors, r.FirstFailure)
			}
			allowed := 0
			if db.name == "postgres" {
				allowed = r.Problems["503 "+passnum.ReasonDatabaseUnavailable]
			}
			if r.Failed != allowed {
				t.Errorf("%d failed (%s), %d of them server-busy; first: %s", r.Failed, r.StatusCounts(), r.ExhaustedRetries, r.FirstFailure)
			}
			if r.RedeemedInStore != int64(512-r.Failed) || !r.Invariants.OK {
				t.Errorf("%d redeemed in store for %d answered 201; invariants %+v", r.RedeemedInStore, 512-r.Failed, r.Invariants)
			}
		})
	}
}

// TestServers runs the redemptions through two `passnum serve` processes
// of a binary built for the test, on one PostgreSQL schema.
func TestServers(t *testing.T) {
	pg := os.Getenv(postgresEnv)
	if pg == "" {
		t.Skip(postgresEnv + " is not set: --servers needs PostgreSQL")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build passnum with")
	}
	exe := filepath.Join(t.TempDir(), "passnum")
	build := exec.Command(goTool, "build", "-o", exe, "github.com/passnum/passnum/cmd/passnum")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	res, err := Run(context.Background(), Config{DB: pg, Redemptions: 300, Clients: 4, Redeem: true, Servers: 2, Executable: exe})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Redeem
	if r.Servers != 2 || r.Retries < 0 {
		t.Errorf("servers %d, retries %d: want 2 and a count read from their /metrics", r.Servers, r.Retries)
	}
	if r.InternalErrors != 0 || r.Failed != r.ExhaustedRetries {
		t.Errorf("%d failed (%s); first: %s", r.Failed, r.StatusCounts(), r.FirstFailure)
	}
	if r.RedeemedInStore != int64(300-r.Failed) || !r.Invariants.OK {
		t.Errorf("%d redeemed in store for %d answered 201; invariants %+v", r.RedeemedInStore, 300-r.Failed, r.Invariants)
	}
	if raw := r.Raw; raw == nil || raw.Err() != nil || raw.Redemptions != 300 {
		t.Errorf("raw limit: %+v", raw)
	}
	if r.MaxConnections < 1 || r.ServerPool < 2 || r.ServerPool > ServerPool || 2*r.ServerPool > r.MaxConnections {
		t.Errorf("max_connections %d, %d connections per server", r.MaxConnections, r.ServerPool)
	}
	if r.Memory.Of != MemoryOfServers || len(r.Memory.PerServer) != 2 {
		t.Errorf("memory: %+v", r.Memory)
	}
	if runtime.GOOS == "linux" {
		for i, p := range r.Memory.PerServer {
			// A passnum serve holds at least its binary's pages and its
			// store: more than 5 MB, less than 2 GB.
			if p < 5e6 || p > 2e9 {
				t.Errorf("server %d: peak %d bytes", i+1, p)
			}
		}
	}
}

// TestServersRefusesSQLite: SQLite has one writer process.
func TestServersRefusesSQLite(t *testing.T) {
	_, err := Run(context.Background(), Config{DB: filepath.Join(t.TempDir(), "bench.db"), Redeem: true, Servers: 2, Executable: "/bin/false"})
	if !errors.Is(err, ErrServersNeedPostgres) {
		t.Errorf("err %v, want ErrServersNeedPostgres", err)
	}
}

func TestProblemType(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`{"type":"/api/problems/server-busy","title":"Serveur occupé","status":503}`, passnum.ReasonServerBusy},
		{`{"type":"/api/problems/database-unavailable","status":503}`, "database-unavailable"},
		{`upstream connect error`, ""},
		{``, ""},
	} {
		if got := problemType(c.body); got != c.want {
			t.Errorf("problemType(%q) = %q, want %q", c.body, got, c.want)
		}
	}
}

// TestSummariseSortsFailures: 500s and the 503s of the store giving up
// (server-busy) are counted apart from other 503s and transport errors.
func TestSummariseSortsFailures(t *testing.T) {
	busy := `{"type":"/api/problems/server-busy","title":"Serveur occupé","status":503}`
	down := `{"type":"/api/problems/database-unavailable","status":503}`
	res := &RedeemResult{}
	res.summarise(durations(1, 2, 3, 4, 5, 6), []failure{
		{500, `{"type":"/api/problems/internal","status":500}`}, {503, busy}, {503, busy}, {503, down}, {0, "connection reset"},
	})
	if res.Failed != 5 || res.InternalErrors != 1 || res.ExhaustedRetries != 2 {
		t.Errorf("failed %d, 500 %d, exhausted %d: want 5, 1, 2", res.Failed, res.InternalErrors, res.ExhaustedRetries)
	}
	if got, want := res.StatusCounts(), "3 × 503, 1 × 0, 1 × 500"; got != want {
		t.Errorf("StatusCounts() = %q, want %q", got, want)
	}
	if got, want := res.ProblemCounts(), "2 × 503 server-busy, 1 × 0, 1 × 500 internal, 1 × 503 database-unavailable"; got != want {
		t.Errorf("ProblemCounts() = %q, want %q", got, want)
	}
}
