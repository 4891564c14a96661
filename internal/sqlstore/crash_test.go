package sqlstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// crashPlan is what the parent hands to the child process it will kill.
type crashPlan struct {
	DB      string
	VenueID int64
	Service int64
	Codes   []string
}

// TestCrashLosesNothingAcknowledged runs redemptions in a child process and
// kills it (SIGKILL) in the middle of the stream. Every redemption the child
// acknowledged must be in the database afterwards, and the invariants must
// hold (invariant 4 of DOMAIN.md).
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if plan := os.Getenv("PASSNUM_CRASH_PLAN"); plan != "" {
		crashChild(t, plan)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "crash.db")
	clock := st.NewClock(st.Start)
	s, err := sqlstore.Open(context.Background(), db, sqlstore.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	env := &st.Env{Name: "sqlite", Store: s, Clock: clock}
	f := st.NewFixture(t, env, st.Options{Carnets: 200, Allocated: 200, Distributed: 200, CarnetSize: 10})
	plan := crashPlan{DB: db, VenueID: f.Venue.ID, Service: f.Service.ID}
	for i := 0; i < 200; i++ {
		plan.Codes = append(plan.Codes, f.CodesOf(f.Serials(i)...)...)
	}
	s.Close()
	planFile := filepath.Join(dir, "plan.json")
	raw, _ := json.Marshal(plan)
	if err := os.WriteFile(planFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLosesNothingAcknowledged$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PASSNUM_CRASH_PLAN="+planFile)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if key, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
			acked[key] = true
			if len(acked) == 300 {
				cmd.Process.Kill() // SIGKILL: no deferred function, no clean close
				break
			}
		}
	}
	cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("the child acknowledged only %d redemptions before ending", len(acked))
	}

	s, err = sqlstore.Open(context.Background(), db, sqlstore.WithClock(clock.Now))
	if err != nil {
		t.Fatalf("reopen after the crash: %v", err)
	}
	defer s.Close()
	venue := st.VenueCtx(&passnum.Organisation{ID: plan.VenueID, Kind: passnum.KindVenue})
	stored := map[string]bool{}
	for offset := 0; ; offset += 500 {
		list, _, err := s.ListRedemptions(venue, passnum.RedemptionFilter{Offset: offset, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			stored[r.IdempotencyKey] = true
		}
		if len(list) < 500 {
			break
		}
	}
	for key := range acked {
		if !stored[key] {
			t.Errorf("redemption %s was acknowledged but is lost", key)
		}
	}
	st.MustCheck(t, &st.Env{Store: s}, f.Operator)
	t.Logf("%d acknowledged before the kill, %d in the database after", len(acked), len(stored))
}

// crashChild redeems the plan's passes with 16 workers, printing each
// acknowledged redemption, until its parent kills it.
func crashChild(t *testing.T, planFile string) {
	raw, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	var plan crashPlan
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.Open(context.Background(), plan.DB, sqlstore.WithClock(func() time.Time { return st.Start }))
	if err != nil {
		t.Fatal(err)
	}
	venue := st.VenueCtx(&passnum.Organisation{ID: plan.VenueID, Kind: passnum.KindVenue})
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(plan.Codes)) {
					return
				}
				key := fmt.Sprintf("crash-%d", i)
				if _, err := s.Redeem(venue, passnum.RedeemRequest{Codes: []string{plan.Codes[i]}, ServiceID: plan.Service, IdempotencyKey: key}); err != nil {
					fmt.Fprintln(os.Stderr, "redeem:", err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Println("ACK " + key)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
