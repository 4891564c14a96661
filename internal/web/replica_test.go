package web

import (
	"strconv"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestFreshnessOnPages: the dashboard and a venue's public page say how
// fresh their figures are when a read replica serves them, and say
// nothing new without one. (cmd/passnum's replica_test.go shows, with
// replay paused, that those figures are the replica's.)
func TestFreshnessOnPages(t *testing.T) {
	for _, c := range []struct {
		name string
		open func(t *testing.T) (*storetest.Env, *storetest.Replication)
		want bool
	}{
		{"without a replica", func(t *testing.T) (*storetest.Env, *storetest.Replication) { return storetest.OpenSQLite(t), nil }, false},
		{"with a replica", func(t *testing.T) (*storetest.Env, *storetest.Replication) {
			repl := storetest.NewReplication(t)
			return repl.Open(t, 0), repl
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			env, repl := c.open(t)
			s := newSite(t, env, Options{})
			if _, err := env.Store.RefreshIndicators(storetest.As(s.f.Operator), nil); err != nil {
				t.Fatal(err)
			}
			if repl != nil {
				repl.WaitReplayed(t)
			}
			for _, page := range []struct {
				who  *person
				path string
			}{
				{s.as(passnum.KindOperator, passnum.RoleAdmin), "/operateur/indicateurs"},
				{anonymous, "/annuaire/" + strconv.FormatInt(s.f.Venue.ID, 10)},
			} {
				a := s.get(page.who, page.path)
				if a.status != 200 {
					t.Fatalf("%s: status %d", page.path, a.status)
				}
				if got := strings.Contains(a.body, "Données à jour à"); got != c.want {
					t.Errorf("%s says how fresh its figures are: %v, want %v", page.path, got, c.want)
				}
			}
		})
	}
}
