package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

func pendingCount(t *testing.T, env *st.Env) string {
	t.Helper()
	n, err := sqlstore.QueryStrings(env.Store, `SELECT CAST(COUNT(*) AS TEXT) FROM venue_imports`)
	if err != nil {
		t.Fatal(err)
	}
	return n[0]
}

func notPending(t *testing.T, what string, err error) {
	t.Helper()
	var e *passnum.Error
	if !errors.As(err, &e) || e.Code != passnum.ECONFLICT || e.Reason != passnum.ReasonImportExpired {
		t.Fatalf("%s: %v, want %s", what, err, passnum.ReasonImportExpired)
	}
}

// TestPendingVenueImport: an import checked on one server is confirmed on
// another (a second store on the same database, as after a restart), by
// the person who checked it only, once, within 30 minutes; the expired
// ones are purged.
func TestPendingVenueImport(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		alice := st.As(member(t, env, f, f.Operator.OrgID, passnum.KindOperator, passnum.RoleAdmin, "Alice Import"))
		bob := st.As(member(t, env, f, f.Operator.OrgID, passnum.KindOperator, passnum.RoleAdmin, "Bob Import"))
		agent := st.As(member(t, env, f, f.Operator.OrgID, passnum.KindOperator, passnum.RoleAgent, "Agent Import"))
		one := standardVenue("attente-1", validSIRET("7400000000001"), "Attente 1", 48.1, -1.6)
		bad := standardVenue("attente-2", validSIRET("7400000000002"), "Attente 2", 48.1, -1.6)
		bad.PostalCode = "29200"
		rows := rowsOf(one, bad)
		unread := []passnum.ImportProblem{{Line: 4, Message: "14 valeurs au lieu de 13"}}

		kept, err := env.Store.KeepVenueImport(alice, passnum.PendingVenueImport{Name: "lieux.csv", ValidLines: true, Rows: rows, Unread: unread})
		if err != nil || kept.Token == "" || !kept.ExpiresAt.Equal(st.Start.Add(passnum.VenueImportTTL)) {
			t.Fatalf("keep: %+v %v", kept, err)
		}
		other := st.Reopen(t, env)
		// Another person, or someone who may not import, cannot confirm it.
		_, _, err = other.Store.ConfirmVenueImport(bob, kept.Token)
		notPending(t, "another person", err)
		if _, _, err = other.Store.ConfirmVenueImport(agent, kept.Token); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("an agent: %v", err)
		}
		_, _, err = other.Store.ConfirmVenueImport(alice, "pas-le-bon")
		notPending(t, "a wrong token", err)

		p, rep, err := other.Store.ConfirmVenueImport(alice, kept.Token)
		report(t, rep, err, 1, 0, 0)
		if p.Name != "lieux.csv" || !p.ValidLines || rep.SkippedLines() != 2 || rep.Skipped[0].Line != 3 || rep.Skipped[1].Line != 4 {
			t.Fatalf("confirmed %+v: %+v", p, rep)
		}
		_, _, err = env.Store.ConfirmVenueImport(alice, kept.Token)
		notPending(t, "confirmed twice", err)

		// All or nothing, kept: a refused confirmation stays waiting.
		kept, err = env.Store.KeepVenueImport(bob, passnum.PendingVenueImport{Name: "tout.csv", Rows: rows})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err = other.Store.ConfirmVenueImport(bob, kept.Token); passnum.ErrorReason(err) != passnum.ReasonImportInvalid {
			t.Fatalf("all or nothing: %v", err)
		}
		if n := pendingCount(t, env); n != "1" {
			t.Fatalf("%s imports waiting after a refusal, want 1", n)
		}
		// 30 minutes later it has expired, and the next keep purges it.
		env.Clock.Advance(passnum.VenueImportTTL)
		_, _, err = other.Store.ConfirmVenueImport(bob, kept.Token)
		notPending(t, "expired", err)
		if _, err = env.Store.KeepVenueImport(alice, passnum.PendingVenueImport{Name: "b.csv", Rows: rowsOf(one)}); err != nil {
			t.Fatal(err)
		}
		if n := pendingCount(t, env); n != "1" {
			t.Fatalf("%s imports waiting after the purge, want 1", n)
		}

		// One per person: a new check replaces the person's former one.
		first, _ := env.Store.KeepVenueImport(alice, passnum.PendingVenueImport{Name: "c.csv", Rows: rowsOf(one)})
		if _, err = env.Store.KeepVenueImport(alice, passnum.PendingVenueImport{Name: "d.csv", Rows: rowsOf(one)}); err != nil {
			t.Fatal(err)
		}
		_, _, err = env.Store.ConfirmVenueImport(alice, first.Token)
		notPending(t, "replaced", err)
		if n := pendingCount(t, env); n != "1" {
			t.Fatalf("%s imports waiting, want 1", n)
		}

		// A few in all: the oldest make room.
		var (
			tokens []string
			people []context.Context
		)
		for i := range passnum.MaxPendingVenueImports + 1 {
			env.Clock.Advance(time.Minute)
			who := st.As(member(t, env, f, f.Operator.OrgID, passnum.KindOperator, passnum.RoleAdmin, fmt.Sprintf("Personne %d", i)))
			p, err := env.Store.KeepVenueImport(who, passnum.PendingVenueImport{Name: "e.csv", Rows: rowsOf(one)})
			if err != nil {
				t.Fatal(err)
			}
			tokens, people = append(tokens, p.Token), append(people, who)
		}
		if n := pendingCount(t, env); n != fmt.Sprint(passnum.MaxPendingVenueImports) {
			t.Fatalf("%s imports waiting, want %d", n, passnum.MaxPendingVenueImports)
		}
		// Alice's d.csv and the first of them made room; the last is there.
		_, _, err = env.Store.ConfirmVenueImport(people[0], tokens[0])
		notPending(t, "the oldest", err)
		if _, _, err = env.Store.ConfirmVenueImport(people[4], tokens[4]); err != nil {
			t.Fatalf("the newest: %v", err)
		}

		// Bad input.
		if _, err = env.Store.KeepVenueImport(alice, passnum.PendingVenueImport{Name: "vide.csv"}); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Fatalf("no rows: %v", err)
		}
		if _, err = env.Store.KeepVenueImport(st.As(f.Operator), passnum.PendingVenueImport{Name: "x.csv", Rows: rowsOf(one)}); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("no person: %v", err)
		}
	})
}

