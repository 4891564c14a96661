package sqlstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// crashPurgeAt is the instant of the purge the child runs: past the
// fixture programme's validity, with one month of retention.
var crashPurgeAt = time.Date(2028, 4, 15, 10, 0, 0, 0, time.UTC)

// TestRetentionCrashResumes runs the retention job in a child process,
// one person per batch, and kills it (SIGKILL) in the middle. Every
// person is then either untouched or fully erased, the interrupted run's
// counts say exactly what it erased, and the next run, once the dead
// run's lease has expired, marks it interrupted and erases the rest.
func TestRetentionCrashResumes(t *testing.T) {
	if db := os.Getenv("PASSNUM_PURGE_CRASH_DB"); db != "" {
		purgeCrashChild(t, db)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const people = 60
	db := filepath.Join(t.TempDir(), "purge.db")
	clock := st.NewClock(st.Start)
	s, err := sqlstore.Open(context.Background(), db, sqlstore.WithClock(clock.Now), sqlstore.WithPrivacy(shortRetention()))
	if err != nil {
		t.Fatal(err)
	}
	env := &st.Env{Name: "sqlite", Store: s, Clock: clock}
	f := st.NewFixture(t, env, st.Options{Carnets: people, Allocated: people, Distributed: people, CarnetSize: 1})
	op, venue := st.As(f.Operator), st.VenueCtx(f.Venue)
	session, err := s.CreateSession(venue, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: st.Start.Add(24 * time.Hour), Capacity: people})
	if err != nil {
		t.Fatal(err)
	}
	carnets, _, err := s.ListCarnets(op, passnum.CarnetFilter{Limit: people})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range carnets {
		if _, err := s.Register(venue, passnum.RegistrationCreate{SessionID: session.ID, BeneficiaryRef: c.BeneficiaryRef}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.CreateActivityReport(venue, passnum.ActivityReport{Format: passnum.FormatIndividual, Date: "2027-03-15", DurationMinutes: 60,
				Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: 1, BeneficiaryRefs: []string{c.BeneficiaryRef}, Notes: "suivi"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	clock.Set(crashPurgeAt.Add(-time.Hour))
	if _, err := s.Expire(op); err != nil {
		t.Fatal(err)
	}
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestRetentionCrashResumes$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PASSNUM_PURGE_CRASH_DB="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	batches := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "BATCH ") {
			if batches++; batches == people/3 {
				cmd.Process.Kill() // SIGKILL: no deferred function, no clean close
				break
			}
		}
	}
	cmd.Wait()
	if batches < people/3 {
		t.Fatalf("the child ran only %d batches before ending", batches)
	}

	// Past the dead run's lease.
	clock.Set(crashPurgeAt.Add(3 * time.Minute))
	s, err = sqlstore.Open(context.Background(), db, sqlstore.WithClock(clock.Now), sqlstore.WithPrivacy(shortRetention()))
	if err != nil {
		t.Fatalf("reopen after the crash: %v", err)
	}
	defer s.Close()
	env.Store = s
	noHalfErasure(t, s)
	st.MustCheck(t, env, f.Operator)
	erased := func() int {
		n, err := sqlstore.QueryStrings(s, `SELECT CAST(COUNT(*) AS TEXT) FROM beneficiaries WHERE erased_at IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		var v int
		fmt.Sscan(n[0], &v)
		return v
	}
	first := erased()
	runs, err := s.ListRetentionRuns(op, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != passnum.RetentionRunning || runs[0].Total() != int64(first) || first < people/3 || first == people {
		t.Fatalf("after the kill: %d people erased, runs %+v: want the run's counts to say so, and people left", first, runs)
	}

	run, err := s.RunRetention(op, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := erased(); got != people || run.Counts[0].Erased != int64(people-first) {
		t.Errorf("the second run erased %d more (%d in all), want the %d left", run.Counts[0].Erased, got, people-first)
	}
	if runs, err = s.ListRetentionRuns(op, 0); err != nil || len(runs) != 2 || runs[1].Status != passnum.RetentionInterrupted || runs[0].Status != passnum.RetentionDone {
		t.Errorf("runs %+v, %v", runs, err)
	}
	noHalfErasure(t, s)
	st.MustCheck(t, env, f.Operator)
	t.Logf("%d people erased before the kill, %d after the second run", first, people)
}

// purgeCrashChild runs the purge one person per batch, printing each
// batch once committed, until its parent kills it.
func purgeCrashChild(t *testing.T, db string) {
	s, err := sqlstore.Open(context.Background(), db, sqlstore.WithClock(func() time.Time { return crashPurgeAt }),
		sqlstore.WithPrivacy(shortRetention()), sqlstore.WithRetentionBatch(1))
	if err != nil {
		t.Fatal(err)
	}
	op, err := s.SystemActor(context.Background(), "test:purge")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Retain(st.As(op), false, func(c passnum.RetentionCount) {
		if c.Kind == "beneficiaries" {
			fmt.Printf("BATCH %d\n", c.Erased)
			time.Sleep(5 * time.Millisecond) // let the parent kill us midway
		}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "retain:", err)
		os.Exit(3)
	}
}
