package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/storetest"
)

// seedFixture fills the harness's database with the store tests' fixture
// (a programme, carnets handed out in Rennes) and a few passes used.
func seedFixture(t *testing.T, h *harness) *storetest.Fixture {
	t.Helper()
	h.ok("migrate")
	clock := storetest.NewClock(storetest.Start)
	s, err := sqlstore.Open(context.Background(), h.db, sqlstore.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := storetest.NewFixture(t, &storetest.Env{Store: s, Clock: clock}, storetest.Options{})
	for i, serial := range f.Serials(0)[:3] {
		if _, err := s.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprint("k", i)}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestIndicatorsCommands(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		f := seedFixture(t, h)
		dir := t.TempDir()
		h.fail(1, []string{"indicators", "show"}, "pas encore été calculés")
		h.fail(1, []string{"opendata", "--out", filepath.Join(dir, "x.csv")}, "passnum indicators refresh")

		out, errs, code := h.run("indicators", "refresh")
		if code != 0 || !strings.Contains(out, "Indicateurs calculés : 100 pass lus") || !strings.Contains(out, "cellules, en ") {
			t.Fatalf("refresh: %d\n%s\n%s", code, out, errs)
		}
		if !strings.Contains(errs, "Pass lus : ") {
			t.Errorf("no progress on stderr: %q", errs)
		}
		// Again, counting only what changed (nothing), then everything:
		// the same figures.
		for _, args := range [][]string{{"indicators", "refresh"}, {"indicators", "refresh", "--full"}} {
			if out := h.ok(args...); !strings.Contains(out, "Indicateurs calculés : 100 pass lus") {
				t.Fatalf("%v: %s", args, out)
			}
		}

		out = h.ok("indicators", "show", "--scope", "all", "--dimension", "programme")
		for _, want := range []string{"Pass numérique Bretagne 2027", "Pass utilisés", "Total"} {
			if !strings.Contains(out, want) {
				t.Errorf("show does not say %q:\n%s", want, out)
			}
		}
		out = h.ok("indicators", "show", "--scope", fmt.Sprintf("funder:%d", f.State.ID), "--dimension", "commune", "--format", "csv")
		if !strings.HasPrefix(out, "\uFEFFCommune;") {
			t.Errorf("csv:\n%s", out)
		}
		var rep passnum.IndicatorReport
		out = h.ok("indicators", "show", "--dimension", "month", "--format", "json")
		if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Total.Redeemed != 3 || rep.Dimension != passnum.DimMonth {
			t.Errorf("json: %v %+v", err, rep.Total)
		}
		h.fail(1, []string{"indicators", "show", "--scope", "pays:fr"}, "Périmètre inconnu", "option --scope")
		h.fail(1, []string{"indicators", "show", "--dimension", "pays"}, "Axe inconnu")
		h.fail(2, []string{"indicators", "show", "--format", "xml"}, "format inconnu")
		h.fail(2, []string{"indicators"}, "refresh, show")

		for _, tc := range []struct{ file, format, start string }{
			{"od.csv", "", "\uFEFFmonth;level;departement;commune;personnes_carnet_remis;"},
			{"od.json", "", `{`},
			{"od.txt", "json", `{`},
		} {
			path := filepath.Join(dir, tc.file)
			args := []string{"opendata", "--out", path}
			if tc.format != "" {
				args = append(args, "--format", tc.format)
			}
			if out := h.ok(args...); !strings.Contains(out, "Données ouvertes écrites dans "+path) {
				t.Errorf("opendata: %q", out)
			}
			body := readFile(t, path)
			if !strings.HasPrefix(body, tc.start) {
				t.Errorf("%s:\n%.300s", tc.file, body)
			}
			if strings.HasSuffix(tc.file, ".csv") {
				for _, line := range strings.Split(strings.TrimSpace(body), "\n")[1:] {
					fields := strings.Split(line, ";")
					for i := 4; i < len(fields); i += 2 {
						if n, err := strconv.Atoi(fields[i]); err == nil && n >= 1 && n <= 4 {
							t.Errorf("small count published: %q", line)
						}
					}
				}
			}
		}
		h.fail(2, []string{"opendata"}, "--out")
		h.fail(2, []string{"opendata", "--out", filepath.Join(dir, "x"), "--format", "xml"}, "format inconnu")
		h.fail(1, []string{"opendata", "--out", filepath.Join(dir, "nulle-part", "x.csv")}, "Impossible d'écrire")
	})
}

// TestRefreshIndicatorsEvery: the serve loop computes at once without a
// snapshot, then at each interval, and stops with its context; with a
// fresh snapshot it waits.
func TestRefreshIndicatorsEvery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		// The store's clock stands still: compare with real time.
		env.Clock.Set(time.Now())
		run := func(every time.Duration, runs *atomic.Int32) (stop func()) {
			ctx, cancel := context.WithCancel(storetest.As(f.Operator))
			stopped := make(chan struct{})
			go func() {
				defer close(stopped)
				sc := &scheduler{claims: env.Store, server: "test", log: log, done: func(job string, d time.Duration) {
					if job != "indicators" || d <= 0 {
						t.Errorf("job %q %s", job, d)
					}
					runs.Add(1)
				}}
				refreshIndicatorsEvery(ctx, env.Store, sc, every)
			}()
			return func() {
				cancel()
				select {
				case <-stopped:
				case <-time.After(30 * time.Second):
					t.Fatal("the loop did not stop")
				}
			}
		}
		var runs atomic.Int32
		stop := run(20*time.Millisecond, &runs)
		deadline := time.Now().Add(30 * time.Second)
		for runs.Load() < 3 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		stop()
		n := runs.Load()
		if n < 3 {
			t.Fatalf("%d runs", n)
		}
		time.Sleep(60 * time.Millisecond)
		if runs.Load() != n {
			t.Errorf("the loop ran after it stopped")
		}
		if _, err := env.Store.Indicators(storetest.As(f.Operator), passnum.ScopeAllPasses, passnum.DimMonth); err != nil {
			t.Errorf("no snapshot after the loop: %v", err)
		}

		// A fresh snapshot: nothing to do before the interval.
		var idle atomic.Int32
		stop = run(time.Hour, &idle)
		time.Sleep(100 * time.Millisecond)
		stop()
		if idle.Load() != 0 {
			t.Errorf("%d runs with a fresh snapshot", idle.Load())
		}
	})
}

func TestIndicatorsEveryEnv(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want time.Duration
		ok   bool
	}{
		{"", defaultIndicatorsEvery, true},
		{"1h", time.Hour, true},
		{"0", 0, true},
		{"-1m", 0, false},
		{"souvent", 0, false},
	} {
		t.Setenv(envIndicatorsEvery, tc.env)
		got, err := indicatorsEvery()
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s=%q: %s, %v", envIndicatorsEvery, tc.env, got, err)
		}
	}
}