// TestPendingVenueImportConfirmedOnce: confirmations of one import sent
// at once to two servers import it once; the others are told it is no
// longer waiting.
func TestPendingVenueImportConfirmedOnce(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 2})
		alice := st.As(member(t, env, f, f.Operator.OrgID, passnum.KindOperator, passnum.RoleAdmin, "Alice Concurrente"))
		var rows []passnum.ImportRow
		for i := range 50 {
			v := standardVenue(fmt.Sprintf("course-%d", i), validSIRET(fmt.Sprintf("75000000%05d", i)), fmt.Sprintf("Course %d", i), 48.1+float64(i)/100, -1.6)
			rows = append(rows, passnum.ImportRow{Line: i + 2, Venue: v})
		}
		kept, err := env.Store.KeepVenueImport(alice, passnum.PendingVenueImport{Name: "course.csv", Rows: rows})
		if err != nil {
			t.Fatal(err)
		}
		stores := []*sqlstore.Store{env.Store, st.Reopen(t, env).Store}
		const tries = 8
		var (
			wg         sync.WaitGroup
			mu         sync.Mutex
			imported   int
			refused    int
			unexpected []error
		)
		for i := range tries {
			wg.Add(1)
			go func(s *sqlstore.Store) {
				defer wg.Done()
				_, rep, err := s.ConfirmVenueImport(alice, kept.Token)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && rep.Created == len(rows):
					imported++
				case passnum.ErrorReason(err) == passnum.ReasonImportExpired:
					refused++
				default:
					unexpected = append(unexpected, fmt.Errorf("%+v %w", rep, err))
				}
			}(stores[i%2])
		}
		wg.Wait()
		if imported != 1 || refused != tries-1 || len(unexpected) > 0 {
			t.Fatalf("%d imported, %d refused, unexpected %v", imported, refused, unexpected)
		}
		_, total, err := env.Store.ListVenues(st.As(f.Operator), passnum.VenueFilter{Query: "course-"})
		if err != nil || total != len(rows) {
			t.Fatalf("%d venues course-*, want %d (%v)", total, len(rows), err)
		}
		audit, err := sqlstoreAudit(env, "venues.import")
		if err != nil || len(audit) != 1 {
			t.Fatalf("import audit %q %v", audit, err)
		}
	})
}
